// Encode/decode ops/s of the generated codecs vs protobufjs on the same ~580-byte order message.
// protobufjs reflection codecs are produced by the same code generator as `pbjs -t static-module`;
// when bench/node_modules has protobufjs-cli, the real static module is measured too.
// Run: npm run build && node bench/grpc-codec.mjs
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile, readFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import protobuf from 'protobufjs';

const root = path.resolve(fileURLToPath(import.meta.url), '..', '..');
const PROTO = `syntax = "proto3";
package bench.v1;
message Money { string currency_code = 1; int64 units = 2; int32 nanos = 3; }
message Address { string line1 = 1; string line2 = 2; string city = 3; string postal_code = 4; string country = 5; }
message Line { string sku = 1; string title = 2; uint32 quantity = 3; Money unit_price = 4; repeated string tags = 5; }
message Order {
  string id = 1; string customer_id = 2; int64 created_unix_ms = 3; uint32 status = 4;
  repeated Line lines = 5; Address shipping = 6; Money total = 7; map<string, string> labels = 8;
  repeated int64 item_ids = 9; bool gift = 10; string note = 11;
}
`;

const dir = await mkdtemp(path.join(tmpdir(), 'csl-bench-'));
try {
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}\n');
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'], outDir: 'dist', rootDir: 'src' }, include: ['src'] }));
  await mkdir(path.join(dir, 'proto'));
  await writeFile(path.join(dir, 'proto/bench.proto'), PROTO);
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const { generator } = await import(pathToFileURL(path.join(root, 'dist/patterns/grpc/generate.js')).href);
  const files = await generator.generate({
    project: { root: dir, packageManager: 'npm', moduleSystem: 'esm', importSuffix: '.js', srcDir: 'src' },
    link: { name: 'bench', pattern: 'grpc', contracts: ['proto/bench.proto'], out: 'src/links/bench', options: { protoPath: ['proto'] } },
    readFile: (p) => readFile(path.join(dir, p), 'utf8'),
    exists: (p) => access(path.join(dir, p)).then(() => true, () => false),
  });
  for (const f of files) {
    await mkdir(path.dirname(path.join(dir, f.path)), { recursive: true });
    await writeFile(path.join(dir, f.path), f.content);
  }
  execFileSync('node', [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { stdio: 'inherit' });
  const ours = await import(pathToFileURL(path.join(dir, 'dist/links/bench/messages.js')).href);

  const pbRoot = protobuf.parse(PROTO, { keepCase: true }).root;
  const T = pbRoot.lookupType('bench.v1.Order');
  const money = (u) => ({ currency_code: 'EUR', units: u, nanos: 990000000 });
  const pbOrder = T.fromObject({
    id: 'ord_01HZX3K9Q8R7', customer_id: 'cus_9f8e7d6c5b4a', created_unix_ms: '1718000000000', status: 2,
    lines: [1, 2, 3, 4].map((i) => ({ sku: `SKU-000${i}`, title: `Product number ${i} with a longer title`, quantity: i, unit_price: money(String(10 * i)), tags: ['new', 'sale'] })),
    shipping: { line1: '221B Baker Street', line2: 'Flat 2', city: 'London', postal_code: 'NW1 6XE', country: 'GB' },
    total: money('100'), labels: { channel: 'web', campaign: 'spring-2024', region: 'eu-west' },
    item_ids: ['1000001', '1000002', '1000003', '9007199254740993'], gift: true, note: 'Please leave the parcel with the neighbour if nobody is home.',
  });
  const bytes = T.encode(pbOrder).finish();
  const ourOrder = ours.Order.decode(bytes);
  if (Buffer.compare(Buffer.from(ours.Order.encode(ourOrder)), Buffer.from(bytes)) !== 0) throw new Error('encodings differ');

  function measure(label, fn) {
    for (let i = 0; i < 20000; i++) fn();
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    while (elapsed < 1_000_000_000n) {
      for (let i = 0; i < 5000; i++) fn();
      n += 5000;
      elapsed = process.hrtime.bigint() - start;
    }
    const ops = Math.round(n / (Number(elapsed) / 1e9));
    console.log(`${label.padEnd(44)} ${ops.toLocaleString('en').padStart(12)} ops/s`);
    return ops;
  }
  console.log(`Order message: ${bytes.length} bytes`);
  const pe = measure('protobufjs (static-equivalent codegen) encode', () => T.encode(pbOrder).finish());
  const oe = measure('create-service-link encode', () => ours.Order.encode(ourOrder));
  const pd = measure('protobufjs (static-equivalent codegen) decode', () => T.decode(bytes));
  const od = measure('create-service-link decode', () => ours.Order.decode(bytes));
  console.log(`ratio encode ${(oe / pe).toFixed(2)}x, decode ${(od / pd).toFixed(2)}x (ours / protobufjs)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
