#!/usr/bin/env node
// Real-world proto sweep (not a test, not a benchmark): every googleapis/grafeas .proto with a service
// in google-proto-files (bench/node_modules, `npm ci --prefix bench`) goes through `create-service-link
// grpc`, then `tsc --strict --noEmit` and `generate --check`, 20 links per temp project. Prints each
// failure with its proto and the first compiler lines. The default sample took 4 minutes on 2 cores (all 1,670 files: about 14).
// Run: npm run build && node scripts/proto-sweep.mjs [--all | --limit N] [--filter SUBSTRING]
//   default: the largest service file of each API folder (~490 files)
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const PROTOS = path.join(ROOT, 'bench', 'node_modules', 'google-proto-files');
const CLI = path.join(ROOT, 'bin', 'create-service-link.js');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const BATCH = 20;

const { values: opts } = parseArgs({
  options: { all: { type: 'boolean' }, limit: { type: 'string' }, filter: { type: 'string' } },
});

function serviceProtos() {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(path.join(PROTOS, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (e.name.endsWith('.proto') && /^service\s/m.test(readFileSync(path.join(PROTOS, child), 'utf8')))
        out.push(child);
    }
  };
  for (const top of ['google', 'grafeas']) walk(top);
  return out.sort();
}

let files = serviceProtos();
if (opts.filter) files = files.filter((f) => f.includes(opts.filter));
if (!opts.all) {
  const byDir = new Map();
  for (const f of files) {
    const dir = path.posix.dirname(f);
    const size = statSync(path.join(PROTOS, f)).size;
    if (!byDir.has(dir) || byDir.get(dir).size < size) byDir.set(dir, { f, size });
  }
  files = [...byDir.values()].map((v) => v.f);
}
if (opts.limit) files = files.slice(0, Number(opts.limit));

const work = mkdtempSync(path.join(tmpdir(), 'csl-proto-sweep-'));
const failures = [];
let generated = 0;
let compiledBatches = 0;
const run = (args, cwd) => {
  try {
    execFileSync(process.execPath, args, { cwd, stdio: 'pipe', timeout: 600_000 });
    return '';
  } catch (error) {
    return `${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || String(error);
  }
};
try {
  for (let start = 0; start < files.length; start += BATCH) {
    const dir = path.join(work, `p${start / BATCH}`);
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{"name":"sweep","private":true,"type":"module"}\n');
    writeFileSync(path.join(dir, 'package-lock.json'), '{}\n');
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ['src'],
      }),
    );
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const links = new Map();
    files.slice(start, start + BATCH).forEach((f, i) => {
      const name = `link${start + i}`;
      const err = run(
        [CLI, 'grpc', name, '--proto', path.join(PROTOS, f), '--proto-path', PROTOS, '--yes', '--no-install'],
        dir,
      );
      if (err) failures.push({ proto: f, stage: 'generate', output: err });
      else generated++, links.set(name, f);
    });
    const tsc = run([TSC, '-p', '.'], dir);
    if (tsc) {
      // Attribute each error line to the link folder it names.
      for (const [name, f] of links) {
        const lines = tsc.split('\n').filter((l) => l.startsWith(`src/links/${name}/`));
        if (lines.length) failures.push({ proto: f, stage: 'tsc', output: lines.slice(0, 5).join('\n') });
      }
    } else compiledBatches++;
    const check = run([CLI, 'generate', '--check'], dir);
    if (check)
      failures.push({ proto: `(batch of ${[...links.values()][0]})`, stage: 'generate --check', output: check });
    process.stdout.write(
      `\r${Math.min(start + BATCH, files.length)}/${files.length} files, ${failures.length} failures`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `\n${files.length} protos: ${generated} generated, ${compiledBatches} of ${Math.ceil(files.length / BATCH)} batches compiled clean, ${failures.length} failures`,
);
for (const f of failures)
  console.log(
    `\n[${f.stage}] ${f.proto}\n${f.output
      .split('\n')
      .slice(0, 6)
      .map((l) => `  ${l}`)
      .join('\n')}`,
  );
process.exitCode = failures.length ? 1 : 0;
