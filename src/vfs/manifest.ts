// service-link.json: one entry per link and the hash of every generated file, so `generate` knows what
// to rebuild and can tell a stale file from one edited by hand.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { LinkConfig, LinkState, PatternId } from '../core/types.js';

export const MANIFEST_FILE = 'service-link.json';

export interface LinkEntry {
  pattern: PatternId;
  contracts: string[];
  out: string;
  options: Record<string, unknown>;
  /** Generated file -> sha256 of the content we wrote. */
  files: Record<string, string>;
  /** User-owned files we created once and merge into. */
  userFiles: string[];
  /** What the last generate recorded about the contract (RPCs, message types), for the next merge. */
  state?: LinkState;
}

/** The shared runtime folder every link imports: written once per project, owned by no single link. */
export interface RuntimeEntry {
  dir: string;
  /** The release of create-service-link that wrote it. */
  version: string;
  /** Generated file -> sha256 of the content we wrote. */
  files: Record<string, string>;
}

export interface Manifest {
  version: 1;
  runtime?: RuntimeEntry;
  links: Record<string, LinkEntry>;
}

export function hash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

export function emptyManifest(): Manifest {
  return { version: 1, links: {} };
}

export function readManifest(root: string): Manifest {
  const file = path.join(root, MANIFEST_FILE);
  if (!existsSync(file)) return emptyManifest();
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${MANIFEST_FILE}: not valid JSON (${(error as Error).message}). Fix or restore it from git.`);
  }
  const m = data as Partial<Manifest>;
  if (m.version !== 1 || typeof m.links !== 'object' || m.links === null) {
    throw new UsageError(`${MANIFEST_FILE}: unknown format (expected "version": 1 and "links"). Restore it from git.`);
  }
  const runtime = m.runtime as Partial<RuntimeEntry> | undefined;
  if (
    runtime !== undefined &&
    (typeof runtime.dir !== 'string' || typeof runtime.files !== 'object' || runtime.files === null)
  ) {
    throw new UsageError(
      `${MANIFEST_FILE}: "runtime" needs "dir" and "files". Restore it from git, or delete the "runtime" entry and run \`create-service-link generate\`.`,
    );
  }
  if (runtime) checkFolder(runtime.dir!, '"runtime.dir"');
  for (const [name, entry] of Object.entries(m.links)) {
    checkFolder(entry.out, `links.${name}.out`);
    entry.files ??= {};
    entry.userFiles ??= [];
    entry.options ??= {};
  }
  return m as Manifest;
}

/** A folder from service-link.json must stay inside the project: relative, forward slashes, no `..`. */
function checkFolder(dir: unknown, what: string): void {
  const ok = typeof dir === 'string' && dir !== '' && !path.posix.isAbsolute(dir) && !/^[A-Za-z]:|\\/.test(dir);
  if (!ok || (dir as string).split('/').includes('..')) {
    throw new UsageError(
      `${MANIFEST_FILE}: ${what} must be a folder inside the project, like src/links/user (it is ${JSON.stringify(dir)}).`,
    );
  }
}

function sortedFiles(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((f) => [f, files[f]!]),
  );
}

export function serializeManifest(manifest: Manifest): string {
  const links: Record<string, LinkEntry> = {};
  for (const name of Object.keys(manifest.links).sort()) {
    const e = manifest.links[name]!;
    links[name] = { ...e, files: sortedFiles(e.files), userFiles: [...e.userFiles].sort() };
  }
  const runtime = manifest.runtime && { ...manifest.runtime, files: sortedFiles(manifest.runtime.files) };
  return JSON.stringify({ version: 1, ...(runtime ? { runtime } : {}), links }, null, 2) + '\n';
}

export function linkConfig(name: string, entry: LinkEntry): LinkConfig {
  return { name, pattern: entry.pattern, contracts: entry.contracts, out: entry.out, options: entry.options };
}
