// Detects the user's project: root, package manager, module system, import suffix, source folder.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ParseError } from 'jsonc-parser';
import { UsageError } from '../errors.js';
import type { ProjectInfo } from '../core/types.js';
import { nodeTypesProblem } from './node-types.js';

interface TsOptions {
  module?: string;
  moduleResolution?: string;
  rootDir?: string;
  noUnusedParameters?: boolean;
  types?: unknown;
}

export function findProjectRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new UsageError(
    `No package.json found in ${path.resolve(start)} or any folder above it.\n` +
      '  Run create-service-link inside your TypeScript project (or pass --cwd DIR), or create one first with `npm init -y`.',
  );
}

function readJson(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  const errors: ParseError[] = [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // tsconfig.json may carry comments and trailing commas. jsonc-parser costs several milliseconds to
    // load (more through ESM's CommonJS interop), so only files that need it pay, through require.
    const jsonc = createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser');
    value = jsonc.parse(text, errors, { allowTrailingComma: true });
  }
  if (errors.length || typeof value !== 'object' || value === null) {
    throw new UsageError(`${file}: not valid JSON; fix it so the project can be detected.`);
  }
  return value as Record<string, unknown>;
}

/** compilerOptions and include of tsconfig.json, following `extends` (relative, package, or a list). */
function readTsconfig(file: string, depth = 0): { options: TsOptions; include?: string[] } {
  const json = readJson(file);
  let base: { options: TsOptions; include?: string[] } = { options: {} };
  const exts = Array.isArray(json.extends) ? json.extends : [json.extends];
  for (const ext of exts) {
    const target = typeof ext === 'string' && depth < 5 ? extendedConfig(path.dirname(file), ext) : undefined;
    if (!target) continue;
    const next = readTsconfig(target, depth + 1);
    base = { options: { ...base.options, ...next.options }, include: next.include ?? base.include };
  }
  const own = (json.compilerOptions ?? {}) as TsOptions;
  const include = Array.isArray(json.include) ? (json.include as string[]) : base.include;
  return { options: { ...base.options, ...own }, include };
}

/** The file an `extends` entry names: a path, or a package's config found in node_modules above `dir`. */
function extendedConfig(dir: string, ext: string): string | undefined {
  const withJson = (p: string): string[] => (p.endsWith('.json') ? [p] : [`${p}.json`, path.join(p, 'tsconfig.json')]);
  if (ext.startsWith('.') || path.isAbsolute(ext)) return withJson(path.resolve(dir, ext)).find((p) => existsSync(p));
  for (let d = dir; ; d = path.dirname(d)) {
    const found = withJson(path.join(d, 'node_modules', ext)).find((p) => existsSync(p));
    if (found) return found;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Two package managers' lockfiles: which one is used, and what to do. */
function lockfileClash(root: string, chosen: ProjectInfo['packageManager']): string | undefined {
  const locks = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lockb', 'bun.lock', 'package-lock.json'].filter((f) =>
    existsSync(path.join(root, f)),
  );
  if (locks.length < 2) return undefined;
  return `${locks.join(' and ')} are both here: using ${chosen} (from ${locks[0]}); delete the lockfile of the package manager you do not use`;
}

function packageManager(root: string, pkg: Record<string, unknown>): ProjectInfo['packageManager'] {
  const has = (f: string) => existsSync(path.join(root, f));
  if (has('pnpm-lock.yaml')) return 'pnpm';
  if (has('yarn.lock')) return 'yarn';
  if (has('bun.lockb') || has('bun.lock')) return 'bun';
  if (has('package-lock.json')) return 'npm';
  const declared = typeof pkg.packageManager === 'string' ? pkg.packageManager.split('@')[0] : '';
  if (declared === 'pnpm' || declared === 'yarn' || declared === 'bun') return declared;
  return 'npm';
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function sourceDir(root: string, options: TsOptions, include: string[] | undefined): string {
  const candidates = [options.rootDir, ...(include ?? []).map((i) => i.split(/[\\/]/)[0])];
  for (const c of candidates) {
    if (!c || c.includes('*')) continue;
    const rel = path.posix
      .normalize(c.replace(/\\/g, '/'))
      .replace(/^\.\/?/, '')
      .replace(/\/$/, '');
    if (rel && !rel.startsWith('..') && isDir(path.join(root, rel))) return rel;
  }
  return 'src';
}

export function detectProject(cwd: string): ProjectInfo {
  const root = findProjectRoot(cwd);
  const pkg = readJson(path.join(root, 'package.json'));
  const tsconfigFile = path.join(root, 'tsconfig.json');
  const ts = existsSync(tsconfigFile) ? readTsconfig(tsconfigFile) : { options: {} as TsOptions, include: undefined };
  const mod = (ts.options.module ?? '').toLowerCase();
  let resolution = (ts.options.moduleResolution ?? '').toLowerCase();
  if (!resolution && (mod === 'node16' || mod === 'nodenext' || mod === 'node18' || mod === 'node20'))
    resolution = 'nodenext';
  const packageIsEsm = pkg.type === 'module';
  let moduleSystem: ProjectInfo['moduleSystem'];
  if (mod === 'commonjs') moduleSystem = 'cjs';
  else if (mod.startsWith('es') || mod === 'preserve') moduleSystem = 'esm';
  else moduleSystem = packageIsEsm ? 'esm' : 'cjs';
  // Node's own ESM loader needs the suffix: under Node16/NodeNext, and in an ESM package whose tsconfig
  // (or lack of one) names no module kind, i.e. code that runs on Node as emitted.
  const nodeEsm = !resolution && !mod && packageIsEsm;
  const importSuffix = resolution === 'node16' || resolution === 'nodenext' || nodeEsm ? '.js' : '';
  const pm = packageManager(root, pkg);
  const assumptions = [
    ...(existsSync(tsconfigFile)
      ? []
      : [
          `no tsconfig.json in ${root}: assuming ${moduleSystem === 'esm' ? 'ESM' : 'CommonJS'} (from package.json "type") with ` +
            `${importSuffix ? '`.js`' : 'no'} suffixes on relative imports; add a tsconfig.json and run \`create-service-link generate\` if that is wrong`,
        ]),
    ...[
      lockfileClash(root, pm),
      existsSync(tsconfigFile) ? nodeTypesProblem(root, ts.options.types, pm) : undefined,
    ].filter((a): a is string => a !== undefined),
  ];
  return {
    root,
    packageManager: pm,
    ...(assumptions.length ? { assumptions } : {}),
    moduleSystem,
    importSuffix,
    srcDir: sourceDir(root, ts.options, ts.include),
    noUnusedParameters: ts.options.noUnusedParameters === true,
  };
}

/** Dependencies already declared in package.json (any section), name -> version range. */
export function declaredDependencies(root: string): Map<string, string> {
  const pkg = readJson(path.join(root, 'package.json'));
  const declared = new Map<string, string>();
  for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const section = pkg[key];
    if (section && typeof section === 'object') {
      for (const [name, range] of Object.entries(section as Record<string, unknown>)) declared.set(name, String(range));
    }
  }
  return declared;
}
