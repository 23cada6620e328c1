// The REST server side end to end: generate client and server from one document into a temp project,
// compile with tsc --strict, run our client against our server on 127.0.0.1, the router's problem
// responses (400/404/405/413/500), mounting in Fastify, and regeneration that keeps handler code.
import { execa } from 'execa';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile, makeProject, removeProject, runCli } from './helpers/project.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'rest-server');
const LINK = 'src/links/pets';

interface Started {
  server: Server;
  baseUrl: string;
  // The compiled client, typed here only as far as the test calls it.
  client: Record<string, (...args: unknown[]) => Promise<unknown>>;
}

let dir: string;
let started: Started;
const logged: { error: unknown; fields: { requestId: string; operation: string } }[] = [];

beforeAll(async () => {
  dir = await makeProject({
    module: 'esm',
    files: { 'openapi/pets.yaml': await readFile(path.join(FIXTURES, 'pets.yaml'), 'utf8') },
  });
  const created = await runCli(
    [
      'rest',
      'pets',
      '--openapi',
      'openapi/pets.yaml',
      '--server',
      '--client',
      '--auth',
      'none',
      '--yes',
      '--no-install',
    ],
    dir,
  );
  expect(created.stderr).toBe('');
  expect(created.exitCode).toBe(0);
  // The stubs compile as written; then the user implements them.
  expect(await compile(dir)).toEqual({ ok: true, output: '' });
  await copyFile(path.join(FIXTURES, 'handlers.ts'), path.join(dir, LINK, 'handlers.ts'));
  await copyFile(path.join(FIXTURES, 'main.ts'), path.join(dir, LINK, 'main.ts'));
  expect(await compile(dir)).toEqual({ ok: true, output: '' });
  const main = (await import(pathToFileURL(path.join(dir, 'dist/links/pets/main.js')).href)) as {
    start(log: (error: unknown, fields: { requestId: string; operation: string }) => void): Promise<Started>;
  };
  started = await main.start((error, fields) => logged.push({ error, fields }));
}, 240_000);

afterAll(async () => {
  started?.server.close();
  started?.server.closeAllConnections();
  await removeProject(dir);
});

async function call(method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${started.baseUrl}${url}`, { method, ...init });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

test('our client against our server: path, query (array, explode) and header params, JSON bodies, several statuses', async () => {
  const { client } = started;
  const page = (await client.listPets!({ limit: 2, tag: ['dog', 'cat'], 'X-Tenant': 't1' })) as Record<string, unknown>;
  expect(page.items).toEqual([
    { id: 1, name: 'Rex', tag: 'dog' },
    { id: 2, name: 'Tom', tag: 'cat' },
  ]);
  expect(page.tenant).toBe('t1');
  expect(await client.getPet!({ petId: 3 })).toEqual({ id: 3, name: 'Bo' });
  expect(await client.createPet!({ name: 'Kit', tag: 'cat' })).toEqual({ id: 4, name: 'Kit', tag: 'cat' });
  // A declared non-2xx reply and a thrown HttpError both reach the client as ServiceError with the problem body.
  await expect(client.createPet!({ name: 'Rex' })).rejects.toMatchObject({
    status: 409,
    body: { title: 'Conflict', status: 409, detail: 'Rex exists' },
  });
  await expect(client.getPet!({ petId: 99 })).rejects.toMatchObject({
    status: 404,
    body: { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no pet 99' },
  });
  expect(await client.deletePet!({ petId: 4 })).toBeUndefined();
  // `id` is readOnly through its $ref: the client's input leaves it out and the server does not require it.
  expect(await client.createTag!({ label: 'cute' })).toEqual({ id: 't-cute', label: 'cute' });
  const tag = await fetch(`${started.baseUrl}/tags`, { method: 'POST', body: '{"label":"x"}' });
  expect([tag.status, tag.headers.get('location'), tag.headers.get('content-type')]).toEqual([
    201,
    '/tags/t-x',
    'application/json; charset=utf-8',
  ]);
});

test('X-Request-ID is taken into the request context and echoed', async () => {
  const r = await call('GET', '/pets?limit=1', { headers: { 'X-Tenant': 't', 'X-Request-ID': 'req-42' } });
  expect(r.status).toBe(200);
  expect(r.body?.requestId).toBe('req-42');
  expect(r.headers.get('x-request-id')).toBe('req-42');
});

test('without X-Request-ID each request gets a new UUID-shaped one, in its context and its answer', async () => {
  const answers = await Promise.all(
    [1, 2, 3].map(() => call('GET', '/pets?limit=1', { headers: { 'X-Tenant': 't' } })),
  );
  const ids = answers.map((r) => r.headers.get('x-request-id'));
  expect(answers.map((r) => r.body?.requestId)).toEqual(ids);
  for (const id of ids) expect(id).toMatch(/^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/);
  expect(new Set(ids).size).toBe(3);
});

test('a bad request is a 400 problem naming the field; the handler does not run', async () => {
  const cases: [string, string, Record<string, string>, string | undefined, RegExp][] = [
    ['GET', '/pets?limit=abc', { 'X-Tenant': 't' }, undefined, /^query parameter "limit" must be integer$/],
    ['GET', '/pets?limit=500', { 'X-Tenant': 't' }, undefined, /^query parameter "limit" must be <= 100$/],
    ['GET', '/pets', {}, undefined, /^header parameter "X-Tenant" is required$/],
    ['GET', '/pets/abc', {}, undefined, /^path parameter "petId" must be integer$/],
    ['POST', '/pets', { 'Content-Type': 'application/json' }, '{}', /^request body "body.name" is required$/],
    [
      'POST',
      '/pets',
      { 'Content-Type': 'application/json' },
      '{"name":""}',
      /^request body "body.name" must NOT have fewer than 1 characters$/,
    ],
    ['POST', '/pets', { 'Content-Type': 'application/json' }, '{"name":', /not valid JSON/],
    ['POST', '/pets', {}, undefined, /body is required/],
  ];
  for (const [method, url, headers, body, detail] of cases) {
    const r = await call(method, url, { headers, ...(body === undefined ? {} : { body }) });
    expect({ url, body, status: r.status, type: r.headers.get('content-type') }).toEqual({
      url,
      body,
      status: 400,
      type: 'application/problem+json; charset=utf-8',
    });
    expect(r.body?.detail).toMatch(detail);
  }
});

test('unknown route 404, wrong method 405 with Allow, oversized body 413, other errors 500 logged once without the message', async () => {
  const missing = await call('GET', '/nothing/here');
  expect([missing.status, missing.body?.title]).toEqual([404, 'Not Found']);
  const wrong = await call('PUT', '/pets');
  expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'GET, POST']);
  const big = await call('POST', '/pets', {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'x'.repeat(2000) }),
  });
  expect(big.status).toBe(413);
  // Without Content-Length (chunked), the limit is enforced while reading, and the 413 still arrives.
  const chunked = await new Promise<number>((resolve, reject) => {
    const req = request(`${started.baseUrl}/pets`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.write('{"name":"');
    req.write('x'.repeat(4000));
    req.end('"}');
  });
  expect(chunked).toBe(413);
  const before = logged.length;
  const failed = await call('GET', '/pets/13', { headers: { 'X-Request-ID': 'boom-1' } });
  expect(failed.status).toBe(500);
  expect(JSON.stringify(failed.body)).not.toContain('secret');
  expect(logged.slice(before).map((l) => [(l.error as Error).message, l.fields])).toEqual([
    ['secret database failure', { requestId: 'boom-1', operation: 'getPet' }],
  ]);
});

test('ctx.signal aborts when the client goes away, read before or only after it has gone', async () => {
  const handlers = (await import(pathToFileURL(path.join(dir, 'dist/links/pets/handlers.js')).href)) as {
    entered: number[];
    abandoned: number[];
  };
  for (const petId of [77, 78]) {
    const controller = new AbortController();
    const pending = fetch(`${started.baseUrl}/pets/${petId}`, { signal: controller.signal }).catch(() => 'aborted');
    await vi.waitFor(() => expect(handlers.entered).toContain(petId), { timeout: 10_000 });
    controller.abort();
    expect(await pending).toBe('aborted');
    await vi.waitFor(() => expect(handlers.abandoned).toContain(petId), { timeout: 10_000 });
  }
  expect(handlers.abandoned).toEqual([77, 78]);
});

test('requestContext: false: no request context for the handler; X-Request-ID still answered', async () => {
  const runtime = (await import(pathToFileURL(path.join(dir, 'dist/links/_runtime/rest-server.js')).href)) as {
    listen(handler: unknown, address: string): Promise<Server>;
  };
  const routerModule = (await import(pathToFileURL(path.join(dir, 'dist/links/pets/router.js')).href)) as {
    createPetsRouter(handlers: unknown, options: unknown): unknown;
  };
  const handlersModule = (await import(pathToFileURL(path.join(dir, 'dist/links/pets/handlers.js')).href)) as {
    PetsImpl: new () => unknown;
  };
  const router = routerModule.createPetsRouter(new handlersModule.PetsImpl(), { requestContext: false });
  const server = await runtime.listen(router, '127.0.0.1:0');
  try {
    const port = (server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/pets?limit=1`, {
      headers: { 'X-Tenant': 't', 'X-Request-ID': 'req-7' },
    });
    // The fixture's listPets reports currentRequestContext()?.requestId ?? 'none'.
    expect([
      res.status,
      res.headers.get('x-request-id'),
      ((await res.json()) as { requestId: string }).requestId,
    ]).toEqual([200, 'req-7', 'none']);
  } finally {
    server.close();
    server.closeAllConnections();
  }
});

test('the router mounts in Fastify as a plain (req, res) handler', async () => {
  const { default: Fastify } = await import('fastify');
  const routerModule = (await import(pathToFileURL(path.join(dir, 'dist/links/pets/router.js')).href)) as {
    createPetsRouter(handlers: unknown): (req: unknown, res: unknown) => void;
  };
  const handlersModule = (await import(pathToFileURL(path.join(dir, 'dist/links/pets/handlers.js')).href)) as {
    PetsImpl: new () => unknown;
  };
  const router = routerModule.createPetsRouter(new handlersModule.PetsImpl());
  const app = Fastify();
  // Fastify would parse the body first; hand the raw request over untouched instead.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  app.all('/*', (req, reply) => {
    reply.hijack();
    router(req.raw, reply.raw);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const r = await fetch(`${url}/pets/1`);
    expect([r.status, await r.json()]).toEqual([200, { id: 1, name: 'Rex', tag: 'dog' }]);
  } finally {
    await app.close();
  }
});

test('regeneration keeps handler code: a new operation gets a stub, a removed one is marked and still compiles', async () => {
  const handlersPath = path.join(dir, LINK, 'handlers.ts');
  const before = await readFile(handlersPath, 'utf8');
  const docPath = path.join(dir, 'openapi/pets.yaml');
  const doc = await readFile(docPath, 'utf8');
  const withoutDelete = doc.replace(
    / {4}delete:\n {6}operationId: deletePet\n {6}responses:\n {8}'204':\n {10}description: deleted\n/,
    '',
  );
  expect(withoutDelete).not.toBe(doc);
  const edited = withoutDelete.replace(
    '    get:\n      operationId: getPet\n',
    "    put:\n      operationId: renamePet\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: { $ref: '#/components/schemas/NewPet' }\n      responses:\n        '200':\n          description: renamed\n          content:\n            application/json:\n              schema: { $ref: '#/components/schemas/Pet' }\n    get:\n      operationId: getPet\n",
  );
  await writeFile(docPath, edited);
  const regenerated = await runCli(['generate'], dir);
  expect(regenerated.stderr).toBe('');
  expect(regenerated.exitCode).toBe(0);
  const after = await readFile(handlersPath, 'utf8');
  // Every method the user wrote is still there byte for byte.
  for (const method of ['listPets', 'createPet', 'getPet']) {
    const start = before.indexOf(`  async ${method}(`);
    const end = before.indexOf('\n  }\n', start) + 5;
    expect(after).toContain(before.slice(start, end));
  }
  expect(after).toContain('  // user code: kept byte for byte\n');
  expect(after).toContain("throw new HttpError(501, 'renamePet: write this handler in handlers.ts');");
  // Its types are frozen as they were (frozen.ts), so its body still type-checks as written.
  expect(after).toMatch(
    /\/\/ create-service-link: removed operation[^\n]*\n\s*async deletePet\(input: \$frozen\.DeletePetInput, _ctx: HandlerContext\): Promise<\$frozen\.DeletePetReply> \{/,
  );
  expect(after).toContain("import type * as $frozen from './frozen.js';");
  const frozen = await readFile(path.join(dir, LINK, 'frozen.ts'), 'utf8');
  expect(frozen).toContain('export type DeletePetInput = { params: DeletePetParams };');
  expect(frozen).toContain('export type DeletePetParams = {\n  petId: number;\n};');
  expect(await compile(dir)).toEqual({ ok: true, output: '' });
  // A frozen type is checked: a reply the removed operation never declared does not compile.
  const handlersText = after.replace('return { status: 204 };', "return { status: 200, body: 'no' };");
  await writeFile(handlersPath, handlersText);
  expect((await compile(dir)).output).toMatch(/handlers\.ts.*(TS2322|TS2820)/);
  await writeFile(handlersPath, after);
  // Unchanged document: the second generate leaves the file alone.
  expect((await runCli(['generate'], dir)).exitCode).toBe(0);
  expect(await readFile(handlersPath, 'utf8')).toBe(after);

  // The operation comes back: its marker goes and its generated types return; the body is the user's.
  await writeFile(docPath, doc);
  expect((await runCli(['generate'], dir)).exitCode).toBe(0);
  const restored = await readFile(handlersPath, 'utf8');
  expect(restored).not.toMatch(/removed operation[^\n]*\n\s*async deletePet/);
  // renamePet left the document in turn: its stub is marked, with frozen types.
  expect(restored).toMatch(
    /removed operation[^\n]*\n(\s*\/\*\*[^\n]*\n)?\s*async renamePet\(_?input: \$frozen\.RenamePetInput/,
  );
  expect(restored).toContain(
    '  async deletePet(input: T.DeletePetInput, _ctx: HandlerContext): Promise<T.DeletePetReply> {\n' +
      '    pets.delete(input.params.petId);\n',
  );
  expect(await compile(dir)).toEqual({ ok: true, output: '' });

  // The user deletes the removed method: its frozen types and their import go on the next generate.
  const start = restored.search(/ {2}\/\/ create-service-link: removed operation/);
  const end = restored.indexOf('\n  }\n', start) + 5;
  await writeFile(handlersPath, restored.slice(0, start) + restored.slice(end).replace(/^\n/, ''));
  expect((await runCli(['generate'], dir)).exitCode).toBe(0);
  const cleaned = await readFile(handlersPath, 'utf8');
  expect(cleaned).not.toContain('$frozen');
  await expect(readFile(path.join(dir, LINK, 'frozen.ts'), 'utf8')).rejects.toThrow(/ENOENT/);
  expect(await compile(dir)).toEqual({ ok: true, output: '' });
}, 240_000);

test('server.ts listens on PETS_SERVICE_LISTEN and on SIGTERM lets an in-flight request finish, then exits 0', async () => {
  // A handler that takes a while, so SIGTERM arrives while its request is in flight.
  const handlersPath = path.join(dir, LINK, 'handlers.ts');
  const text = await readFile(handlersPath, 'utf8');
  const slow = text.replace(
    "    if (input.params.petId === 13) throw new Error('secret database failure');\n",
    "    if (input.params.petId === 13) throw new Error('secret database failure');\n" +
      '    if (input.params.petId === 7) await new Promise((resolve) => setTimeout(resolve, 500));\n',
  );
  expect(slow).not.toBe(text);
  await writeFile(handlersPath, slow);
  expect(await compile(dir)).toEqual({ ok: true, output: '' });
  const child = execa('node', [path.join(dir, 'dist/links/pets/server.js')], {
    cwd: dir,
    env: { PETS_SERVICE_LISTEN: '127.0.0.1:0' },
    reject: false,
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /"port":(\d+)/.exec(chunk.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error('server.ts exited before listening')));
  });
  const inFlight = fetch(`http://127.0.0.1:${port}/pets/7`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill('SIGTERM');
  const res = await inFlight;
  expect(res.status).toBe(404);
  const done = await child;
  expect(done.exitCode).toBe(0);
}, 240_000);

test('a document without operations compiles under noUnusedLocals; the first operation brings its imports', async () => {
  const empty = 'openapi: 3.1.0\ninfo: { title: Empty, version: "1" }\npaths: {}\n';
  const project = await makeProject({ module: 'esm', files: { 'openapi/empty.yaml': empty } });
  try {
    const args = ['rest', 'empty', '--openapi', 'openapi/empty.yaml', '--server', '--yes', '--no-install'];
    expect((await runCli(args, project)).exitCode).toBe(0);
    expect(await compile(project, ['--noUnusedLocals'])).toEqual({ ok: true, output: '' });
    const ping = '  /ping:\n    get:\n      operationId: ping\n      responses:\n        "204": { description: ok }\n';
    await writeFile(path.join(project, 'openapi/empty.yaml'), empty.replace('paths: {}\n', `paths:\n${ping}`));
    expect((await runCli(['generate'], project)).exitCode).toBe(0);
    const handlers = await readFile(path.join(project, 'src/links/empty/handlers.ts'), 'utf8');
    expect(handlers).toContain("throw new HttpError(501, 'ping: write this handler in handlers.ts');");
    expect(await compile(project, ['--noUnusedLocals'])).toEqual({ ok: true, output: '' });
  } finally {
    await removeProject(project);
  }
}, 240_000);
