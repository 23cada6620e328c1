// `create-service-link [pattern] [name]`: answers/flags -> contract -> generated files -> one commit.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ContractError, UsageError } from '../errors.js';
import { planLinks } from '../core/engine.js';
import { missingOptions, orList } from '../core/options.js';
import { defaultRuntimeDir } from '../core/runtime.js';
import { scaffoldLink } from '../core/scaffold.js';
import { PATTERNS, PATTERN_IDS } from '../patterns/index.js';
import {
  perLink,
  type LinkConfig,
  type PatternId,
  type PatternSpec,
  type ProjectInfo,
  type Prompts,
} from '../patterns/types.js';
import { detectProject } from '../project/detect.js';
import { linkNameProblem } from '../util/names.js';
import { commit } from '../vfs/commit.js';
import { readManifest, type Manifest } from '../vfs/manifest.js';
import { conflictError } from '../vfs/plan.js';
import { installDependencies } from './install.js';
import { equivalentCommand } from './equivalent.js';
import { nextSteps } from './next-steps.js';
import { fail, files, info, paint, warnAll } from './output.js';
import { presentPlan } from './present.js';
import { answersOf, askRemaining, changeAnswer, renameDefaults, startInterview, type Interview } from './questions.js';
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

/** A name the flags gave: checked before any pattern question, so nobody answers them for a name that cannot be used. */
function checkNameArg(nameArg: string | undefined, manifest: Manifest): void {
  if (nameArg === undefined) return;
  const problem = linkNameProblem(nameArg);
  if (problem) throw new UsageError(`invalid link name "${nameArg}": ${problem}.`);
  const taken = takenName(nameArg, manifest);
  if (taken) throw new UsageError(`${taken}.`);
}

function takenName(n: string, manifest: Manifest): string | undefined {
  return manifest.links[n]
    ? `a link named "${n}" already exists (${manifest.links[n]!.pattern}). Edit its contract and run \`create-service-link generate ${n}\`, or choose another name`
    : undefined;
}

async function askName(prompts: Prompts, manifest: Manifest, current?: string): Promise<string> {
  const answer = await prompts.input({
    message: 'Name of the link (the service you talk to, e.g. user):',
    default: current,
    validate: (v) => linkNameProblem(v.trim()) ?? takenName(v.trim(), manifest) ?? true,
  });
  return answer.trim();
}

/** One link's contract and plan from its name and options; refuses conflicts. */
async function prepare(spec: PatternSpec, name: string, options: Record<string, unknown>, ctx: CreateContext) {
  const { project, manifest, opts } = ctx;
  const out = checkOutDir(opts.out ?? `${project.srcDir}/links/${name}`);
  checkOutOnDisk(project.root, out, opts.out ?? out);
  const scaffold = await scaffoldLink(spec, { name, options, project, out });
  const link: LinkConfig = { name, pattern: spec.id, contracts: scaffold.contracts, out, options: scaffold.options };
  const plan = await planLinks(project, manifest, [{ link, newContracts: scaffold.files }], !!opts.force);
  if (plan.conflicts.length) throw conflictError(plan);
  return { link, plan, warnings: [...(scaffold.warnings ?? []), ...plan.warnings] };
}
type Prepared = Awaited<ReturnType<typeof prepare>>;

interface CreateContext {
  project: ProjectInfo;
  manifest: Manifest;
  opts: CommonOptions;
}

function show(prepared: Prepared, ctx: CreateContext): void {
  warnAll([...(ctx.project.assumptions ?? []), ...prepared.warnings]);
  const { name, pattern } = prepared.link;
  info(`${ctx.opts.dryRun ? 'Would write' : 'Writing'} the ${pattern} link "${name}" in ${ctx.project.root}:`);
}

/**
 * The wizard's way to a plan: the name and the pattern's questions, then a review that writes, changes
 * one answer (there is no back navigation) or stops. A bad combination of answers is said and can be
 * changed too, so no answer is lost. Undefined: the user chose to write nothing.
 */
async function interview(
  spec: PatternSpec,
  nameArg: string | undefined,
  flags: Record<string, unknown>,
  prompts: Prompts,
  ctx: CreateContext,
): Promise<{ prepared: Prepared; values: Record<string, unknown> } | undefined> {
  let name = nameArg ?? (await askName(prompts, ctx.manifest));
  const iv = startInterview(spec.options, flags, ctx.project.root);
  await askRemaining(prompts, iv, { name });
  for (;;) {
    let prepared: Prepared | undefined;
    try {
      prepared = await prepare(spec, name, iv.values, ctx);
    } catch (error) {
      if (!(error instanceof UsageError || error instanceof ContractError)) throw error;
      fail(`${error.message.split('\n')[0]}; change an answer below`);
    }
    if (prepared) {
      show(prepared, ctx);
      if (await presentPlan(prepared.plan, ctx.opts.dryRun)) return { prepared, values: iv.values };
    }
    const choice = await reviewChoice(prompts, iv, name, nameArg === undefined, prepared?.plan.changes.length);
    if (choice === 'write' && prepared) return { prepared, values: iv.values };
    if (choice === 'cancel') return undefined;
    if (choice === 'name') {
      const renamed = await askName(prompts, ctx.manifest, name);
      renameDefaults(iv, { name }, { name: renamed });
      name = renamed;
    } else await changeAnswer(prompts, iv, { name }, choice);
  }
}

/** "Write 12 files?" with a way to change each answer; returns 'write', 'cancel', 'name' or the option's key. */
async function reviewChoice(
  prompts: Prompts,
  iv: Interview,
  name: string,
  askedName: boolean,
  fileCount: number | undefined,
): Promise<string> {
  const short = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);
  const changes = [
    ...(askedName ? [{ value: 'name', name: `Change the link name (${name})` }] : []),
    ...answersOf(iv, { name }).map((a) => ({ value: a.key, name: `Change ${a.label} (${short(a.answer)})` })),
  ];
  const write = fileCount === undefined ? [] : [{ value: 'write', name: 'Yes, write them' }];
  return prompts.select({
    message: fileCount === undefined ? 'Change an answer?' : `Write ${files(fileCount)}?`,
    choices: [...write, ...changes, { value: 'cancel', name: 'No, write nothing' }],
  });
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
  const chosen = patternArg ? undefined : await choosePattern(prompts!);
  const pattern = patternArg ?? chosen!.pattern;
  const spec = PATTERNS[pattern];

  const manifest = readManifest(project.root);
  const flagOptions = Object.fromEntries(Object.entries(flags).filter(([k]) => !COMMON_KEYS.has(k)));
  // The matrix already asked about fan-out: a queue chosen after "yes" is a fan-out link (SNS + a queue each).
  if (pattern === 'queue' && chosen?.fanOut && flagOptions.fanOut === undefined) flagOptions.fanOut = true;
  checkNameArg(nameArg, manifest);
  const ctx: CreateContext = { project, manifest, opts };
  const planned = await planCreate(spec, nameArg, flagOptions, prompts, ctx);
  if (!planned) {
    info('Nothing was written.');
    return 0;
  }
  // The wizard's answers as a command that asks nothing, for a script or CI.
  const again = prompts && equivalentCommand(pattern, planned.prepared.link.name, spec.options, planned.values, opts);
  if (!opts.dryRun) await writeLink(spec, planned.prepared, ctx);
  if (again) info(`\nThe same without questions (for a script or CI):\n  ${again}`);
  return 0;
}

/** The plan from the wizard (undefined: the user wrote nothing), or from the flags alone. */
async function planCreate(
  spec: PatternSpec,
  nameArg: string | undefined,
  flags: Record<string, unknown>,
  prompts: Prompts | undefined,
  ctx: CreateContext,
): Promise<{ prepared: Prepared; values: Record<string, unknown> } | undefined> {
  if (prompts) return interview(spec, nameArg, flags, prompts, ctx);
  const missing = [...(nameArg ? [] : ['<name>']), ...missingOptions(spec.options, flags)];
  if (missing.length) {
    throw new UsageError(
      `missing required input (${whyNotAsked(ctx.opts)}): ${missing.join(', ')}. See \`create-service-link ${spec.id} --help\`.`,
    );
  }
  const prepared = await prepare(spec, nameArg!, flags, ctx);
  show(prepared, ctx);
  await presentPlan(prepared.plan, ctx.opts.dryRun);
  return { prepared, values: flags };
}

/** One commit, then the install and what to do next. */
async function writeLink(spec: PatternSpec, { link, plan }: Prepared, { project, manifest, opts }: CreateContext) {
  await commit(project.root, plan.operations());
  info(paint('green', `\nWrote ${files(plan.changes.length)}.`));
  // The files are written: a failed install is a warning naming the command to run, not a failure.
  await installDependencies(project, perLink(spec.runtimeDependencies, link.options), !opts.install);
  const runtimeDir = manifest.runtime?.dir ?? defaultRuntimeDir(project);
  const runtime = perLink(spec.runtimeModules, link.options).map((m) => `${runtimeDir}/${m}.ts`);
  info(`\n${nextSteps(plan, link, runtime).join('\n')}`);
}
