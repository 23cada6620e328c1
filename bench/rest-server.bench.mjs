#!/usr/bin/env node
// Calls per second on loopback: our generated REST server (router.ts on node:http, Ajv standalone
// validators) against Fastify with the same routes and JSON schemas, at 1 and 64 concurrent callers,
// and the resident memory (RSS) of each server process after its rounds. Each server runs in its own
// child process (bench/lib/rest-server-peer.mjs); both are called by the same keep-alive node:http
// client. Routes: GET /users/{id} (path parameter validated) and POST /users (JSON body validated).
// Run after `npm run build`.
import { fork } from 'node:child_process';
import http from 'node:http';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tail } from './lib/proc.mjs';
import { callRate } from './lib/timing.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.DURATION_MS ?? 1500);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
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
  const rss = () => new Promise((resolve) => (child.once('message', (m) => resolve(m.rss)), child.send('rss')));
  return { child, port, rss };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

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
  const servers = [
    ['create-service-link router (node:http)', startPeer('ours', router)],
    ['Fastify (same routes and schemas)', startPeer('fastify', schemasFile)],
  ];
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
  // Rounds interleave the two servers (order alternating) and keep each one's best: the machine is
  // shared, so the best round is the least disturbed one.
  const rows = [];
  for (const callers of [1, 64])
    for (const [opName, op] of ops) {
      const best = servers.map(() => 0);
      for (let round = 0; round < ROUNDS; round++)
        for (const i of round % 2 ? [1, 0] : [0, 1]) {
          const { rate } = await callRate(() => op(ports[i]), callers, { warmupMs: WARMUP, durationMs: DURATION });
          best[i] = Math.max(best[i], rate);
        }
      for (const [i, [name]] of servers.entries()) rows.push({ callers, opName, name, rate: best[i] });
    }
  const rss = await Promise.all(servers.map(([, p]) => p.rss()));
  console.log(`\nREST server calls/s on loopback, ${DURATION} ms per row, best of ${ROUNDS}:`);
  for (const r of rows) {
    const fastify = rows.find(
      (x) => x.callers === r.callers && x.opName === r.opName && x.name.startsWith('Fastify'),
    ).rate;
    console.log(
      `  ${String(r.callers).padStart(2)} caller(s)  ${r.opName.padEnd(16)} ${r.name.padEnd(40)} ${r.rate.toFixed(0).padStart(7)} calls/s  (${(r.rate / fastify).toFixed(2)}x Fastify)`,
    );
  }
  console.log('\nServer RSS after the rounds:');
  for (const [i, [name]] of servers.entries()) console.log(`  ${name.padEnd(40)} ${(rss[i] / 2 ** 20).toFixed(1)} MiB`);
} finally {
  for (const child of peers) child.kill();
  agent.destroy();
  await rm(dir, { recursive: true, force: true });
}
