#!/usr/bin/env node
// What the middleware chain costs: REST and gRPC calls per second on 127.0.0.1 through generated
// clients and servers with no middleware, and with one no-op middleware on both sides; and the same
// with @opentelemetry/api installed but no SDK registered (no-op spans), against it being absent
// (OTEL_SDK_DISABLED=true takes the runtime's "not installed" path: no telemetry middleware at all).
// Servers and clients run in child processes, one pair per telemetry setting; rounds interleave every
// row, and each ratio is taken within a round against that round's no-middleware row (median shown).
// Run: npm run build && node bench/middleware.bench.mjs   (ROUNDS=5 DURATION_MS=1000 CALLERS=1,16 BASELINE=dir)
import { fork } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run, tail } from './lib/proc.mjs';
import { median } from './lib/timing.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const DURATION = Number(process.env.DURATION_MS ?? 1000);
const CALLERS = (process.env.CALLERS ?? '1,16').split(',').map(Number);

const SERVER = `
import * as grpc from '@grpc/grpc-js';
import { listen } from './dist/links/_runtime/rest-server.js';
import { createBillingRouter } from './dist/links/billing/router.js';
import { BillingImpl } from './dist/links/billing/handlers.js';
import { registerServices } from './dist/links/user/register.js';

const noop = async (_call, next) => next();
class Billing extends BillingImpl {
  async getInvoice(input) {
    return { status: 200, body: { id: input.params.id, total: 1 } };
  }
}
const users = { getUser: async (request) => ({ id: request.id, name: 'Ada' }) };
const port = (server) => server.address().port;
const grpcServer = async (options) => {
  const server = new grpc.Server();
  registerServices(server, { UserService: users }, options);
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
};
process.on('message', (m) => { if (m === 'cpu') process.send({ cpu: process.cpuUsage() }); });
process.send({
  rest0: port(await listen(createBillingRouter(new Billing()), '127.0.0.1:0')),
  rest1: port(await listen(createBillingRouter(new Billing(), { middleware: [noop] }), '127.0.0.1:0')),
  grpc0: await grpcServer({}),
  grpc1: await grpcServer({ middleware: [noop] }),
});
`;

const CLIENT = `
import { callRate } from ${JSON.stringify(pathToFileURL(path.join(root, 'bench/lib/timing.mjs')).href)};
import { BillingClient } from './dist/links/billing/client.js';
import { UserServiceClient } from './dist/links/user/client.js';

const noop = async (_call, next) => next();
const ports = JSON.parse(process.argv[2]);
const rest = (port, middleware) => new BillingClient({ baseUrl: 'http://127.0.0.1:' + port, token: null, middleware });
const grpc = (port, middleware) => new UserServiceClient({ address: '127.0.0.1:' + port, insecure: true, middleware });
const clients = { rest0: rest(ports.rest0), rest1: rest(ports.rest1, [noop]), grpc0: grpc(ports.grpc0), grpc1: grpc(ports.grpc1, [noop]) };
const calls = {
  rest0: () => clients.rest0.getInvoice({ id: 'i-1' }),
  rest1: () => clients.rest1.getInvoice({ id: 'i-1' }),
  grpc0: () => clients.grpc0.getUser({ id: 'u-1' }),
  grpc1: () => clients.grpc1.getUser({ id: 'u-1' }),
};
for (const call of Object.values(calls)) await callRate(call, 8, { warmupMs: 100, durationMs: 300 });
// CPU per call over the timed window only: under a loaded machine it moves less than calls/s.
const around = () => {
  const start = process.cpuUsage();
  return (calls) => {
    const cpu = process.cpuUsage(start);
    return (cpu.user + cpu.system) / calls;
  };
};
process.on('message', async ({ mode, callers, durationMs }) => {
  const { rate, extra } = await callRate(calls[mode], callers, { warmupMs: 200, durationMs, around });
  process.send({ rate, cpuUs: extra });
});
process.send({ ready: true });
`;

// The chain alone, in one process, without I/O: what a call pays for the lookup, one no-op middleware
// and the telemetry middleware (with the API and no SDK). Run once per telemetry setting.
const MICRO = `
import { chainFor, run } from './dist/links/_runtime/middleware.js';
import { telemetryPending } from './dist/links/_runtime/telemetry.js';
await telemetryPending();
const noop = async (_call, next) => next();
const own = JSON.parse(process.argv[2]) ? [noop] : undefined;
const headers = {};
const call = (side) => ({
  pattern: 'rest', side, kind: 'request', link: 'bench', operation: 'getInvoice', requestId: 'r-1',
  headers: { get: (n) => headers[n], set: (n, v) => { headers[n] = v; } },
  attributes: { 'http.request.method': 'GET', 'http.route': '/invoices/{id}' },
});
const next = async () => {};
const N = 200000;
const best = {};
for (let round = 0; round < 5; round++) {
  for (const side of ['client', 'server']) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const chain = chainFor(own);
      await (chain ? run(chain, call(side), next) : next());
    }
    const us = ((performance.now() - t0) * 1000) / N;
    best[side] = Math.min(best[side] ?? Infinity, us);
  }
}
console.log(JSON.stringify(best));
`;

function once(child, pred) {
  return new Promise((resolve, reject) => {
    const exit = (code) => reject(new Error(`child exited with ${code}`));
    const on = (m) => {
      if (!pred(m)) return;
      child.off('message', on);
      child.off('exit', exit);
      resolve(m);
    };
    child.on('message', on);
    child.once('exit', exit);
  });
}

/** A project generated by the checkout at `tool` (this one, or BASELINE's), compiled. */
async function project(tool = root) {
  const dir = await mkdtemp(path.join(tmpdir(), 'csl-bench-mw-'));
  await writeFile(path.join(dir, 'package.json'), '{"name":"bench","type":"module","private":true}\n');
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    '{"compilerOptions":{"target":"ES2022","module":"NodeNext","moduleResolution":"NodeNext","strict":true,"skipLibCheck":true,"types":["node"],"outDir":"dist","rootDir":"src"},"include":["src"]}\n',
  );
  await writeFile(path.join(dir, 'package-lock.json'), '{}\n');
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const cli = path.join(tool, 'bin', 'create-service-link.js');
  for (const args of [
    ['rest', 'billing', '--resource', 'invoices:id=string,total=number', '--server', '--client', '--auth', 'none'],
    ['grpc', 'user', '--rpc', 'GetUser:unary'],
  ]) {
    const r = await run(process.execPath, [cli, ...args, '--yes', '--no-install'], { cwd: dir });
    if (!r.ok) throw new Error(`${args.join(' ')}: ${tail(r.stderr || r.stdout)}`);
  }
  const tsc = await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir]);
  if (!tsc.ok) throw new Error(`tsc failed: ${tail(tsc.stdout || tsc.stderr)}`);
  await writeFile(path.join(dir, 'server.mjs'), SERVER);
  await writeFile(path.join(dir, 'client.mjs'), CLIENT);
  await writeFile(path.join(dir, 'micro.mjs'), MICRO);
  return dir;
}

/** A server child and a client child with one telemetry setting. */
async function pair(dir, env) {
  const options = { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] };
  const server = fork(path.join(dir, 'server.mjs'), [], options);
  const ports = await once(server, (m) => m.rest0);
  const client = fork(path.join(dir, 'client.mjs'), [JSON.stringify(ports)], options);
  await once(client, (m) => m.ready);
  const serverCpu = async () => {
    const answer = once(server, (m) => m.cpu);
    server.send('cpu');
    const { cpu } = await answer;
    return cpu.user + cpu.system;
  };
  const measure = async (mode, callers) => {
    const answer = once(client, (m) => m.rate !== undefined);
    const before = await serverCpu();
    client.send({ mode, callers, durationMs: DURATION });
    const { rate, cpuUs } = await answer;
    // The server's CPU over the same window (its warm-up included: a little high, alike for every row).
    const serverUs = (await serverCpu()) - before;
    return { rate, cpuUs: cpuUs + serverUs / (rate * (DURATION / 1000)) };
  };
  return { measure, kill: () => (server.kill(), client.kill()) };
}

const ROWS = [
  // [label, telemetry setting, mode, the row it is compared with]
  ['REST, no middleware', 'absent', 'rest0', null],
  ['REST, no middleware, second process pair (noise)', 'control', 'rest0', 'rest0'],
  ['REST, 1 no-op middleware (client + server)', 'absent', 'rest1', 'rest0'],
  ['REST, @opentelemetry/api without SDK', 'api', 'rest0', 'rest0'],
  ['gRPC, no middleware', 'absent', 'grpc0', null],
  ['gRPC, no middleware, second process pair (noise)', 'control', 'grpc0', 'grpc0'],
  ['gRPC, 1 no-op middleware (client + server)', 'absent', 'grpc1', 'grpc0'],
  ['gRPC, @opentelemetry/api without SDK', 'api', 'grpc0', 'grpc0'],
];

// BASELINE=<another built checkout> (e.g. the main branch) adds its generated code as rows, with no
// middleware option (its runtime ignores it): today's calls/s beside this branch's.
const BASELINE = process.env.BASELINE;
if (BASELINE) {
  ROWS.splice(1, 0, ['REST, BASELINE checkout', 'baseline', 'rest0', 'rest0']);
  ROWS.splice(ROWS.findIndex((r) => r[2] === 'grpc0') + 1, 0, [
    'gRPC, BASELINE checkout',
    'baseline',
    'grpc0',
    'grpc0',
  ]);
}

const dir = await project();
const baselineDir = BASELINE ? await project(path.resolve(BASELINE)) : undefined;
const pairs = {};
try {
  if (baselineDir) pairs.baseline = await pair(baselineDir, { OTEL_SDK_DISABLED: 'true' });
  pairs.absent = await pair(dir, { OTEL_SDK_DISABLED: 'true' });
  pairs.control = await pair(dir, { OTEL_SDK_DISABLED: 'true' });
  pairs.api = await pair(dir, { OTEL_SDK_DISABLED: '' });
  console.log('The chain alone, best of 5 x 200,000 calls in one process (µs per call, client / server side):');
  for (const [label, env, own] of [
    ['no middleware', 'true', false],
    ['1 no-op middleware', 'true', true],
    ['@opentelemetry/api without SDK', '', false],
  ]) {
    const r = await run(process.execPath, [path.join(dir, 'micro.mjs'), JSON.stringify(own)], {
      cwd: dir,
      env: { ...process.env, OTEL_SDK_DISABLED: env },
    });
    if (!r.ok) throw new Error(`micro: ${tail(r.stderr || r.stdout)}`);
    const { client, server } = JSON.parse(r.stdout);
    console.log(`  ${label.padEnd(50)} ${client.toFixed(2).padStart(6)} / ${server.toFixed(2)} µs`);
  }
  console.log(`Unary calls/s on 127.0.0.1 (REST GET /invoices/{id}, gRPC GetUser), ${ROUNDS} rounds of ${DURATION} ms`);
  for (const callers of CALLERS) {
    const rates = ROWS.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order, so a drift in machine load does not favour one row.
      const order = ROWS.map((_, i) => i);
      if (round % 2) order.reverse();
      for (const i of order) rates[i].push(await pairs[ROWS[i][1]].measure(ROWS[i][2], callers));
    }
    console.log(
      `${String(callers).padStart(2)} caller(s):      calls/s (min-max)   ratio   CPU µs/call (client + server)   ratio`,
    );
    for (const [i, [label, , , base]] of ROWS.entries()) {
      const baseIndex = base && ROWS.findIndex((r) => r[1] === 'absent' && r[2] === base);
      const paired = (key) => (base ? median(rates[i].map((r, k) => r[key] / rates[baseIndex][k][key])) : 1);
      const rate = rates[i].map((r) => r.rate);
      const spread = `${Math.round(Math.min(...rate))}-${Math.round(Math.max(...rate))}`;
      const cpu = median(rates[i].map((r) => r.cpuUs));
      console.log(
        `  ${label.padEnd(50)} ${Math.round(median(rate)).toLocaleString('en').padStart(7)} (${spread})  ${paired('rate').toFixed(3)}x   ${cpu.toFixed(0).padStart(5)} µs  ${paired('cpuUs').toFixed(3)}x`,
      );
    }
  }
} finally {
  for (const p of Object.values(pairs)) p.kill();
  await rm(dir, { recursive: true, force: true });
  if (baselineDir) await rm(baselineDir, { recursive: true, force: true });
}
