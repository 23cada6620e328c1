// `generate`, `generate --check`, `generate --watch` and `list`: rebuild links from their contracts.
import { patternOf, planLinks, selectLinks } from '../core/engine.js';
import type { LinkConfig, ProjectInfo } from '../core/types.js';
import { CREATE_USAGE, PATTERNS } from '../patterns/index.js';
import { perLink } from '../patterns/types.js';
import { detectProject } from '../project/detect.js';
import { commit } from '../vfs/commit.js';
import { readManifest } from '../vfs/manifest.js';
import { conflictError, type Plan } from '../vfs/plan.js';
import { UsageError } from '../errors.js';
import { missingRuntimeCommand } from './install.js';
import { files, info, paint, warn, warnAll } from './output.js';
import { presentPlan } from './present.js';
import { watchContracts } from './watch.js';

export interface GenerateOptions {
  cwd?: string;
  check?: boolean;
  watch?: boolean;
  dryRun?: boolean;
  force?: boolean;
  /** `--rename old=new`, as given. */
  rename?: string[];
}

/** `--rename old=new` values as a map; a malformed one is a usage error. */
function renamesOf(values: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (const value of values) {
    const m = /^\s*([\w$.]+)\s*=\s*([\w$.]+)\s*$/.exec(value);
    if (!m) throw new UsageError(`--rename ${value}: expected old=new, e.g. --rename getUser=fetchUser`);
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Warns when a runtime package the links import is not installed (an install that failed or was cut short). */
function warnMissingRuntime(project: ProjectInfo, links: LinkConfig[]): void {
  const wanted = links.flatMap((l) => perLink(patternOf(l).runtimeDependencies, l.options));
  const problem = missingRuntimeCommand(project, wanted);
  if (problem) warn(problem);
}

/** One `generate` (or `--check`); `onRead` hears of every file the generators ask for (the watch follows them). */
export async function generateOnce(
  names: string[],
  opts: GenerateOptions,
  onRead?: (link: LinkConfig, file: string) => void,
): Promise<number> {
  const project = detectProject(opts.cwd ?? process.cwd());
  // What create assumed about the project (Node's types not visible, no tsconfig, two lockfiles) still
  // holds for the code generate writes: said again, so a project that will not compile hears why.
  warnAll(project.assumptions ?? []);
  const manifest = readManifest(project.root);
  const links = selectLinks(manifest, names);
  const renames = renamesOf(opts.rename);
  const plan = await planLinks(
    project,
    manifest,
    links.map((link) => ({ link, renames, onRead: onRead && ((file: string) => onRead(link, file)) })),
    !!opts.force && !opts.check,
  );
  const unused = [...renames].filter(([old]) => !plan.renamesApplied.has(old));
  if (unused.length && !opts.check) {
    const [[old, to]] = unused as [[string, string]];
    throw new UsageError(
      `--rename ${old}=${to}: no link has an RPC or message type "${to}" whose handler could come from "${old}" (give the new name as it is in the contract, or its method name)`,
    );
  }
  const notes = (): void => {
    for (const note of plan.notes) warn(note);
  };
  // The contract changes since the last generate, classified (src/cli/contract-changes.ts).
  const remember = await (await import('./contract-changes.js')).reportContractChanges(project.root, links);
  warnMissingRuntime(project, links);
  warnAll(plan.warnings);

  if (opts.check) return reportCheck(plan, links.length);
  if (plan.conflicts.length) throw conflictError(plan);
  if (plan.changes.length === 0) {
    info(`Everything is up to date (${links.map((l) => l.name).join(', ')}); nothing written.`);
    if (!opts.dryRun) await remember();
    notes();
    return 0;
  }
  if (await presentPlan(plan, opts.dryRun)) {
    notes();
    return 0;
  }
  await commit(project.root, plan.operations());
  await remember();
  info(paint('green', `Wrote ${files(plan.changes.length)}.`));
  notes();
  return 0;
}

/** `generate --check`: lists what is stale or edited by hand; 0 when everything is current, else 1. */
function reportCheck(plan: Plan, count: number): number {
  const stale = plan.changes.filter((e) => e.kind === 'generated' || e.kind === 'user');
  if (stale.length === 0 && plan.conflicts.length === 0) {
    info(`Generated code is current for ${count} link${count > 1 ? 's' : ''}.`);
    return 0;
  }
  for (const e of stale) {
    const why =
      e.kind === 'user'
        ? 'needs new stubs merged'
        : e.action === 'create'
          ? 'is missing'
          : e.action === 'delete'
            ? 'is no longer generated'
            : 'is stale';
    info(`  ${e.path} ${why}`);
  }
  for (const c of plan.conflicts)
    info(`  ${c.path} ${c.reason === 'edited' ? 'was edited by hand' : 'conflicts: ' + c.message}`);
  if (stale.length) info('Run `create-service-link generate` to bring the code in line with its contracts.');
  if (plan.conflicts.some((c) => c.reason === 'edited')) {
    info(
      'Generated files are rewritten on every generate: move hand edits into the contract or a file of yours, then run `create-service-link generate --force`.',
    );
  }
  return 1;
}

export async function runGenerate(names: string[], opts: GenerateOptions): Promise<number> {
  if (!opts.watch) return generateOnce(names, opts);
  // A rename is done once: the runs after the first (the contract changed again) leave it out.
  let runOpts = opts;
  return watchContracts(names, opts.cwd, async (onRead) => {
    const code = await generateOnce(names, runOpts, onRead);
    runOpts = { ...opts, rename: [] };
    return code;
  });
}

export async function runList(opts: { cwd?: string }): Promise<number> {
  const project = detectProject(opts.cwd ?? process.cwd());
  const manifest = readManifest(project.root);
  const names = Object.keys(manifest.links);
  if (names.length === 0) {
    info(`No links yet. Create one with \`${CREATE_USAGE}\`.`);
    return 0;
  }
  const rows: string[][] = [['NAME', 'PATTERN', 'CONTRACT', 'OUT', 'STATUS']];
  for (const link of selectLinks(manifest, [])) {
    let status: string;
    try {
      const plan = await planLinks(project, manifest, [{ link }], false);
      const stale = plan.changes.filter((e) => e.kind === 'generated' || e.kind === 'user').length;
      const edited = plan.conflicts.filter((c) => c.reason === 'edited').length;
      status = edited
        ? `edited by hand (${edited} file${edited > 1 ? 's' : ''})`
        : stale
          ? `stale (${stale} file${stale > 1 ? 's' : ''})`
          : 'current';
    } catch (error) {
      status = `contract error: ${(error as Error).message.split('\n')[0]}`;
    }
    rows.push([link.name, link.pattern, link.contracts.join(', '), link.out, status]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) info(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
  // "current" is about the files; code whose runtime packages are missing still does not compile.
  warnMissingRuntime(
    project,
    selectLinks(manifest, []).filter((l) => PATTERNS[l.pattern]),
  );
  return 0;
}
