// The one reconciler for user-owned files (src/codegen/): the gRPC and queue merges through it, with the
// link state deciding which members are the tool's; a file that does not parse is never merged into;
// files of earlier releases (old markers, no removed record) still reconcile; a no-op generate loads no
// ts-morph.
import { execa } from 'execa';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEdits } from '../src/codegen/edits.js';
import { generateContext } from '../src/core/engine.js';
import type { LinkConfig, LinkState, PlannedFile, ProjectInfo } from '../src/core/types.js';
import { UserFileError } from '../src/errors.js';
import { PATTERNS } from '../src/patterns/index.js';
import { CLI, TOOL_ROOT, makeProject, removeProject, runCli, snapshot } from './helpers/project.js';

const project: ProjectInfo = {
  root: '/nowhere',
  packageManager: 'npm',
  moduleSystem: 'esm',
  importSuffix: '.js',
  srcDir: 'src',
};

/** One generate of a link over in-memory files: what it plans and the state it records. */
async function generate(link: LinkConfig, files: Map<string, string>, previousState: LinkState | undefined) {
  const ctx = generateContext({
    project,
    link,
    runtimeDir: 'src/links/_runtime',
    previousState,
    read: async (f) => files.get(f),
  });
  const result = await (await PATTERNS[link.pattern]!.load()).generate(ctx);
  const handlers = result.files.find(
    (f): f is Extract<PlannedFile, { kind: 'user' }> => f.path === `${link.out}/handlers.ts`,
  )!;
  const existing = files.get(handlers.path);
  const text = existing === undefined ? handlers.content : await handlers.merge!(existing);
  files.set(handlers.path, text);
  return { text, state: result.state };
}

function proto(rpcs: string[]): string {
  return [
    'syntax = "proto3";',
    'package user.v1;',
    'service UserService {',
    ...rpcs.map((r) => `  rpc ${r}(GetUserRequest) returns (GetUserResponse);`),
    '}',
    'message GetUserRequest { string id = 1; }',
    'message GetUserResponse { string id = 1; }',
    '',
  ].join('\n');
}

function asyncapi(types: string[]): string {
  const messages = types
    .map(
      (t) =>
        `      ${t}:\n        name: ${t}\n        payload:\n          type: object\n          properties:\n            id: { type: string }\n`,
    )
    .join('');
  return `asyncapi: 3.0.0\ninfo:\n  title: shop\n  version: 1.0.0\nchannels:\n  shop:\n    address: shop\n    messages:\n${messages}`;
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

describe('edits', () => {
  it("keep the file's newline style, and insertions at one place come out in the order made", () => {
    const text = 'a\r\nb\r\n';
    expect(
      applyEdits(text, [
        { start: 3, end: 3, text: 'x\n' },
        { start: 3, end: 3, text: 'y\n' },
      ]),
    ).toBe('a\r\nx\r\ny\r\nb\r\n');
    expect(
      applyEdits('a\nb\n', [
        { start: 2, end: 4, text: '' },
        { start: 0, end: 0, text: '0\n' },
      ]),
    ).toBe('0\na\n');
  });
});

describe('grpc handlers through the reconciler', () => {
  it("a helper method of the user is never marked; only the removed RPC's method is, and the state names it", async () => {
    const files = new Map([['proto/user.proto', proto(['GetUser', 'DeleteUser'])]]);
    let { text, state } = await generate(grpcLink, files, undefined);
    expect(state).toMatchObject({ UserService: ['getUser', 'deleteUser'], removed: [] });
    const helper =
      '  private audit(id: string): void {\n    void id;\n  }\n\n  /** mine */\n  deleteUserLater(): void {}\n';
    files.set(HANDLERS, text.replace(/\n\}\n$/, `\n\n${helper}}\n`));
    files.set('proto/user.proto', proto(['GetUser']));
    ({ text, state } = await generate(grpcLink, files, state));
    expect(state).toMatchObject({ UserService: ['getUser'], removed: ['UserServiceImpl.deleteUser'] });
    expect(text.match(/create-service-link: removed RPC/g)).toHaveLength(1);
    expect(text).toMatch(
      /\/\/ create-service-link: removed RPC: UserService no longer has this RPC.*\n {2}async deleteUser\(/,
    );
    expect(text).toContain(`\n\n${helper}}\n`);
    // Back again: the marker goes, the file is what the user left.
    files.set('proto/user.proto', proto(['GetUser', 'DeleteUser']));
    ({ text, state } = await generate(grpcLink, files, state));
    expect(text).toBe(files.get(HANDLERS));
    expect(text).not.toContain('create-service-link:');
    expect(state).toMatchObject({ UserService: ['getUser', 'deleteUser'], removed: [] });
  });

  it('a method of the user named like a new RPC is never taken over: generate stops naming both, public or not; a static one is no handler', async () => {
    const files = new Map([['proto/user.proto', proto(['GetUser'])]]);
    const first = await generate(grpcLink, files, undefined);
    files.set('proto/user.proto', proto(['GetUser', 'DeleteUser']));
    for (const mine of [
      '  async deleteUser(): Promise<void> {}\n',
      '  private deleteUser(): string {\n    return "x";\n  }\n',
    ]) {
      files.set(HANDLERS, first.text.replace(/\n\}\n$/, `\n\n${mine}}\n`));
      const error = await generate(grpcLink, files, first.state).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserFileError);
      expect((error as Error).message).toMatch(
        /^src\/links\/user\/handlers\.ts:\d+:3: UserService\.DeleteUser is new in the \.proto and its handler must be the method "deleteUser" of UserServiceImpl, but "deleteUser" there is your own member/,
      );
    }
    files.set(HANDLERS, first.text.replace(/\n\}\n$/, '\n\n  static deleteUser(): void {}\n}\n'));
    const beside = await generate(grpcLink, files, first.state);
    expect(beside.text).toContain('  static deleteUser(): void {}\n\n  async deleteUser(request: $msg.GetUserRequest');
  });

  it('a file of an earlier release (old marker, state without the removed record) still reconciles', async () => {
    const files = new Map([['proto/user.proto', proto(['GetUser', 'DeleteUser'])]]);
    const { text } = await generate(grpcLink, files, undefined);
    const marked = text.replace(
      '  async deleteUser(',
      '  // service-link: removed RPC: UserService no longer has this RPC in the .proto; nothing calls this method now.\n  async deleteUser(',
    );
    files.set(HANDLERS, marked);
    const back = await generate(grpcLink, files, { UserService: ['getUser'] });
    expect(back.text).toBe(text);
    expect(back.state).toMatchObject({ UserService: ['getUser', 'deleteUser'], removed: [] });
    // Still gone: the old marker stays as it is (it is not marked twice) and the state records it.
    files.set(HANDLERS, marked);
    files.set('proto/user.proto', proto(['GetUser']));
    const gone = await generate(grpcLink, files, { UserService: ['getUser'] });
    expect(gone.text).toBe(marked);
    expect(gone.state).toMatchObject({ UserService: ['getUser'], removed: ['UserServiceImpl.deleteUser'] });
  });

  it('a handlers file that does not parse is never merged into: the error names file, line and column', async () => {
    const files = new Map([['proto/user.proto', proto(['GetUser'])]]);
    const { text, state } = await generate(grpcLink, files, undefined);
    files.set(HANDLERS, text.replace('    throw new GrpcError', '    if (request.id) {\n    throw new GrpcError'));
    files.set('proto/user.proto', proto(['GetUser', 'DeleteUser']));
    const error = await generate(grpcLink, files, state).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFileError);
    expect((error as Error).message).toMatch(
      /^src\/links\/user\/handlers\.ts:\d+:\d+: .*the '\{' on line 11 and the '\}' on line 13 do not line up/,
    );
  });
});

describe('queue handlers through the reconciler', () => {
  it('only handlers the state knows move out; a property of the user named like a new type stops generate', async () => {
    const files = new Map([['asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold'])]]);
    const first = await generate(queueLink, files, undefined);
    expect(first.state).toMatchObject({ messageTypes: ['ItemAdded', 'ItemSold'], removed: [] });
    // The user has a property named like a type not in the contract yet, then adds the type.
    const early = '  async ItemShipped(message) {\n    console.log(message.id);\n  },\n';
    files.set(QUEUE_HANDLERS, first.text.replace(/\n\};\n$/, `\n${early}};\n`));
    files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemShipped']));
    const error = await generate(queueLink, files, first.state).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFileError);
    expect((error as Error).message).toMatch(
      /^src\/links\/shop\/handlers\.ts:\d+:3: message type "ItemShipped" is new in asyncapi\/shop\.yaml and its handler must be the property "ItemShipped" of `handlers`, but that property is your own/,
    );
    files.set(QUEUE_HANDLERS, first.text);
    const next = await generate(queueLink, files, first.state);
    expect(next.state).toMatchObject({ messageTypes: ['ItemAdded', 'ItemShipped'], removed: ['handlers.ItemSold'] });
    expect(next.text).toMatch(/export const removedHandlers: [^\n]*\n {2}async ItemSold\(/);
    // A property of the user's own that the state never had stays in `handlers` when other types go.
    const own = next.text.replace(
      'export const handlers: ShopHandlers = {\n',
      'export const handlers: ShopHandlers = {\n  ...extra,\n',
    );
    files.set(QUEUE_HANDLERS, own);
    files.set('asyncapi/shop.yaml', asyncapi(['ItemShipped']));
    const after = await generate(queueLink, files, next.state);
    expect(after.text).toContain('export const handlers: ShopHandlers = {\n  ...extra,\n  async ItemShipped(');
    expect(after.text).toMatch(/ {2}async ItemSold\([^]*\n {2}async ItemAdded\(/);
    expect(after.state).toMatchObject({
      messageTypes: ['ItemShipped'],
      removed: ['handlers.ItemAdded', 'handlers.ItemSold'],
    });
  });

  it('a file of an earlier release (per-handler marker, no removed record) still reconciles', async () => {
    const files = new Map([['asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold'])]]);
    const { text } = await generate(queueLink, files, undefined);
    files.set(
      QUEUE_HANDLERS,
      text.replace(
        '  async ItemSold(',
        '  // create-service-link: message type "ItemSold" is no longer in asyncapi/shop.yaml; remove this handler.\n  async ItemSold(',
      ),
    );
    files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded']));
    const moved = await generate(queueLink, files, { messageTypes: ['ItemAdded'] });
    expect(moved.text).not.toContain('message type "ItemSold"');
    expect(moved.text).toMatch(/export const removedHandlers: [^\n]*\n {2}async ItemSold\(/);
    expect(moved.state).toMatchObject({ messageTypes: ['ItemAdded'], removed: ['handlers.ItemSold'] });
    // A removedHandlers const of an earlier release: its handlers come back with their type.
    files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold']));
    const back = await generate(queueLink, files, { messageTypes: ['ItemAdded'] });
    expect(back.text).toBe(text);
  });

  it('CRLF files stay CRLF through a move out and back', async () => {
    const files = new Map([['asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold'])]]);
    const first = await generate(queueLink, files, undefined);
    const crlf = first.text.replace(/\n/g, '\r\n');
    files.set(QUEUE_HANDLERS, crlf);
    files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded']));
    const out = await generate(queueLink, files, first.state);
    expect(out.text).toContain('removedHandlers');
    expect(out.text.replace(/\r\n/g, '')).not.toContain('\n');
    files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold']));
    expect((await generate(queueLink, files, out.state)).text).toBe(crlf);
  });
});

describe('through the CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeProject({ module: 'esm' });
  });
  afterAll(async () => {
    await removeProject(dir);
  });

  it('a no-op generate loads no ts-morph; a half-edited handlers file with a merge due fails with file:line, exit 1, nothing written', async () => {
    expect((await runCli(['grpc', 'user', '--rpc', 'GetUser:unary', '--yes', '--no-install'], dir)).exitCode).toBe(0);
    expect(
      (await runCli(['queue', 'shop', '--message', 'ItemAdded:sku=string', '--yes', '--no-install'], dir)).exitCode,
    ).toBe(0);
    const trace = path.join(dir, '.trace');
    const noop = await execa(
      'node',
      ['--import', path.join(TOOL_ROOT, 'test/fixtures/trace-imports.mjs'), CLI, 'generate'],
      { cwd: dir, reject: false, env: { CSL_TRACE_FILE: trace } },
    );
    expect(noop.exitCode, noop.stderr).toBe(0);
    const loaded = await readFile(trace, 'utf8');
    await rm(trace);
    expect(loaded).toContain('/patterns/grpc/generate.js');
    expect(loaded).toContain('/patterns/queue/generate.js');
    expect(loaded).not.toContain('ts-morph');
    expect(loaded).not.toContain('/codegen/reconcile.js');

    // An unclosed brace in each handlers file, and a new RPC and message type to merge.
    const grpcHandlers = path.join(dir, 'src/links/user/handlers.ts');
    await writeFile(
      grpcHandlers,
      (await readFile(grpcHandlers, 'utf8')).replace(
        '    throw new GrpcError',
        '    if (request.id) {\n    throw new GrpcError',
      ),
    );
    const protoPath = path.join(dir, 'proto/user.proto');
    await writeFile(
      protoPath,
      (await readFile(protoPath, 'utf8')).replace(
        '  rpc GetUser(',
        '  rpc DeleteUser(GetUserRequest) returns (GetUserResponse);\n  rpc GetUser(',
      ),
    );
    const before = await snapshot(dir);
    const grpc = await runCli(['generate', 'user'], dir);
    expect(grpc.exitCode).toBe(1);
    expect(grpc.stderr).toMatch(
      /src\/links\/user\/handlers\.ts:\d+:\d+: .*the '\{' on line 11 and the '\}' on line 13 do not line up[^]*fix the syntax, then run `create-service-link generate` again[^]*Nothing was written\./,
    );
    expect(await snapshot(dir)).toEqual(before);

    const queueHandlers = path.join(dir, 'src/links/shop/handlers.ts');
    await writeFile(
      queueHandlers,
      (await readFile(queueHandlers, 'utf8')).replace(
        '    throw new Error',
        '    if (message.sku) {\n    throw new Error',
      ),
    );
    const docPath = path.join(dir, 'asyncapi/shop.yaml');
    const doc = await readFile(docPath, 'utf8');
    const edited = doc.replace(
      '      ItemAdded:\n        $ref: "#/components/messages/ItemAdded"\n',
      '      ItemAdded:\n        $ref: "#/components/messages/ItemAdded"\n      ItemSold:\n        payload:\n          type: object\n',
    );
    expect(edited).not.toBe(doc);
    await writeFile(docPath, edited);
    const snap = await snapshot(dir);
    const queue = await runCli(['generate', 'shop'], dir);
    expect(queue.exitCode).toBe(1);
    expect(queue.stderr).toMatch(/src\/links\/shop\/handlers\.ts:\d+:\d+: [^]*Nothing was written\./);
    expect(await snapshot(dir)).toEqual(snap);
  }, 60_000);
});
