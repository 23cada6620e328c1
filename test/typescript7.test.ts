// Generated code compiles with a second TypeScript version: 7.x (the native compiler, the registry's
// `latest`; dev dependency `typescript7`, an npm alias of typescript@7.0.2) as well as the build's 5.9.
// Three tsconfigs a user may have: ESM with `"types": ["node"]`, ESM without `types` (TypeScript 7
// no longer loads every @types package by default), and a CommonJS package with `module: nodenext`
// (TypeScript 7 removed `moduleResolution: node10`, which the CommonJS tests elsewhere use).
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT, compile, makeProject, removeProject, runCli } from './helpers/project.js';

const TSC7 = path.join(TOOL_ROOT, 'node_modules', 'typescript7', 'bin', 'tsc');

const LINKS = [
  ['rest', 'user', '--resource', 'users:id=string,email=string', '--auth', 'bearer'],
  ['grpc', 'account', '--rpc', 'GetAccount:unary', '--rpc', 'WatchAccounts:server-stream'],
  ['queue', 'order', '--message', 'OrderCreated:orderId=string,total=number', '--fifo'],
];

/** Code that uses each link, so the check covers what a user writes against it, not just the files. */
const USE = `import { UserClient } from './links/user/index.js';
import { AccountServiceClient } from './links/account/index.js';
import { OrderPublisher } from './links/order/index.js';

export const user = new UserClient({ timeoutMs: 1000 });
export const account = new AccountServiceClient({ address: process.env['ACCOUNT_ADDR'] ?? '127.0.0.1:50051' });
export const order = new OrderPublisher();
`;

async function tsc7(dir: string): Promise<{ ok: boolean; output: string }> {
  const r = await execa('node', [TSC7, '-p', dir, '--noEmit'], { cwd: dir, reject: false, timeout: 300_000 });
  return { ok: r.exitCode === 0, output: `${r.stdout}\n${r.stderr}`.trim() };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await removeProject(dir);
});

/** A project with one link of each pattern and code using them, its tsconfig changed by `edit`. */
async function project(
  module: 'esm' | 'cjs',
  edit: (options: Record<string, unknown>) => void,
  use: string,
): Promise<string> {
  const dir = await makeProject({ module });
  dirs.push(dir);
  const file = path.join(dir, 'tsconfig.json');
  const tsconfig = JSON.parse(await readFile(file, 'utf8')) as { compilerOptions: Record<string, unknown> };
  edit(tsconfig.compilerOptions);
  await writeFile(file, `${JSON.stringify(tsconfig, null, 2)}\n`);
  for (const args of LINKS) {
    const r = await runCli([...args, '--yes', '--no-install'], dir);
    expect(r.exitCode, r.stderr).toBe(0);
  }
  await writeFile(path.join(dir, 'src', 'use.ts'), use);
  return dir;
}

describe('generated code compiles with TypeScript 7 and 5.9', () => {
  it('the second compiler is installed (the test fails, not skips, without it)', async () => {
    expect(existsSync(TSC7), `${TSC7}: npm ci installs it (dev dependency typescript7)`).toBe(true);
    const r = await execa('node', [TSC7, '--version'], { reject: false });
    expect(r.stdout).toMatch(/^Version 7\./);
  });

  it('ESM with "types": ["node"]', async () => {
    const dir = await project('esm', () => {}, USE);
    const seven = await tsc7(dir);
    expect(seven.output).toBe('');
    expect(seven.ok).toBe(true);
  });

  it('ESM without "types" (TypeScript 7 loads no @types by default): 7 and 5.9', async () => {
    const dir = await project(
      'esm',
      (options) => {
        delete options.types;
      },
      USE,
    );
    const seven = await tsc7(dir);
    expect(seven.output).toBe('');
    expect(seven.ok).toBe(true);
    const five = await compile(dir, ['--noEmit']);
    expect(five.output).toBe('');
    expect(five.ok).toBe(true);
  });

  it('CommonJS with module nodenext (node10 resolution is gone in 7): 7 and 5.9', async () => {
    const dir = await project(
      'cjs',
      (options) => {
        options.module = 'nodenext';
        delete options.moduleResolution;
      },
      USE,
    );
    const seven = await tsc7(dir);
    expect(seven.output).toBe('');
    expect(seven.ok).toBe(true);
    const five = await compile(dir, ['--noEmit']);
    expect(five.output).toBe('');
    expect(five.ok).toBe(true);
  });
});
