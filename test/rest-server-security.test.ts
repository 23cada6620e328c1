// Security schemes on both sides of a REST link, from one document: the router checks bearer and API
// key (header, query) credentials before a handler runs, with the user's verify hooks, and hands the
// verified identity to the handler; the client sends the token because the document asks for one.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile, makeProject, removeProject, runCli } from './helpers/project.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'rest-security');
const LINK = 'src/links/vault';

let dir: string;
let created: { stdout: string; stderr: string };
let started: {
  server: Server;
  baseUrl: string;
  client: Record<string, (...args: unknown[]) => Promise<unknown>>;
};
const stderr: string[] = [];

beforeAll(async () => {
  dir = await makeProject({
    module: 'esm',
    files: { 'openapi/vault.yaml': await readFile(path.join(FIXTURES, 'vault.yaml'), 'utf8') },
  });
  created = await runCli(
    ['rest', 'vault', '--openapi', 'openapi/vault.yaml', '--server', '--client', '--yes', '--no-install'],
    dir,
  );
  expect(created.stderr).toBe('');
  await copyFile(path.join(FIXTURES, 'handlers.ts'), path.join(dir, LINK, 'handlers.ts'));
  await copyFile(path.join(FIXTURES, 'main.ts'), path.join(dir, LINK, 'main.ts'));
  expect(await compile(dir)).toEqual({ ok: true, output: '' });
  const main = (await import(pathToFileURL(path.join(dir, 'dist/links/vault/main.js')).href)) as {
    start(): Promise<typeof started>;
  };
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    started = await main.start();
  } finally {
    process.stderr.write = write;
  }
}, 240_000);

afterAll(async () => {
  started?.server.close();
  started?.server.closeAllConnections();
  await removeProject(dir);
});

async function call(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${started.baseUrl}${url}`, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

test('a bearer operation: 401 problem with WWW-Authenticate without a token; the verified identity reaches the handler', async () => {
  const missing = await call('/secrets/a');
  expect(missing.status).toBe(401);
  expect(missing.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  expect(missing.headers.get('www-authenticate')).toBe('Bearer');
  expect(missing.body.detail).toBe('credentials required: bearerAuth (Authorization: bearer)');

  const refused = await call('/secrets/a', { authorization: 'Bearer wrong' });
  expect([refused.status, refused.body.detail]).toEqual([401, 'the bearerAuth credentials were refused']);
  const banned = await call('/secrets/a', { authorization: 'Bearer banned' });
  expect([banned.status, banned.body.detail]).toEqual([403, 'this caller is banned']);
  // Another Authorization scheme is not a bearer token.
  expect((await call('/secrets/a', { authorization: 'Basic Z29vZC10b2tlbg==' })).status).toBe(401);

  const ok = await call('/secrets/a', { authorization: 'bearer good-token' });
  expect([ok.status, ok.body]).toEqual([200, { auth: { bearerAuth: { user: 'ada' } } }]);
});

test('API keys in a header or in the query, as alternatives; a scheme without a hook takes any key and says so once', async () => {
  const none = await call('/reports');
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toBeNull();
  expect(none.body.detail).toBe('credentials required: headerKey (header X-API-Key), or queryKey (query api_key)');
  expect((await call('/reports', { 'x-api-key': 'k1' })).body).toEqual({ auth: { headerKey: { app: 'reports' } } });
  // A refused header key falls through to the next alternative, which has no key either.
  const refused = await call('/reports', { 'x-api-key': 'nope' });
  expect([refused.status, refused.body.detail]).toEqual([401, 'the headerKey credentials were refused']);
  expect((await call('/reports?api_key=any')).body).toEqual({ auth: { queryKey: 'any' } });
  expect(stderr.join('')).toContain('rest router: no verify hook for queryKey: any credential is accepted');
});

test('an operation with `security: []` is open; ctx.auth is empty', async () => {
  expect(await call('/health')).toMatchObject({ status: 200, body: { auth: {} } });
});

test('the client sends the bearer token the document asks for; the router names the verifiers by scheme', async () => {
  const saved = process.env.VAULT_SERVICE_TOKEN;
  process.env.VAULT_SERVICE_TOKEN = 'good-token';
  try {
    expect(await started.client.getSecret!({ name: 'x' })).toEqual({ auth: { bearerAuth: { user: 'ada' } } });
  } finally {
    if (saved === undefined) delete process.env.VAULT_SERVICE_TOKEN;
    else process.env.VAULT_SERVICE_TOKEN = saved;
  }
  const router = await readFile(path.join(dir, LINK, 'router.ts'), 'utf8');
  // A readOnly property is required in responses only: our client's body (without `id`) passes our server.
  const saved2 = process.env.VAULT_SERVICE_TOKEN;
  process.env.VAULT_SERVICE_TOKEN = 'good-token';
  try {
    expect(await started.client.createSecret!({ name: 'db' })).toEqual({ id: 's-1', name: 'db' });
    const empty = await fetch(`${started.baseUrl}/secrets`, {
      method: 'POST',
      headers: { authorization: 'Bearer good-token', 'content-type': 'application/json' },
      body: '{}',
    });
    expect([empty.status, ((await empty.json()) as { detail: string }).detail]).toEqual([
      400,
      'request body "body.name" is required',
    ]);
  } finally {
    if (saved2 === undefined) delete process.env.VAULT_SERVICE_TOKEN;
    else process.env.VAULT_SERVICE_TOKEN = saved2;
  }
  expect(router).toContain('export type VaultVerifiers = {\n  bearerAuth?: Verifier | undefined;');
  expect(router).toContain("security: [['headerKey'], ['queryKey']],");
  expect(router).not.toMatch(/operation: 'health',[^}]*security/);
});

test("server.ts's verify example, uncommented, compiles and accepts only the token the link's clients send", async () => {
  const file = path.join(dir, LINK, 'server.ts');
  const text = await readFile(file, 'utf8');
  const example = /^( *)\/\/ verify: \{\n(?:\1\/\/ {3}.*\n)+\1\/\/ \},\n/m;
  expect(text).toMatch(example);
  await writeFile(
    file,
    text.replace(example, (lines) => lines.replace(/^( *)\/\/ /gm, '$1')),
  );
  expect(await compile(dir)).toEqual({ ok: true, output: '' });
  const { startServer } = (await import(pathToFileURL(path.join(dir, 'dist/links/vault/server.js')).href)) as {
    startServer(address: string): Promise<Server>;
  };
  const saved = process.env.VAULT_SERVICE_TOKEN;
  process.env.VAULT_SERVICE_TOKEN = 'the-token';
  const server = await startServer('127.0.0.1:0');
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/secrets/a`;
    const ok = await fetch(url, { headers: { authorization: 'Bearer the-token' } });
    expect([ok.status, await ok.json()]).toEqual([200, { auth: { bearerAuth: { caller: 'vault' } } }]);
    const other = await fetch(url, { headers: { authorization: 'Bearer good-token' } });
    expect(other.status).toBe(401);
  } finally {
    server.close();
    server.closeAllConnections();
    if (saved === undefined) delete process.env.VAULT_SERVICE_TOKEN;
    else process.env.VAULT_SERVICE_TOKEN = saved;
  }
});
