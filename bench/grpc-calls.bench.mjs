#!/usr/bin/env node
// Unary calls per second on 127.0.0.1: our generated client + server against a @grpc/proto-loader
// dynamic client + server, same .proto, same ~1 KiB order message, at 1 and 64 concurrent callers.
// Ours serves health and reflection too, as the generated server.ts does. Both servers run in one
// child process (so they never share the clients' event loop); rounds alternate ours / proto-loader, and the figures are medians over rounds. Also prints client and server CPU per call.
// Run: npm run build && node bench/grpc-calls.bench.mjs   (ROUNDS=5 DURATION_MS=1000 by default)
import { fork } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { BENCH_PROTO, generatedProject, median, orderObject } from './grpc-project.mjs';
import { callRate } from './lib/timing.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const DURATION = Number(process.env.DURATION_MS ?? 1000);
const WARMUP = 250;
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

const HANDLERS = `import type * as $msg from './messages.js';
import type * as $service from './service.js';

export class BenchServiceImpl implements $service.BenchServiceHandlers {
  async echo(request: $msg.Order): Promise<$msg.OrderInit> {
    return request;
  }
}
`;

// The child: our generated server and a proto-loader server, each on its own port.
const SERVER = `
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { addBenchService } from './dist/links/bench/service.js';
import { BenchServiceImpl } from './dist/links/bench/handlers.js';
import { addProductionServices } from './dist/links/_runtime/grpc-server.js';
import { FILE_DESCRIPTORS, SERVICE_NAMES } from './dist/links/bench/descriptors.js';

const bind = (server) => new Promise((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
const ours = new grpc.Server();
addBenchService(ours, new BenchServiceImpl());
// As the generated server.ts serves: with the health and reflection services beside the link's own.
addProductionServices(ours, { names: SERVICE_NAMES, descriptors: FILE_DESCRIPTORS });
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync('proto/bench.proto', ${JSON.stringify(LOADER_OPTIONS).replace(/"String"/g, 'String')}));
const peer = new grpc.Server();
peer.addService(pkg.bench.v1.BenchService.service, { Echo: (call, callback) => callback(null, call.request) });
const ports = { ours: await bind(ours), peer: await bind(peer) };
process.on('message', (m) => { if (m === 'cpu') process.send({ cpu: process.cpuUsage() }); });
process.send({ ports });
`;

const project = await generatedProject({ handlers: HANDLERS });
const { dir, link } = project;
await writeFile(path.join(dir, 'server.mjs'), SERVER);
const child = fork(path.join(dir, 'server.mjs'), [], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const reply = (pred) =>
  new Promise((resolve) => {
    const on = (m) => {
      if (pred(m)) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
  });
const serverCpu = async () => {
  const answer = reply((m) => m.cpu);
  child.send('cpu');
  const { cpu } = await answer;
  return cpu.user + cpu.system;
};

try {
  const { ports } = await reply((m) => m.ports);
  const { BenchServiceClient } = await import(pathToFileURL(path.join(link, 'client.js')).href);
  const messages = await import(pathToFileURL(path.join(link, 'messages.js')).href);

  // The same message on both sides: protobufjs bytes decoded by our codec, the plain object for proto-loader.
  const plain = orderObject(10);
  const T = protobuf.parse(BENCH_PROTO, { keepCase: true }).root.lookupType('bench.v1.Order');
  const bytes = T.encode(T.fromObject(plain)).finish();
  const ourOrder = messages.Order.decode(bytes);

  const ours = new BenchServiceClient({ address: `127.0.0.1:${ports.ours}`, insecure: true });
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(path.join(dir, 'proto', 'bench.proto'), LOADER_OPTIONS));
  const peerClient = new pkg.bench.v1.BenchService(`127.0.0.1:${ports.peer}`, grpc.credentials.createInsecure());
  // What people write around a proto-loader client: a promise per call.
  const peerEcho = (req) =>
    new Promise((resolve, reject) => peerClient.Echo(req, (err, res) => (err ? reject(err) : resolve(res))));

  // Both answer the same message before anything is timed.
  const a = await ours.echo(ourOrder);
  const b = await peerEcho(plain);
  if (
    a.lines.length !== 10 ||
    b.lines.length !== 10 ||
    a.itemIds[3] !== 9007199254740993n ||
    b.item_ids[3] !== '9007199254740993'
  ) {
    throw new Error('the two servers do not echo the same order');
  }

  async function measure(call, callers) {
    // CPU per call on both sides, over the timed window only.
    const around = async () => {
      const cpu0 = process.cpuUsage();
      const scpu0 = await serverCpu();
      return async (calls) => {
        const cpu = process.cpuUsage(cpu0);
        const scpu = (await serverCpu()) - scpu0;
        return { clientUs: (cpu.user + cpu.system) / calls, serverUs: scpu / calls };
      };
    };
    const { rate, extra } = await callRate(call, callers, { warmupMs: WARMUP, durationMs: DURATION, around });
    return { rate, ...extra };
  }

  console.log(
    `Unary Echo of a ${bytes.length}-byte order on 127.0.0.1, ${ROUNDS} interleaved rounds of ${DURATION} ms`,
  );
  const fmt = (n) => Math.round(n).toLocaleString('en').padStart(8);
  for (const callers of [1, 64]) {
    const runs = { ours: [], peer: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so a drift in machine load does not favour one side.
      const order = round % 2 ? ['peer', 'ours'] : ['ours', 'peer'];
      for (const side of order) {
        runs[side].push(await measure(side === 'ours' ? () => ours.echo(ourOrder) : () => peerEcho(plain), callers));
      }
    }
    const m = (side, key) => median(runs[side].map((r) => r[key]));
    const ratios = runs.ours.map((r, i) => r.rate / runs.peer[i].rate);
    console.log(`${String(callers).padStart(2)} caller(s):`);
    console.log(
      `  create-service-link  ${fmt(m('ours', 'rate'))} calls/s   client ${m('ours', 'clientUs').toFixed(0)} µs CPU/call, server ${m('ours', 'serverUs').toFixed(0)} µs`,
    );
    console.log(
      `  @grpc/proto-loader   ${fmt(m('peer', 'rate'))} calls/s   client ${m('peer', 'clientUs').toFixed(0)} µs CPU/call, server ${m('peer', 'serverUs').toFixed(0)} µs`,
    );
    console.log(
      `  ratio ours/proto-loader: median of paired rounds ${median(ratios).toFixed(2)}x (rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
    );
  }
  ours.close();
  peerClient.close();
} finally {
  child.kill();
  await rm(dir, { recursive: true, force: true });
}
