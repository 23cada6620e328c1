// Generated code compiles in projects stricter than `strict`: the flags of @tsconfig/strictest plus
// verbatimModuleSyntax, reached through a tsconfig `extends` chain (so detection follows it too).
// A fresh scaffold of every pattern must type-check there before the user writes a line.
// The tests share one project (one tsc setup) and run in order, each adding links to it. The first compile
// goes through compile() (a real `tsc` when it is the worker's first); the later ones of the same project run the same compiler in this process
// (test/helpers/in-process.ts), which parses the node_modules .d.ts files only once.
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileInProcess } from './helpers/in-process.js';
import { compile, makeProject, removeProject, runCli } from './helpers/project.js';
import { NODE_NEXT, STRICTEST_FLAGS } from './helpers/strictest.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');

const USE_OPTIONS = `import { connectionOptions, type CallOptions } from './links/user/index.js';
import type { ClientConfig, CallOptions as RestCallOptions } from './links/accounts/index.js';
import type { ConsumerOptions, PublishOptions, PublisherOptions } from './links/order/index.js';
import type { OrderInit } from './links/shop/index.js';

const maybe = (): string | undefined => process.env['MAYBE'];
const maybeNumber = (): number | undefined => (maybe() ? 1 : undefined);
export const grpcConnection = connectionOptions({ token: maybe(), address: maybe(), timeoutMs: maybeNumber() });
export const grpcCall: CallOptions = { requestId: maybe(), timeoutMs: maybeNumber(), signal: undefined };
export const restConfig: ClientConfig = { baseUrl: maybe(), token: maybe(), timeoutMs: maybeNumber() };
export const restCall: RestCallOptions = { requestId: maybe(), retries: maybeNumber() };
export const publisher: PublisherOptions = { queueUrl: maybe(), maxAttempts: maybeNumber() };
export const publish: PublishOptions = { delaySeconds: maybeNumber() };
export const consumer: Omit<ConsumerOptions, 'handlers'> = { queueUrl: maybe(), concurrency: maybeNumber() };
export const order: OrderInit = { note: maybe(), detail: { typeUrl: maybe(), value: undefined } };
`;

let dir = '';
beforeAll(async () => {
  dir = await makeProject({
    files: {
      'tsconfig.strictest.json': JSON.stringify({ compilerOptions: STRICTEST_FLAGS }, null, 2),
      'tsconfig.json': JSON.stringify(
        {
          extends: './tsconfig.strictest.json',
          compilerOptions: NODE_NEXT,
          include: ['src'],
        },
        null,
        2,
      ),
    },
  });
  await cp(path.join(FIXTURES, 'grpc', 'kitchen'), path.join(dir, 'protos'), { recursive: true });
  await cp(path.join(FIXTURES, 'rest', 'pets'), path.join(dir, 'openapi'), { recursive: true });
});
afterAll(async () => {
  if (dir) await removeProject(dir);
});

/** Creates a link; its stderr must be empty, or only the `warnings` expected. */
async function scaffold(args: string[], warnings: RegExp[] = []): Promise<void> {
  const r = await runCli([...args, '--yes', '--no-install'], dir);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines.length, r.stderr).toBe(warnings.length);
  for (const [i, w] of warnings.entries()) expect(lines[i]).toMatch(w);
  expect(r.exitCode).toBe(0);
}

const EMPTY_OPENAPI = 'openapi: 3.0.3\ninfo: { title: Empty, version: "1" }\npaths: {}\n';
const ONEOF_ASYNCAPI = `asyncapi: 3.0.0
info: { title: Pay, version: 1.0.0 }
channels:
  pay:
    messages:
      Pay:
        payload:
          type: object
          oneOf:
            - { type: object, required: [card], properties: { card: { type: string } } }
            - { type: object, required: [iban], properties: { iban: { type: string } } }
      Note:
        payload: { type: object, properties: { text: { type: string } } }
`;
const USE_INPUTS = `import { AccountsClient } from './links/accounts/index.js';
import type { Note, Pay } from './links/pay/index.js';

const maybe = (): string | undefined => process.env['MAYBE'];
export const listed = new AccountsClient().listAccounts({ limit: maybe() ? 1 : undefined });
// Payloads exactly as the document describes them: the message type travels beside them.
export const note: Note = { text: maybe() };
export const pay: Pay = { card: 'x' };
`;

describe('generated code under @tsconfig/strictest flags', () => {
  it('every pattern compiles on the first run', async () => {
    await scaffold(['grpc', 'shop', '--proto', 'protos/acme/shop.proto', '--proto-path', 'protos']);
    await scaffold([
      'grpc',
      'user',
      '--rpc',
      'GetUser:unary',
      '--rpc',
      'ListUsers:server-stream',
      '--rpc',
      'UploadAvatars:client-stream',
      '--rpc',
      'Chat:bidi',
    ]);
    await scaffold(['rest', 'pets', '--openapi', 'openapi/openapi.yaml']);
    await scaffold(['rest', 'accounts', '--resource', 'accounts:id=uuid,email=email,name=string,tags?=string[]']);
    await scaffold([
      'queue',
      'order',
      '--message',
      'OrderCreated:orderId=string,total=number,tags?=string[]',
      '--message',
      'OrderCancelled:orderId=string,reason?=string',
    ]);
    await scaffold(['queue', 'jobs', '--fifo', '--message', 'JobQueued:id=string']);
    // User code under exactOptionalPropertyTypes may pass a value that can be undefined to any option.
    await writeFile(path.join(dir, 'src', 'use-options.ts'), USE_OPTIONS);
    const r = await compile(dir);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
    // The stubs the user fills in mark their unused parameters the way noUnusedParameters expects.
    const handlers = await readFile(path.join(dir, 'src/links/user/handlers.ts'), 'utf8');
    expect(handlers).toContain('async getUser(_request: $msg.GetUserRequest, _ctx: CallContext)');

    // So do the stubs `generate` merges in for a new RPC.
    const proto = path.join(dir, 'proto/user.proto');
    await writeFile(
      proto,
      (await readFile(proto, 'utf8')).replace(
        '  rpc Chat(',
        '  rpc DeleteUser(GetUserRequest) returns (GetUserResponse);\n  rpc Chat(',
      ),
    );
    const regen = await runCli(['generate'], dir);
    expect(regen.exitCode, regen.stderr).toBe(0);
    expect(await readFile(path.join(dir, 'src/links/user/handlers.ts'), 'utf8')).toContain(
      'async deleteUser(_request: $msg.GetUserRequest, _ctx: CallContext)',
    );
    const again = compileInProcess(dir);
    expect(again.output).toBe('');
  });

  it('contract shapes: a REST document without operations, a oneOf queue payload; optional inputs take undefined', async () => {
    await writeFile(path.join(dir, 'openapi', 'empty.yaml'), EMPTY_OPENAPI);
    await scaffold(['rest', 'empty', '--openapi', 'openapi/empty.yaml']);
    await writeFile(path.join(dir, 'pay.yaml'), ONEOF_ASYNCAPI);
    await scaffold(['queue', 'pay', '--asyncapi', 'pay.yaml']);
    await writeFile(path.join(dir, 'src', 'use-inputs.ts'), USE_INPUTS);
    expect(compileInProcess(dir).output).toBe('');
    // A message named like a function the consumer imports (sleep) is fine: other modules name message
    // types through a namespace. One named like a type messages.ts itself declares takes the suffix Message.
    await scaffold(['queue', 'naps', '--message', 'sleep:x=string', '--message', 'MessageContext:y=string']);
    expect(compileInProcess(dir).output).toBe('');
    const clash = await runCli(
      ['queue', 'naps2', '--message', 'ValidationIssue:x=string', '--yes', '--no-install'],
      dir,
    );
    expect(clash.exitCode, clash.stderr).toBe(0);
    const messages = await readFile(path.join(dir, 'src', 'links', 'naps2', 'messages.ts'), 'utf8');
    expect(messages).toContain('export type ValidationIssueMessage = {');
    expect(compileInProcess(dir).output).toBe('');
  });

  it('modules import only what they use (RPC kinds, namespaces, no services at all); handlers.ts gains an import when a new stub needs it', async () => {
    const proto = path.join(dir, 'protos', 'ping.proto');
    const rpcs = 'rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);';
    const source = (more: string): string =>
      `syntax = "proto3";\npackage ping.v1;\nimport "google/protobuf/empty.proto";\nmessage Echo { string text = 1; }\nservice PingService {\n  ${rpcs}${more}\n}\n`;
    await writeFile(proto, source(''));
    await scaffold(['grpc', 'ping', '--proto', 'protos/ping.proto', '--proto-path', 'protos']);
    // A contract with messages and no service at all.
    await writeFile(
      path.join(dir, 'protos', 'models.proto'),
      'syntax = "proto3";\npackage models.v1;\nmessage Point { int32 x = 1; int32 y = 2; }\n',
    );
    await scaffold(
      ['grpc', 'models', '--proto', 'protos/models.proto', '--proto-path', 'protos'],
      [/^warning: models: protos\/models\.proto: no service, so the link has its messages but no client or server/],
    );
    const handlers = path.join(dir, 'src/links/ping/handlers.ts');
    expect(await readFile(handlers, 'utf8')).not.toContain('$msg');
    expect(compileInProcess(dir).output).toBe('');

    await writeFile(proto, source('\n  rpc Say(Echo) returns (Echo);'));
    const regen = await runCli(['generate', 'ping'], dir);
    expect(regen.exitCode, regen.stderr).toBe(0);
    expect(await readFile(handlers, 'utf8')).toContain("import type * as $msg from './messages.js';");
    expect(compileInProcess(dir).output).toBe('');
  });
});
