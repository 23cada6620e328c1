// `create-service-link [pattern] [name]`: answers/flags -> contract -> generated files -> one commit.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { planLinks } from '../core/engine.js';
import { missingOptions, orList } from '../core/options.js';
import { scaffoldLink } from '../core/scaffold.js';
import { PATTERNS, PATTERN_IDS } from '../patterns/index.js';
import { perLink, type LinkConfig, type PatternId, type Prompts } from '../patterns/types.js';
import { detectProject } from '../project/detect.js';
import { linkNameProblem } from '../util/names.js';
import { commit } from '../vfs/commit.js';
import { readManifest, type Manifest } from '../vfs/manifest.js';
import { conflictError } from '../vfs/plan.js';
import { installDependencies } from './install.js';
import { files, info, paint, warn } from './output.js';
import { presentPlan } from './present.js';
import { askOptions } from './questions.js';
import { choosePattern } from './wizard.js';

/** Options every pattern command takes. */
export interface CommonOptions {
  cwd?: string;
  out?: string;
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  install: boolean;
}

const COMMON_KEYS = new Set(['cwd', 'out', 'yes', 'dryRun', 'force', 'install']);

export function isInteractive(opts: { yes?: boolean }): boolean {
  return !opts.yes && !process.env.CI && process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** Why nothing is asked, in the user's terms: --yes, CI, or no terminal. */
function whyNotAsked(opts: { yes?: boolean }): string {
  if (opts.yes) return 'with --yes nothing is asked';
  if (process.env.CI) return 'CI is set, so nothing is asked';
  return 'no terminal to ask on';
}

/** An --out whose path runs through a file (`--out src/index.ts`) cannot become a folder. */
function checkOutOnDisk(root: string, out: string, given: string): void {
  let dir = root;
  for (const part of out.split('/')) {
    dir = path.join(dir, part);
    if (!existsSync(dir)) return;
    if (!statSync(dir).isDirectory()) {
      const file = path.relative(root, dir).split(path.sep).join('/');
      throw new UsageError(`--out ${given}: ${file} is a file, not a folder; pick a folder, e.g. --out src/links/user`);
    }
  }
}

/** A project-relative folder that stays inside the project. */
export function checkOutDir(out: string): string {
  const norm = path.posix.normalize(out.replace(/\\/g, '/')).replace(/\/$/, '');
  if (!norm || norm === '.' || norm.startsWith('../') || norm === '..' || path.posix.isAbsolute(norm)) {
    throw new UsageError(`--out ${out}: use a folder inside the project, e.g. --out src/links/user`);
  }
  return norm;
}

/**
 * The link name (checked before any pattern question, so nobody answers them for a name that cannot
 * be used) and the pattern's options: asked on a terminal, else the missing ones are named.
 */
async function nameAndOptions(
  pattern: PatternId,
  nameArg: string | undefined,
  flags: Record<string, unknown>,
  manifest: Manifest,
  prompts: Prompts | undefined,
  why: string,
): Promise<{ name: string; options: Record<string, unknown> }> {
  const spec = PATTERNS[pattern];
  const taken = (n: string) =>
    manifest.links[n]
      ? `a link named "${n}" already exists (${manifest.links[n]!.pattern}). Edit its contract and run \`create-service-link generate ${n}\`, or choose another name`
      : undefined;
  if (nameArg !== undefined) {
    const problem = linkNameProblem(nameArg);
    if (problem) throw new UsageError(`invalid link name "${nameArg}": ${problem}.`);
    const exists = taken(nameArg);
    if (exists) throw new UsageError(`${exists}.`);
  }
  if (prompts) {
    const answer =
      nameArg ??
      (await prompts.input({
        message: 'Name of the link (the service you talk to, e.g. user):',
        validate: (v) => linkNameProblem(v.trim()) ?? taken(v.trim()) ?? true,
      }));
    const name = answer.trim();
    return { name, options: await askOptions(prompts, spec.options, { name }, flags) };
  }
  const missing = [...(nameArg ? [] : ['<name>']), ...missingOptions(spec.options, flags)];
  if (missing.length) {
    throw new UsageError(
      `missing required input (${why}): ${missing.join(', ')}. See \`create-service-link ${pattern} --help\`.`,
    );
  }
  return { name: nameArg!, options: flags };
}

export async function runCreate(
  patternArg: PatternId | undefined,
  nameArg: string | undefined,
  opts: CommonOptions,
  flags: Record<string, unknown>,
): Promise<number> {
  const interactive = isInteractive(opts);
  const project = detectProject(opts.cwd ?? process.cwd());
  // Checked before any question, so no answer is lost to a bad --out.
  if (opts.out !== undefined) checkOutOnDisk(project.root, checkOutDir(opts.out), opts.out);
  const prompts: Prompts | undefined = interactive ? await import('@inquirer/prompts') : undefined;

  if (!patternArg && !prompts) {
    throw new UsageError(
      `${whyNotAsked(opts)}: give the pattern and name, e.g. \`${PATTERNS[PATTERN_IDS[0]!].example}\` (see --help).\n` +
        `  Missing: <pattern> (${orList(PATTERN_IDS)}), <name>`,
    );
  }
  const pattern = patternArg ?? (await choosePattern(prompts!));
  const spec = PATTERNS[pattern];

  const manifest = readManifest(project.root);
  const flagOptions = Object.fromEntries(Object.entries(flags).filter(([k]) => !COMMON_KEYS.has(k)));
  const { name, options } = await nameAndOptions(pattern, nameArg, flagOptions, manifest, prompts, whyNotAsked(opts));

  const out = checkOutDir(opts.out ?? `${project.srcDir}/links/${name}`);
  checkOutOnDisk(project.root, out, opts.out ?? out);
  const scaffold = await scaffoldLink(spec, { name, options, project, out });
  // Taken, but worth a second look: say what was assumed.
  for (const note of [...(project.assumptions ?? []), ...(scaffold.warnings ?? [])]) warn(note);
  const link: LinkConfig = { name, pattern, contracts: scaffold.contracts, out, options: scaffold.options };
  const plan = await planLinks(project, manifest, [{ link, newContracts: scaffold.files }], !!opts.force);
  if (plan.conflicts.length) throw conflictError(plan);

  info(`${opts.dryRun ? 'Would write' : 'Writing'} the ${pattern} link "${name}" in ${project.root}:`);
  if (await presentPlan(plan, opts.dryRun)) return 0;
  if (prompts && !(await prompts.confirm({ message: `Write ${files(plan.changes.length)}?`, default: true }))) {
    info('Nothing was written.');
    return 0;
  }
  await commit(project.root, plan.operations());
  info(paint('green', `\nWrote ${files(plan.changes.length)}.`));
  // The files are written: a failed install is a warning naming the command to run, not a failure.
  await installDependencies(project, perLink(spec.runtimeDependencies, link.options), !opts.install);
  info(
    `\nNext: edit ${scaffold.contracts.join(', ')} as your API grows, then run \`npx create-service-link generate\`.`,
  );
  return 0;
}
