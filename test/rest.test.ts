// The REST link end to end: generate from an OpenAPI document into temp ESM and CommonJS projects,
// compile with tsc --strict, then call a real node:http server on 127.0.0.1 with the compiled client.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile, makeProject, removeProject } from './helpers/project.js';
import { createLink, projectInfo } from './fixtures/rest/harness.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'rest', 'pets');

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const seen: Seen[] = [];
const attemptsById = new Map<string, number>();
let server: http.Server;
let baseUrl = '';

function startServer(): Promise<void> {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const record = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(record);
      const url = new URL(req.url!, 'http://x');
      const id = String(req.headers['x-request-id']);
      const attempts = (attemptsById.get(id) ?? 0) + 1;
      attemptsById.set(id, attempts);
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      const p = url.pathname;
      if (p === '/v1/pets' && req.method === 'GET')
        return json(200, [{ id: 'p1', name: 'Tom', kind: 'cat', nickname: null }]);
      if (p === '/v1/pets' && req.method === 'POST') {
        const pet = JSON.parse(body) as { name: string };
        if (!pet.name) return json(422, { title: 'name is required', errors: ['name'] });
        return json(201, { id: 'new-1', ...pet, secret: undefined });
      }
      if (p === '/v1/odd/json') return json(200, { ok: true, uris: [], accept: req.headers.accept });
      if (p === '/v1/odd/html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end('<html><body>Log in</body></html>');
      }
      if (p === '/v1/odd/empty') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end();
      }
      if (p === '/v1/odd/untyped') {
        res.writeHead(200);
        return res.end('{"ok":true,"uris":[]}');
      }
      if (p === '/v1/pets/missing') return json(404, { code: 'not_found', message: 'no pet "missing"' });
      if (p.startsWith('/v1/pets/') && req.method === 'GET')
        return json(200, { id: decodeURIComponent(p.slice(9)), name: 'Tom', kind: 'cat' });
      if (p.startsWith('/v1/pets/') && req.method === 'DELETE') {
        res.writeHead(204);
        return res.end();
      }
      if (p === '/v1/slow') {
        const ms = Number(url.searchParams.get('ms'));
        const timer = setTimeout(() => json(200, { waited: ms }), ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      if (p === '/v1/flaky' && req.method === 'GET') {
        if (id.startsWith('long-')) return json(503, { message: 'down for maintenance' }, { 'retry-after': '3600' });
        if (id.startsWith('backoff-') && attempts < 3) return json(502, { message: 'bad gateway' });
        if (id.startsWith('backoff-')) return json(200, { attempts });
        if (attempts === 1) return json(503, { message: 'warming up' }, { 'retry-after': '1' });
        return json(200, { attempts });
      }
      if (p === '/v1/flaky' && req.method === 'POST') return json(503, { message: 'busy' }, { 'retry-after': '0' });
      if (p.startsWith('/v1/echo/'))
        return json(200, {
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: body ? JSON.parse(body) : null,
        });
      json(500, { message: `unexpected ${req.method} ${req.url}` });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

async function setupProject(
  module: 'esm' | 'cjs',
  compilerOptions: Record<string, unknown> = {},
): Promise<{ dir: string; compiled: { ok: boolean; output: string } }> {
  const dir = await makeProject({ module });
  const tsconfigPath = path.join(dir, 'tsconfig.json');
  const tsconfig = JSON.parse(await readFile(tsconfigPath, 'utf8')) as { compilerOptions: Record<string, unknown> };
  Object.assign(tsconfig.compilerOptions, compilerOptions);
  await writeFile(tsconfigPath, JSON.stringify(tsconfig, null, 2));
  await mkdir(path.join(dir, 'openapi'));
  await copyFile(path.join(FIXTURES, 'openapi.yaml'), path.join(dir, 'openapi', 'pets.yaml'));
  await copyFile(path.join(FIXTURES, 'common.yaml'), path.join(dir, 'openapi', 'common.yaml'));
  const info = projectInfo(dir, module);
  await createLink(info, 'pets', { openapi: path.join(dir, 'openapi', 'pets.yaml') });
  await createLink(info, 'user', { resource: ['users:id=uuid,email=email,name=string,tags?=string[]'], auth: 'none' });
  const use = await readFile(path.join(FIXTURES, 'use.ts.txt'), 'utf8');
  await writeFile(path.join(dir, 'src', 'use.ts'), module === 'esm' ? use : use.replace(/\.js'/g, "'"));
  return { dir, compiled: await compile(dir) };
}

// The compiled module's shape (its real types are checked by tsc in the temp project, see use.ts.txt).
/* eslint-disable @typescript-eslint/no-explicit-any */
interface ServiceErrorLike<TBody = unknown> extends Error {
  code: string;
  status: number;
  body: TBody | undefined;
  requestId: string;
  method: string;
  url: string;
}
interface PetsModule {
  PetsClient: new (config?: {
    token?: string | null | (() => Promise<string>);
    headers?: Record<string, string>;
    timeoutMs?: number;
    fetch?: (url: string, init: any) => Promise<any>;
  }) => Record<string, (...args: any[]) => Promise<any>>;
  ServiceError: new (...args: any[]) => ServiceErrorLike;
  isServiceError<TBody = unknown>(error: unknown): error is ServiceErrorLike<TBody>;
  runWithRequestContext<R>(context: { requestId?: string; traceparent?: string; tracestate?: string }, fn: () => R): R;
  outgoingRequestContext(): { requestId: string; traceparent?: string; tracestate?: string };
}
type UserModule = Omit<PetsModule, 'PetsClient'> & {
  UserClient: new (config?: { baseUrl?: string }) => { getUser(p: { id: string }): Promise<unknown> };
};
let esm: { dir: string; compiled: { ok: boolean; output: string } };
let pets: PetsModule;
let user: UserModule;

beforeAll(async () => {
  process.env.SERVICE_TOKEN = 'secret-token-value';
  await startServer();
  process.env.PETS_SERVICE_URL = `${baseUrl}/v1`;
  esm = await setupProject('esm');
  if (esm.compiled.ok) {
    pets = (await import(pathToFileURL(path.join(esm.dir, 'dist', 'links', 'pets', 'index.js')).href)) as PetsModule;
    user = (await import(pathToFileURL(path.join(esm.dir, 'dist', 'links', 'user', 'index.js')).href)) as UserModule;
  }
});

afterAll(async () => {
  server?.close();
  if (esm?.dir) await removeProject(esm.dir);
});

function last(): Seen {
  return seen[seen.length - 1]!;
}

describe('generated REST client (ESM/NodeNext)', () => {
  test('compiles with tsc --strict, type-level checks included', () => {
    expect(esm.compiled.output).toBe('');
    expect(esm.compiled.ok).toBe(true);
  });

  test('descriptions cannot break out of comments or strings', async () => {
    const client = await readFile(path.join(esm.dir, 'src/links/pets/client.ts'), 'utf8');
    const types = await readFile(path.join(esm.dir, 'src/links/pets/types.ts'), 'utf8');
    expect(client).toContain('*\\/ console.log("injected"); /\\*');
    expect(types).toContain('A pet. *\\/ alert(1) /\\*');
    // Importing the compiled module ran none of the embedded code.
    expect((globalThis as { injected?: unknown }).injected).toBeUndefined();
    expect(client.split('\n')[0]).toBe('// Code generated by create-service-link. DO NOT EDIT.');
  });

  test('sends the bearer token, a request id and passes traceparent through', async () => {
    const client = new pets.PetsClient();
    await client.getPet({ petId: 'p1' });
    expect(last().headers.authorization).toBe('Bearer secret-token-value');
    expect(last().headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(last().headers.traceparent).toBeUndefined();

    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await pets.runWithRequestContext({ requestId: 'req-from-context', traceparent }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      await client.getPet({ petId: 'p1' });
    });
    expect(last().headers['x-request-id']).toBe('req-from-context');
    expect(last().headers.traceparent).toBe(traceparent);

    // An async token provider and default headers.
    const custom = new pets.PetsClient({ token: async () => 'rotated', headers: { 'user-agent': 'svc-a' } });
    await custom.getPet({ petId: 'p1' });
    expect(last().headers.authorization).toBe('Bearer rotated');
    expect(last().headers['user-agent']).toBe('svc-a');
  });

  test('a missing token is a ServiceError (code CONFIG) that names the variables, not a value; nothing is sent', async () => {
    const saved = process.env.SERVICE_TOKEN;
    delete process.env.SERVICE_TOKEN;
    const sent = seen.length;
    try {
      const error = await new pets.PetsClient()
        .getPet({ petId: 'p1' }, { requestId: 'rid-config' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(pets.ServiceError);
      if (!pets.isServiceError(error)) return;
      expect(error.code).toBe('CONFIG');
      expect(error.status).toBe(0);
      expect(error.requestId).toBe('rid-config');
      expect(error.message).toContain('set PETS_SERVICE_TOKEN or SERVICE_TOKEN');
      const provider = await new pets.PetsClient({ token: async () => '' })
        .getPet({ petId: 'p1' })
        .catch((e: unknown) => e);
      expect(pets.isServiceError(provider) && provider.code).toBe('CONFIG');
      expect(seen.length).toBe(sent);
    } finally {
      process.env.SERVICE_TOKEN = saved;
    }
    const before = seen.length;
    await new pets.PetsClient({ token: null }).getPet({ petId: 'p1' });
    expect(seen.length).toBe(before + 1);
    expect(last().headers.authorization).toBeUndefined();
  });

  test("the link's own PETS_SERVICE_TOKEN wins over SERVICE_TOKEN and is never in an error message", async () => {
    process.env.PETS_SERVICE_TOKEN = 'pets-only-token';
    try {
      await new pets.PetsClient().getPet({ petId: 'p1' });
      expect(last().headers.authorization).toBe('Bearer pets-only-token');
      const error = await new pets.PetsClient().getPet({ petId: 'missing' }).catch((e: unknown) => e);
      expect(pets.isServiceError(error) && error.message).not.toContain('pets-only-token');
    } finally {
      delete process.env.PETS_SERVICE_TOKEN;
    }
    await new pets.PetsClient().getPet({ petId: 'p1' });
    expect(last().headers.authorization).toBe('Bearer secret-token-value');
  });

  test('a missing base URL is a ServiceError (code CONFIG) naming the variable', async () => {
    delete process.env.USER_SERVICE_URL;
    const error = await new user.UserClient().getUser({ id: 'u1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(user.ServiceError);
    expect(user.isServiceError(error) && error.code).toBe('CONFIG');
    expect(user.isServiceError(error) && error.message).toContain('set USER_SERVICE_URL');
  });

  test('PETS_SERVICE_TIMEOUT_MS sets the default timeout; a bad value is a CONFIG error; config and call options win', async () => {
    process.env.PETS_SERVICE_TIMEOUT_MS = '150';
    try {
      const start = Date.now();
      const error = await new pets.PetsClient().constructor_({ ms: 2_000 }, { retries: 0 }).catch((e: unknown) => e);
      expect(pets.isServiceError(error) && error.code).toBe('TIMEOUT');
      expect(Date.now() - start).toBeLessThan(1_500);
      expect(await new pets.PetsClient().constructor_({ ms: 300 }, { timeoutMs: 2_000 })).toEqual({ waited: 300 });
      expect(await new pets.PetsClient({ timeoutMs: 2_000 }).constructor_({ ms: 300 })).toEqual({ waited: 300 });
      process.env.PETS_SERVICE_TIMEOUT_MS = 'soon';
      const bad = await new pets.PetsClient().getPet({ petId: 'p1' }).catch((e: unknown) => e);
      expect(pets.isServiceError(bad) && bad.code).toBe('CONFIG');
      expect(pets.isServiceError(bad) && bad.message).toContain('PETS_SERVICE_TIMEOUT_MS must be a number');
      // 0: no timeout at all.
      process.env.PETS_SERVICE_TIMEOUT_MS = '0';
      expect(await new pets.PetsClient().constructor_({ ms: 20 })).toEqual({ waited: 20 });
    } finally {
      delete process.env.PETS_SERVICE_TIMEOUT_MS;
    }
  });

  test('a request context set through one link reaches calls made through another (shared context)', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await user.runWithRequestContext(
      { requestId: 'req-across-links', traceparent, tracestate: 'vendor=1' },
      async () => {
        expect(pets.outgoingRequestContext().requestId).toBe('req-across-links');
        await new pets.PetsClient().getPet({ petId: 'p1' });
      },
    );
    expect(last().headers['x-request-id']).toBe('req-across-links');
    expect(last().headers.traceparent).toBe(traceparent);
    expect(last().headers.tracestate).toBe('vendor=1');
    expect(pets.outgoingRequestContext().requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('encodes path and query parameters (spaces, unicode, arrays, deepObject) and header params', async () => {
    const client = new pets.PetsClient();
    const pet = await client.getPet({ petId: 'a b/ü?' });
    expect(last().url).toBe('/v1/pets/a%20b%2F%C3%BC%3F');
    expect(pet.id).toBe('a b/ü?');

    await client.listPets({ tag: ['x y', 'ü'], ids: [1, 2], q: 'a&b=c', 'X-Tenant': 'tenant 1' });
    expect(last().url).toBe('/v1/pets?tag=x%20y&tag=%C3%BC&ids=1%2C2&q=a%26b%3Dc');
    expect(last().headers['x-tenant']).toBe('tenant 1');

    const echo = await client.echo({ path: 'p', filter: { kind: 'k k', max: 3 } }, { type: 'circle', radius: 2 });
    expect(echo.url).toBe('/v1/echo/p?filter%5Bkind%5D=k%20k&filter%5Bmax%5D=3');
    expect(echo.method).toBe('PUT');
    expect(echo.body).toEqual({ type: 'circle', radius: 2 });
    expect(echo.headers['content-type']).toBe('application/json');
  });

  test('sends JSON bodies and returns typed results; 204 gives undefined', async () => {
    const client = new pets.PetsClient();
    const created = await client.createPet({ name: 'Rex', kind: 'dog', secret: 's3' });
    expect(JSON.parse(last().body)).toEqual({ name: 'Rex', kind: 'dog', secret: 's3' });
    expect(created).toEqual({ id: 'new-1', name: 'Rex', kind: 'dog' });
    expect(await client.delete({ petId: 'p1' })).toBeUndefined();
    expect(last().method).toBe('DELETE');
  });

  test('a 2xx that is not JSON, or empty, on a JSON operation is INVALID_RESPONSE, never a value typed as the model', async () => {
    const client = new pets.PetsClient();
    for (const [mode, says] of [
      ['html', 'returned text/html (status 200), expected JSON'],
      ['empty', 'returned an empty body (status 200), expected JSON'],
    ] as const) {
      const error = await client.odd({ mode }).catch((e: unknown) => e);
      expect(pets.isServiceError(error) && error.code, mode).toBe('INVALID_RESPONSE');
      expect(pets.isServiceError(error) && error.status).toBe(200);
      expect(pets.isServiceError(error) && error.message).toContain(says);
    }
    // A body without a content type is taken when it parses.
    expect(await client.odd({ mode: 'untyped' })).toEqual({ ok: true, uris: [] });
    // An operation that declares no content resolves undefined whatever comes.
    expect(await client.delete({ petId: 'p1' })).toBeUndefined();
  });

  test('Accept lists the media types the operation declares', async () => {
    const client = new pets.PetsClient();
    expect(await client.odd({ mode: 'json' })).toMatchObject({ accept: 'application/json, application/problem+json' });
    await client.getPet({ petId: 'p1' });
    expect(last().headers.accept).toBe('application/json');
    // text/plain only: the body is the text.
    await client.flakyPost({ requestId: 'accept-text', retries: 0 }).catch(() => undefined);
    expect(last().headers.accept).toBe('text/plain');
  });

  test('non-2xx responses throw ServiceError with status, parsed body, request id, method and URL', async () => {
    const client = new pets.PetsClient();
    const error = await client.getPet({ petId: 'missing' }, { requestId: 'rid-404' }).catch((e: unknown) => e);
    expect(pets.isServiceError(error)).toBe(true);
    if (!pets.isServiceError<{ code: string; message: string }>(error)) return;
    expect(error).toBeInstanceOf(pets.ServiceError);
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.status).toBe(404);
    expect(error.body).toEqual({ code: 'not_found', message: 'no pet "missing"' });
    expect(error.requestId).toBe('rid-404');
    expect(error.method).toBe('GET');
    expect(error.url).toBe(`${baseUrl}/v1/pets/missing`);
    expect(error.message).toContain('no pet "missing"');
    expect(error.message).not.toContain('secret-token-value');

    const invalid = await client.createPet({ name: '', kind: 'cat' }).catch((e: unknown) => e);
    expect(pets.isServiceError(invalid) && invalid.status).toBe(422);
    expect(pets.isServiceError(invalid) && invalid.body).toEqual({ title: 'name is required', errors: ['name'] });
  });

  test('a slow answer fails with a TIMEOUT error after the per-call timeout', async () => {
    const client = new pets.PetsClient({ timeoutMs: 5_000 });
    const start = Date.now();
    const error = await client.constructor_({ ms: 2_000 }, { timeoutMs: 150, retries: 0 }).catch((e: unknown) => e);
    const elapsed = Date.now() - start;
    expect(pets.isServiceError(error) && error.code).toBe('TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1_500);
    // Within the timeout the call succeeds.
    expect(await client.constructor_({ ms: 10 })).toEqual({ waited: 10 });
  });

  test('GET retries a 503, honouring Retry-After, with the same request id', async () => {
    const client = new pets.PetsClient();
    const start = Date.now();
    const result = await client.getFlaky();
    const elapsed = Date.now() - start;
    expect(result).toEqual({ attempts: 2 });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    const flaky = seen.filter((s) => s.url === '/v1/flaky' && s.method === 'GET').slice(-2);
    expect(flaky[0]!.headers['x-request-id']).toBe(flaky[1]!.headers['x-request-id']);
  });

  test('without Retry-After, retries back off exponentially; a Retry-After beyond the cap is not waited for', async () => {
    const client = new pets.PetsClient();
    expect(await client.getFlaky({ requestId: 'backoff-1' })).toEqual({ attempts: 3 });
    const start = Date.now();
    const error = await client.getFlaky({ requestId: 'long-1' }).catch((e: unknown) => e);
    expect(pets.isServiceError(error) && error.status).toBe(503);
    expect(pets.isServiceError(error) && error.message).toContain('down for maintenance');
    expect(attemptsById.get('long-1')).toBe(1);
    expect(Date.now() - start).toBeLessThan(1_000);
  });

  test('POST is not retried unless the caller opts in', async () => {
    const client = new pets.PetsClient();
    const error = await client.flakyPost({ requestId: 'post-once' }).catch((e: unknown) => e);
    expect(pets.isServiceError(error) && error.status).toBe(503);
    expect(attemptsById.get('post-once')).toBe(1);

    await client.flakyPost({ requestId: 'post-opt-in', retry: true, retries: 2 }).catch(() => undefined);
    expect(attemptsById.get('post-opt-in')).toBe(3);
  });

  test('an AbortSignal cancels the call', async () => {
    const client = new pets.PetsClient();
    const controller = new AbortController();
    const start = Date.now();
    setTimeout(() => controller.abort(), 50);
    const error = await client.constructor_({ ms: 2_000 }, { signal: controller.signal }).catch((e: unknown) => e);
    expect(pets.isServiceError(error) && error.code).toBe('ABORTED');
    expect(Date.now() - start).toBeLessThan(1_000);
  });

  test('an injected fetch is used instead of the built-in transport', async () => {
    const calls: string[] = [];
    const client = new pets.PetsClient({
      fetch: (url, init) => {
        calls.push(`${init.method} ${url}`);
        return fetch(url, init);
      },
    });
    const pet = await client.getPet({ petId: 'via fetch' });
    expect(pet.id).toBe('via fetch');
    expect(calls).toEqual([`GET ${baseUrl}/v1/pets/via%20fetch`]);
    expect(last().headers.authorization).toBe('Bearer secret-token-value');

    // A body reaches the injected fetch; a call without one passes no `body` key at all.
    const inits: Record<string, unknown>[] = [];
    const recording = new pets.PetsClient({ fetch: (url, init) => (inits.push(init), fetch(url, init)) });
    const created = await recording.createPet({ name: 'Rex', kind: 'dog' });
    expect(created).toEqual({ id: 'new-1', name: 'Rex', kind: 'dog' });
    expect(JSON.parse(last().body)).toEqual({ name: 'Rex', kind: 'dog' });
    await recording.getPet({ petId: 'p1' });
    expect(inits.map((i) => 'body' in i)).toEqual([true, false]);
  });
});

describe('generated REST client (CommonJS)', () => {
  test('compiles with tsc --strict WITHOUT esModuleInterop and calls the server', async () => {
    const cjs = await setupProject('cjs', { esModuleInterop: false });
    try {
      expect(cjs.compiled.output).toBe('');
      expect(cjs.compiled.ok).toBe(true);
      const client = await readFile(path.join(cjs.dir, 'src/links/pets/client.ts'), 'utf8');
      expect(client).toContain("from '../_runtime/rest';");
      const require = createRequire(path.join(cjs.dir, 'package.json'));
      const mod = require(path.join(cjs.dir, 'dist', 'links', 'user', 'index.js')) as {
        UserClient: new (config: { baseUrl: string }) => { getUser(p: { id: string }): Promise<unknown> };
      };
      const user = new mod.UserClient({ baseUrl: `${baseUrl}/v1` });
      await user.getUser({ id: 'u 1' }).catch(() => undefined);
      expect(last().url).toBe('/v1/users/u%201');
      expect(last().headers.authorization).toBeUndefined();
    } finally {
      await removeProject(cjs.dir);
    }
  });
});
