// The grpc pattern through the built CLI: create, write code in the handlers, edit the .proto,
// `generate` (user code byte-for-byte intact, new stub, removed RPC marked), bad protos exit 1 with
// file:line and write nothing; a real-world proto set (grpc-js's channelz + xds protos) generates.
// The tests share one project: its first compile goes through compile() (a real `tsc` when it is the worker's
// first), the later ones the same compiler in this process (test/helpers/in-process.ts).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { compileInProcess } from './helpers/in-process.js';
import { compile, makeProject, removeProject, runCli, snapshot } from './helpers/project.js';

let dir: string;
beforeAll(async () => {
  dir = await makeProject({ module: 'esm' });
});
afterAll(async () => {
  await removeProject(dir);
});

const USER_CODE = `  async getUser(request: $msg.GetUserRequest, ctx: CallContext): Promise<$msg.GetUserResponseInit> {
    // Hand-written:   odd   spacing, 'quotes', \`template \${1 + 1}\`, and a trailing comment.
    if (!request.id) throw new GrpcError(status.INVALID_ARGUMENT, 'id is required'); // keep me
    return { id: request.id, name: \`user \${request.id}\` /* inline */ };
  }`;

test('regeneration keeps every character of the user code, adds a stub for a new RPC and marks a removed one', async () => {
  const created = await runCli(
    ['grpc', 'user', '--rpc', 'GetUser:unary', '--rpc', 'ListUsers:server-stream', '--yes', '--no-install'],
    dir,
  );
  expect(created.stderr).toBe('');
  expect(created.exitCode).toBe(0);
  const handlersPath = path.join(dir, 'src/links/user/handlers.ts');
  const stub = await readFile(handlersPath, 'utf8');
  expect(stub).toContain('status.UNIMPLEMENTED');

  // The user implements GetUser.
  const start = stub.indexOf('  async getUser(');
  const end = stub.indexOf('  }\n', start) + 3;
  const mine = stub.slice(0, start) + USER_CODE + stub.slice(end) + '\n// my own trailing note\n';
  await writeFile(handlersPath, mine);
  expect(await compile(dir)).toEqual({ ok: true, output: '' });

  // The proto grows an RPC and a field, and loses ListUsers.
  const protoPath = path.join(dir, 'proto/user.proto');
  const proto = await readFile(protoPath, 'utf8');
  const edited = proto
    .replace(
      '  rpc ListUsers(ListUsersRequest) returns (stream ListUsersResponse);\n',
      '  // Deletes a user. */ `${x}`\n  rpc DeleteUser(GetUserRequest) returns (GetUserResponse);\n',
    )
    .replace('  string name = 2;\n}', '  string name = 2;\n  repeated string roles = 3;\n}');
  expect(edited).not.toBe(proto);
  await writeFile(protoPath, edited);

  const regenerated = await runCli(['generate'], dir);
  expect(regenerated.stderr).toBe('');
  expect(regenerated.exitCode).toBe(0);
  const merged = await readFile(handlersPath, 'utf8');

  // Take out exactly what generate inserted: the result must be the user's file, byte for byte.
  const markerLine = /^ *\/\/ create-service-link: removed RPC: .*\n/m.exec(merged);
  expect(markerLine).not.toBeNull();
  expect(merged.slice(markerLine!.index + markerLine![0].length)).toMatch(/^ {2}async \*listUsers\(/);
  const stubStart = merged.indexOf('\n  /** Deletes a user.');
  expect(stubStart).toBeGreaterThan(0);
  const stubEnd = merged.indexOf('  }\n', merged.indexOf('async deleteUser(')) + 4;
  const inserted = merged.slice(stubStart, stubEnd);
  expect(inserted).toContain("status.UNIMPLEMENTED, 'UserService.DeleteUser: write this handler in handlers.ts'");
  expect(inserted).toContain('*\\/ `${x}`');
  const withoutInsertions =
    merged.slice(0, markerLine!.index) +
    merged.slice(markerLine!.index + markerLine![0].length, stubStart) +
    merged.slice(stubEnd);
  expect(withoutInsertions).toBe(mine);
  expect(merged).toContain(USER_CODE);

  // The project still compiles; a second generate changes nothing and --check agrees.
  expect(compileInProcess(dir)).toEqual({ ok: true, output: '' });
  const before = await snapshot(dir);
  expect((await runCli(['generate'], dir)).exitCode).toBe(0);
  expect(await snapshot(dir)).toEqual(before);
  expect((await runCli(['generate', '--check'], dir)).exitCode).toBe(0);
});

test.each([
  ['a syntax error', (p: string) => p.replace('  string id = 1;', '  string id = ;'), 'string id = ;', /: illegal/],
  [
    'a missing import',
    (p: string) => p.replace('package user.v1;', 'package user.v1;\n\nimport "acme/missing.proto";'),
    'acme/missing',
    /: import "acme\/missing\.proto" not found[\s\S]*--proto-path/,
  ],
  [
    'an unresolved type',
    (p: string) => p.replace('  string id = 1;\n}', '  Nope thing = 9;\n  string id = 1;\n}'),
    'Nope thing',
    /: type "Nope" is not defined/,
  ],
  [
    'a __proto__ field',
    (p: string) => p.replace('  string id = 1;\n}', '  string __proto__ = 9;\n  string id = 1;\n}'),
    '__proto__',
    /: a field named "__proto__"/,
  ],
])('%s: exit 1 naming file:line, nothing written', async (_label, edit, needle, message) => {
  const protoPath = path.join(dir, 'proto/user.proto');
  const good = await readFile(protoPath, 'utf8');
  try {
    const bad = edit(good);
    expect(bad).not.toBe(good);
    await writeFile(protoPath, bad);
    const line = bad.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const before = await snapshot(dir);
    const r = await runCli(['generate'], dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`proto/user.proto:${line}`);
    expect(r.stderr).toMatch(message);
    expect(await snapshot(dir)).toEqual(before);
  } finally {
    await writeFile(protoPath, good);
  }
});

test('real-world protos: grpc-js channelz + the xds ORCA service with their imports generate and compile', async () => {
  const root = 'node_modules/@grpc/grpc-js/proto';
  const r = await runCli(
    [
      'grpc',
      'channelz',
      '--proto',
      `${root}/channelz.proto`,
      '--proto',
      `${root}/xds/xds/service/orca/v3/orca.proto`,
      '--proto-path',
      root,
      '--proto-path',
      `${root}/xds`,
      '--proto-path',
      `${root}/protoc-gen-validate`,
      '--yes',
      '--no-install',
    ],
    dir,
  );
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const service = await readFile(path.join(dir, 'src/links/channelz/service.ts'), 'utf8');
  expect(service).toContain("path: '/grpc.channelz.v1.Channelz/GetTopChannels'");
  expect(service).toContain('OpenRcaServiceDefinition');
  expect(compileInProcess(dir)).toEqual({ ok: true, output: '' });
});

test('absolute --proto and --proto-path: a contract that another contract imports is loaded once', async () => {
  const protos = path.join(dir, 'abs-protos');
  await mkdir(path.join(protos, 'acme'), { recursive: true });
  const a = path.join(protos, 'acme/a.proto');
  const b = path.join(protos, 'acme/b.proto');
  await writeFile(a, 'syntax = "proto3";\npackage acme;\n\nmessage Thing {\n  string id = 1;\n}\n');
  await writeFile(
    b,
    'syntax = "proto3";\npackage acme;\n\nimport "acme/a.proto";\n\nservice Things {\n  rpc GetThing(Thing) returns (Thing);\n}\n',
  );
  const r = await runCli(
    ['grpc', 'things', '--proto', a, '--proto', b, '--proto-path', protos, '--yes', '--no-install'],
    dir,
  );
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const service = await readFile(path.join(dir, 'src/links/things/service.ts'), 'utf8');
  expect(service).toContain("path: '/acme.Things/GetThing'");
  // The manifest's later `generate` (same stored paths) agrees with what was written.
  expect((await runCli(['generate', '--check'], dir)).exitCode).toBe(0);
  expect(compileInProcess(dir)).toEqual({ ok: true, output: '' });
});
