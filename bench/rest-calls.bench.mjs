#!/usr/bin/env node
// Calls per second on loopback: the generated REST client (default node:http keep-alive transport, and
// with an injected global fetch) against a hand-written `fetch` call, at 1 and 64 concurrent callers.
// The server runs in a child process so it does not share the client's event loop. Run after `npm run build`.
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run, tail } from './lib/proc.mjs';
import { callRate } from './lib/timing.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.DURATION_MS ?? 1500);
const WARMUP = 300;
const RESOURCE = 'users:id=string,email=string,name=string';

const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ id: 'u-1', email: 'ada@example.com', name: 'Ada' });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

async function generatedClient(dir) {
  await writeFile(path.join(dir, 'package.json'), '{"name":"bench","type":"module","private":true}\n');
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    '{"compilerOptions":{"target":"ES2022","module":"NodeNext","moduleResolution":"NodeNext","strict":true,"skipLibCheck":true,"types":["node"],"outDir":"dist","rootDir":"src"},"include":["src"]}\n',
  );
  await mkdir(path.join(dir, 'src'));
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // Through the CLI, as a user does (the bearer auth of --resource documents; the server ignores it).
  const cli = [path.join(root, 'bin', 'create-service-link.js'), 'rest', 'user', '--resource', RESOURCE];
  const created = await run(process.execPath, [...cli, '--yes', '--no-install'], { cwd: dir });
  if (!created.ok) throw new Error(`create-service-link failed: ${tail(created.stderr || created.stdout)}`);
  const tsc = await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir]);
  if (!tsc.ok) throw new Error(`tsc failed: ${tail(tsc.stdout || tsc.stderr)}`);
  return import(pathToFileURL(path.join(dir, 'dist', 'links', 'user', 'index.js')).href);
}

async function measure(call, callers) {
  return (await callRate(call, callers, { warmupMs: WARMUP, durationMs: DURATION })).rate;
}

const dir = await mkdtemp(path.join(tmpdir(), 'csl-bench-calls-'));
const server = fork('-e', [SERVER], { execArgv: ['-e', SERVER], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
try {
  const port = await new Promise((resolve) => server.once('message', resolve));
  const baseUrl = `http://127.0.0.1:${port}`;
  process.env.USER_SERVICE_URL = baseUrl;
  process.env.SERVICE_TOKEN = 'bench-token';
  const { UserClient } = await generatedClient(dir);

  const handWritten = async () => {
    const res = await fetch(`${baseUrl}/users/u-1`, {
      headers: { accept: 'application/json', authorization: 'Bearer bench-token', 'x-request-id': randomUUID() },
    });
    if (!res.ok) throw new Error(`status ${res.status}`);
    return res.json();
  };
  const generated = new UserClient();
  const generatedFetch = new UserClient({ fetch: (url, init) => fetch(url, init) });
  const modes = [
    ['hand-written fetch', handWritten],
    ['generated client (node:http keep-alive)', () => generated.getUser({ id: 'u-1' })],
    ['generated client (injected fetch)', () => generatedFetch.getUser({ id: 'u-1' })],
  ];
  // Warm every path up first (JIT, connection pools), then take the best of ROUNDS interleaved rounds:
  // the machine is shared, so the best round is the least disturbed one.
  for (const [, call] of modes) await measure(call, 8);
  const rows = [];
  for (const callers of [1, 64]) {
    for (const [name, call] of modes) {
      let best = 0;
      for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++)
        best = Math.max(best, await measure(call, callers));
      rows.push([callers, name, best]);
    }
  }
  console.log(`\nREST calls/s on loopback (GET /users/{id}, small JSON), ${DURATION} ms per row:`);
  for (const [callers, name, rate] of rows) {
    const base = rows.find((r) => r[0] === callers && r[1] === 'hand-written fetch')[2];
    console.log(
      `  ${String(callers).padStart(2)} caller(s)  ${name.padEnd(42)} ${rate.toFixed(0).padStart(7)} calls/s  (${(rate / base).toFixed(2)}x fetch)`,
    );
  }
} finally {
  server.kill();
  await rm(dir, { recursive: true, force: true });
}
