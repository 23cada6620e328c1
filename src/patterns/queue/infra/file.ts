// The link's infrastructure file as a PlannedFile: the user's once written, so it is never overwritten
// after an edit; `generate` rewrites it only while it is byte-for-byte what the tool last wrote (its
// SHA-256 is kept in the link's state). An edited file is left alone and the run says what the document
// now describes, so the user can carry the change over.
import { createHash } from 'node:crypto';
import type { GenerateContext, LinkState, PlannedFile } from '../../types.js';
import { renderCloudFormation } from './cloudformation.js';
import type { QueueTopology } from './topology.js';

/** The link state entry holding the hash of the infrastructure file as last written. */
export const INFRA_STATE_KEY = 'infraFile';

/**
 * Where a link's file is: the stored `infraFile` option, else `infra/<link>.cloudformation.yaml` (beside
 * the contracts). `generate` writes it there and `setup-local` reads it there.
 */
export function infraPathOf(linkName: string, options: Record<string, unknown>): string {
  const stored = options['infraFile'];
  return typeof stored === 'string' && stored ? stored : `infra/${linkName}.cloudformation.yaml`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The file and the state entry to record. `ctx` gives the current file and the previous state; the
 * contract path goes into the file's header.
 */
export async function infraFile(
  ctx: Pick<GenerateContext, 'exists' | 'readFile' | 'previousState' | 'note'>,
  path: string,
  topology: QueueTopology,
  contract: string,
): Promise<{ file: PlannedFile; state: LinkState }> {
  const content = renderCloudFormation(topology, contract);
  const fresh = { file: { kind: 'user', path, content, merge: () => content } as PlannedFile, state: stateOf(content) };
  if (!(await ctx.exists(path))) return fresh;
  const existing = await ctx.readFile(path);
  const lastWritten = ctx.previousState?.[INFRA_STATE_KEY]?.[0];
  if (existing === content || (lastWritten !== undefined && sha256(existing) === lastWritten)) return fresh;
  if (lastWritten !== undefined) {
    const topics = topology.topics.map((t) => t.name).join(', ') || 'none';
    const queues = topology.queues.map((q) => q.service).join(', ') || 'none';
    ctx.note(
      `${path} was edited by you, so it was not regenerated; the document now describes topics ${topics} and consuming services ${queues} (delete the file to have it written again)`,
    );
  }
  // Edited (or written before this tool tracked it): kept as it is, and the record stays that of the
  // tool's last version, so a later generate still sees the edit.
  const kept: PlannedFile = { kind: 'user', path, content, merge: (text) => text };
  return { file: kept, state: lastWritten === undefined ? {} : { [INFRA_STATE_KEY]: [lastWritten] } };
}

function stateOf(content: string): LinkState {
  return { [INFRA_STATE_KEY]: [sha256(content)] };
}
