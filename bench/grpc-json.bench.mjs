// proto3 JSON mapping ops/s of the generated codecs (Order.toJson / Order.fromJson) vs protobuf-es's
// toJson / fromJson on the same order message as grpc-codec.bench.mjs. protobuf-es (bench/node_modules)
// works from the message's descriptor, built here by `buf build`; its generated code hands toJson and
// fromJson the same descriptor, so this is what its generated code runs. Both sides turn a message into
// a JSON object and back; the *String rows add the text (protobuf-es: JSON.stringify/parse; ours: JSON.stringify
// and our own parser, which keeps 64-bit integers exact and rejects duplicate keys).
// Rounds are interleaved (every codec once per round, in rotating order); figures are medians.
// Run: npm ci --prefix bench && npm run build && node bench/grpc-json.bench.mjs   (ROUNDS=9 ROUND_MS=300)
import {
  createFileRegistry,
  fromBinary,
  fromJson,
  fromJsonString,
  toBinary,
  toJson,
  toJsonString,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import protobuf from 'protobufjs';
import { BENCH_PROTO, ROOT, generatedProject, median, orderObject } from './grpc-project.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ROUND_MS = Number(process.env.ROUND_MS ?? 300);
const BUF = path.join(ROOT, 'bench', 'node_modules', '.bin', 'buf');

const { dir, link } = await generatedProject();
try {
  const ours = await import(pathToFileURL(path.join(link, 'messages.js')).href);
  const T = protobuf.parse(BENCH_PROTO, { keepCase: true }).root.lookupType('bench.v1.Order');
  const bytes = T.encode(T.fromObject(orderObject(4))).finish();

  const set = path.join(dir, 'bench.binpb');
  execFileSync(BUF, ['build', path.join(dir, 'proto'), '-o', set], { stdio: 'inherit' });
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, await readFile(set)));
  const desc = registry.getMessage('bench.v1.Order');
  const esOrder = fromBinary(desc, bytes);
  const ourOrder = ours.Order.decode(bytes);

  // Same JSON both ways, and each side reads the other's.
  const json = toJson(desc, esOrder);
  if (!isDeepStrictEqual(ours.Order.toJson(ourOrder), json)) throw new Error('JSON differs');
  if (Buffer.compare(Buffer.from(ours.Order.encode(ours.Order.fromJson(json))), Buffer.from(bytes)) !== 0)
    throw new Error('our fromJson differs');
  if (Buffer.compare(Buffer.from(toBinary(desc, fromJson(desc, json))), Buffer.from(bytes)) !== 0)
    throw new Error('protobuf-es fromJson differs');

  const text = JSON.stringify(json);
  const codecs = {
    'protobuf-es': {
      toJson: () => toJson(desc, esOrder),
      fromJson: () => fromJson(desc, json),
      toJsonString: () => toJsonString(desc, esOrder),
      fromJsonString: () => fromJsonString(desc, text),
    },
    'create-service-link': {
      toJson: () => ours.Order.toJson(ourOrder),
      fromJson: () => ours.Order.fromJson(json),
      toJsonString: () => ours.Order.toJsonString(ourOrder),
      fromJsonString: () => ours.Order.fromJsonString(text),
    },
  };

  function opsPerSecond(fn) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ROUND_MS) {
      for (let i = 0; i < 200; i++) fn();
      n += 200;
      elapsed = performance.now() - start;
    }
    return (n / elapsed) * 1000;
  }

  const names = Object.keys(codecs);
  const ops = ['toJson', 'fromJson', 'toJsonString', 'fromJsonString'];
  const runs = {};
  for (const name of names)
    for (const op of ops) {
      runs[`${name} ${op}`] = [];
      for (let i = 0; i < 10000; i++) codecs[name][op]();
    }
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const op of ops) for (const name of order) runs[`${name} ${op}`].push(opsPerSecond(codecs[name][op]));
  }
  console.log(
    `Order message: ${JSON.stringify(json).length} bytes of JSON, ${ROUNDS} rounds of ${ROUND_MS} ms, medians`,
  );
  for (const [label, values] of Object.entries(runs)) {
    console.log(`${label.padEnd(32)} ${Math.round(median(values)).toLocaleString('en').padStart(10)} ops/s`);
  }
  const ratio = (op) =>
    median(runs[`create-service-link ${op}`].map((v, i) => v / runs[`protobuf-es ${op}`][i])).toFixed(2);
  const ratios = ops.map((op) => `${op} ${ratio(op)}x`).join(', ');
  console.log(`ours / protobuf-es (median of paired rounds): ${ratios}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
