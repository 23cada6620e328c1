// The shared runtime: code every link needs (request context, errors, transports, wire helpers) is
// written once per project into one folder that all links import, instead of a copy per link. The
// sources are real TypeScript files in this package's runtime/ folder, type-checked by its own
// tsconfig; writing one only adds the generated-code header and follows the project's module system.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_HEADER } from '../util/text.js';
import type { PlannedFile, ProjectInfo } from './types.js';

const RUNTIME_SOURCES = fileURLToPath(new URL('../../runtime/', import.meta.url));

/** Where the runtime goes when service-link.json does not say yet. */
export function defaultRuntimeDir(project: ProjectInfo): string {
  return `${project.srcDir}/links/_runtime`;
}

/**
 * Default imports of CommonJS packages, which the sources write as Node's ESM loader needs them. Every
 * other setup (CommonJS output, or ESM through node10/bundler resolution, each possibly without
 * esModuleInterop) gets a namespace import, which compiles in all of them.
 */
const NAMESPACE_IMPORTS: [string, string][] = [
  ["import $protobuf from 'protobufjs/minimal.js';", "import * as $protobuf from 'protobufjs/minimal.js';"],
];

const sourceCache = new Map<string, string>();

/** One runtime module (`grpc` for runtime/grpc.ts) as the project needs it. */
export function runtimeModuleText(module: string, project: ProjectInfo): string {
  let text = runtimeSource(module).replace(/(from '\.\/[\w-]+)\.js'/g, `$1${project.importSuffix}'`);
  const nodeEsm = project.moduleSystem === 'esm' && project.importSuffix === '.js';
  for (const [from, to] of nodeEsm ? [] : NAMESPACE_IMPORTS) {
    if (text.includes(from)) text = text.replace(from, to);
    else if (module === 'wire') throw new Error(`internal: runtime/wire.ts no longer has the line ${from}`);
  }
  return `${GENERATED_HEADER}\n${text}`;
}

/** `modules` and every runtime module they import (context.ts brings middleware.ts, which brings telemetry.ts). */
export function withImportedModules(modules: Iterable<string>): string[] {
  const all = new Set(modules);
  for (const m of all) {
    for (const [, dep] of runtimeSource(m).matchAll(/from '\.\/([\w-]+)\.js'/g)) all.add(dep!);
  }
  return [...all];
}

function runtimeSource(module: string): string {
  let source = sourceCache.get(module);
  if (source === undefined) sourceCache.set(module, (source = readFileSync(`${RUNTIME_SOURCES}${module}.ts`, 'utf8')));
  return source;
}

/** The runtime files for these modules (and those they import), in `dir`. */
export function runtimeFiles(modules: Iterable<string>, dir: string, project: ProjectInfo): PlannedFile[] {
  return withImportedModules(modules)
    .sort()
    .map((m) => ({ kind: 'generated', path: `${dir}/${m}.ts`, content: runtimeModuleText(m, project) }));
}

/** The import specifier of runtime module `module` as seen from a file in folder `fromDir`. */
export function runtimeSpecifier(fromDir: string, runtimeDir: string, module: string, suffix: string): string {
  let rel = path.posix.relative(fromDir, runtimeDir);
  if (!rel.startsWith('.')) rel = rel ? `./${rel}` : '.';
  return `${rel}/${module}${suffix}`;
}
