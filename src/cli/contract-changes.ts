// "What changed in the contract since the last generate": every successful generate keeps the text of
// each file a link's contract was read from (imports included) in the user's cache folder
// ($XDG_CACHE_HOME or ~/.cache, under create-service-link/<project hash>/), never in the project: the
// manifest stays small, git sees nothing, and a generate with nothing to do still writes nothing
// there. With no snapshot yet (a fresh clone, CI), the baseline is the contract at git HEAD, if any.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { info, warn } from './output.js';
import type { LinkConfig } from '../core/types.js';
import { diskReader, severityPainter } from './breaking.js';
import { gitReader } from '../breaking/git.js';
import { type ContractReader, contractKind, diffContracts, loadContract } from '../breaking/load.js';
import { formatChanges, summary } from '../breaking/report.js';

/** The folder of one project's snapshots. */
export function snapshotDir(root: string): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  const key = createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 16);
  return path.join(cache, 'create-service-link', 'contracts', key);
}

interface Snapshot {
  version: 1;
  contracts: string[];
  /** Project-relative path -> the text generated from. */
  files: Record<string, string>;
}

function snapshotFile(root: string, link: string): string {
  return path.join(snapshotDir(root), `${link}.json`);
}

async function readSnapshot(root: string, link: LinkConfig): Promise<Snapshot | undefined> {
  try {
    const s = JSON.parse(await readFile(snapshotFile(root, link.name), 'utf8')) as Snapshot;
    const same = s.version === 1 && s.contracts.join('\n') === link.contracts.join('\n');
    return same && typeof s.files === 'object' ? s : undefined;
  } catch {
    return undefined;
  }
}

async function unchanged(root: string, snapshot: Snapshot): Promise<boolean> {
  const disk = diskReader(root);
  for (const [file, text] of Object.entries(snapshot.files)) if ((await disk(file)) !== text) return false;
  return true;
}

async function writeSnapshot(root: string, link: LinkConfig, files: Map<string, string>): Promise<void> {
  const file = snapshotFile(root, link.name);
  await mkdir(path.dirname(file), { recursive: true });
  const snapshot: Snapshot = { version: 1, contracts: link.contracts, files: Object.fromEntries(files) };
  // Temp file + rename: two generates at once never leave half a snapshot.
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(snapshot)}\n`);
  await rename(temp, file);
}

/** A reader of the committed version, or undefined outside git or before the first commit. */
async function headReader(root: string, link: LinkConfig): Promise<ContractReader | undefined> {
  const read = gitReader(root, 'HEAD');
  return (await read(link.contracts[0] ?? '').catch(() => undefined)) === undefined ? undefined : read;
}

/** Prints the link's changes; returns the contract files to remember, or undefined when they are the baseline. */
async function reportLink(root: string, link: LinkConfig): Promise<Map<string, string> | undefined> {
  const snapshot = await readSnapshot(root, link);
  if (snapshot && (await unchanged(root, snapshot))) return undefined;
  const baseline: ContractReader | undefined = snapshot
    ? async (file) => snapshot.files[file]
    : await headReader(root, link);
  const after = await loadContract(link, root, diskReader(root));
  if (baseline) {
    const before = await loadContract(link, root, baseline).catch(() => undefined);
    const changes = before ? await diffContracts(before.contract, after.contract) : [];
    if (changes.length) {
      info(
        `Contract changes in ${link.name} since ${snapshot ? 'the last generate' : 'git HEAD'} (${summary(changes)}):`,
      );
      for (const line of formatChanges(changes, severityPainter)) info(line);
    }
  }
  return after.files;
}

/**
 * Prints each link's contract changes since its last generate. The returned function remembers the
 * current contracts as the new baseline: the caller runs it only once the code generated from them is
 * on disk (a failed or declined generate keeps the old baseline). Never fails a generate: a problem
 * here is only a warning.
 */
export async function reportContractChanges(root: string, links: LinkConfig[]): Promise<() => Promise<void>> {
  const pending: [LinkConfig, Map<string, string>][] = [];
  for (const link of links) {
    if (!contractKind(link)) continue;
    try {
      const files = await reportLink(root, link);
      if (files) pending.push([link, files]);
    } catch (error) {
      warn(`could not compare the contract of ${link.name} with its last generate: ${(error as Error).message}`);
    }
  }
  return async () => {
    for (const [link, files] of pending) {
      await writeSnapshot(root, link, files).catch((error: Error) =>
        warn(`could not remember the contract of ${link.name} for the next generate: ${error.message}`),
      );
    }
  };
}
