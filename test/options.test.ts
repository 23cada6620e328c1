// Pattern options are declared once (src/core/options.ts); flags, wizard questions, the missing-flag
// check and the stored options all come from those declarations.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { askOptions } from '../src/cli/questions.js';
import { flagName, missingOptions, resolveOptions, type Prompts } from '../src/core/options.js';
import { UsageError } from '../src/errors.js';
import { PATTERNS, PATTERN_IDS } from '../src/patterns/index.js';
import { camelCase } from '../src/util/names.js';

interface Asked {
  kind: string;
  message: string;
  default?: unknown;
  validate?: (v: string) => true | string | Promise<true | string>;
}

/** Prompts that answer from a script (undefined: take the default) and record each question. */
function scripted(answers: unknown[]): { prompts: Prompts; asked: Asked[] } {
  const asked: Asked[] = [];
  const ask = (kind: string) => async (q: Omit<Asked, 'kind'> & { choices?: { value: unknown }[] }) => {
    asked.push({ kind, ...q });
    if (!answers.length) throw new Error(`unexpected question: ${q.message}`);
    const a = answers.shift();
    return a ?? q.default ?? (kind === 'select' ? q.choices![0]!.value : kind === 'confirm' ? false : '');
  };
  return {
    prompts: { input: ask('input'), confirm: ask('confirm'), select: ask('select') } as unknown as Prompts,
    asked,
  };
}

const ctx = { name: 'user' };

describe('declarations', () => {
  test.each(PATTERN_IDS)(
    '%s: each key is its flag in camelCase, each question a declared option, each flag in --help',
    (id) => {
      const { decls, questions } = PATTERNS[id].options;
      for (const [key, decl] of Object.entries(decls)) expect(camelCase(flagName(decl).slice(2)), decl.flag).toBe(key);
      for (const key of questions) expect(decls[key], key).toBeDefined();
      const help = buildProgram()
        .commands.find((c) => c.name() === id)!
        .helpInformation();
      for (const decl of Object.values(decls)) expect(help).toContain(decl.flag);
    },
  );
});

describe('resolveOptions and missingOptions', () => {
  test('defaults depend on the link; blank flags count as not given; bad values name the flag', () => {
    const rest = PATTERNS.rest!.options;
    expect(resolveOptions(rest, { baseUrlEnv: ' ', resource: [''] }, { name: 'order-service' })).toEqual({
      resource: [],
      openapi: undefined,
      baseUrlEnv: 'ORDER_SERVICE_SERVICE_URL',
      auth: undefined,
      tokenEnv: 'SERVICE_TOKEN',
    });
    expect(() => resolveOptions(rest, { auth: 'basic' }, ctx)).toThrow(
      new UsageError('--auth must be "bearer" or "none", not "basic"'),
    );
    expect(() => resolveOptions(PATTERNS.grpc!.options, { rpc: ['Get:sideways'] }, ctx)).toThrow(
      /--rpc "Get:sideways": KIND must be one of/,
    );
    expect(() => resolveOptions(PATTERNS.queue!.options, { broker: 'kafka' }, ctx)).toThrow(
      /--broker "kafka": one of sqs/,
    );
  });

  test('a required option may be stood in for by another', () => {
    const queue = PATTERNS.queue!.options;
    expect(missingOptions(queue, {})).toEqual(['--message (or --asyncapi)']);
    expect(missingOptions(queue, { asyncapi: 'asyncapi/order.yaml' })).toEqual([]);
    expect(missingOptions(queue, { message: ['OrderCreated'] })).toEqual([]);
    expect(missingOptions(PATTERNS.grpc!.options, {})).toEqual([]);
  });
});

describe('the wizard asks from the declarations', () => {
  test('gRPC, describing a service: the RPC loop, then the package; fields given by flag are kept', async () => {
    const { prompts, asked } = scripted([
      false,
      'ListUsers',
      'server-stream',
      'tags:string[]',
      '',
      true,
      'Chat',
      'bidi',
      '',
      '',
      false,
      undefined,
    ]);
    const values = await askOptions(prompts, PATTERNS.grpc!.options, ctx, {
      field: ['ListUsersResponse.total:uint32'],
    });
    expect(values).toEqual({
      rpc: ['ListUsers:server-stream', 'Chat:bidi'],
      field: ['ListUsersResponse.total:uint32', 'ListUsersRequest.tags:string[]'],
      package: 'user.v1',
    });
    expect(asked.map((q) => q.message).at(-1)).toBe('Proto package');
    expect(await asked.at(-1)!.validate!('acme..v1')).toMatch(/dot-separated identifiers/);
    expect(await asked[1]!.validate!('1x')).toMatch(/letters and digits/);
  });

  test('gRPC with existing files: comma-separated files and import roots; nothing asked when flags name the files', async () => {
    const existing = scripted([true, 'a.proto, b.proto', 'protos']);
    expect(await askOptions(existing.prompts, PATTERNS.grpc!.options, ctx, {})).toEqual({
      proto: ['a.proto', 'b.proto'],
      protoPath: ['protos'],
    });
    expect(await existing.asked[1]!.validate!(' ')).toBe('give at least one file');
    const given = scripted([]);
    expect(await askOptions(given.prompts, PATTERNS.grpc!.options, ctx, { proto: ['a.proto'] })).toEqual({
      proto: ['a.proto'],
    });
  });

  test('queue: message types until an empty answer, each checked as typed; --asyncapi skips them', async () => {
    const { prompts, asked } = scripted([
      '',
      'OrderCreated:orderId=string',
      'OrderCancelled',
      '',
      true,
      false,
      undefined,
    ]);
    expect(await askOptions(prompts, PATTERNS.queue!.options, ctx, {})).toEqual({
      message: ['OrderCreated:orderId=string', 'OrderCancelled'],
      fifo: true,
      fanOut: false,
      queueUrlEnv: 'USER_QUEUE_URL',
    });
    expect(await asked[1]!.validate!('')).toBe('at least one message type is needed');
    expect(await asked[1]!.validate!('Order:total=money')).toMatch(/must look like name=TYPE/);
    expect(await asked[2]!.validate!('')).toBe(true);
    expect(await asked.at(-1)!.validate!('bad-name')).toMatch(/--queue-url-env "bad-name"/);
    const withDocument = scripted([true, 'consumer', undefined]);
    expect(
      await askOptions(withDocument.prompts, PATTERNS.queue!.options, ctx, { asyncapi: 'asyncapi/order.yaml' }),
    ).toEqual({
      asyncapi: 'asyncapi/order.yaml',
      fanOut: true,
      role: 'consumer',
      queueUrlEnv: 'USER_QUEUE_URL',
    });
  });

  test('REST: an environment variable name is checked at its question, not after the last one', async () => {
    const { prompts, asked } = scripted([false, undefined, 'client', undefined, 'none']);
    await askOptions(prompts, PATTERNS.rest!.options, ctx, {});
    const baseUrl = asked.find((q) => q.message.includes('base URL'))!;
    expect(await baseUrl.validate!('NOT-A-VAR')).toMatch(/--base-url-env must be an environment variable name/);
    expect(asked.map((q) => q.message)).not.toContain('Environment variable with the token:');
  });
});

describe('contract files are read and parsed at the prompt that names them', () => {
  test('every pattern: a missing file, a folder and a file that does not parse are refused with the reason', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'csl-prompt-'));
    try {
      await mkdir(path.join(root, 'specs'));
      await writeFile(path.join(root, 'specs/bad.yaml'), 'openapi: 3.0.3\ninfo: [\n');
      await writeFile(path.join(root, 'specs/bad.proto'), 'syntax = "proto3";\nmessage {\n');
      await writeFile(
        path.join(root, 'specs/ok.proto'),
        'syntax = "proto3";\npackage ok;\nmessage A { string id = 1; }\n',
      );
      const question = async (pattern: string, script: unknown[], message: RegExp) => {
        const { prompts, asked } = scripted(script);
        await askOptions(prompts, PATTERNS[pattern]!.options, ctx, {}, root).catch(() => undefined);
        return asked.find((q) => message.test(q.message))!.validate!;
      };
      const openapi = await question('rest', [true, 'x'], /Path of the OpenAPI document/);
      expect(await openapi('nope.yaml')).toMatch(/^--openapi nope\.yaml: no such file \(looked in /);
      expect(await openapi('specs')).toMatch(/^--openapi specs: is a folder; name the contract file in it/);
      expect(await openapi('specs/bad.yaml')).toMatch(/^specs\/bad\.yaml:\d+/);
      const asyncapi = await question('queue', ['x'], /AsyncAPI 3\.0 document/);
      expect(await asyncapi('nope.yaml')).toMatch(/^--asyncapi nope\.yaml: no such file/);
      expect(await asyncapi('specs/bad.yaml')).toMatch(/^specs\/bad\.yaml:\d+:\d+: invalid YAML/);
      expect(await asyncapi('')).toBe(true); // empty: describe the messages instead
      const proto = await question('grpc', [true, 'x'], /^\.proto files/);
      expect(await proto('specs/ok.proto, nope.proto')).toMatch(/^--proto nope\.proto: no such file/);
      expect(await proto('specs/bad.proto')).toMatch(/^specs\/bad\.proto:2: /);
      expect(await proto('specs/ok.proto')).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('seams', () => {
  test('generate --watch asks the pattern for extra folders: gRPC import roots', () => {
    const link = {
      name: 'user',
      pattern: 'grpc',
      contracts: ['proto/user.proto'],
      out: 'src/links/user',
      options: { protoPath: ['proto', 'third_party'] },
    };
    expect(PATTERNS.grpc!.watchRoots!(link)).toEqual(['proto', 'third_party']);
    expect(PATTERNS.rest!.watchRoots).toBeUndefined();
  });
});
