// Shared by the gRPC benches: a temp ESM project with the bench .proto, our link generated into it by
// the built CLI (`create-service-link grpc bench --proto ...`), compiled with the tool's own tsc.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(import.meta.url), '..', '..');
const CLI = path.join(ROOT, 'bin', 'create-service-link.js');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** A realistic order message (with 64-bit fields, a map, nested and repeated messages) and an echo service. */
export const BENCH_PROTO = `syntax = "proto3";
package bench.v1;
message Money { string currency_code = 1; int64 units = 2; int32 nanos = 3; }
message Address { string line1 = 1; string line2 = 2; string city = 3; string postal_code = 4; string country = 5; }
message Line { string sku = 1; string title = 2; uint32 quantity = 3; Money unit_price = 4; repeated string tags = 5; }
message Order {
  string id = 1; string customer_id = 2; int64 created_unix_ms = 3; uint32 status = 4;
  repeated Line lines = 5; Address shipping = 6; Money total = 7; map<string, string> labels = 8;
  repeated int64 item_ids = 9; bool gift = 10; string note = 11;
}
service BenchService { rpc Echo(Order) returns (Order); }
`;

/** The order as a protobufjs/proto-loader object (snake_case keys, 64-bit values as decimal strings). */
export function orderObject(lines = 4) {
  const money = (u) => ({ currency_code: 'EUR', units: u, nanos: 990000000 });
  return {
    id: 'ord_01HZX3K9Q8R7',
    customer_id: 'cus_9f8e7d6c5b4a',
    created_unix_ms: '1718000000000',
    status: 2,
    lines: Array.from({ length: lines }, (_, k) => k + 1).map((i) => ({
      sku: `SKU-000${i}`,
      title: `Product number ${i} with a longer title`,
      quantity: i,
      unit_price: money(String(10 * i)),
      tags: ['new', 'sale'],
    })),
    shipping: { line1: '221B Baker Street', line2: 'Flat 2', city: 'London', postal_code: 'NW1 6XE', country: 'GB' },
    total: money('100'),
    labels: { channel: 'web', campaign: 'spring-2024', region: 'eu-west' },
    item_ids: ['1000001', '1000002', '1000003', '9007199254740993'],
    gift: true,
    note: 'Please leave the parcel with the neighbour if nobody is home.',
  };
}

/** Scaffolds the link through the CLI, replaces handlers.ts with `handlers` when given, compiles. */
export async function generatedProject({ handlers } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'csl-grpc-bench-'));
  await writeFile(path.join(dir, 'package.json'), '{"name":"bench","type":"module","private":true}\n');
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    '{"compilerOptions":{"target":"ES2022","module":"NodeNext","moduleResolution":"NodeNext","strict":true,"skipLibCheck":true,"types":["node"],"outDir":"dist","rootDir":"src"},"include":["src"]}\n',
  );
  await writeFile(path.join(dir, 'package-lock.json'), '{}\n');
  await mkdir(path.join(dir, 'src'));
  await mkdir(path.join(dir, 'proto'));
  await writeFile(path.join(dir, 'proto', 'bench.proto'), BENCH_PROTO);
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  execFileSync(
    'node',
    [CLI, 'grpc', 'bench', '--proto', 'proto/bench.proto', '--proto-path', 'proto', '--yes', '--no-install'],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  if (handlers) await writeFile(path.join(dir, 'src', 'links', 'bench', 'handlers.ts'), handlers);
  execFileSync('node', [TSC, '-p', dir], { stdio: 'inherit' });
  return { dir, link: path.join(dir, 'dist', 'links', 'bench') };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
