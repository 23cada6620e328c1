// Turns what the patterns want written into a plan against the disk and the manifest: what to create,
// update, delete or leave, and what would clobber a file that is not ours (a conflict).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError } from '../errors.js';
import { GENERATED_HEADER } from '../util/text.js';
import type { PlannedFile } from '../core/types.js';
import {
  hash,
  MANIFEST_FILE,
  serializeManifest,
  type LinkEntry,
  type Manifest,
  type RuntimeEntry,
} from './manifest.js';
import type { Operation } from './commit.js';

export type FileKind = 'generated' | 'user' | 'contract' | 'meta';
export type Action = 'create' | 'update' | 'delete' | 'unchanged';

export interface PlanEntry {
  path: string;
  kind: FileKind;
  action: Action;
  before?: string;
  after?: string;
  link?: string;
}

export interface Conflict {
  path: string;
  reason: 'foreign' | 'edited' | 'contract-exists' | 'shared';
  message: string;
}

export class Plan {
  readonly entries: PlanEntry[] = [];
  readonly conflicts: Conflict[] = [];
  /** What the generators want the user to know after the run (likely renames, signatures to update). */
  readonly notes: string[] = [];
  /** Input the generators took but question (a proto with no service, a renamed duplicate operationId), with what they assumed. */
  readonly warnings: string[] = [];
  /** The `--rename` values (their old names) some link applied. */
  readonly renamesApplied = new Set<string>();
  /** What each planned path holds on disk (undefined: no file), read once. */
  readonly disk = new Map<string, string | undefined>();
  constructor(
    readonly root: string,
    readonly manifest: Manifest,
  ) {}

  async read(file: string): Promise<string | undefined> {
    if (!this.disk.has(file)) this.disk.set(file, await readText(this.root, file));
    return this.disk.get(file);
  }

  get changes(): PlanEntry[] {
    return this.entries.filter((e) => e.action !== 'unchanged');
  }

  operations(): Operation[] {
    return this.changes.map((e) =>
      e.action === 'delete'
        ? { type: 'delete', path: e.path }
        : { type: 'write', path: e.path, content: e.after ?? '' },
    );
  }
}

/** The error for a plan that would overwrite files it must not touch: the paths and why, one a line. */
export function conflictError(plan: Plan): ConflictError {
  return new ConflictError(
    plan.conflicts.map((c) => c.path),
    `refusing to write:\n${plan.conflicts.map((c) => `  - ${c.message}`).join('\n')}`,
  );
}

export async function readText(root: string, rel: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(root, rel), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

const RUNTIME_OWNER = '(shared runtime)';

/** Who owns a file: a link's name, RUNTIME_OWNER, or undefined when it is not ours. */
function owner(manifest: Manifest, file: string, except?: string): string | undefined {
  if (except !== RUNTIME_OWNER && manifest.runtime && file in manifest.runtime.files) return RUNTIME_OWNER;
  for (const [name, entry] of Object.entries(manifest.links)) {
    if (name !== except && (file in entry.files || entry.userFiles.includes(file))) return name;
  }
  return undefined;
}

const FOREIGN = (file: string): string =>
  `${file} exists and was not created by create-service-link; it is never overwritten. Move it away or pick another --out folder.`;

/** Plans one generated file against the disk and its last recorded hash (`known`). */
async function planGenerated(
  plan: Plan,
  f: { path: string; content: string },
  known: string | undefined,
  force: boolean,
  link?: string,
): Promise<void> {
  if (!f.content.startsWith(GENERATED_HEADER)) throw new Error(`internal: ${f.path} lacks the generated-code header`);
  const disk = await plan.read(f.path);
  const entry = { path: f.path, kind: 'generated' as const, link };
  if (disk === undefined) plan.entries.push({ ...entry, action: 'create', after: f.content });
  else if (disk === f.content) plan.entries.push({ ...entry, action: 'unchanged', before: disk, after: disk });
  else if (known === undefined) plan.conflicts.push({ path: f.path, reason: 'foreign', message: FOREIGN(f.path) });
  else if (hash(disk) !== known && !force)
    plan.conflicts.push({
      path: f.path,
      reason: 'edited',
      message: `${f.path} was edited by hand since it was generated. Move your change into the contract or a user-owned file, then re-run with --force to overwrite it.`,
    });
  else plan.entries.push({ ...entry, action: 'update', before: disk, after: f.content });
}

/** Generated files of the last run that this run no longer produces are ours to remove, unless edited by hand. */
async function planRemovals(
  plan: Plan,
  previous: Record<string, string>,
  kept: Record<string, string>,
  force: boolean,
  link?: string,
): Promise<void> {
  for (const [file, known] of Object.entries(previous)) {
    if (file in kept) continue;
    const disk = await plan.read(file);
    if (disk === undefined) continue;
    if (hash(disk) !== known && !force) {
      plan.conflicts.push({
        path: file,
        reason: 'edited',
        message: `${file} is no longer generated but was edited by hand; move it away or re-run with --force to delete it.`,
      });
      continue;
    }
    plan.entries.push({ path: file, kind: 'generated', action: 'delete', before: disk, link });
  }
}

export interface LinkPlanInput {
  name: string;
  entry: Omit<LinkEntry, 'files' | 'userFiles'>;
  files: PlannedFile[];
  /** Contract files created by this run (scaffold). */
  newContracts?: { path: string; content: string }[];
  force: boolean;
}

async function planContracts(plan: Plan, link: string, contracts: { path: string; content: string }[]): Promise<void> {
  for (const c of contracts) {
    if ((await plan.read(c.path)) !== undefined) {
      plan.conflicts.push({
        path: c.path,
        reason: 'contract-exists',
        message: `${c.path} already exists. Generate from it with the pattern's contract flag (e.g. --proto/--openapi/--asyncapi), or choose another link name.`,
      });
      continue;
    }
    plan.entries.push({ path: c.path, kind: 'contract', action: 'create', after: c.content, link });
  }
}

/** A user-owned file: created once, afterwards only merged into (and only when we created it). */
async function planUserFile(
  plan: Plan,
  f: Extract<PlannedFile, { kind: 'user' }>,
  ours: boolean,
  link: string,
): Promise<void> {
  const disk = await plan.read(f.path);
  if (disk === undefined) plan.entries.push({ path: f.path, kind: 'user', action: 'create', after: f.content, link });
  else if (!ours) plan.conflicts.push({ path: f.path, reason: 'foreign', message: FOREIGN(f.path) });
  else {
    const merged = f.merge ? await f.merge(disk) : disk;
    plan.entries.push({
      path: f.path,
      kind: 'user',
      action: merged === disk ? 'unchanged' : 'update',
      before: disk,
      after: merged,
      link,
    });
  }
}

/** Adds one link's files to the plan and records its new manifest entry. */
export async function planLink(plan: Plan, input: LinkPlanInput): Promise<void> {
  const previous = plan.manifest.links[input.name];
  const files: Record<string, string> = {};
  const userFiles: string[] = [];
  await planContracts(plan, input.name, input.newContracts ?? []);
  for (const f of input.files) {
    const other = owner(plan.manifest, f.path, input.name);
    if (other) {
      plan.conflicts.push({
        path: f.path,
        reason: 'shared',
        message: `${f.path} belongs to ${other === RUNTIME_OWNER ? 'the shared runtime' : `link "${other}"`}; give this link another --out folder.`,
      });
    } else if (f.kind === 'generated') {
      files[f.path] = hash(f.content);
      await planGenerated(plan, f, previous?.files[f.path], input.force, input.name);
    } else {
      userFiles.push(f.path);
      await planUserFile(plan, f, !!previous?.userFiles.includes(f.path), input.name);
    }
  }
  await planRemovals(plan, previous?.files ?? {}, files, input.force, input.name);
  plan.manifest.links[input.name] = { ...input.entry, files, userFiles };
}

/** Adds the shared runtime's files to the plan (after every link) and records them in the manifest. */
export async function planRuntime(
  plan: Plan,
  dir: string,
  version: string,
  planned: PlannedFile[],
  force: boolean,
): Promise<void> {
  const previous = plan.manifest.runtime;
  const files: Record<string, string> = {};
  for (const f of planned) {
    const other = owner(plan.manifest, f.path, RUNTIME_OWNER);
    if (other) {
      plan.conflicts.push({
        path: f.path,
        reason: 'shared',
        message: `${f.path} belongs to link "${other}"; the shared runtime needs this path.`,
      });
      continue;
    }
    files[f.path] = hash(f.content);
    await planGenerated(plan, f, previous?.files[f.path], force);
  }
  await planRemovals(plan, previous?.files ?? {}, files, force);
  const entry: RuntimeEntry = { dir, version, files };
  if (planned.length || previous) plan.manifest.runtime = entry;
}

const BLOCK_START = '# >>> create-service-link: generated files';
const BLOCK_END = '# <<< create-service-link';

/** Adds service-link.json and the managed .gitattributes block to the plan. */
export async function planMeta(plan: Plan): Promise<void> {
  const { root, manifest } = plan;
  const manifestText = serializeManifest(manifest);
  const before = await readText(root, MANIFEST_FILE);
  plan.entries.push({
    path: MANIFEST_FILE,
    kind: 'meta',
    action: before === undefined ? 'create' : before === manifestText ? 'unchanged' : 'update',
    before,
    after: manifestText,
  });

  const generated = [
    ...Object.keys(manifest.runtime?.files ?? {}),
    ...Object.values(manifest.links).flatMap((l) => Object.keys(l.files)),
  ].sort();
  const block = [
    BLOCK_START,
    ...generated.map((f) => `/${f.replace(/ /g, '[[:space:]]')} linguist-generated=true`),
    BLOCK_END,
  ].join('\n');
  const attrs = await readText(root, '.gitattributes');
  let next: string;
  if (attrs === undefined) next = `${block}\n`;
  else {
    const start = attrs.indexOf(BLOCK_START);
    const end = attrs.indexOf(BLOCK_END);
    if (start >= 0 && end > start) next = attrs.slice(0, start) + block + attrs.slice(end + BLOCK_END.length);
    else next = `${attrs}${attrs.endsWith('\n') || attrs === '' ? '' : '\n'}${block}\n`;
  }
  plan.entries.push({
    path: '.gitattributes',
    kind: 'meta',
    action: attrs === undefined ? 'create' : attrs === next ? 'unchanged' : 'update',
    before: attrs,
    after: next,
  });
}
