#!/usr/bin/env node
// Calls per second on loopback: our generated REST server (router.ts on node:http, Ajv standalone
// validators) against Fastify with the same routes and JSON schemas, at 1 and 64 concurrent callers,
// each server's CPU time per call, and the resident memory (RSS) of each server process after its
// rounds. Each server runs in its own child process (bench/lib/rest-server-peer.mjs); all are loaded
// by autocannon, whose own HTTP client keeps the server, not the caller, the bottleneck (a node:http
// client here saturated near 40k calls/s and hid a 1.5x gap). Routes: GET /users/{id} (path
// parameter validated) and POST /users (JSON body validated). Run after `npm run build`.
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tail } from './lib/proc.mjs';
import { median } from './lib/timing.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.ROUNDS ?? 5);
// A round gives each server one slice, in turn (the order reversed every other round), so a burst of
// load on a shared machine falls on all alike.
const SLICE = Number(process.env.SLICE_MS ?? 1000);
const WARMUP = 1000;
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

/** One slice of `op` against `port` at `callers` connections: autocannon's result (throws on a wrong answer). */
async function load(port, op, callers, ms) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${op.path}`,
    method: op.method,
    headers: op.body ? { 'content-type': 'application/json' } : {},
    body: op.body,
    connections: callers,
    duration: ms / 1000,
  });
  if (result.non2xx || result.errors || result.timeouts)
    throw new Error(
      `${op.method} ${op.path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  return result;
}

/** One round: a slice per server. Returns each server's calls/s and its CPU time (user + system) per call. */
async function round(servers, ports, op, callers, reverse) {
  const rate = [];
  const cpu = [];
  for (const i of reverse ? [...servers.keys()].reverse() : servers.keys()) {
    const before = await servers[i][1].cpu();
    const result = await load(ports[i], op, callers, SLICE);
    const after = await servers[i][1].cpu();
    rate[i] = result.requests.total / result.duration;
    cpu[i] = (after.user + after.system - before.user - before.system) / result.requests.total;
  }
  return { rate, cpu };
}

/** The answer of one call, checked before anything is measured. */
async function check(port, op) {
  const res = await fetch(`http://127.0.0.1:${port}${op.path}`, {
    method: op.method,
    headers: op.body ? { 'content-type': 'application/json' } : {},
    body: op.body,
  });
  const body = await res.json();
  if (res.status >= 300 || body.email !== 'ada@example.com')
    throw new Error(`${op.method} ${op.path}: ${res.status} ${JSON.stringify(body)}`);
}

const dir = await mkdtemp(path.join(tmpdir(), 'csl-bench-server-'));
const peers = [];
try {
  const { router, schemas } = await generatedServer(dir);
  const schemasFile = path.join(dir, 'schemas.json');
  await writeFile(schemasFile, JSON.stringify(schemas));
  // Fastify last: the ratios are to it. The second row is our router with `requestContext: false`
  // (no AsyncLocalStorage), to show what the request context costs; the third Fastify doing what our
  // router does besides routing and validating (the like-for-like comparison).
  const servers = [
    ['create-service-link router (node:http)', startPeer('ours', router)],
    ['  the same, requestContext: false', startPeer('ours-no-context', router)],
    ['Fastify + request context, X-Request-ID', startPeer('fastify-context', schemasFile)],
    ['Fastify (same routes and schemas)', startPeer('fastify', schemasFile)],
  ];
  const fastify = servers.length - 1;
  const fastifyContext = servers.length - 2;
  peers.push(...servers.map(([, p]) => p.child));
  const ports = await Promise.all(servers.map(([, p]) => p.port));
  const body = JSON.stringify({ email: 'ada@example.com', name: 'Ada' });
  const ops = [
    ['GET /users/{id}', { method: 'GET', path: '/users/u-1' }],
    ['POST /users', { method: 'POST', path: '/users', body }],
  ];
  for (const port of ports) for (const [, op] of ops) await check(port, op);
  // Warm each up (JIT, sockets).
  for (const port of ports) for (const [, op] of ops) await load(port, op, 64, WARMUP);
  const rows = [];
  for (const callers of [1, 64])
    for (const [opName, op] of ops) {
      const rounds = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push(await round(servers, ports, op, callers, r % 2 === 1));
      // The row keeps the best round of each server (the least disturbed), the median CPU per call and
      // the median of the per-round ratios to Fastify.
      for (const [i, [name]] of servers.entries())
        rows.push({
          callers,
          opName,
          name,
          rate: Math.max(...rounds.map((r) => r.rate[i])),
          cpu: median(rounds.map((r) => r.cpu[i])),
          ratio: median(rounds.map((r) => r.rate[i] / r.rate[fastify])),
          // Our first row against Fastify doing the same work.
          alike: i === 0 ? median(rounds.map((r) => r.rate[0] / r.rate[fastifyContext])) : undefined,
        });
    }
  const rss = await Promise.all(servers.map(([, p]) => p.rss()));
  console.log(
    `\nREST server calls/s on loopback (autocannon), ${ROUNDS} rounds of ${SLICE} ms per server ` +
      '(best round; CPU per call and the ratio: median over rounds):',
  );
  for (const r of rows)
    console.log(
      `  ${String(r.callers).padStart(2)} caller(s)  ${r.opName.padEnd(16)} ${r.name.padEnd(40)} ${r.rate.toFixed(0).padStart(7)} calls/s` +
        `  ${r.cpu.toFixed(0).padStart(4)} us CPU/call  (${r.ratio.toFixed(2)}x Fastify` +
        `${r.alike === undefined ? '' : `, ${r.alike.toFixed(2)}x Fastify + request context`})`,
    );
  console.log('\nServer RSS after the rounds:');
  for (const [i, [name]] of servers.entries()) console.log(`  ${name.padEnd(40)} ${(rss[i] / 2 ** 20).toFixed(1)} MiB`);
} finally {
  for (const child of peers) child.kill();
  await rm(dir, { recursive: true, force: true });
}
