// Temp projects for e2e tests: real package.json + tsconfig, node_modules symlinked to the tool's own
// (so @grpc/grpc-js, protobufjs, @aws-sdk/client-sqs and typescript resolve without an install).
import { execa } from 'execa';
import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, type RunResult, TOOL_ROOT } from './tool.js';

export { CLI, type RunResult, TOOL_ROOT };

const TSC = path.join(TOOL_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

export interface ProjectOptions {
  module?: 'esm' | 'cjs';
  packageManager?: 'npm' | 'pnpm' | 'yarn' | 'bun';
  /** Extra files, project-relative path -> content. */
  files?: Record<string, string>;
}

export async function makeProject(options: ProjectOptions = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'csl-'));
  const esm = (options.module ?? 'esm') === 'esm';
  const pkg: Record<string, unknown> = { name: 'sample-service', version: '1.0.0', private: true };
  if (esm) pkg.type = 'module';
  const tsconfig = {
    compilerOptions: esm
      ? { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext' }
      : { target: 'ES2022', module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true },
  };
  Object.assign(tsconfig.compilerOptions, {
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    outDir: 'dist',
    rootDir: 'src',
    lib: ['ES2023'],
  });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['src'] }, null, 2) + '\n');
  await mkdir(path.join(dir, 'src'));
  await writeFile(path.join(dir, 'src', 'index.ts'), 'export const ready = true;\n');
  const lock = { npm: 'package-lock.json', pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock', bun: 'bun.lock' }[
    options.packageManager ?? 'npm'
  ];
  await writeFile(path.join(dir, lock), lock.endsWith('.json') ? '{}\n' : '');
  await symlink(path.join(TOOL_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [file, content] of Object.entries(options.files ?? {})) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

export async function removeProject(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs the built CLI without a terminal (stdin is not a TTY). */
export async function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  const r = await execa('node', [CLI, ...args], {
    cwd,
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1', ...env },
    timeout: 120_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `tsc -p <dir>` as a real `node` process. Returns the compiler output on failure. */
export async function compileWithTsc(dir: string, extraArgs: string[] = []): Promise<{ ok: boolean; output: string }> {
  const r = await execa('node', [TSC, '-p', dir, ...extraArgs], { cwd: dir, reject: false, timeout: 300_000 });
  return { ok: r.exitCode === 0, output: `${r.stdout}\n${r.stderr}`.trim() };
}

let tscProcessRan = false;
/**
 * `tsc -p <dir>` with the project's tsconfig (strict). Returns the compiler output on failure. The first
 * compile of each worker process (test files share it, vitest.config.ts) is a real `tsc` process; the
 * later ones run the same compiler in the test's process (test/helpers/in-process.ts), where the
 * node_modules .d.ts files parsed once are reused: a `tsc` process spends most of its time parsing them
 * again. compileWithTsc is always the real process (the regeneration sequences' first and last steps).
 */
export async function compile(dir: string, extraArgs: string[] = []): Promise<{ ok: boolean; output: string }> {
  if (!tscProcessRan) {
    tscProcessRan = true;
    return compileWithTsc(dir, extraArgs);
  }
  // Loaded only here: most test files never compile, and the compiler is a large module to load.
  const { compileInProcess } = await import('./in-process.js');
  return compileInProcess(dir, extraArgs);
}

/** Every file under `dir` (not node_modules) with its content, for before/after comparisons. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === 'node_modules') continue;
      if (entry.isDirectory()) {
        out.set(`${child}/`, '');
        await walk(child);
      } else out.set(child, await readFile(path.join(dir, child), 'utf8'));
    }
  }
  await walk('');
  return out;
}
