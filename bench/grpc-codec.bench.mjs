// Encode/decode ops/s of the generated codecs vs protobufjs on the same ~570-byte order message.
// protobufjs reflection codecs come from the same code generator as `pbjs -t static-module`; when
// bench/node_modules has protobufjs-cli, the real static module (pbjs -t static-module) is measured too.
// Rounds are interleaved (every codec once per round, in rotating order); figures are medians.
// Run: npm run build && node bench/grpc-codec.bench.mjs   (ROUNDS=9 ROUND_MS=300 by default)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import protobuf from 'protobufjs';
import { BENCH_PROTO, ROOT, generatedProject, median, orderObject } from './grpc-project.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ROUND_MS = Number(process.env.ROUND_MS ?? 300);

const { dir, link } = await generatedProject();
try {
  const ours = await import(pathToFileURL(path.join(link, 'messages.js')).href);
  const pbRoot = protobuf.parse(BENCH_PROTO, { keepCase: true }).root;
  const T = pbRoot.lookupType('bench.v1.Order');
  const pbOrder = T.fromObject(orderObject(4));
  const bytes = T.encode(pbOrder).finish();
  const ourOrder = ours.Order.decode(bytes);
  if (Buffer.compare(Buffer.from(ours.Order.encode(ourOrder)), Buffer.from(bytes)) !== 0)
    throw new Error('encodings differ');

  const codecs = {
    'protobufjs codegen': { encode: () => T.encode(pbOrder).finish(), decode: () => T.decode(bytes) },
    'create-service-link': { encode: () => ours.Order.encode(ourOrder), decode: () => ours.Order.decode(bytes) },
  };
  const pbjs = path.join(ROOT, 'bench', 'node_modules', '.bin', 'pbjs');
  if (existsSync(pbjs)) {
    await writeFile(path.join(dir, 'proto', 'bench.proto'), BENCH_PROTO);
    execFileSync(pbjs, [
      '-t',
      'static-module',
      '-w',
      'es6',
      '--keep-case',
      '-o',
      path.join(dir, 'static.mjs'),
      path.join(dir, 'proto', 'bench.proto'),
    ]);
    const { bench } = await import(pathToFileURL(path.join(dir, 'static.mjs')).href);
    const S = bench.v1.Order;
    const staticOrder = S.decode(bytes);
    if (Buffer.compare(Buffer.from(S.encode(staticOrder).finish()), Buffer.from(bytes)) !== 0)
      throw new Error('static module encoding differs');
    codecs['pbjs static-module'] = { encode: () => S.encode(staticOrder).finish(), decode: () => S.decode(bytes) };
  }

  function opsPerSecond(fn) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ROUND_MS) {
      for (let i = 0; i < 1000; i++) fn();
      n += 1000;
      elapsed = performance.now() - start;
    }
    return (n / elapsed) * 1000;
  }

  const names = Object.keys(codecs);
  const runs = {};
  for (const name of names)
    for (const op of ['encode', 'decode']) {
      runs[`${name} ${op}`] = [];
      for (let i = 0; i < 20000; i++) codecs[name][op]();
    }
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const op of ['encode', 'decode'])
      for (const name of order) runs[`${name} ${op}`].push(opsPerSecond(codecs[name][op]));
  }
  console.log(`Order message: ${bytes.length} bytes, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms, medians`);
  for (const [label, values] of Object.entries(runs)) {
    console.log(`${label.padEnd(32)} ${Math.round(median(values)).toLocaleString('en').padStart(10)} ops/s`);
  }
  for (const peer of names.filter((n) => n !== 'create-service-link')) {
    const ratio = (op) =>
      median(runs[`create-service-link ${op}`].map((v, i) => v / runs[`${peer} ${op}`][i])).toFixed(2);
    console.log(`ours / ${peer}: encode ${ratio('encode')}x, decode ${ratio('decode')}x (median of paired rounds)`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
