#!/usr/bin/env node
// Code generation from .proto files: our `grpc` pattern against buf + ts-proto, buf + protoc-gen-es,
// pbjs + pbts (protobufjs static code) and proto-loader-gen-types, on googleapis' pubsub.proto (with its
// imports) and on a synthetic set (1,000 messages, 50 services, 10 files). Then the type-check cost of
// the generated code: `tsc --noEmit --strict` over ours and over protoc-gen-es's output.
//
//   node bench/codegen-proto.mjs [pubsub] [synthetic] [typecheck]     (default: all three)
//   BENCH_ROUNDS=5 BENCH_SYNTH_ROUNDS=3 BENCH_TSC_ROUNDS=2 BENCH_TSC_TIMEOUT=300 BENCH_TSC_TSPROTO=1
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  binJs,
  bufBinary,
  describeDir,
  dirSize,
  ensureBuilt,
  ensurePeers,
  envInt,
  mkdirp,
  NM,
  QUIET_CAVEAT,
  rmrf,
  saveResults,
  version,
  WORK,
} from './lib/env.mjs';
import { oursRegenerate, oursScaffold } from './lib/ours.mjs';
import { writeSyntheticProtos } from './lib/synth-proto.mjs';
import { compare, fmtMs, printTable } from './lib/timing.mjs';

const WORKDIR = path.join(WORK, 'proto');
const GOOGLE = path.join(NM, 'google-proto-files');

/** pubsub.proto and every file it imports, copied into `dest` (WKTs left to each tool's own copy). */
function copyPubsubClosure(dest) {
  rmrf(dest);
  const seen = new Set();
  const todo = ['google/pubsub/v1/pubsub.proto'];
  while (todo.length && seen.size < 500) {
    const rel = todo.pop();
    if (seen.has(rel)) continue;
    seen.add(rel);
    const text = readFileSync(path.join(GOOGLE, rel), 'utf8');
    for (const m of text.matchAll(/^import\s+(?:public\s+|weak\s+)?"([^"]+)";/gm)) todo.push(m[1]);
  }
  const files = [...seen].filter((f) => !f.startsWith('google/protobuf/')).sort();
  for (const rel of files) {
    mkdirp(path.dirname(path.join(dest, rel)));
    copyFileSync(path.join(GOOGLE, rel), path.join(dest, rel));
  }
  return { root: dest, files, entry: ['google/pubsub/v1/pubsub.proto'] };
}

const sq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

const nonEmpty = (dir) => () => {
  if (!existsSync(dir)) return `no output in ${dir}`;
  return dirSize(dir, { max: 10 }).files ? undefined : `no file written in ${dir}`;
};

/** The contestants for one set of protos. `entry` = files passed to the tools; all `files` form the set. */
function contestants(setName, { root, entry }) {
  const base = path.join(WORKDIR, setName);
  const outOf = (tool) => path.join(base, tool);
  // Paths relative to our project folder (ours/ and ours-regen/ sit at the same depth): with an absolute
  // --proto-path, a --proto file that another --proto file imports is loaded twice ("duplicate name").
  const rel = path.relative(path.join(base, 'ours'), root);
  const protoArgs = entry.flatMap((f) => ['--proto', path.join(rel, f)]);
  const createArgs = ['grpc', 'bench', ...protoArgs, '--proto-path', rel];

  const bufTemplate = (tool, plugin, opt) => {
    const dir = outOf(tool);
    const yaml = path.join(base, `${tool}.buf.gen.yaml`);
    mkdirp(base);
    writeFileSync(
      yaml,
      [
        'version: v2',
        'plugins:',
        `  - local: ${JSON.stringify(path.join(NM, '.bin', plugin))}`,
        `    out: ${JSON.stringify(dir)}`,
        `    opt: ${JSON.stringify(opt)}`,
        '',
      ].join('\n'),
    );
    return { dir, yaml };
  };
  const tsProto = bufTemplate('ts-proto', 'protoc-gen-ts_proto', [
    'outputServices=grpc-js',
    'esModuleInterop=true',
    'importSuffix=.js',
  ]);
  const es = bufTemplate('protoc-gen-es', 'protoc-gen-es', ['target=ts', 'import_extension=js']);
  const clean = (dir) => () => {
    rmrf(dir);
    mkdirp(dir);
  };

  const bufRun =
    ({ yaml }) =>
    () => ({ cmd: bufBinary(), args: ['generate', root, '--template', yaml], cwd: base });
  const pbDir = outOf('pbjs');
  const pbjs = binJs('pbjs');
  const pbts = binJs('pbts');
  const node = process.execPath;
  const pbjsCmd =
    `${sq(node)} ${sq(pbjs)} -t static-module -w es6 -p ${sq(root)} -o ${sq(path.join(pbDir, 'bundle.js'))} ${entry.map((f) => sq(path.join(root, f))).join(' ')}` +
    ` && ${sq(node)} ${sq(pbts)} -o ${sq(path.join(pbDir, 'bundle.d.ts'))} ${sq(path.join(pbDir, 'bundle.js'))}`;
  const plDir = outOf('proto-loader');

  return {
    base,
    esDir: es.dir,
    tsProtoDir: tsProto.dir,
    oursDir: path.join(base, 'ours'),
    list: [
      oursScaffold({
        dir: path.join(base, 'ours'),
        createArgs,
        linkDir: 'src/links/bench',
        note: 'fresh project per run',
      }),
      oursRegenerate({
        dir: path.join(base, 'ours-regen'),
        createArgs,
        note: 'generate --force after deleting generated files; handlers merged',
      }),
      {
        name: 'buf + ts-proto',
        prepare: clean(tsProto.dir),
        command: bufRun(tsProto),
        check: nonEmpty(tsProto.dir),
        describe: () => describeDir(tsProto.dir),
        note: 'outputServices=grpc-js, importSuffix=.js',
      },
      {
        name: 'buf + protoc-gen-es',
        prepare: clean(es.dir),
        command: bufRun(es),
        check: nonEmpty(es.dir),
        describe: () => describeDir(es.dir),
        note: 'target=ts, import_extension=js',
      },
      {
        name: 'pbjs + pbts',
        prepare: clean(pbDir),
        command: () => ({ cmd: '/bin/sh', args: ['-c', pbjsCmd], cwd: base }),
        check: nonEmpty(pbDir),
        describe: () => describeDir(pbDir),
        note: 'static-module es6, then .d.ts',
      },
      {
        name: 'proto-loader-gen-types',
        prepare: clean(plDir),
        command: () => ({
          cmd: node,
          args: [
            binJs('proto-loader-gen-types'),
            '--grpcLib=@grpc/grpc-js',
            `--outDir=${plDir}`,
            ...entry,
            '-I',
            root,
          ] /* -I is a yargs array: keep it last */,
          cwd: base,
        }),
        check: nonEmpty(plDir),
        describe: () => describeDir(plDir),
        note: 'types only, no codecs',
      },
    ],
  };
}

function tsconfigFor(dir, include) {
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include,
      },
      null,
      2,
    ) + '\n',
  );
  if (!existsSync(path.join(dir, 'package.json')))
    writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
}

function tscContestant(name, dir, { ours = false, timeoutNote } = {}) {
  let memory = '';
  return {
    name,
    ours,
    command: () => ({
      cmd: process.execPath,
      args: [binJs('tsc'), '-p', path.join(dir, 'tsconfig.json'), '--noEmit', '--strict', '--diagnostics'],
      cwd: dir,
    }),
    check: (_r, res) => {
      const m = /Memory used:\s+(\d+)K/.exec(res.stdout);
      if (m) memory = `${(Number(m[1]) / 1024).toFixed(0)} MB heap`;
      return undefined;
    },
    describe: () => [memory, describeDir(dir).replace('out ', 'checks ')].filter(Boolean).join(', '),
    note: timeoutNote,
  };
}

async function main() {
  ensureBuilt();
  ensurePeers();
  const which = new Set(process.argv.slice(2));
  const all = which.size === 0;
  const rounds = envInt('BENCH_ROUNDS', 5, { max: 50 });
  const synthRounds = envInt('BENCH_SYNTH_ROUNDS', Math.min(rounds, 3), { max: 50 });
  const tscRounds = envInt('BENCH_TSC_ROUNDS', 2, { max: 20 });
  const tscTimeoutMs = envInt('BENCH_TSC_TIMEOUT', 300, { max: 3600 }) * 1000;
  const genTimeoutMs = envInt('BENCH_TIMEOUT', 300, { max: 3600 }) * 1000;

  console.log(
    `Peers: @bufbuild/buf ${version('@bufbuild/buf')}, ts-proto ${version('ts-proto')}, @bufbuild/protoc-gen-es ${version('@bufbuild/protoc-gen-es')}, ` +
      `protobufjs-cli ${version('protobufjs-cli')} (protobufjs ${version('protobufjs')}), @grpc/proto-loader ${version('@grpc/proto-loader')}, ` +
      `typescript ${version('typescript')}; googleapis protos from google-proto-files ${version('google-proto-files')}`,
  );
  const results = {};

  if (all || which.has('pubsub')) {
    const set = copyPubsubClosure(path.join(WORKDIR, 'pubsub-src'));
    console.log(
      `\n# pubsub.proto with its imports: ${set.files.length} files (${set.files.join(', ')}) + well-known types`,
    );
    const c = contestants('pubsub', set);
    const res = await compare({
      title: 'Generate from googleapis pubsub.proto (+ imports)',
      contestants: c.list,
      rounds,
      warmup: 1,
      timeoutMs: genTimeoutMs,
    });
    printTable(res);
    results.pubsub = res;
  }

  let synth;
  if (all || which.has('synthetic') || which.has('typecheck')) {
    const info = writeSyntheticProtos(path.join(WORKDIR, 'synth-src'));
    synth = { root: info.root, files: info.files, entry: info.files };
    if (all || which.has('synthetic')) {
      console.log(
        `\n# synthetic set: ${info.messages} messages, ${info.services} services (${info.rpcs} RPCs of all four kinds) over ${info.files.length} files in 2 packages, imports between files`,
      );
    }
  }
  let synthC;
  if (all || which.has('synthetic') || which.has('typecheck')) synthC = contestants('synthetic', synth);
  if (all || which.has('synthetic')) {
    const res = await compare({
      title: 'Generate from the synthetic set (1,000 messages, 50 services, 10 files)',
      contestants: synthC.list,
      rounds: synthRounds,
      warmup: envInt('BENCH_SYNTH_WARMUP', 0, { min: 0, max: 5 }),
      timeoutMs: genTimeoutMs,
    });
    printTable(res);
    results.synthetic = res;
  }

  if (all || which.has('typecheck')) {
    // When the synthetic generation did not run just now, generate the outputs (untimed) with this build
    // of the tool, then type-check them under the same options.
    const withTsProto = process.env.BENCH_TSC_TSPROTO === '1';
    if (!results.synthetic) {
      const needed = [synthC.list[0], synthC.list[3], ...(withTsProto ? [synthC.list[2]] : [])];
      const prep = await compare({
        title: 'prepare',
        contestants: needed,
        rounds: 1,
        warmup: 0,
        timeoutMs: genTimeoutMs,
        log: () => {},
      });
      const failed = prep.rows.find((r) => r.failed);
      if (failed) throw new Error(`could not generate the synthetic set with ${failed.name}: ${failed.failed}`);
    }
    tsconfigFor(synthC.oursDir, ['src']);
    tsconfigFor(synthC.esDir, ['**/*.ts']);
    const list = [
      tscContestant('tsc over ours', synthC.oursDir, {
        ours: true,
        timeoutNote: 'generated code + handler/server stubs',
      }),
      tscContestant('tsc over protoc-gen-es', synthC.esDir),
    ];
    if (withTsProto) {
      tsconfigFor(synthC.tsProtoDir, ['**/*.ts']);
      list.push(tscContestant('tsc over ts-proto', synthC.tsProtoDir));
    }
    console.log(
      `\n# type-check cost: tsc --noEmit --strict (skipLibCheck) over the synthetic set's output, timeout ${fmtMs(tscTimeoutMs)}`,
    );
    if (!withTsProto)
      console.log('  (ts-proto left out: it needs minutes and >10 GB here; BENCH_TSC_TSPROTO=1 adds it)');
    const res = await compare({
      title: 'Type-check the synthetic set output (tsc --noEmit --strict)',
      contestants: list,
      rounds: tscRounds,
      warmup: 0,
      timeoutMs: tscTimeoutMs,
    });
    printTable(res);
    results.typecheck = res;
  }

  console.log(QUIET_CAVEAT);
  const file = saveResults('codegen-proto', results);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error?.stack ?? error);
  process.exitCode = 1;
});
