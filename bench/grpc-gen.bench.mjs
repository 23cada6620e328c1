#!/usr/bin/env node
// Generation time on googleapis' pubsub.proto (+ its imports), in one run, interleaved rounds, medians:
// our `create-service-link grpc` (fresh scaffold) and `generate --force`, against buf + protoc-gen-es and
// proto-loader-gen-types (and buf + ts-proto with ALL_PEERS=1) from bench/node_modules. Wall time of
// whole processes. Works in its own temp dir (bench/codegen-proto.mjs covers the full peer set).
// Run: npm run build && node bench/grpc-gen.bench.mjs   (ROUNDS=5)
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, median } from './grpc-project.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const NM = path.join(ROOT, 'bench', 'node_modules');
const GOOGLE = path.join(NM, 'google-proto-files');
const CLI = path.join(ROOT, 'bin', 'create-service-link.js');
if (!existsSync(GOOGLE)) {
  console.log('bench/node_modules/google-proto-files is not installed: nothing to compare');
  process.exit(0);
}

const work = mkdtempSync(path.join(tmpdir(), 'csl-grpc-gen-'));
try {
  // pubsub.proto and what it imports (the well-known types come with each tool).
  const protoRoot = path.join(work, 'proto');
  const seen = new Set();
  const todo = ['google/pubsub/v1/pubsub.proto'];
  while (todo.length) {
    const rel = todo.pop();
    if (seen.has(rel) || rel.startsWith('google/protobuf/')) continue;
    seen.add(rel);
    mkdirSync(path.dirname(path.join(protoRoot, rel)), { recursive: true });
    cpSync(path.join(GOOGLE, rel), path.join(protoRoot, rel));
    for (const m of readFileSync(path.join(GOOGLE, rel), 'utf8').matchAll(
      /^import\s+(?:public\s+|weak\s+)?"([^"]+)";/gm,
    ))
      todo.push(m[1]);
  }

  const project = (name) => {
    const dir = path.join(work, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{"name":"gen","type":"module","private":true}\n');
    writeFileSync(path.join(dir, 'package-lock.json'), '{}\n');
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      '{"compilerOptions":{"module":"NodeNext","moduleResolution":"NodeNext","strict":true,"outDir":"dist","rootDir":"src"},"include":["src"]}\n',
    );
    cpSync(protoRoot, path.join(dir, 'proto'), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return dir;
  };
  const scaffoldArgs = [
    CLI,
    'grpc',
    'pubsub',
    '--proto',
    'proto/google/pubsub/v1/pubsub.proto',
    '--proto-path',
    'proto',
    '--yes',
    '--no-install',
  ];
  const regenDir = project('regen');
  execFileSync(process.execPath, scaffoldArgs, { cwd: regenDir, stdio: 'ignore' });
  const generated = Object.keys(
    JSON.parse(readFileSync(path.join(regenDir, 'service-link.json'), 'utf8')).links.pubsub.files ?? {},
  );

  const contestants = [
    {
      name: 'create-service-link grpc (scaffold)',
      prepare: () => project('fresh'),
      run: (dir) => execFileSync(process.execPath, scaffoldArgs, { cwd: dir, stdio: 'ignore' }),
    },
    {
      name: 'create-service-link generate',
      prepare: () => {
        for (const f of generated) rmSync(path.join(regenDir, f), { force: true });
        return regenDir;
      },
      run: (dir) => execFileSync(process.execPath, [CLI, 'generate', '--force'], { cwd: dir, stdio: 'ignore' }),
    },
  ];
  const bufBin = path.join(NM, '@bufbuild', 'buf-linux-x64', 'bin', 'buf');
  const buf = existsSync(bufBin) ? bufBin : path.join(NM, '.bin', 'buf');
  const bufPeer = (name, plugin, opt) => {
    const out = path.join(work, `out-${plugin}`);
    const yaml = path.join(work, `${plugin}.buf.gen.yaml`);
    writeFileSync(
      yaml,
      [
        'version: v2',
        'plugins:',
        `  - local: ${JSON.stringify(path.join(NM, '.bin', plugin))}`,
        `    out: ${JSON.stringify(out)}`,
        `    opt: ${JSON.stringify(opt)}`,
        '',
      ].join('\n'),
    );
    return {
      name,
      prepare: () => rmSync(out, { recursive: true, force: true }),
      run: () => execFileSync(buf, ['generate', protoRoot, '--template', yaml], { cwd: work, stdio: 'ignore' }),
    };
  };
  if (existsSync(buf) && existsSync(path.join(NM, '.bin', 'protoc-gen-es')))
    contestants.push(bufPeer('buf + protoc-gen-es', 'protoc-gen-es', ['target=ts', 'import_extension=js']));
  if (process.env.ALL_PEERS && existsSync(buf) && existsSync(path.join(NM, '.bin', 'protoc-gen-ts_proto'))) {
    contestants.push(
      bufPeer('buf + ts-proto', 'protoc-gen-ts_proto', [
        'outputServices=grpc-js',
        'esModuleInterop=true',
        'importSuffix=.js',
      ]),
    );
  }
  if (existsSync(path.join(NM, '.bin', 'proto-loader-gen-types'))) {
    const out = path.join(work, 'out-proto-loader');
    const bin = realpathSync(path.join(NM, '.bin', 'proto-loader-gen-types'));
    contestants.push({
      name: 'proto-loader-gen-types (types only)',
      prepare: () => rmSync(out, { recursive: true, force: true }),
      run: () =>
        execFileSync(
          process.execPath,
          [bin, '--grpcLib=@grpc/grpc-js', `--outDir=${out}`, 'google/pubsub/v1/pubsub.proto', '-I', protoRoot],
          { cwd: work, stdio: 'ignore' },
        ),
    });
  }

  const times = new Map(contestants.map((c) => [c.name, []]));
  for (let round = -1; round < ROUNDS; round++) {
    // Round -1 warms the file cache; the order rotates so no tool always runs first.
    const order = contestants.map((_, i) => contestants[(i + Math.max(round, 0)) % contestants.length]);
    for (const c of order) {
      const dir = c.prepare();
      const start = performance.now();
      c.run(dir);
      if (round >= 0) times.get(c.name).push(performance.now() - start);
    }
  }
  const ours = times.get('create-service-link generate');
  console.log(
    `pubsub.proto + ${seen.size - 1} imported files, ${ROUNDS} interleaved rounds, median wall time of the whole process`,
  );
  for (const [name, t] of times) {
    const ratio = median(t.map((v, i) => v / ours[i]));
    console.log(
      `  ${name.padEnd(38)} ${Math.round(median(t)).toString().padStart(6)} ms   ${ratio.toFixed(2)}x the time of \`generate\``,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
