// `generate`, `generate --check`, `generate --watch` and `list`: rebuild links from their contracts.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { patternOf, planLinks, selectLinks } from '../core/engine.js';
import { CREATE_USAGE } from '../patterns/index.js';
import { detectProject } from '../project/detect.js';
import { commit } from '../vfs/commit.js';
import { readManifest } from '../vfs/manifest.js';
import { conflictError } from '../vfs/plan.js';
import { errorCode } from './exit.js';
import { info, paint, warn } from './output.js';
import { UsageError, UserFileError } from '../errors.js';
import { presentPlan } from './present.js';

interface GenerateOptions {
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

async function generateOnce(names: string[], opts: GenerateOptions): Promise<number> {
  const project = detectProject(opts.cwd ?? process.cwd());
  const manifest = readManifest(project.root);
  const links = selectLinks(manifest, names);
  const renames = renamesOf(opts.rename);
  const plan = await planLinks(
    project,
    manifest,
    links.map((link) => ({ link, renames })),
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

  if (opts.check) {
    const stale = plan.changes.filter((e) => e.kind === 'generated' || e.kind === 'user');
    if (stale.length === 0 && plan.conflicts.length === 0) {
      info(`Generated code is current for ${links.length} link${links.length > 1 ? 's' : ''}.`);
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
  if (plan.conflicts.length) throw conflictError(plan);
  if (plan.changes.length === 0) {
    info(`Everything is up to date (${links.map((l) => l.name).join(', ')}); nothing written.`);
    notes();
    return 0;
  }
  if (await presentPlan(plan, opts.dryRun)) {
    notes();
    return 0;
  }
  await commit(project.root, plan.operations());
  info(paint('green', `Wrote ${plan.changes.length} files.`));
  notes();
  return 0;
}

export async function runGenerate(names: string[], opts: GenerateOptions): Promise<number> {
  if (!opts.watch) return generateOnce(names, opts);
  return watchContracts(names, opts);
}

/** Regenerates on every contract change; an invalid contract prints its error and watching goes on. */
async function watchContracts(names: string[], opts: GenerateOptions): Promise<number> {
  const project = detectProject(opts.cwd ?? process.cwd());
  const links = selectLinks(readManifest(project.root), names);
  let interrupted = false;
  // A user file that does not parse: watched too until the next run, so saving the fix regenerates.
  let unparsed: FSWatcher | undefined;
  let runOpts = opts;
  const runOnce = async () => {
    unparsed?.close();
    unparsed = undefined;
    try {
      await generateOnce(names, runOpts);
      runOpts = { ...opts, rename: [] }; // a rename is done once
    } catch (error) {
      // Ctrl-C during a commit (exit 130) ends the watch as it ends any command.
      if (errorCode(error) === 130) interrupted = true;
      else if (error instanceof UserFileError) unparsed = watchUserFile(project.root, error.file, () => schedule());
    }
  };
  await runOnce();
  if (interrupted) return 130;
  // Watch folders, not files: editors often save by writing a new file and renaming it over the old one.
  // Contract folders, plus what the pattern adds (a .proto importing another from --proto-path).
  const roots = (l: (typeof links)[number]) => [
    ...l.contracts.map((c) => path.dirname(c)),
    ...(patternOf(l).watchRoots?.(l) ?? []),
  ];
  const folders = new Set(
    links
      .flatMap(roots)
      .map((f) => path.resolve(project.root, f))
      .filter((f) => existsSync(f)),
  );
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() => {
        info(paint('dim', `\n[${new Date().toLocaleTimeString()}] contract changed, regenerating`));
        return runOnce();
      });
    }, 100);
  }
  for (const folder of folders) {
    watchers.push(
      watch(folder, (_event, file) => {
        if (file && (file.startsWith('.') || file.endsWith('~'))) return;
        schedule();
      }),
    );
  }
  info(
    paint(
      'dim',
      `Watching ${[...folders].map((f) => path.relative(project.root, f) || '.').join(', ')} (Ctrl-C to stop).`,
    ),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      unparsed?.close();
      for (const w of watchers) w.close();
      clearTimeout(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running;
  return interrupted ? 130 : 0;
}

/** Watches one user file (its folder: editors save by rename) and calls `changed` when it is saved. */
function watchUserFile(root: string, file: string, changed: () => void): FSWatcher | undefined {
  const full = path.resolve(root, file);
  if (!existsSync(path.dirname(full))) return undefined;
  info(paint('dim', `Watching ${file} too: generate runs again when you save it.`));
  return watch(path.dirname(full), (_event, name) => {
    if (name === path.basename(full)) changed();
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
  return 0;
}
