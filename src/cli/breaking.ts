// `create-service-link breaking`: each link's contracts against a git revision; exit 1 on any
// wire-breaking change, the CI gate for pull requests.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { paint, info } from './output.js';
import { selectLinks } from '../core/engine.js';
import type { LinkConfig } from '../core/types.js';
import { ContractError } from '../errors.js';
import { detectProject } from '../project/detect.js';
import { readManifest } from '../vfs/manifest.js';
import { gitReader, resolveRevision } from '../breaking/git.js';
import { type ContractReader, contractKind, diffContracts, loadContract } from '../breaking/load.js';
import { countBySeverity, formatChanges, type Painter, summary } from '../breaking/report.js';
import type { ContractChange } from '../breaking/types.js';

export interface BreakingOptions {
  against?: string;
  json?: boolean;
  cwd?: string;
}

interface LinkReport {
  name: string;
  pattern: string;
  contracts: string[];
  /** False when the link's contract did not exist at the revision (a new link): nothing to compare. */
  compared: boolean;
  changes: ContractChange[];
}

export const severityPainter: Painter = (severity, text) =>
  paint(severity === 'wire-breaking' ? 'red' : severity === 'source-breaking' ? 'yellow' : 'dim', text);

export function diskReader(root: string): ContractReader {
  return (file) => readFile(path.resolve(root, file), 'utf8').catch(() => undefined);
}

/** A contract error in the old version says which version it is in. */
function atRevision(error: unknown, ref: string): unknown {
  if (!(error instanceof ContractError)) return error;
  return new ContractError(error.file, `${error.detail} (as of ${ref})`, error.line, error.column, error.hint);
}

async function compareLink(link: LinkConfig, root: string, ref: string): Promise<LinkReport> {
  const base = { name: link.name, pattern: link.pattern, contracts: link.contracts };
  if (!contractKind(link)) return { ...base, compared: false, changes: [] };
  const old = gitReader(root, ref);
  if ((await old(link.contracts[0] ?? '')) === undefined) return { ...base, compared: false, changes: [] };
  const before = await loadContract(link, root, old).catch((error: unknown) => {
    throw atRevision(error, ref);
  });
  const after = await loadContract(link, root, diskReader(root));
  return { ...base, compared: true, changes: await diffContracts(before.contract, after.contract) };
}

export async function runBreaking(names: string[], opts: BreakingOptions): Promise<number> {
  const project = detectProject(opts.cwd ?? process.cwd());
  const links = selectLinks(readManifest(project.root), names);
  const ref = opts.against ?? 'HEAD';
  const commit = await resolveRevision(project.root, ref);
  const reports: LinkReport[] = [];
  for (const link of links) reports.push(await compareLink(link, project.root, ref));
  const all = reports.flatMap((r) => r.changes);
  const counts = countBySeverity(all);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ against: ref, commit, links: reports, counts }, null, 2)}\n`);
  } else {
    for (const r of reports) {
      info(`${r.name} (${r.pattern}, ${r.contracts.join(', ')}) against ${ref} (${commit}):`);
      if (!r.compared) info(paint('dim', `  not in ${ref}: a new link, nothing to compare`));
      else if (r.changes.length === 0) info(paint('dim', '  no contract changes'));
      else for (const line of formatChanges(r.changes, severityPainter)) info(line);
    }
    info(summary(all));
    if (counts['wire-breaking'])
      info(
        'Deployed peers break on the wire-breaking changes: apply the fixes, ' +
          'or version the API (a new package, path or queue).',
      );
  }
  return counts['wire-breaking'] > 0 ? 1 : 0;
}
