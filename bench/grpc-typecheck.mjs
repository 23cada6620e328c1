// Type-check cost of our generated code for the synthetic set (1,000 messages, 50 services, 10 files)
// against protoc-gen-es's output: `tsc --noEmit --strict` over each, interleaved (one run of each per
// round, rotating order), medians of wall time and of tsc's reported heap, plus messages.ts's size.
// Run: npm run build && node bench/grpc-typecheck.mjs   (ROUNDS=3; FLOOR=1, see below; KEEP=name copies our output to
// bench/.work/grpc-tc/<name> and checks it in later runs too, for before/after comparisons)
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  binJs,
  bufBinary,
  ensureBuilt,
  ensurePeers,
  freshProject,
  mkdirp,
  NM,
  OUR_BIN,
  rmrf,
  WORK,
} from './lib/env.mjs';
import { run, tail } from './lib/proc.mjs';
import { writeSyntheticProtos } from './lib/synth-proto.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BASE = path.join(WORK, 'grpc-tc');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

ensureBuilt();
ensurePeers();
mkdirp(BASE);
const info = writeSyntheticProtos(path.join(BASE, 'synth-src'));

// Ours: a fresh scaffold with this build of the tool.
const ours = path.join(BASE, 'ours');
freshProject(ours);
const rel = path.relative(ours, info.root);
const res = await run(
  process.execPath,
  [
    OUR_BIN,
    'grpc',
    'bench',
    ...info.files.flatMap((f) => ['--proto', path.join(rel, f)]),
    '--proto-path',
    rel,
    '--yes',
    '--no-install',
  ],
  { cwd: ours, timeoutMs: 600_000 },
);
if (!res.ok) throw new Error(`generate failed: ${tail(res.stderr || res.stdout)}`);
if (process.env.KEEP) {
  rmrf(path.join(BASE, process.env.KEEP));
  cpSync(ours, path.join(BASE, process.env.KEEP), { recursive: true });
}

// FLOOR=1 adds two analysis rows (not products): our output with every encode/decode body replaced by
// `throw`, and the same with only messages.ts + wire.ts kept. They bound what any change to the codec
// bodies could gain, and what the typed client/server code costs on top.
if (process.env.FLOOR) {
  const strip = (dir) => {
    const file = path.join(dir, 'src', 'links', 'bench', 'messages.ts');
    const out = [];
    let skipping = false;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (skipping) {
        if (line === '}') (skipping = false), out.push('  throw new Error();', '}');
        continue;
      }
      out.push(line);
      if (/^export function (en|de)code\w+\(/.test(line) && line.endsWith('{')) skipping = true;
    }
    writeFileSync(file, out.join('\n'));
  };
  const noBodies = path.join(BASE, 'floor-no-codec-bodies');
  rmrf(noBodies);
  cpSync(ours, noBodies, { recursive: true });
  strip(noBodies);
  const msgOnly = path.join(BASE, 'floor-messages-only');
  rmrf(msgOnly);
  cpSync(noBodies, msgOnly, { recursive: true });
  for (const f of readdirSync(path.join(msgOnly, 'src', 'links', 'bench'))) {
    if (f !== 'messages.ts') rmrf(path.join(msgOnly, 'src', 'links', 'bench', f));
  }
  // wire.ts lives in the project's shared runtime folder.
  for (const f of readdirSync(path.join(msgOnly, 'src', 'links', '_runtime'))) {
    if (f !== 'wire.ts') rmrf(path.join(msgOnly, 'src', 'links', '_runtime', f));
  }
}

// protoc-gen-es: buf generate into its own project.
const es = path.join(BASE, 'protoc-gen-es');
freshProject(es);
const yaml = path.join(BASE, 'es.buf.gen.yaml');
writeFileSync(
  yaml,
  [
    'version: v2',
    'plugins:',
    `  - local: ${JSON.stringify(path.join(NM, '.bin', 'protoc-gen-es'))}`,
    `    out: ${JSON.stringify(path.join(es, 'src'))}`,
    '    opt: ["target=ts", "import_extension=js"]',
    '',
  ].join('\n'),
);
const buf = await run(bufBinary(), ['generate', info.root, '--template', yaml], { cwd: BASE, timeoutMs: 600_000 });
if (!buf.ok) throw new Error(`buf generate failed: ${tail(buf.stderr || buf.stdout)}`);

const dirs = { ours, 'protoc-gen-es': es };
for (const d of readdirSync(BASE)) {
  const full = path.join(BASE, d);
  if (!(d in dirs) && d !== 'synth-src' && statSync(full).isDirectory() && existsSync(path.join(full, 'tsconfig.json')))
    dirs[d] = full;
}
const size = (dir) => {
  let total = 0;
  const walk = (p) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(p, e.name));
      else if (e.name.endsWith('.ts')) total += statSync(path.join(p, e.name)).size;
    }
  };
  walk(path.join(dir, 'src'));
  return total;
};
const stats = Object.fromEntries(Object.keys(dirs).map((n) => [n, { ms: [], heap: [] }]));
const names = Object.keys(dirs);
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + round) % names.length];
    const start = performance.now();
    const r = await run(
      process.execPath,
      [binJs('tsc'), '-p', path.join(dirs[name], 'tsconfig.json'), '--noEmit', '--strict', '--diagnostics'],
      { cwd: dirs[name], timeoutMs: 600_000 },
    );
    const ms = performance.now() - start;
    if (!r.ok) throw new Error(`tsc over ${name} failed: ${tail(r.stdout || r.stderr)}`);
    stats[name].ms.push(ms);
    stats[name].heap.push(Number(/Memory used:\s+(\d+)K/.exec(r.stdout)?.[1] ?? 0) / 1024);
    const check = /Check time:\s+([\d.]+)s/.exec(r.stdout)?.[1];
    console.log(`round ${round + 1}: ${name} ${(ms / 1000).toFixed(2)} s (check ${check} s)`);
  }
}
const esMs = median(stats['protoc-gen-es'].ms);
console.log(`\n# tsc --noEmit --strict over the synthetic set's output, median of ${ROUNDS} interleaved runs`);
for (const name of names) {
  const m = median(stats[name].ms);
  const msgs = path.join(dirs[name], 'src', 'links', 'bench', 'messages.ts');
  const msgSize = existsSync(msgs) ? `, messages.ts ${(statSync(msgs).size / 1e6).toFixed(2)} MB` : '';
  console.log(
    `${name.padEnd(22)} ${(m / 1000).toFixed(2)} s (${(m / esMs).toFixed(2)}x protoc-gen-es), heap ${median(stats[name].heap).toFixed(0)} MB, .ts ${(size(dirs[name]) / 1e6).toFixed(2)} MB${msgSize}`,
  );
}
