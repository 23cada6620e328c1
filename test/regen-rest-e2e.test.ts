// Regeneration end to end for the REST pattern (issues 11 and 13): a scripted sequence of OpenAPI edits in
// a temp project holding both sides of the link (`--server --client`), each followed by `generate`, `tsc`,
// runs against 127.0.0.1 and `generate --check`. The client side: the user's program calls an
// independent node:http peer; their code keeps compiling, or generate printed why it cannot (the contract
// change report) and the user's fix compiles. The server side: the user's handlers.ts, served by the
// generated router through their server.ts and called through the generated client (SERVE below), gets a
// stub per new operation, keeps every line the user wrote, and a removed operation's method stays and
// compiles. The first and last steps run the real CLI and tsc; the others the same code in this process.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, removeProject, runCli, snapshot } from './helpers/project.js';
import { UserProject } from './helpers/user-project.js';

/** Every path the peer was called on. */
const called: string[] = [];

/** The service as deployed at the newest contract: items by id (string or number), list, create, delete. */
function startPeer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      called.push(url.pathname);
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const item = (id: string) => ({ id, name: `item ${id}`, price: 2, status: 'active' });
      const one = /^\/(?:v2\/)?items\/([^/]+)$/.exec(url.pathname);
      if (one && req.method === 'GET') {
        if (one[1] === 'missing' || one[1] === '0') return json(404, { code: 'not_found', message: 'no such item' });
        return json(200, item(decodeURIComponent(one[1]!)));
      }
      if (one && req.method === 'DELETE') {
        res.writeHead(204);
        return res.end();
      }
      if (/^\/(?:v2\/)?items$/.test(url.pathname) && req.method === 'GET') {
        const limit = Number(url.searchParams.get('limit') ?? 2);
        const offset = Number(url.searchParams.get('offset') ?? 0);
        return json(
          200,
          Array.from({ length: limit }, (_, i) => item(String(offset + i))),
        );
      }
      if (/^\/(?:v2\/)?items$/.test(url.pathname) && req.method === 'POST')
        return json(201, { id: 'new', status: 'active', ...(JSON.parse(body) as object) });
      json(404, { code: 'no_route', message: `${req.method} ${url.pathname}` });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

type Schema = Record<string, unknown>;
const str = { type: 'string' };
const json = (schema: Schema) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const pathId = (schema: Schema = str) => ({ name: 'id', in: 'path', required: true, schema });

/** The contract as the user edits it: paths and schemas, written as an OpenAPI 3.0 JSON document. */
interface Contract {
  paths: Record<string, Record<string, Schema>>;
  schemas: Record<string, Schema>;
}

function documentOf({ paths, schemas }: Contract): string {
  const doc = { openapi: '3.0.3', info: { title: 'shop', version: '1.0.0' }, paths, components: { schemas } };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const ok = (schema: Schema, status = '200') => ({ [status]: { description: 'ok', content: json(schema) } });

const APP = 'src/app.ts';
const END = '// calls end';
const APP_TEXT = `import { ShopClient, isServiceError } from './links/shop/index.js';

const client = new ShopClient({ token: null });
const out: unknown[] = [];
${END}
void isServiceError;
console.log(JSON.stringify(out));
`;

/** Starts the user's server (server.ts) on a free port and makes each [method, input] call through the client. */
const SERVE = `import type { AddressInfo } from 'node:net';
import { ShopClient } from './links/shop/index.js';
import { startServer } from './links/shop/server.js';

const calls = JSON.parse(process.argv[2] ?? '[]') as [method: string, input: unknown][];
const server = await startServer('127.0.0.1:0');
const { port } = server.address() as AddressInfo;
const client = new ShopClient({ baseUrl: \`http://127.0.0.1:\${port}\`, token: null });
const call = client as unknown as Record<string, (input: unknown) => Promise<unknown>>;
const out: unknown[] = [];
for (const [method, input] of calls) {
  try {
    out.push((await call[method]!(input)) ?? null);
  } catch (error) {
    out.push({ status: (error as { status?: number }).status });
  }
}
server.close();
server.closeAllConnections();
console.log(JSON.stringify(out));
`;

const HANDLERS = 'src/links/shop/handlers.ts';

/** The stub's throw line of an operation's method (the first one after its name). */
function stubOf(method: string): RegExp {
  return new RegExp(`(?<=async ${method}\\([^]*?\\{\\n) {4}throw new HttpError\\(501[^\\n]*\\n`);
}

let peer: http.Server;
let env: Record<string, string>;
const dirs: string[] = [];
beforeAll(async () => {
  peer = await startPeer();
  env = { SHOP_SERVICE_URL: `http://127.0.0.1:${(peer.address() as AddressInfo).port}` };
});
afterAll(async () => {
  await new Promise((r) => peer.close(r));
  for (const dir of dirs) await removeProject(dir);
});

describe('REST: a sequence of contract edits', () => {
  it("every step compiles (or names what the user's code must change), and calls the peer", async () => {
    const dir = await makeProject({ module: 'esm', files: { [APP]: APP_TEXT, 'src/serve.ts': SERVE } });
    dirs.push(dir);
    const p = new UserProject(dir);
    const c: Contract = {
      paths: {
        '/items/{id}': {
          get: { operationId: 'getItem', parameters: [pathId()], responses: ok(ref('Item')) },
        },
      },
      schemas: {
        Item: { type: 'object', required: ['id', 'name'], properties: { id: str, name: str } },
      },
    };
    const file = path.join(dir, 'openapi/shop.json');
    const save = () => writeFile(file, documentOf(c));
    await mkdir(path.dirname(file));
    await save();
    const created = await runCli(
      ['rest', 'shop', '--openapi', 'openapi/shop.json', '--server', '--client', '--yes', '--no-install'],
      dir,
    );
    expect(created.exitCode, created.stderr).toBe(0);
    /** The user writes the body of an operation's handler (in place of its stub). */
    const handle = (method: string, body: string) => p.edit(HANDLERS, stubOf(method), `${body}\n`);
    /** The user's server, called through the client: one result per [method, input]. */
    const serve = (...calls: [string, unknown][]) => p.run('serve.js', calls);
    /** The user adds a call to their program. */
    const call = (line: string) => p.edit(APP, END, `${line}\n${END}`);
    const run = () => p.run('app.js', [], env);
    const items = c.paths['/items/{id}']!;
    const item = c.schemas.Item as { required: string[]; properties: Record<string, Schema> };

    // 1. The user calls getItem, and writes its handler on the server side.
    await call("out.push(await client.getItem({ id: 'a' }));");
    await handle(
      'getItem',
      '    return { status: 200, body: { id: input.params.id, name: `served ${input.params.id}` } };',
    );
    await p.step([], 'cli');
    const a = { id: 'a', name: 'item a', price: 2, status: 'active' };
    expect(await run()).toEqual([a]);
    expect(await serve(['getItem', { id: 'a' }])).toEqual([{ id: 'a', name: 'served a' }]);

    // 2. An optional property on the response: the user reads it.
    item.properties.price = { type: 'number' };
    await save();
    await p.step();
    await call("const price: number | undefined = (await client.getItem({ id: 'b' })).price;\nout.push(price);");
    await p.step();
    expect(await run()).toEqual([a, 2]);

    // 3. A list operation.
    c.paths['/items'] = {
      get: {
        operationId: 'listItems',
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
        responses: ok({ type: 'array', items: ref('Item') }),
      },
    };
    await save();
    await p.step();
    expect(await serve(['listItems', { limit: 1 }])).toEqual([{ status: 501 }]);
    await call('out.push((await client.listItems({ limit: 1 })).length);');
    await handle(
      'listItems',
      "    const ids = Array.from({ length: input.params.limit ?? 2 }, (_, i) => String(i));\n    return { status: 200, body: ids.map((id) => ({ id, name: 'listed' })) };",
    );
    await p.step();
    expect(await run()).toEqual([a, 2, 1]);
    expect(await serve(['listItems', { limit: 1 }])).toEqual([[{ id: '0', name: 'listed' }]]);

    // 4. An optional query parameter added.
    (c.paths['/items'].get!.parameters as Schema[]).push({ name: 'offset', in: 'query', schema: { type: 'integer' } });
    await save();
    await p.step();
    await call('out.push((await client.listItems({ limit: 1, offset: 5 }))[0]?.id);');
    await p.rewrite(
      HANDLERS,
      '    const ids = Array.from({ length: input.params.limit ?? 2 }, (_, i) => String(i));',
      '    const ids = Array.from({ length: input.params.limit ?? 2 }, (_, i) => String(i + (input.params.offset ?? 0)));',
    );
    await p.step();
    expect(await run()).toEqual([a, 2, 1, '5']);
    expect(await serve(['listItems', { limit: 1, offset: 5 }])).toEqual([[{ id: '5', name: 'listed' }]]);

    // 5. A create operation with its own input schema.
    c.schemas.ItemInput = { type: 'object', required: ['name'], properties: { name: str, price: { type: 'number' } } };
    c.paths['/items'].post = {
      operationId: 'createItem',
      requestBody: { required: true, content: json(ref('ItemInput')) },
      responses: ok(ref('Item'), '201'),
    };
    await save();
    await p.step();
    await call("out.push((await client.createItem({ name: 'pen' })).id);");
    await handle('createItem', "    return { status: 201, body: { id: 'made', name: input.body.name } };");
    await p.step();
    expect(await run()).toEqual([a, 2, 1, '5', 'new']);
    expect(await serve(['createItem', { name: 'pen' }])).toEqual([{ id: 'made', name: 'pen' }]);

    // 6. A delete operation (204, no body).
    items.delete = {
      operationId: 'deleteItem',
      parameters: [pathId()],
      responses: { '204': { description: 'deleted' } },
    };
    await save();
    await p.step();
    await call("await client.deleteItem({ id: 'a' });\nout.push('deleted');");
    await handle('deleteItem', '    void input;\n    return { status: 204 };');
    await p.step();
    expect(await run()).toEqual([a, 2, 1, '5', 'new', 'deleted']);
    expect(await serve(['deleteItem', { id: 'a' }])).toEqual([null]);

    // 7. An enum property, and a description edit (documentation only).
    item.properties.status = { type: 'string', enum: ['active', 'archived'], description: 'Lifecycle.' };
    (items.get as Schema).summary = 'One item by id.';
    await save();
    await p.step();
    await call("out.push((await client.getItem({ id: 'c' })).status === 'active');");
    await p.step();

    // 8. An error response with a schema: the user's code handles the 404.
    c.schemas.Problem = { type: 'object', required: ['code'], properties: { code: str, message: str } };
    (items.get!.responses as Schema)['404'] = { description: 'not found', content: json(ref('Problem')) };
    await save();
    await p.step();
    await call(
      "out.push(await client.getItem({ id: 'missing' }).catch((e: unknown) => (isServiceError(e) ? e.status : e)));",
    );
    await p.edit(
      HANDLERS,
      /(?<=async getItem\([^]*?\{\n)/,
      "    if (input.params.id === 'missing') return { status: 404, body: { code: 'not_found' } };\n",
    );
    await p.step();
    expect(await run()).toEqual([a, 2, 1, '5', 'new', 'deleted', true, 404]);
    expect(await serve(['getItem', { id: 'missing' }], ['getItem', { id: 'b' }])).toEqual([
      { status: 404 },
      { id: 'b', name: 'served b' },
    ]);

    // 9. Mid-edit, the document does not parse: generate exits 1 at file:line:col, writes nothing.
    const good = documentOf(c);
    await writeFile(file, good.replace('"ItemInput": {', '"ItemInput": {,'));
    const before = await snapshot(dir);
    const broken = await runCli(['generate'], dir);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toMatch(/openapi\/shop\.json:\d+:\d+/);
    expect(await snapshot(dir)).toEqual(before);
    await save();
    await p.step();

    // 10. Item moves to a file of its own ($ref to another file): nothing changes for the user.
    await writeFile(
      path.join(dir, 'openapi/item.json'),
      `${JSON.stringify({ components: { schemas: { Item: item } } }, null, 2)}\n`,
    );
    const local = c.schemas.Item;
    c.schemas.Item = { $ref: './item.json#/components/schemas/Item' };
    await save();
    await p.step();
    expect(await run()).toEqual([a, 2, 1, '5', 'new', 'deleted', true, 404]);
    c.schemas.Item = local!;
    await save();
    await p.step();

    // 11. The path moves to /v2 (wire-breaking, named); the user's code is unchanged and calls the new path.
    c.paths = Object.fromEntries(Object.entries(c.paths).map(([k, v]) => [`/v2${k}`, v]));
    await save();
    expect(await p.step()).toMatch(
      /wire-breaking +GET \/items\/\{id\} \(getItem\): now GET \/v2[^\n]*\[OPERATION_MOVED\]/,
    );
    const sent = called.length;
    expect(await run()).toEqual([a, 2, 1, '5', 'new', 'deleted', true, 404]);
    expect(called.slice(sent).every((route) => route.startsWith('/v2/'))).toBe(true);
    expect(await serve(['getItem', { id: 'v' }], ['listItems', { limit: 1 }])).toEqual([
      { id: 'v', name: 'served v' },
      [{ id: '0', name: 'listed' }],
    ]);

    // 12. getItem renamed fetchItem: source-breaking, named; the user renames their calls.
    const v2Items = c.paths['/v2/items/{id}']!;
    v2Items.get!.operationId = 'fetchItem';
    await save();
    expect(await p.generate()).toMatch(/source-breaking[^\n]*\(getItem\)[^\n]*fetchItem[^\n]*\[OPERATION_ID_CHANGED\]/);
    // The hint is needed: the user's code does not compile until they follow it.
    expect((await p.compile()).output).toContain("Property 'getItem' does not exist");
    const lines = async (pattern: RegExp) => (await p.read(APP)).split('\n').filter((l) => pattern.test(l));
    for (const line of await lines(/client\.getItem/))
      await p.rewrite(APP, line, line.replace('client.getItem', 'client.fetchItem'));
    // On the server side fetchItem is a new stub and getItem, the user's code and all, is kept and marked.
    const renamed = await p.read(HANDLERS);
    expect(renamed).toMatch(/removed operation[^\n]*\n(\s*\/\*\*[^\n]*\n)?\s*async getItem\(/);
    expect(renamed).toMatch(stubOf('fetchItem'));
    // The user moves their lines into the new method (there is no `--rename` for REST operations yet).
    const getBody = /(?<=async getItem\([^]*?\{\n)[^]*?\n(?= {2}\}\n)/.exec(renamed)![0];
    await handle('fetchItem', getBody.trimEnd());
    await p.step();
    const all = [a, 2, 1, '5', 'new', 'deleted', true, 404];
    expect(await run()).toEqual(all);
    expect(await serve(['fetchItem', { id: 'f' }], ['fetchItem', { id: 'missing' }])).toEqual([
      { id: 'f', name: 'served f' },
      { status: 404 },
    ]);

    // 13. A new required property in createItem's body: named; the user adds it to their call.
    const input = c.schemas.ItemInput as { required: string[]; properties: Record<string, Schema> };
    input.properties.sku = str;
    input.required.push('sku');
    await save();
    expect(await p.generate()).toMatch(/breaking[^\n]*sku/);
    const create = "out.push((await client.createItem({ name: 'pen' })).id);";
    await p.rewrite(APP, create, create.replace("'pen'", "'pen', sku: 'P-1'"));
    await p.step();
    expect(await run()).toEqual(all);
    expect(await serve(['createItem', { name: 'pen', sku: 'P-1' }])).toEqual([{ id: 'made', name: 'pen' }]);

    // 14. The id becomes an integer: named; the user passes numbers (0 is the peer's missing item).
    for (const op of Object.values(v2Items)) op.parameters = [pathId({ type: 'integer' })];
    item.properties.id = { type: 'integer' };
    await save();
    expect(await p.generate()).toMatch(/(wire|source)-breaking[^\n]*\bid\b/);
    const numbers: Record<string, number> = { a: 1, b: 2, c: 3, missing: 0 };
    for (const line of await lines(/Item\(\{ id: '\w+' \}\)/))
      await p.rewrite(
        APP,
        line,
        line.replace(/id: '(\w+)'/, (_m, id: string) => `id: ${numbers[id]}`),
      );
    // The server side follows: the user's handlers now take and return integer ids.
    await p.rewrite(
      HANDLERS,
      "    if (input.params.id === 'missing') return { status: 404, body: { code: 'not_found' } };",
      "    if (input.params.id === 0) return { status: 404, body: { code: 'not_found' } };",
      'async fetchItem(',
    );
    await p.rewrite(
      HANDLERS,
      '    const ids = Array.from({ length: input.params.limit ?? 2 }, (_, i) => String(i + (input.params.offset ?? 0)));',
      '    const ids = Array.from({ length: input.params.limit ?? 2 }, (_, i) => i + (input.params.offset ?? 0));',
    );
    await p.rewrite(
      HANDLERS,
      "    return { status: 201, body: { id: 'made', name: input.body.name } };",
      '    return { status: 201, body: { id: 7, name: input.body.name } };',
    );
    await p.step();
    const one = { id: '1', name: 'item 1', price: 2, status: 'active' };
    expect(await run()).toEqual([one, 2, 1, '5', 'new', 'deleted', true, 404]);
    expect(
      await serve(['fetchItem', { id: 1 }], ['fetchItem', { id: 0 }], ['listItems', { limit: 1, offset: 3 }]),
    ).toEqual([{ id: 1, name: 'served 1' }, { status: 404 }, [{ id: 3, name: 'listed' }]]);

    // 15. deleteItem removed: named; the user drops their call.
    delete v2Items.delete;
    await save();
    expect(await p.generate()).toMatch(/wire-breaking +DELETE \/v2\/items\/\{id\}: [^\n]*\[OPERATION_REMOVED\]/);
    await p.remove(APP, 'await client.deleteItem({ id: 1 });');
    await p.remove(APP, "out.push('deleted');");
    await p.step([], 'cli');
    expect(await run()).toEqual([one, 2, 1, '5', 'new', true, 404]);
    // Its handler stays, marked, and compiles (the step above); the router no longer routes to it.
    expect(await p.read(HANDLERS)).toMatch(/removed operation[^\n]*\n(\s*\/\*\*[^\n]*\n)?\s*async deleteItem\(/);
    expect(await serve(['fetchItem', { id: 2 }], ['createItem', { name: 'cup', sku: 'C' }])).toEqual([
      { id: 2, name: 'served 2' },
      { id: 7, name: 'cup' },
    ]);
  }, 600_000);
});
