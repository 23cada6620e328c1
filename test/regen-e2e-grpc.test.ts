// Regeneration you can trust, end to end (issue 11), for gRPC: a scripted sequence of .proto edits in a temp
// project, each followed by `generate`, `tsc`, a run of a small program against our gRPC server on
// 127.0.0.1, and `generate --check`. After every step the lines the user wrote are all still in their
// files. The first and last steps run the real CLI and tsc processes; the others run the same code in
// this process (test/helpers/in-process.ts), which is what keeps the sequence fast.
// The queue's sequence is in regen-e2e-queue.test.ts (a file of its own, so the two run in parallel).
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, makeProject, removeProject, runCli, snapshot } from './helpers/project.js';
import { UserProject } from './helpers/user-project.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await removeProject(dir);
});

interface Proto {
  pkg?: string;
  rpcs: string[];
  admin?: string[];
  messages: string[];
}

function protoText({ pkg = 'user.v1', rpcs, admin, messages }: Proto): string {
  const service = (name: string, lines: string[]) => [`service ${name} {`, ...lines.map((l) => `  ${l}`), '}'];
  return [
    'syntax = "proto3";',
    `package ${pkg};`,
    ...service('UserService', rpcs),
    ...(admin ? service('AdminService', admin) : []),
    ...messages,
    '',
  ].join('\n');
}

/** Calls each [service, method, request] on a server started from the project's server.ts. */
const GRPC_PROBE = `import * as link from './links/user/index.js';
import { startServer } from './links/user/server.js';

type Call = [service: string, method: string, request: unknown];
const calls = JSON.parse(process.argv[2] ?? '[]') as Call[];
const { server, port } = await startServer({ address: '127.0.0.1:0', insecure: true });
const out: unknown[] = [];
for (const [service, method, request] of calls) {
  const Client = (link as unknown as Record<string, new (o: object) => Record<string, (r: unknown) => unknown>>)[
    \`\${service}Client\`
  ]!;
  const client = new Client({ address: \`127.0.0.1:\${port}\`, insecure: true });
  try {
    const result = client[method]!(request);
    if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
      const items: unknown[] = [];
      for await (const item of result as AsyncIterable<unknown>) items.push(item);
      out.push(items);
    } else out.push(await result);
  } catch (error) {
    out.push({ code: (error as { code?: number }).code });
  } finally {
    (client as unknown as { close(): void }).close();
  }
}
server.forceShutdown();
console.log(JSON.stringify(out));
`;

const UNIMPLEMENTED = { code: 12 };
const HANDLERS = 'src/links/user/handlers.ts';

/** The stub's throw line of a method (the first one after its name). */
function stubOf(method: string): RegExp {
  return new RegExp(`(?<=async \\*?${method}\\([^]*?\\{\\n) {4}throw new GrpcError\\(status\\.UNIMPLEMENTED[^\\n]*\\n`);
}

describe('gRPC: a sequence of contract edits', () => {
  it('every step compiles, serves every service and keeps every line the user wrote', async () => {
    const dir = await makeProject({ module: 'esm' });
    dirs.push(dir);
    const p = new UserProject(dir);
    const user = 'message User { string id = 1; string name = 2; }';
    const get = 'message GetUserRequest { string id = 1; }';
    const proto: Proto = { rpcs: ['rpc GetUser(GetUserRequest) returns (User);'], messages: [get, user] };
    const save = (next: Proto) => writeFile(path.join(dir, 'proto/user.proto'), protoText(Object.assign(proto, next)));
    await writeFile(path.join(dir, 'src/probe.ts'), GRPC_PROBE);
    await mkdir(path.join(dir, 'proto'));
    await save(proto);
    const created = await runCli(['grpc', 'user', '--proto', 'proto/user.proto', '--yes', '--no-install'], dir);
    expect(created.exitCode, created.stderr).toBe(0);

    // 1. The user writes GetUser.
    await p.edit(HANDLERS, stubOf('getUser'), "    return { id: request.id, name: 'Ada' };\n");
    await p.step([], 'cli');
    expect(await p.run('probe.js', [['UserService', 'getUser', { id: '7' }]])).toEqual([{ id: '7', name: 'Ada' }]);

    // 2. A new RPC whose messages are its own: a stub, which the user fills in using the request.
    const del = [
      'message DeleteUserRequest { string id = 1; bool hard = 2; }',
      'message DeleteUserResponse { bool done = 1; }',
    ];
    await save({
      ...proto,
      rpcs: [...proto.rpcs, 'rpc DeleteUser(DeleteUserRequest) returns (DeleteUserResponse);'],
      messages: [get, user, ...del],
    });
    await p.step();
    expect(await p.run('probe.js', [['UserService', 'deleteUser', { id: '7' }]])).toEqual([UNIMPLEMENTED]);
    await p.edit(HANDLERS, stubOf('deleteUser'), "    return { done: request.hard && request.id !== '' };\n");

    // 3. A second service: register.ts serves it with no edit to server.ts.
    const ban = ['message BanRequest { string id = 1; }', 'message BanResponse { bool banned = 1; }'];
    await save({
      ...proto,
      admin: ['rpc Ban(BanRequest) returns (BanResponse);'],
      messages: [...proto.messages, ...ban],
    });
    await p.step();
    expect(await p.run('probe.js', [['AdminService', 'ban', { id: '1' }]])).toEqual([UNIMPLEMENTED]);
    await p.edit(HANDLERS, stubOf('ban'), '    return { banned: true };\n');
    await p.step();
    expect(
      await p.run('probe.js', [
        ['AdminService', 'ban', { id: '1' }],
        ['UserService', 'deleteUser', { id: '7', hard: true }],
      ]),
    ).toEqual([{ banned: true }, { done: true }]);

    // 4. A field added to a message.
    const userV2 = 'message User { string id = 1; string name = 2; string email = 3; }';
    await save({ ...proto, messages: proto.messages.map((m) => (m === user ? userV2 : m)) });
    await p.step();

    // 5. GetUser renamed FetchUser: named as a likely rename, then moved with --rename.
    await save({ ...proto, rpcs: proto.rpcs.map((r) => r.replace('rpc GetUser(', 'rpc FetchUser(')) });
    expect(await p.step()).toContain('generate --rename getUser=fetchUser');
    expect(await p.run('probe.js', [['UserService', 'fetchUser', { id: '7' }]])).toEqual([UNIMPLEMENTED]);
    await p.step(['--rename', 'getUser=fetchUser']);
    expect(await p.run('probe.js', [['UserService', 'fetchUser', { id: '7' }]])).toEqual([
      { id: '7', name: 'Ada', email: '' },
    ]);
    expect(await p.read(HANDLERS)).not.toContain('create-service-link: removed');

    // 6. DeleteUser removed with its messages: the method reads request.hard and still compiles (frozen types).
    await save({
      ...proto,
      rpcs: proto.rpcs.filter((r) => !r.includes('DeleteUser')),
      messages: proto.messages.filter((m) => !del.includes(m)),
    });
    await p.step();
    expect(await p.read(HANDLERS)).toContain('async deleteUser(request: $frozen.DeleteUserRequest');
    expect(await p.run('probe.js', [['UserService', 'fetchUser', { id: '1' }]])).toEqual([
      { id: '1', name: 'Ada', email: '' },
    ]);

    // 7. A new unary RPC, then made server-streaming: the untouched signature follows.
    const list = 'message ListUsersRequest { int32 limit = 1; }';
    await save({
      ...proto,
      rpcs: [...proto.rpcs, 'rpc ListUsers(ListUsersRequest) returns (User);'],
      messages: [...proto.messages, list],
    });
    await p.step();
    await save({
      ...proto,
      rpcs: proto.rpcs.map((r) => (r.startsWith('rpc ListUsers') ? r.replace('(User)', '(stream User)') : r)),
    });
    await p.step();
    expect(await p.read(HANDLERS)).toMatch(/async \*listUsers\([^)]*\): AsyncGenerator<\$msg\.UserInit>/);
    await p.edit(
      HANDLERS,
      stubOf('listUsers'),
      "    for (let i = 0; i < request.limit; i++) yield { id: String(i), name: 'u' };\n",
    );
    await p.step();
    expect(await p.run('probe.js', [['UserService', 'listUsers', { limit: 2 }]])).toEqual([
      [
        { id: '0', name: 'u', email: '' },
        { id: '1', name: 'u', email: '' },
      ],
    ]);

    // 8. The package renamed (every path moves): client and server move together.
    await save({ ...proto, pkg: 'user.v2' });
    await p.step();
    expect(
      await p.run('probe.js', [
        ['UserService', 'fetchUser', { id: '2' }],
        ['AdminService', 'ban', {}],
      ]),
    ).toEqual([{ id: '2', name: 'Ada', email: '' }, { banned: true }]);

    // 9. Mid-edit: handlers.ts does not parse and an RPC is added: generate refuses, writes nothing.
    const good = await p.read(HANDLERS);
    await writeFile(
      path.join(dir, HANDLERS),
      good.replace('return { banned: true };', 'if (request.id) {\n    return { banned: true };'),
    );
    await save({ ...proto, admin: [...proto.admin!, 'rpc Unban(BanRequest) returns (BanResponse);'] });
    const before = await snapshot(dir);
    const refused = await runCli(['generate'], dir);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/src\/links\/user\/handlers\.ts:\d+:\d+: [^]*Nothing was written\./);
    expect(await snapshot(dir)).toEqual(before);
    await writeFile(path.join(dir, HANDLERS), good);
    await p.step();
    expect(await p.run('probe.js', [['AdminService', 'unban', {}]])).toEqual([UNIMPLEMENTED]);

    // 10. The response message renamed: every untouched signature that names it follows.
    await save({
      ...proto,
      rpcs: proto.rpcs.map((r) => r.replace(/\(stream User\)|\(User\)/, (m) => m.replace('User', 'UserView'))),
      messages: proto.messages.map((m) => m.replace('message User {', 'message UserView {')),
    });
    await p.step();
    expect(await p.read(HANDLERS)).toContain('Promise<$msg.UserViewInit>');
    expect(await p.run('probe.js', [['UserService', 'fetchUser', { id: '3' }]])).toEqual([
      { id: '3', name: 'Ada', email: '' },
    ]);

    // 11. AdminService leaves: its class stays (marked), still compiles; nothing serves it.
    const withAdmin = { ...proto };
    await save({ ...proto, admin: undefined, messages: proto.messages.filter((m) => !ban.includes(m)) });
    await p.step();
    expect(await p.read(HANDLERS)).toContain('// create-service-link: removed service: AdminService');
    expect(await p.run('probe.js', [['UserService', 'fetchUser', { id: '4' }]])).toEqual([
      { id: '4', name: 'Ada', email: '' },
    ]);
    // 12. It comes back: served again by the same class, the user's code as it was.
    await save(withAdmin);
    await p.step();
    expect(await p.read(HANDLERS)).not.toContain('removed service');
    // A --rename no link can apply is a usage error, nothing written.
    const unknown = await runCli(['generate', '--rename', 'fetchUser=noSuchRpc'], dir);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('--rename fetchUser=noSuchRpc: no link has an RPC or message type "noSuchRpc"');
    expect(await p.run('probe.js', [['AdminService', 'ban', { id: '1' }]])).toEqual([{ banned: true }]);

    // 13. A response field removed, its number reserved: the user's code never set it, still compiles.
    const view = (m: string) => m.startsWith('message UserView {');
    await save({
      ...proto,
      messages: proto.messages.map((m) =>
        view(m) ? 'message UserView { reserved 3; string id = 1; string name = 2; }' : m,
      ),
    });
    await p.step();
    expect(await p.run('probe.js', [['UserService', 'fetchUser', { id: '5' }]])).toEqual([{ id: '5', name: 'Ada' }]);

    // 14. The request gains a field, and the user's method reads it.
    await save({
      ...proto,
      messages: proto.messages.map((m) =>
        m === get ? 'message GetUserRequest { string id = 1; string locale = 2; }' : m,
      ),
    });
    await p.step();
    await p.rewrite(
      HANDLERS,
      "    return { id: request.id, name: 'Ada' };",
      "    return { id: request.id, name: request.locale === 'fr' ? 'Adèle' : 'Ada' };",
    );
    await p.step();
    expect(await p.run('probe.js', [['UserService', 'fetchUser', { id: '6', locale: 'fr' }]])).toEqual([
      { id: '6', name: 'Adèle' },
    ]);

    // 15. Comments on the RPCs (documentation only): the project compiles, nothing of the user's moves.
    const handlersBefore = await p.read(HANDLERS);
    await save({
      ...proto,
      rpcs: proto.rpcs.map((r) => `// ${r.split('(')[0]!.replace('rpc ', '')}: see the docs.\n  ${r}`),
    });
    await p.step([], 'cli');
    expect(await p.read(HANDLERS)).toBe(handlersBefore);
    expect(
      await p.run('probe.js', [
        ['UserService', 'listUsers', { limit: 1 }],
        ['AdminService', 'ban', { id: '1' }],
      ]),
    ).toEqual([[{ id: '0', name: 'u' }], { banned: true }]);
  }, 600_000);
});

describe('generate --watch and a user file that does not parse', () => {
  it('says so, writes nothing, and regenerates when the file is saved fixed', async () => {
    const dir = await makeProject({ module: 'esm' });
    dirs.push(dir);
    const created = await runCli(['grpc', 'user', '--rpc', 'GetUser:unary', '--yes', '--no-install'], dir);
    expect(created.exitCode, created.stderr).toBe(0);
    const watcher = execa('node', [CLI, 'generate', '--watch'], {
      cwd: dir,
      reject: false,
      env: { NO_COLOR: '1' },
      all: true,
    });
    let output = '';
    watcher.all!.on('data', (d: Buffer) => (output += d.toString()));
    const until = async (pred: () => Promise<boolean> | boolean, what: string) => {
      for (let i = 0; i < 150; i++) {
        if (await pred()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}; output:\n${output}`);
    };
    const handlers = path.join(dir, HANDLERS);
    const protoFile = path.join(dir, 'proto/user.proto');
    try {
      await until(() => output.includes('Watching'), 'the watcher');
      const good = await readFile(handlers, 'utf8');
      await writeFile(
        handlers,
        good.replace('    throw new GrpcError', '    if (request.id) {\n    throw new GrpcError'),
      );
      const contract = await readFile(protoFile, 'utf8');
      await writeFile(
        protoFile,
        contract.replace(
          '  rpc GetUser(',
          '  rpc DeleteUser(GetUserRequest) returns (GetUserResponse);\n  rpc GetUser(',
        ),
      );
      await until(() => output.includes(`Watching ${HANDLERS} too`), 'the refusal');
      expect(output).toMatch(/src\/links\/user\/handlers\.ts:\d+:\d+: [^]*Nothing was written\./);
      expect(await readFile(handlers, 'utf8')).not.toContain('deleteUser');
      expect(watcher.exitCode).toBeNull();
      await writeFile(handlers, good);
      await until(
        async () => (await readFile(handlers, 'utf8')).includes('async deleteUser('),
        'the merge after the fix',
      );
    } finally {
      watcher.kill('SIGTERM');
      await watcher;
    }
  }, 60_000);
});
