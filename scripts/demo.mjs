#!/usr/bin/env node
// `npm run demo`: creates a sample TypeScript project in a temp folder, scaffolds every pattern into it
// with the built CLI, and runs each end to end on 127.0.0.1. Pass --keep to keep the project.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'create-service-link.js');
const keep = process.argv.includes('--keep');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const projectDir = await mkdtemp(path.join(tmpdir(), 'service-link-demo-'));
const log = (text) => process.stdout.write(`${text}\n`);

async function makeSampleProject() {
  await writeFile(
    path.join(projectDir, 'package.json'),
    JSON.stringify({ name: 'demo-service', version: '1.0.0', private: true, type: 'module' }, null, 2) + '\n',
  );
  await writeFile(
    path.join(projectDir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          types: ['node'],
          outDir: 'dist',
          rootDir: 'src',
        },
        include: ['src'],
      },
      null,
      2,
    ) + '\n',
  );
  await writeFile(path.join(projectDir, 'package-lock.json'), '{}\n');
  await mkdir(path.join(projectDir, 'src'));
  await writeFile(path.join(projectDir, 'src', 'index.ts'), 'export const service = "demo";\n');
  // The tool's own node_modules holds the runtime packages the links need, so the demo installs nothing.
  await symlink(path.join(root, 'node_modules'), path.join(projectDir, 'node_modules'), 'dir');
}

async function runCli(args) {
  log(`\n$ create-service-link ${args.join(' ')}`);
  const r = await execa('node', [cli, ...args], {
    cwd: projectDir,
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1' },
  });
  const out = `${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}`.trim();
  if (out) log(out.replace(/^/gm, '  '));
  if (r.exitCode !== 0) throw new Error(`create-service-link ${args.join(' ')} exited ${r.exitCode}`);
  return r;
}

let failed = false;
try {
  await makeSampleProject();
  log(`Sample project: ${projectDir}`);
  for (const pattern of ['grpc', 'rest', 'queue']) {
    if (only.length && !only.includes(pattern)) continue;
    const file = path.join(root, 'scripts', 'demo', `${pattern}.mjs`);
    if (!existsSync(file)) continue;
    log(`\n=== ${pattern} ===`);
    const { run } = await import(pathToFileURL(file).href);
    await run({ projectDir, runCli, log });
  }
  await runCli(['list']);
  await runCli(['generate', '--check']);
  log('\nDemo finished: every link was generated, compiled with tsc --strict and run on 127.0.0.1.');
} catch (error) {
  failed = true;
  console.error(`\nDemo failed: ${error instanceof Error ? error.message : error}`);
} finally {
  if (keep) log(`Kept ${projectDir}`);
  else await rm(projectDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
