// Regeneration you can trust (issue 11): a test per defect, at merge level over in-memory files (fast);
// the end-to-end runs with tsc and real peers are in regen-e2e-*.test.ts.
import { describe, expect, it } from 'vitest';
import { generateContext } from '../src/core/engine.js';
import type { LinkConfig, LinkState, PlannedFile, ProjectInfo } from '../src/core/types.js';
import { UserFileError } from '../src/errors.js';
import { PATTERNS } from '../src/patterns/index.js';

const project: ProjectInfo = {
  root: '/nowhere',
  packageManager: 'npm',
  moduleSystem: 'esm',
  importSuffix: '.js',
  srcDir: 'src',
};

interface Run {
  files: Map<string, string>;
  state: LinkState | undefined;
  notes: string[];
}

/**
 * One generate over in-memory files, written back as the commit would: generated files replaced (or
 * deleted when no longer planned), user files created or merged. Returns the notes it printed.
 */
async function generate(link: LinkConfig, run: Run, renames: Record<string, string> = {}): Promise<string[]> {
  const notes: string[] = [];
  const ctx = generateContext({
    project,
    link,
    runtimeDir: 'src/links/_runtime',
    previousState: run.state,
    read: async (f) => run.files.get(f),
    renames: new Map(Object.entries(renames)),
    note: (text) => notes.push(text),
  });
  const result = await (await PATTERNS[link.pattern]!.load()).generate(ctx);
  const planned = new Set(result.files.map((f) => f.path));
  const writes = new Map<string, string>();
  for (const file of result.files) {
    const existing = run.files.get(file.path);
    const user = file as Extract<PlannedFile, { kind: 'user' }>;
    writes.set(
      file.path,
      file.kind === 'user' && existing !== undefined
        ? user.merge
          ? await user.merge(existing)
          : existing
        : file.content,
    );
  }
  for (const path of [...run.files.keys()])
    if (path.startsWith(`${link.out}/`) && !planned.has(path) && run.files.get(path)!.startsWith('// Code generated'))
      run.files.delete(path);
  for (const [path, text] of writes) run.files.set(path, text);
  run.state = result.state;
  run.notes = notes;
  return notes;
}

const grpcLink: LinkConfig = {
  name: 'user',
  pattern: 'grpc',
  contracts: ['proto/user.proto'],
  out: 'src/links/user',
  options: {},
};
const queueLink: LinkConfig = {
  name: 'shop',
  pattern: 'queue',
  contracts: ['asyncapi/shop.yaml'],
  out: 'src/links/shop',
  options: {},
};
const HANDLERS = 'src/links/user/handlers.ts';
const QUEUE_HANDLERS = 'src/links/shop/handlers.ts';

function proto(lines: string[], messages: string[] = []): string {
  return [
    'syntax = "proto3";',
    'package user.v1;',
    'service UserService {',
    ...lines,
    '}',
    'message GetUserRequest { string id = 1; }',
    'message GetUserResponse { string id = 1; string name = 2; }',
    ...messages,
    '',
  ].join('\n');
}

async function grpcRun(text: string): Promise<Run> {
  const run: Run = { files: new Map([['proto/user.proto', text]]), state: undefined, notes: [] };
  await generate(grpcLink, run);
  return run;
}

/** handlers.ts with `body` as the body of `method` (the stub's throw replaced). */
function withBody(text: string, method: string, body: string): string {
  const at = text.indexOf(`${method}(`);
  const start = text.indexOf('    throw new GrpcError', at);
  const end = text.indexOf('\n', start) + 1;
  return text.slice(0, start) + body + text.slice(end);
}

describe('1. a user file that does not parse is never merged into', () => {
  it('gRPC: an unclosed method above another, and a new RPC: generate refuses at file:line:column (no duplicate stub)', async () => {
    const run = await grpcRun(
      proto([
        '  rpc GetUser(GetUserRequest) returns (GetUserResponse);',
        '  rpc ListUsers(GetUserRequest) returns (GetUserResponse);',
      ]),
    );
    const open = run.files
      .get(HANDLERS)!
      .replace(/(async getUser\([^]*?\{\n)[^]*?\n {2}\}\n/, '$1    const id = request.id;\n');
    run.files.set(HANDLERS, open);
    run.files.set(
      'proto/user.proto',
      proto([
        '  rpc GetUser(GetUserRequest) returns (GetUserResponse);',
        '  rpc ListUsers(GetUserRequest) returns (GetUserResponse);',
        '  rpc DeleteUser(GetUserRequest) returns (GetUserResponse);',
      ]),
    );
    const error = await generate(grpcLink, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFileError);
    expect((error as Error).message).toMatch(/^src\/links\/user\/handlers\.ts:\d+:\d+: .*nothing was merged/);
    expect(run.files.get(HANDLERS)).toBe(open);
  });

  it("queue: an unclosed `{` in handlers.ts and a new message type: generate refuses, the object's `};` is not touched", async () => {
    const run: Run = { files: new Map([['asyncapi/shop.yaml', asyncapi(['ItemAdded'])]]), state: undefined, notes: [] };
    await generate(queueLink, run);
    const open = run.files
      .get(QUEUE_HANDLERS)!
      .replace(
        '  async ItemAdded(message, context) {\n',
        '  async ItemAdded(message, context) {\n    if (message.id) {\n',
      );
    run.files.set(QUEUE_HANDLERS, open);
    run.files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold']));
    const error = await generate(queueLink, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFileError);
    expect((error as Error).message).toMatch(/^src\/links\/shop\/handlers\.ts:\d+:\d+: /);
    expect(run.files.get(QUEUE_HANDLERS)).toBe(open);
  });
});

describe('2. a removed RPC whose method reads the request keeps compiling', () => {
  const two = proto(
    [
      '  rpc GetUser(GetUserRequest) returns (GetUserResponse);',
      '  rpc DeleteUser(DeleteUserRequest) returns (DeleteUserResponse);',
    ],
    [
      'message DeleteUserRequest { string id = 1; Reason reason = 2; }',
      'message DeleteUserResponse { bool done = 1; }',
      'enum Reason { REASON_UNSPECIFIED = 0; SPAM = 1; }',
    ],
  );
  it('its gone messages are frozen in frozen.ts as they were, named through $frozen; deleting the method removes them', async () => {
    const run = await grpcRun(two);
    const mine = withBody(
      run.files.get(HANDLERS)!,
      'deleteUser',
      '    return { done: request.id !== "" && request.reason === 1 };\n',
    ).replace('_request', 'request');
    run.files.set(HANDLERS, mine);
    run.files.set('proto/user.proto', proto(['  rpc GetUser(GetUserRequest) returns (GetUserResponse);']));
    await generate(grpcLink, run);
    const text = run.files.get(HANDLERS)!;
    expect(text).toContain(
      'async deleteUser(request: $frozen.DeleteUserRequest, ctx: CallContext): Promise<$frozen.DeleteUserResponseInit> {',
    );
    expect(text).toContain("import type * as $frozen from './frozen.js';");
    expect(text).toContain('    return { done: request.id !== "" && request.reason === 1 };\n');
    const frozen = run.files.get('src/links/user/frozen.ts')!;
    expect(frozen).toMatch(/^\/\/ Code generated by create-service-link/);
    expect(frozen).toContain('export interface DeleteUserRequest {\n  id: string;\n  reason: Reason;\n}');
    expect(frozen).toContain('export interface DeleteUserResponseInit {');
    expect(frozen).toContain('export type Reason = (typeof Reason)[keyof typeof Reason];');
    expect(frozen).not.toContain('GetUserRequest');
    // Stable: a second generate changes nothing.
    const before = new Map(run.files);
    await generate(grpcLink, run);
    expect(run.files).toEqual(before);
    // Back: the generated types return, frozen.ts goes.
    run.files.set('proto/user.proto', two);
    await generate(grpcLink, run);
    expect(run.files.get(HANDLERS)).toBe(mine);
    expect(run.files.has('src/links/user/frozen.ts')).toBe(false);
    // Gone again, then the user deletes the method: frozen.ts and its import go.
    run.files.set('proto/user.proto', proto(['  rpc GetUser(GetUserRequest) returns (GetUserResponse);']));
    await generate(grpcLink, run);
    const kept = run.files.get(HANDLERS)!;
    run.files.set(HANDLERS, kept.replace(/\n {2}\/\/ create-service-link: removed RPC[^]*?\n {2}\}\n/, '\n'));
    await generate(grpcLink, run);
    expect(run.files.has('src/links/user/frozen.ts')).toBe(false);
    expect(run.files.get(HANDLERS)).not.toContain('$frozen');
  });
});

describe('3. only members the tool wrote are handlers', () => {
  it('a private helper named like a new RPC stops generate naming both; a helper is never marked when an RPC goes', async () => {
    const run = await grpcRun(proto(['  rpc GetUser(GetUserRequest) returns (GetUserResponse);']));
    const helper = '  private describe(): string {\n    return "user";\n  }\n';
    const mine = run.files.get(HANDLERS)!.replace(/\n\}\n$/, `\n\n${helper}}\n`);
    run.files.set(HANDLERS, mine);
    run.files.set(
      'proto/user.proto',
      proto([
        '  rpc GetUser(GetUserRequest) returns (GetUserResponse);',
        '  rpc Describe(GetUserRequest) returns (GetUserResponse);',
      ]),
    );
    const error = await generate(grpcLink, run).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /UserService\.Describe is new in the \.proto .* "describe" there is your own member/,
    );
    expect(run.files.get(HANDLERS)).toBe(mine);
    run.files.set('proto/user.proto', proto([]));
    await generate(grpcLink, run);
    expect(run.files.get(HANDLERS)).toContain(`\n\n${helper}}\n`);
    expect(run.files.get(HANDLERS)!.match(/removed RPC/g)).toHaveLength(1);
  });
});

describe('4. every service of a contract is served', () => {
  it('register.ts registers every handlers class; a server.ts registering by hand gets a note naming the unserved service', async () => {
    const run = await grpcRun(proto(['  rpc GetUser(GetUserRequest) returns (GetUserResponse);']));
    expect(run.files.get('src/links/user/server.ts')).toContain(
      '  registerServices(server, {}, { middleware: options.middleware });\n',
    );
    const withAdmin = `${proto(['  rpc GetUser(GetUserRequest) returns (GetUserResponse);'])}service AdminService {\n  rpc Ban(GetUserRequest) returns (GetUserResponse);\n}\n`;
    run.files.set('proto/user.proto', withAdmin);
    const notes = await generate(grpcLink, run);
    expect(notes).toEqual([]);
    const register = run.files.get('src/links/user/register.ts')!;
    expect(register).toContain('  addUserService(server, handlers.UserService ?? new UserServiceImpl(), options);\n');
    expect(register).toContain(
      '  addAdminService(server, handlers.AdminService ?? new AdminServiceImpl(), options);\n',
    );
    expect(run.files.get(HANDLERS)).toContain(
      'export class AdminServiceImpl implements $service.AdminServiceHandlers {',
    );
    // A server.ts of an earlier release: one service by hand.
    const byHand = run.files
      .get('src/links/user/server.ts')!
      .replace(
        '  registerServices(server, {}, { middleware: options.middleware });\n',
        '  addUserService(server, new UserServiceImpl());\n',
      );
    run.files.set('src/links/user/server.ts', byHand);
    expect(await generate(grpcLink, run)).toEqual([
      expect.stringMatching(
        /server\.ts registers its services by hand and does not serve AdminService .*registerServices\(server\);/,
      ),
    ]);
    expect(run.files.get('src/links/user/server.ts')).toBe(byHand);
    // Older still: no health, reflection or drain either.
    const beforeProduction = 'import { registerServices } from "./register.js";\nregisterServices(server);\n';
    run.files.set('src/links/user/server.ts', beforeProduction);
    expect(await generate(grpcLink, run)).toEqual([
      expect.stringMatching(
        /server\.ts is from an earlier release: it serves no grpc\.health\.v1 health .*delete it and run generate/,
      ),
    ]);
    expect(run.files.get('src/links/user/server.ts')).toBe(beforeProduction);
  });
});

describe('4b. a service that leaves the .proto', () => {
  it('its class stays, marked, without the interface that is gone and with its messages frozen; back, it is as it was', async () => {
    const admin =
      'service AdminService {\n  rpc Ban(BanRequest) returns (BanResponse);\n}\nmessage BanRequest { string id = 1; }\nmessage BanResponse { bool banned = 1; }\n';
    const base = proto(['  rpc GetUser(GetUserRequest) returns (GetUserResponse);']);
    const run = await grpcRun(`${base}${admin}`);
    const mine = withBody(run.files.get(HANDLERS)!, 'ban', '    return { banned: request.id !== "" };\n');
    run.files.set(HANDLERS, mine);
    run.files.set('proto/user.proto', base);
    await generate(grpcLink, run);
    const text = run.files.get(HANDLERS)!;
    expect(text).toMatch(
      /\/\/ create-service-link: removed service: AdminService is no longer in the \.proto.*\n\/\*\* Implements user\.v1\.AdminService[^\n]*\nexport class AdminServiceImpl \{\n/,
    );
    expect(text).toContain(
      'async ban(request: $frozen.BanRequest, ctx: CallContext): Promise<$frozen.BanResponseInit> {',
    );
    expect(run.files.get('src/links/user/frozen.ts')).toContain('export interface BanRequest {');
    expect(run.files.get('src/links/user/register.ts')).not.toContain('Admin');
    const before = new Map(run.files);
    await generate(grpcLink, run);
    expect(run.files).toEqual(before);
    run.files.set('proto/user.proto', `${base}${admin}`);
    await generate(grpcLink, run);
    expect(run.files.get(HANDLERS)).toBe(mine);
  });
});

describe('5. signatures the tool wrote follow the contract', () => {
  it('unary -> server-stream and a renamed response message rewrite an untouched signature; a changed one stays and the new one is printed', async () => {
    const run = await grpcRun(
      proto([
        '  rpc GetUser(GetUserRequest) returns (GetUserResponse);',
        '  rpc ListUsers(GetUserRequest) returns (GetUserResponse);',
      ]),
    );
    const mine = run.files
      .get(HANDLERS)!
      .replace('async listUsers(request: $msg.GetUserRequest', 'async listUsers(req: $msg.GetUserRequest | undefined');
    run.files.set(HANDLERS, mine);
    run.files.set(
      'proto/user.proto',
      proto(
        [
          '  rpc GetUser(GetUserRequest) returns (stream UserView);',
          '  rpc ListUsers(GetUserRequest) returns (stream UserView);',
        ],
        ['message UserView { string id = 1; }'],
      ),
    );
    const notes = await generate(grpcLink, run);
    const text = run.files.get(HANDLERS)!;
    expect(text).toContain(
      '  async *getUser(request: $msg.GetUserRequest, ctx: CallContext): AsyncGenerator<$msg.UserViewInit> {\n',
    );
    expect(text).toContain(
      'async listUsers(req: $msg.GetUserRequest | undefined, ctx: CallContext): Promise<$msg.GetUserResponseInit>',
    );
    expect(notes).toEqual([
      'UserService.ListUsers changed in the .proto and UserServiceImpl.listUsers has a signature of yours, so it was left alone. It must now read: async *listUsers(request: $msg.GetUserRequest, ctx: CallContext): AsyncGenerator<$msg.UserViewInit>',
    ]);
    // Said once: the next generate is quiet and changes nothing.
    const before = new Map(run.files);
    expect(await generate(grpcLink, run)).toEqual([]);
    expect(run.files).toEqual(before);
    // And back to unary: the `*` goes.
    run.files.set(
      'proto/user.proto',
      proto([
        '  rpc GetUser(GetUserRequest) returns (GetUserResponse);',
        '  rpc ListUsers(GetUserRequest) returns (GetUserResponse);',
      ]),
    );
    await generate(grpcLink, run);
    expect(run.files.get(HANDLERS)).toContain(
      '  async getUser(request: $msg.GetUserRequest, ctx: CallContext): Promise<$msg.GetUserResponseInit> {\n',
    );
  });
});

describe('6. renames', () => {
  it('gRPC: an RPC removed and one added with the same types is named; --rename moves the body to the new name', async () => {
    const run = await grpcRun(proto(['  rpc GetUser(GetUserRequest) returns (GetUserResponse);']));
    const mine = withBody(run.files.get(HANDLERS)!, 'getUser', '    return { id: request.id, name: "Ada" };\n');
    run.files.set(HANDLERS, mine);
    run.files.set('proto/user.proto', proto(['  rpc FetchUser(GetUserRequest) returns (GetUserResponse);']));
    const notes = await generate(grpcLink, run);
    expect(notes).toEqual([expect.stringContaining('run `create-service-link generate --rename getUser=fetchUser`')]);
    expect(run.files.get(HANDLERS)).toContain('async fetchUser(');
    // Later, the rename: the untouched stub goes, the method moves (body and all), no marker left.
    await generate(grpcLink, run, { getUser: 'FetchUser' });
    expect(run.files.get(HANDLERS)).toBe(mine.replace('async getUser(', 'async fetchUser('));
    expect(run.state).toMatchObject({ UserService: ['fetchUser'], removed: [] });
    // In the same run as the contract change: the method is renamed in place.
    run.files.set('proto/user.proto', proto(['  rpc LoadUser(GetUserRequest) returns (GetUserResponse);']));
    await generate(grpcLink, run, { fetchUser: 'loadUser' });
    expect(run.files.get(HANDLERS)).toBe(mine.replace('async getUser(', 'async loadUser('));
    const error = await generate(grpcLink, run, { nothing: 'loadUser' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^--rename nothing=loadUser: UserServiceImpl has no handler "nothing"/);
  });

  it('queue: a type removed and one added with the same payload is named; --rename moves the handler back from the parking const', async () => {
    const run: Run = {
      files: new Map([['asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold'])]]),
      state: undefined,
      notes: [],
    };
    await generate(queueLink, run);
    const mine = run.files
      .get(QUEUE_HANDLERS)!
      .replace(
        /async ItemSold\(message, context\) \{[^]*?\n {2}\},/,
        'async ItemSold(message) {\n    console.log(message.id);\n  },',
      );
    run.files.set(QUEUE_HANDLERS, mine);
    run.files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemPurchased']));
    const notes = await generate(queueLink, run);
    expect(notes).toEqual([
      expect.stringContaining('run `create-service-link generate --rename ItemSold=ItemPurchased`'),
    ]);
    await generate(queueLink, run, { ItemSold: 'ItemPurchased' });
    expect(run.files.get(QUEUE_HANDLERS)).toBe(mine.replace('async ItemSold(', 'async ItemPurchased('));
    expect(run.state).toMatchObject({ messageTypes: ['ItemAdded', 'ItemPurchased'], removed: [] });
    // In the same run as the contract change: renamed where it stands.
    run.files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemBought']));
    await generate(queueLink, run, { ItemPurchased: 'ItemBought' });
    expect(run.files.get(QUEUE_HANDLERS)).toBe(mine.replace('async ItemSold(', 'async ItemBought('));
    // A stub with code in it is not thrown away.
    run.files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemTaken']));
    await generate(queueLink, run);
    run.files.set(
      QUEUE_HANDLERS,
      run.files.get(QUEUE_HANDLERS)!.replace(/(async ItemTaken\(message, context\) \{\n)/, '$1    console.log(1);\n'),
    );
    const error = await generate(queueLink, run, { ItemBought: 'ItemTaken' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /--rename ItemBought=ItemTaken: `handlers` already has a handler "ItemTaken" with code in it/,
    );
  });
});

describe('9. queue: a message type deleted and brought back', () => {
  it('its handler returns where it was, byte for byte', async () => {
    const run: Run = {
      files: new Map([['asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold', 'ItemShipped'])]]),
      state: undefined,
      notes: [],
    };
    await generate(queueLink, run);
    const first = run.files.get(QUEUE_HANDLERS)!;
    run.files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemShipped']));
    await generate(queueLink, run);
    expect(run.files.get(QUEUE_HANDLERS)).toContain('removedHandlers');
    run.files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold', 'ItemShipped']));
    await generate(queueLink, run);
    expect(run.files.get(QUEUE_HANDLERS)).toBe(first);
  });
});

function asyncapi(types: string[]): string {
  const messages = types
    .map(
      (t) =>
        `      ${t}:\n        name: ${t}\n        payload:\n          type: object\n          properties:\n            id: { type: string }\n`,
    )
    .join('');
  return `asyncapi: 3.0.0\ninfo:\n  title: shop\n  version: 1.0.0\nchannels:\n  shop:\n    address: shop\n    messages:\n${messages}`;
}
