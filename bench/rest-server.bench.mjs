#!/usr/bin/env node
// Calls per second on loopback: our generated REST server (router.ts on node:http, Ajv standalone
// validators) against Fastify with the same routes and JSON schemas, at 1 and 64 concurrent callers,
// each server's CPU time per call, and the resident memory (RSS) of each server process after its
// rounds. Each server runs in its own child process (bench/lib/rest-server-peer.mjs); both are called
// by the same keep-alive node:http client. Routes: GET /users/{id} (path parameter validated) and
// POST /users (JSON body validated). Run after `npm run build`.
import { fork } from 'node:child_process';
import http from 'node:http';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tail } from './lib/proc.mjs';
import { callRate, median } from './lib/timing.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.DURATION_MS ?? 1500);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
// Each round is cut into slices that alternate the two servers, so a burst of load on a shared
// machine (which lasts well under a round) falls on both alike.
const SLICE = Number(process.env.SLICE_MS ?? 150);
const WARMUP = 300;
const RESOURCE = 'users:id=string,email=email,name=string';

/** Our server side for the resource, generated and compiled into `dir`; returns router.js and the schemas. */
async function generatedServer(dir) {
  await writeFile(path.join(dir, 'package.json'), '{"name":"bench","type":"module","private":true}\n');
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    '{"compilerOptions":{"target":"ES2022","module":"NodeNext","moduleResolution":"NodeNext","strict":true,"skipLibCheck":true,"types":["node"],"outDir":"dist","rootDir":"src"},"include":["src"]}\n',
  );
  await mkdir(path.join(dir, 'src'));
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // No security scheme (--auth none): Fastify's routes check none either.
  const cli = [path.join(root, 'bin', 'create-service-link.js'), 'rest', 'user', '--resource', RESOURCE];
  const created = await run(process.execPath, [...cli, '--auth', 'none', '--server', '--yes', '--no-install'], {
    cwd: dir,
  });
  if (!created.ok) throw new Error(`create-service-link failed: ${tail(created.stderr || created.stdout)}`);
  const tsc = await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir]);
  if (!tsc.ok) throw new Error(`tsc failed: ${tail(tsc.stdout || tsc.stderr)}`);
  const { parse } = await import('yaml');
  const doc = parse(await readFile(path.join(dir, 'openapi', 'user.yaml'), 'utf8'));
  return { router: path.join(dir, 'dist', 'links', 'user', 'router.js'), schemas: doc.components.schemas };
}

function startPeer(kind, arg) {
  const child = fork(path.join(root, 'bench', 'lib', 'rest-server-peer.mjs'), [kind, arg], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  const ask = (what) => new Promise((resolve) => (child.once('message', (m) => resolve(m[what])), child.send(what)));
  return { child, port, rss: () => ask('rss'), cpu: () => ask('cpu') };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * One round: DURATION ms per server, in slices taking the servers in turn (order reversed every other
 * slice). Returns each server's calls/s over its slices and its process's CPU time (user + system) per call.
 */
async function sliced(servers, ports, op, callers) {
  const calls = servers.map(() => 0);
  const seconds = servers.map(() => 0);
  const cpu = servers.map(() => 0);
  for (let k = 0; k < Math.max(1, Math.round(DURATION / SLICE)); k++)
    for (const i of k % 2 ? [...servers.keys()].reverse() : servers.keys()) {
      const before = await servers[i][1].cpu();
      let done = 0;
      const counted = () => op(ports[i]).then(() => done++);
      const started = performance.now();
      await callRate(counted, callers, { warmupMs: 0, durationMs: SLICE });
      seconds[i] += (performance.now() - started) / 1000;
      const after = await servers[i][1].cpu();
      calls[i] += done;
      cpu[i] += after.user + after.system - before.user - before.system;
    }
  return { rate: calls.map((n, i) => n / seconds[i]), cpu: cpu.map((us, i) => us / calls[i]) };
}

function call(port, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {};
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode < 300 ? resolve() : reject(new Error(`${method} ${urlPath}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const dir = await mkdtemp(path.join(tmpdir(), 'csl-bench-server-'));
const peers = [];
try {
  const { router, schemas } = await generatedServer(dir);
  const schemasFile = path.join(dir, 'schemas.json');
  await writeFile(schemasFile, JSON.stringify(schemas));
  // Fastify last: the ratios are to it. The second row is our router with `requestContext: false`
  // (no AsyncLocalStorage), to show what the request context costs.
  const servers = [
    ['create-service-link router (node:http)', startPeer('ours', router)],
    ['  the same, requestContext: false', startPeer('ours-no-context', router)],
    ['Fastify (same routes and schemas)', startPeer('fastify', schemasFile)],
  ];
  const fastify = servers.length - 1;
  peers.push(...servers.map(([, p]) => p.child));
  const ports = await Promise.all(servers.map(([, p]) => p.port));
  const body = JSON.stringify({ email: 'ada@example.com', name: 'Ada' });
  const ops = [
    ['GET /users/{id}', (port) => call(port, 'GET', '/users/u-1')],
    ['POST /users', (port) => call(port, 'POST', '/users', body)],
  ];
  // Each server answers each call as it should before anything is measured.
  for (const port of ports) for (const [, op] of ops) await op(port);
  // Warm both up (JIT, sockets).
  for (const port of ports)
    for (const [, op] of ops) await callRate(() => op(port), 8, { warmupMs: WARMUP, durationMs: 300 });
  const rows = [];
  for (const callers of [1, 64])
    for (const [opName, op] of ops) {
      const rounds = [];
      for (let round = 0; round < ROUNDS; round++) rounds.push(await sliced(servers, ports, op, callers));
      // The round's rate is its calls over its time; its ratio ours / Fastify; the row keeps the best round
      // of each server (the least disturbed) and the median of the per-round ratios.
      for (const [i, [name]] of servers.entries())
        rows.push({
          callers,
          opName,
          name,
          rate: Math.max(...rounds.map((r) => r.rate[i])),
          cpu: median(rounds.map((r) => r.cpu[i])),
          ratio: median(rounds.map((r) => r.rate[i] / r.rate[fastify])),
        });
    }
  const rss = await Promise.all(servers.map(([, p]) => p.rss()));
  console.log(
    `\nREST server calls/s on loopback, ${ROUNDS} rounds of ${DURATION} ms per server in ${SLICE} ms slices ` +
      '(best round; CPU per call and the ratio: median over rounds):',
  );
  for (const r of rows)
    console.log(
      `  ${String(r.callers).padStart(2)} caller(s)  ${r.opName.padEnd(16)} ${r.name.padEnd(40)} ${r.rate.toFixed(0).padStart(7)} calls/s` +
        `  ${r.cpu.toFixed(0).padStart(4)} us CPU/call  (${r.ratio.toFixed(2)}x Fastify)`,
    );
  console.log('\nServer RSS after the rounds:');
  for (const [i, [name]] of servers.entries()) console.log(`  ${name.padEnd(40)} ${(rss[i] / 2 ** 20).toFixed(1)} MiB`);
} finally {
  for (const child of peers) child.kill();
  agent.destroy();
  await rm(dir, { recursive: true, force: true });
}
