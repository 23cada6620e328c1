// Turns what the patterns want written into a plan against the disk and the manifest: what to create,
// update, delete or leave, and what would clobber a file that is not ours (a conflict).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError } from '../errors.js';
import { GENERATED_HEADER } from '../util/text.js';
import type { PlannedFile } from '../patterns/types.js';
import { hash, MANIFEST_FILE, serializeManifest, type LinkEntry, type Manifest } from './manifest.js';
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
  constructor(
    readonly root: string,
    readonly manifest: Manifest,
  ) {}

  get changes(): PlanEntry[] {
    return this.entries.filter((e) => e.action !== 'unchanged');
  }

  operations(): Operation[] {
    return this.changes.map((e) =>
      e.action === 'delete' ? { type: 'delete', path: e.path } : { type: 'write', path: e.path, content: e.after ?? '' },
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

function owner(manifest: Manifest, file: string, except?: string): string | undefined {
  for (const [name, entry] of Object.entries(manifest.links)) {
    if (name !== except && (file in entry.files || entry.userFiles.includes(file))) return name;
  }
  return undefined;
}

export interface LinkPlanInput {
  name: string;
  entry: Omit<LinkEntry, 'files' | 'userFiles'>;
  files: PlannedFile[];
  /** Contract files created by this run (scaffold). */
  newContracts?: { path: string; content: string }[];
  force: boolean;
}

/** Adds one link's files to the plan and records its new manifest entry. */
export async function planLink(plan: Plan, input: LinkPlanInput): Promise<void> {
  const { root, manifest } = plan;
  const previous = manifest.links[input.name];
  const files: Record<string, string> = {};
  const userFiles: string[] = [];

  for (const c of input.newContracts ?? []) {
    const disk = await readText(root, c.path);
    if (disk !== undefined) {
      plan.conflicts.push({
        path: c.path,
        reason: 'contract-exists',
        message: `${c.path} already exists. Generate from it with the pattern's contract flag (e.g. --proto/--openapi/--asyncapi), or choose another link name.`,
      });
      continue;
    }
    plan.entries.push({ path: c.path, kind: 'contract', action: 'create', after: c.content, link: input.name });
  }

  for (const f of input.files) {
    const disk = await readText(root, f.path);
    const other = owner(manifest, f.path, input.name);
    if (other) {
      plan.conflicts.push({ path: f.path, reason: 'shared', message: `${f.path} belongs to link "${other}"; give this link another --out folder.` });
      continue;
    }
    if (f.kind === 'generated') {
      if (!f.content.startsWith(GENERATED_HEADER)) throw new Error(`internal: ${f.path} lacks the generated-code header`);
      files[f.path] = hash(f.content);
      const known = previous?.files[f.path];
      if (disk === undefined) plan.entries.push({ path: f.path, kind: 'generated', action: 'create', after: f.content, link: input.name });
      else if (disk === f.content) plan.entries.push({ path: f.path, kind: 'generated', action: 'unchanged', before: disk, after: disk, link: input.name });
      else if (known === undefined)
        plan.conflicts.push({ path: f.path, reason: 'foreign', message: `${f.path} exists and was not created by create-service-link; it is never overwritten. Move it away or pick another --out folder.` });
      else if (hash(disk) !== known && !input.force)
        plan.conflicts.push({ path: f.path, reason: 'edited', message: `${f.path} was edited by hand since it was generated. Move your change into the contract or a user-owned file, then re-run with --force to overwrite it.` });
      else plan.entries.push({ path: f.path, kind: 'generated', action: 'update', before: disk, after: f.content, link: input.name });
    } else {
      userFiles.push(f.path);
      if (disk === undefined) {
        plan.entries.push({ path: f.path, kind: 'user', action: 'create', after: f.content, link: input.name });
      } else if (!previous?.userFiles.includes(f.path)) {
        plan.conflicts.push({ path: f.path, reason: 'foreign', message: `${f.path} exists and was not created by create-service-link; it is never overwritten. Move it away or pick another --out folder.` });
      } else {
        const merged = f.merge ? await f.merge(disk) : disk;
        plan.entries.push({ path: f.path, kind: 'user', action: merged === disk ? 'unchanged' : 'update', before: disk, after: merged, link: input.name });
      }
    }
  }

  // Generated files the contract no longer produces are ours to remove, unless edited by hand.
  for (const [file, known] of Object.entries(previous?.files ?? {})) {
    if (file in files) continue;
    const disk = await readText(root, file);
    if (disk === undefined) continue;
    if (hash(disk) !== known && !input.force) {
      plan.conflicts.push({ path: file, reason: 'edited', message: `${file} is no longer generated but was edited by hand; move it away or re-run with --force to delete it.` });
      continue;
    }
    plan.entries.push({ path: file, kind: 'generated', action: 'delete', before: disk, link: input.name });
  }

  manifest.links[input.name] = { ...input.entry, files, userFiles };
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

  const generated = Object.values(manifest.links)
    .flatMap((l) => Object.keys(l.files))
    .sort();
  const block = [BLOCK_START, ...generated.map((f) => `/${f.replace(/ /g, '[[:space:]]')} linguist-generated=true`), BLOCK_END].join('\n');
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
