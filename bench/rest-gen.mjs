#!/usr/bin/env node
// Generation speed on GitHub's REST description (13 MB, @octokit/openapi): our generator in-process and
// through the CLI, side by side with the peers when bench/node_modules has them
// (openapi-typescript, orval, @hey-api/openapi-ts). Run after `npm run build`.
import { run } from './lib/proc.mjs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireTool = createRequire(path.join(root, 'package.json'));
const spec = path.join(
  path.dirname(requireTool.resolve('@octokit/openapi/package.json')),
  'generated',
  'api.github.com.json',
);
const runs = Number(process.env.RUNS ?? 3);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    ms.push(performance.now() - start);
  }
  return median(ms);
}

const dir = await mkdtemp(path.join(tmpdir(), 'csl-bench-gen-'));
const results = [];
try {
  await writeFile(path.join(dir, 'package.json'), '{"name":"bench","type":"module","private":true}\n');
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    '{"compilerOptions":{"module":"NodeNext","moduleResolution":"NodeNext","strict":true,"outDir":"dist","rootDir":"src"},"include":["src"]}\n',
  );
  await writeFile(path.join(dir, 'package-lock.json'), '{}\n');
  await mkdir(path.join(dir, 'src'));
  await mkdir(path.join(dir, 'openapi'));
  await copyFile(spec, path.join(dir, 'openapi', 'github.json'));
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

  // 1. In-process: read + parse + generate all files in memory.
  const { spec: rest } = await import(pathToFileURL(path.join(root, 'dist', 'patterns', 'rest', 'spec.js')).href);
  const generator = await rest.load();
  const ctx = {
    project: { root: dir, packageManager: 'npm', moduleSystem: 'esm', importSuffix: '.js', srcDir: 'src' },
    link: { name: 'github', pattern: 'rest', contracts: ['openapi/github.json'], out: 'src/links/github', options: {} },
    readFile: (p) => readFile(path.join(dir, p), 'utf8'),
    exists: async () => true,
  };
  let files = [];
  const inProcess = await time(async () => (files = await generator.generate(ctx)));
  const bytes = files.reduce((n, f) => n + f.content.length, 0);
  results.push([
    'create-service-link (in-process generate)',
    inProcess,
    `${files.length} files, ${(bytes / 1e6).toFixed(1)} MB`,
  ]);

  // 2. The CLI from a cold start, writing the files (what a user waits for).
  const cli = path.join(root, 'bin', 'create-service-link.js');
  let first = true;
  const viaCli = await time(async () => {
    const args = first
      ? ['rest', 'github', '--openapi', 'openapi/github.json', '--yes', '--no-install']
      : ['generate', '--force'];
    first = false;
    const r = await run(process.execPath, [cli, ...args], { cwd: dir });
    if (!r.ok) throw new Error(r.stderr);
  });
  results.push(['create-service-link (CLI, cold start, writes files)', viaCli, 'client + types + runtime']);
  const help = await time(() => run(process.execPath, [cli, '--help']));
  results.push(['create-service-link --help', help, '']);

  // 3. Peers, when installed in bench/node_modules.
  const peers = [
    ['openapi-typescript', (out) => [spec, '-o', path.join(out, 'schema.ts')], 'types only'],
    ['orval', (out) => ['--input', spec, '--output', path.join(out, 'client.ts')], 'client (fetch)'],
    ['@hey-api/openapi-ts', (out) => ['-i', spec, '-o', out], 'client (fetch)'],
  ];
  for (const [name, args, note] of peers) {
    // Read the manifest by path: some packages' "exports" hide package.json from require.resolve.
    const pkgPath = path.join(root, 'bench', 'node_modules', ...name.split('/'), 'package.json');
    if (!existsSync(pkgPath)) {
      results.push([name, NaN, 'not installed in bench/node_modules']);
      continue;
    }
    const manifest = JSON.parse(await readFile(pkgPath, 'utf8'));
    const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin)[0];
    const out = path.join(dir, 'peer', name.replace(/\W/g, '_'));
    await mkdir(out, { recursive: true });
    const ms = await time(async () => {
      const r = await run(process.execPath, [path.join(path.dirname(pkgPath), bin), ...args(out)], { cwd: out });
      if (!r.ok) throw new Error(`${name}: ${r.stderr.slice(0, 500)}`);
    });
    results.push([name, ms, note]);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

console.log(`\nGenerating from GitHub's REST description (api.github.com.json, 13 MB), median of ${runs}:`);
for (const [name, ms, note] of results) {
  console.log(
    `  ${name.padEnd(52)} ${Number.isNaN(ms) ? '     -' : `${(ms / 1000).toFixed(2).padStart(6)} s`}  ${note}`,
  );
}
