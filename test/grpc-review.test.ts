// Review findings, each checked on generated code compiled with tsc --strict: message names the
// runtime API uses, fields named like Object.prototype members, empty messages, the default
// scaffold's fields (--field adds to them), and the handlers merge when an RPC leaves and comes back.
import protobuf from 'protobufjs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spec } from '../src/patterns/grpc/spec.js';
import { scaffoldLink } from '../src/core/scaffold.js';
import { compileInProcess } from './helpers/in-process.js';
import { compile, makeProject, removeProject } from './helpers/project.js';
import { createLink, projectInfo, regenerate } from './fixtures/grpc/harness.js';
import type { LinkConfig } from '../src/patterns/types.js';

const ODD = path.join(import.meta.dirname, 'fixtures', 'grpc', 'review', 'odd.proto');

let dir: string;
let userLink: LinkConfig;
let firstCompile: { ok: boolean; output: string };

beforeAll(async () => {
  dir = await makeProject({ module: 'esm' });
  await mkdir(path.join(dir, 'protos'));
  await copyFile(ODD, path.join(dir, 'protos/odd.proto'));
  await createLink(dir, 'odd', { proto: ['protos/odd.proto'] });
  ({ link: userLink } = await createLink(dir, 'user', { rpc: ['GetUser:unary', 'ListUsers:server-stream'] }));
  firstCompile = await compile(dir);
});

afterAll(async () => {
  if (dir) await removeProject(dir);
});

describe('message names and field names', () => {
  it('index.ts compiles when messages are named CallOptions, ConnectionOptions, GrpcError, status, Method, Empty', async () => {
    expect(firstCompile).toEqual({ ok: true, output: '' });
    const index = await readFile(path.join(dir, 'src/links/odd/index.ts'), 'utf8');
    expect(index).toContain('CallOptions as CallOptionsMessage');
    const link = await import(pathToFileURL(path.join(dir, 'dist/links/odd/index.js')).href);
    // The runtime names keep their meaning; the clashing messages are there under an alias.
    expect(typeof link.GrpcError).toBe('function');
    expect(link.status.NOT_FOUND).toBe(5);
    expect(typeof link.CallOptionsMessage.encode).toBe('function');
    expect(typeof link.GrpcErrorMessage.encode).toBe('function');
    expect(typeof link.statusMessage.decode).toBe('function');
    expect(typeof link.OddServiceClient).toBe('function');
  });

  it('fields named constructor, toString, valueOf, hasOwnProperty, ... encode, decode and match protobufjs', async () => {
    const msg = await import(pathToFileURL(path.join(dir, 'dist/links/odd/messages.js')).href);
    const root = await new protobuf.Root().load(ODD, { keepCase: true });
    const T = root.lookupType('odd.v1.CallOptions');

    // Nothing set but `class`: the inherited Object.prototype members must not count as set.
    const sparse = msg.CallOptions.encode({ class: 'x' });
    expect(T.toObject(T.decode(sparse))).toEqual({ class: 'x' });
    const back = msg.CallOptions.decode(sparse);
    expect(back).toEqual({
      class: 'x',
      constructor: '',
      toString: undefined,
      valueOf: 0,
      hasOwnProperty: false,
      isPrototypeOf: undefined,
      propertyIsEnumerable: [],
      toLocaleString: {},
    });

    const full = {
      class: 'c',
      constructor: 'k',
      toString: '',
      valueOf: 7,
      hasOwnProperty: true,
      isPrototypeOf: { note: 'n' },
      propertyIsEnumerable: ['a', 'b'],
      toLocaleString: { x: 'y' },
    };
    const bytes = msg.CallOptions.encode(full);
    expect(msg.CallOptions.decode(bytes)).toEqual(full);
    expect(T.toObject(T.decode(bytes))).toEqual(full);

    // A oneof named `constructor`: unset is really unset, set round-trips.
    expect(msg.Method.encode({}).length).toBe(0);
    expect(msg.Method.decode(msg.Method.encode({ constructor: { $case: 'number', number: 3 }, valueOf: 'v' }))).toEqual(
      {
        constructor: { $case: 'number', number: 3 },
        valueOf: 'v',
      },
    );
    expect(msg.status.decode(msg.status.encode({}))).toEqual({ toString: '' });
  });

  it('empty messages are Record<string, never>, with no stray spaces', async () => {
    const code = await readFile(path.join(dir, 'src/links/odd/messages.ts'), 'utf8');
    expect(code).toContain('export type GrpcError = Record<string, never>;');
    expect(code).toContain('export type GrpcErrorInit = Record<string, never>;');
    expect(code).toContain('  const m: GrpcError = into ?? {};');
    expect(code).not.toMatch(/\{ {2}\}|interface \w+ \{\}/);
  });
});

describe('default scaffold', () => {
  it('listing RPCs page with limit/page_token; --field adds to the defaults, same name last wins', async () => {
    const proto = await readFile(path.join(dir, 'proto/user.proto'), 'utf8');
    expect(proto).toContain('message ListUsersRequest {\n  uint32 limit = 1;\n  string page_token = 2;\n}');
    expect(proto).toContain('message GetUserRequest {\n  string id = 1;\n}');
    const scaffold = await scaffoldLink(spec, {
      name: 'acct',
      out: 'src/links/acct',
      project: projectInfo(dir),
      options: {
        rpc: ['GetAcct:unary'],
        field: ['GetAcctRequest.email:string', 'GetAcctRequest.id:int64', 'GetAcctRequest.email:bytes'],
      },
    });
    expect(scaffold.files[0]!.content).toContain('message GetAcctRequest {\n  int64 id = 1;\n  bytes email = 2;\n}');
    expect(scaffold.files[0]!.content).toContain('message GetAcctResponse {\n  string id = 1;\n  string name = 2;\n}');
  });
});

describe('handlers merge when an RPC is removed and comes back', () => {
  it('the marked method compiles with its removed messages frozen (frozen.ts), body byte for byte; the marker goes when the RPC returns', async () => {
    const handlersPath = path.join(dir, 'src/links/user/handlers.ts');
    const protoPath = path.join(dir, 'proto/user.proto');
    const original = await readFile(protoPath, 'utf8');
    const stub = await readFile(handlersPath, 'utf8');
    const body = '{\n    for (let i = 0; i < 2; i++) yield { id: String(i), name: `#${i}` }; // mine\n  }';
    const mine = stub.replace(/(async \*listUsers\([^)]*\)[^{]*)\{[^]*?\n {2}\}/, `$1${body}`);
    expect(mine).not.toBe(stub);
    await writeFile(handlersPath, mine);

    // ListUsers goes away with both of its messages.
    const removed = original
      .replace(/ {2}rpc ListUsers\(.*\n/, '')
      .replace(/\nmessage ListUsersRequest \{[^}]*\}\n/, '\n')
      .replace(/\nmessage ListUsersResponse \{[^}]*\}\n/, '\n');
    expect(removed).not.toContain('ListUsers');
    await writeFile(protoPath, removed);
    await regenerate(dir, userLink);
    const merged = await readFile(handlersPath, 'utf8');
    expect(merged).toMatch(
      /\/\/ create-service-link: removed RPC: .*\n {2}async \*listUsers\(request: \$frozen\.ListUsersRequest, ctx: CallContext\): AsyncGenerator<\$frozen\.ListUsersResponseInit> \{/,
    );
    expect(merged).toContain(body);
    expect(
      merged
        .replace(/^ *\/\/ create-service-link: removed RPC.*\n/m, '')
        .replace("\nimport type * as $frozen from './frozen.js';", '')
        .replace(/\$frozen\./g, '$msg.'),
    ).toBe(mine);
    expect(await readFile(path.join(dir, 'src/links/user/frozen.ts'), 'utf8')).toContain(
      'export interface ListUsersRequest {',
    );
    expect(compileInProcess(dir)).toEqual({ ok: true, output: '' });

    // It comes back: our marker goes, the generated types return, the user's code stays.
    await writeFile(protoPath, original);
    await regenerate(dir, userLink);
    const restored = await readFile(handlersPath, 'utf8');
    expect(restored).not.toContain('create-service-link: removed RPC');
    expect(restored).toBe(mine);
    expect(compileInProcess(dir)).toEqual({ ok: true, output: '' });
  });
});
