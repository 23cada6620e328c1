// The upgrade path from releases that copied the runtime into every link (0.1.0: runtime.ts, wire.ts,
// request-context.ts, context.ts in each link folder). generate removes those copies; one that a file of
// the user's still imports (handlers.ts, server.ts, or any other file of theirs) is kept as a generated
// one-line re-export of the shared runtime until that import moves. Only a run that finds such a copy
// on disk scans the project's sources, so this costs nothing once a project is upgraded.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GenerateContext, PatternSpec } from '../patterns/types.js';
import { GENERATED_HEADER } from '../util/text.js';
import type { Manifest } from '../vfs/manifest.js';
import type { LinkConfig, PlannedFile, ProjectInfo } from './types.js';

const SOURCE = /\.(?:ts|tsx|mts|cts)$/;
const SPECIFIER = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

/** Project-relative source files under `dir` (node_modules and dot-folders left out). */
async function sources(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
      out.push(...(await sources(root, rel)));
    else if (e.isFile() && SOURCE.test(e.name)) out.push(rel);
  }
  return out;
}

/** The project-relative module paths (without extension) a file imports by relative specifier. */
function importsOf(file: string, text: string): Set<string> {
  const dir = path.posix.dirname(file);
  return new Set(
    [...text.matchAll(SPECIFIER)].map((m) => path.posix.join(dir, m[1]!).replace(/\.(?:js|ts|mjs|cjs)$/, '')),
  );
}

function shim(base: string, target: string): string {
  return (
    `${GENERATED_HEADER}\n` +
    `// Kept only because a file of yours imports './${base}'. That code now lives in the shared runtime:\n` +
    `// import from '${target}' instead, and the next \`generate\` removes this file.\n` +
    `export * from '${target}';\n`
  );
}

export interface LegacyInput {
  spec: PatternSpec;
  link: LinkConfig;
  project: ProjectInfo;
  manifest: Manifest;
  /** What the generator produced for the link this run. */
  files: PlannedFile[];
  ctx: GenerateContext;
}

/** Re-exports for the link's old runtime copies that a file of the user's still imports. */
export async function legacyShims(input: LegacyInput): Promise<PlannedFile[]> {
  const { spec, link, project, manifest, files, ctx } = input;
  const out = link.out.replace(/\/+$/, '');
  const produced = new Set(files.map((f) => f.path));
  const candidates: [string, string][] = [];
  for (const [file, module] of Object.entries(spec.legacyModules ?? {})) {
    const at = `${out}/${file}`;
    if (!produced.has(at) && (await ctx.exists(at))) candidates.push([at, module]);
  }
  if (!candidates.length) return [];
  // Files we generated (also old copies of them) are not the user's; their imports do not count.
  const ours = new Set([
    ...Object.keys(manifest.runtime?.files ?? {}),
    ...Object.values(manifest.links).flatMap((l) => Object.keys(l.files)),
  ]);
  const imported = new Set<string>();
  for (const file of await sources(project.root, project.srcDir)) {
    if (ours.has(file)) continue;
    for (const target of importsOf(file, await readFile(path.join(project.root, file), 'utf8'))) imported.add(target);
  }
  return candidates
    .filter(([at]) => imported.has(at.replace(/\.ts$/, '')))
    .map(([at, module]) => ({
      kind: 'generated',
      path: at,
      content: shim(path.posix.basename(at, '.ts'), ctx.runtime(module)),
    }));
}
