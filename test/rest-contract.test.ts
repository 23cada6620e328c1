// The REST pattern's contract handling: bad documents give a ContractError with file:line:column,
// flags are validated, generation is deterministic and regeneration touches only generated files.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ContractError, UsageError } from '../src/errors.js';
import { spec } from '../src/patterns/rest/spec.js';
import { scaffoldLink } from '../src/core/scaffold.js';
import { missingOptions, type Prompts } from '../src/core/options.js';
import { askOptions } from '../src/cli/questions.js';
import { generate, projectInfo } from './fixtures/rest/harness.js';
import type { LinkConfig, ProjectInfo } from '../src/patterns/types.js';

let root: string;
let project: ProjectInfo;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'csl-rest-contract-'));
  await mkdir(path.join(root, 'openapi'));
  project = projectInfo(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function link(contract: string, options: Record<string, unknown> = {}): LinkConfig {
  return { name: 'svc', pattern: 'rest', contracts: [contract], out: 'src/links/svc', options };
}

async function generateFrom(files: Record<string, string>, entry = Object.keys(files)[0]!) {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return generate(project, link(entry));
}

async function contractError(files: Record<string, string>, entry?: string): Promise<ContractError> {
  const error = await generateFrom(files, entry).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContractError);
  return error as ContractError;
}

const HEAD = 'openapi: 3.1.0\ninfo:\n  title: t\n  version: "1"\n';
const BEARER =
  'security:\n  - bearerAuth: []\ncomponents:\n  securitySchemes:\n    bearerAuth: { type: http, scheme: bearer }\n';

describe('bad documents', () => {
  test('invalid YAML is reported at its line and column', async () => {
    const error = await contractError({ 'openapi/bad.yaml': `${HEAD}paths:\n  /a:\n    get: [\n` });
    expect(error.file).toBe('openapi/bad.yaml');
    expect(error.message).toMatch(/^openapi\/bad\.yaml:\d+:\d+: invalid YAML/);
    expect(error.line).toBeGreaterThanOrEqual(7);
  });

  test('a dangling $ref points at the $ref inside the document', async () => {
    const doc =
      `${HEAD}paths:\n  /a:\n    get:\n      responses:\n        "200":\n          description: ok\n` +
      `          content:\n            application/json:\n              schema:\n                $ref: "#/components/schemas/Nope"\n`;
    const error = await contractError({ 'openapi/dangling.yaml': doc });
    expect(error.detail).toContain('dangling $ref "#/components/schemas/Nope"');
    expect(error.line).toBe(14);
    expect(error.column).toBe(23);
    expect(error.message).toMatch(/^openapi\/dangling\.yaml:14:23: /);
  });

  test('a dangling $ref in a JSON document has a location too', async () => {
    const doc = JSON.stringify(
      {
        openapi: '3.0.3',
        info: { title: 't', version: '1' },
        paths: {},
        components: { schemas: { A: { $ref: '#/components/schemas/B' } } },
      },
      null,
      2,
    );
    const error = await contractError({ 'openapi/dangling.json': doc });
    expect(error.detail).toContain('dangling $ref');
    expect(error.line).toBe(11);
  });

  test('invalid JSON is reported at its line', async () => {
    const error = await contractError({ 'openapi/bad.json': '{\n  "openapi": "3.0.0",\n  "info": {,\n}' });
    expect(error.detail).toContain('invalid JSON');
    expect(error.line).toBe(3);
  });

  test('an unknown type is reported where it is written', async () => {
    const doc = `${HEAD}paths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        n:\n          type: strng\n`;
    const error = await contractError({ 'openapi/type.yaml': doc });
    expect(error.detail).toBe('unknown type "strng"');
    expect(error.line).toBe(12);
    expect(error.hint).toContain('string, number, integer');
  });

  test('Swagger 2.0 is refused with a way forward', async () => {
    const error = await contractError({
      'openapi/swagger.yaml': 'swagger: "2.0"\ninfo:\n  title: t\n  version: "1"\npaths: {}\n',
    });
    expect(error.detail).toContain('Swagger 2.0 documents are not supported');
    expect(error.hint).toContain('swagger2openapi');
    expect(error.line).toBe(1);
  });

  test('a $ref to a missing file names the file and the referencing location', async () => {
    const doc = `${HEAD}paths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: "./missing.yaml#/A"\n`;
    const error = await contractError({ 'openapi/ext.yaml': doc });
    expect(error.detail).toContain('openapi/missing.yaml');
    expect(error.line).toBe(9);
  });

  test('an unsupported version is refused', async () => {
    const error = await contractError({ 'openapi/v4.yaml': 'openapi: 4.0.0\ninfo: {title: t, version: "1"}\n' });
    expect(error.detail).toContain('unsupported OpenAPI version "4.0.0"');
  });
});

describe('schemas', () => {
  test('3.0 nullable and 3.1 type lists, named refs across files, clashing and reserved names', async () => {
    const files = await generateFrom(
      {
        'openapi/main.yaml':
          `${HEAD}paths:\n  /x:\n    get:\n      operationId: get x\n      responses:\n        "200":\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: "./shared/models.yaml#/Thing"\n` +
          `components:\n  schemas:\n    A:\n      type: [string, "null"]\n    Promise:\n      type: object\n      properties:\n        "weird-key":\n          type: integer\n        "__proto__":\n          type: string\n    "2fa":\n      type: boolean\n    thing:\n      type: string\n    GetXResult:\n      type: integer\n`,
        'openapi/shared/models.yaml':
          'Thing:\n  type: object\n  properties:\n    a:\n      $ref: "../main.yaml#/components/schemas/A"\n',
      },
      'openapi/main.yaml',
    );
    const types = files.find((f) => f.path.endsWith('types.ts'))!.content;
    expect(types).toContain('export type A = string | null;');
    expect(types).toContain('export type PromiseSchema = {');
    expect(types).toContain("'weird-key'?: number;");
    expect(types).toContain("'__proto__'?: string;");
    expect(types).toContain('export type _2fa = boolean;');
    // "thing" (component) and "Thing" (other file) both keep a name.
    expect(types).toContain('export type Thing = string;');
    expect(types).toMatch(/export type Thing2 = \{\n {2}a\?: A;\n\};/);
    // A schema already named GetXResult: the operation's types move aside.
    expect(types).toContain('export type GetXResult = number;');
    expect(types).toContain('export type GetX2Result = Thing2;');
    const client = files.find((f) => f.path.endsWith('client.ts'))!.content;
    expect(client).toContain('  getX(options?: CallOptions): Promise<T.GetX2Result> {');
  });
});

describe('names and shared pieces', () => {
  const BUILTINS = [
    'Error',
    'Date',
    'Map',
    'Set',
    'Array',
    'Object',
    'String',
    'Number',
    'Boolean',
    'Symbol',
    'Function',
    'Response',
    'Request',
    'Headers',
    'URL',
    'AbortSignal',
    'Buffer',
    'Record',
    'Promise',
  ];

  test('schemas named like globals (Error, Date, Map, Response, ...) get a suffix instead of shadowing them', async () => {
    const schemas = BUILTINS.map((name) => `    ${name}:\n      type: string\n`).join('');
    const files = await generateFrom({
      'openapi/builtins.yaml':
        `${HEAD}paths:\n  /e:\n    get:\n      responses:\n        "200":\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: "#/components/schemas/Date"\n` +
        `        default:\n          description: error\n          content:\n            application/json:\n              schema:\n                $ref: "#/components/schemas/Error"\n` +
        `components:\n  schemas:\n${schemas}    ErrorSchema:\n      type: integer\n`,
    });
    const types = files.find((f) => f.path.endsWith('types.ts'))!.content;
    for (const name of BUILTINS) {
      expect(types).not.toMatch(new RegExp(`export type ${name} =`));
      expect(types).toContain(`export type ${name}Schema = string;`);
    }
    // A schema really called ErrorSchema comes after and moves aside.
    expect(types).toContain('export type ErrorSchema2 = number;');
    expect(types).toContain('export type GetEResult = DateSchema;');
    expect(types).toContain('export type GetEError = ErrorSchema;');
  });

  test('--resource names its error schema ErrorBody, so no generated type shadows the global Error', async () => {
    const scaffold = await scaffoldLink(spec, {
      name: 'billing',
      options: { resource: ['invoices:id=string,total=number', 'errors:id=string'] },
      project,
      out: 'src/links/billing',
    });
    await writeFile(path.join(root, scaffold.contracts[0]!), scaffold.files[0]!.content);
    const files = await generate(project, {
      name: 'billing',
      pattern: 'rest',
      contracts: scaffold.contracts,
      out: 'src/links/billing',
      options: scaffold.options,
    });
    const types = files.find((f) => f.path.endsWith('types.ts'))!.content;
    expect(types).toContain('export type ErrorBody = {');
    expect(types).toContain('export type GetInvoiceError = ErrorBody;');
    // The "errors" resource's schema is called Error in the document; the generated type is not.
    expect(types).toContain('export type ErrorSchema = {');
    expect(types).not.toMatch(/export type Error =/);
  });

  test('--resource summaries use the right article and lower-case nouns', async () => {
    const scaffold = await scaffoldLink(spec, {
      name: 'shop',
      options: { resource: ['invoices', 'users', 'order-items', 'addresses', 'hours', 'units', 'updates'] },
      project,
      out: 'src/links/shop',
    });
    const doc = scaffold.files[0]!.content;
    const summaries = [...doc.matchAll(/summary: "([^"]*)"/g)].map((m) => m[1]);
    for (const s of [
      'Create an invoice',
      'Get an invoice by id',
      'Replace an invoice',
      'Delete an invoice',
      'Create a user',
      'Get a user by id',
      'Create an order item',
      'Get an address by id',
      'Create an hour',
      'Create a unit',
      'Create an update',
      'List order-items',
    ])
      expect(summaries).toContain(s);
    expect(doc).toContain('description: "The created invoice"');
    expect(
      summaries.filter(
        (s) => /\ba [aeiou]|[A-Z]\w* by id|(Create|Get|Replace|Delete) an? [A-Z]/.test(s!) && !/a u(ser|nit)/.test(s!),
      ),
    ).toEqual([]);
  });

  test('the request context comes from the shared runtime every pattern imports; index exports outgoingRequestContext', async () => {
    const { runtimeModuleText } = await import('../src/core/runtime.js');
    const files = await generateFrom({ 'openapi/ctx.yaml': `${HEAD}paths: {}\n` });
    const context = files.find((f) => f.path === 'src/links/_runtime/context.ts')!.content;
    expect(context).toBe(runtimeModuleText('context', project));
    expect(context).toContain('export function outgoingRequestContext(): RequestContext');
    expect(files.some((f) => f.path.startsWith('src/links/svc/') && /request-context|runtime/.test(f.path))).toBe(
      false,
    );
    expect(files.find((f) => f.path.endsWith('svc/index.ts'))!.content).toMatch(
      /outgoingRequestContext,[\s\S]*from '\.\.\/_runtime\/context\.js'/,
    );
  });

  test('the client header documents every environment variable it reads', async () => {
    const files = await generateFrom({
      'openapi/env.yaml': `${HEAD}${BEARER}paths:\n  /ping:\n    get:\n      operationId: ping\n      responses:\n        '204': { description: ok }\n`,
    });
    const client = files.find((f) => f.path.endsWith('client.ts'))!.content;
    expect(client).toContain('`SVC_SERVICE_URL`: base URL');
    expect(client).toContain('`SVC_SERVICE_TOKEN`, else `SERVICE_TOKEN`: bearer token');
    expect(client).toContain('`SVC_SERVICE_TIMEOUT_MS`: timeout of each attempt in ms (default 10000; 0: none)');
    expect(client).toContain("tokenEnvs: ['SVC_SERVICE_TOKEN', 'SERVICE_TOKEN'],");
    expect(client).toContain('code CONFIG');
  });
});

describe('auth follows the document', () => {
  const ping = `paths:\n  /ping:\n    get:\n      operationId: ping\n      responses:\n        '204': { description: ok }\n`;
  const clientOf = async (doc: string, options: Record<string, unknown> = {}) => {
    await writeFile(path.join(root, 'openapi/auth.yaml'), doc);
    const files = await generate(project, link('openapi/auth.yaml', options));
    return files.find((f) => f.path.endsWith('client.ts'))!.content;
  };

  test('no securitySchemes: no token (no CONFIG error without one); --auth bearer overrides', async () => {
    const plain = await clientOf(`${HEAD}${ping}`);
    expect(plain).toContain("auth: 'none',");
    expect(plain).not.toContain('bearer token');
    expect(await clientOf(`${HEAD}${ping}`, { auth: 'bearer' })).toContain("auth: 'bearer',");
    expect(await clientOf(`${HEAD}${BEARER}${ping}`)).toContain("auth: 'bearer',");
    expect(await clientOf(`${HEAD}${BEARER}${ping}`, { auth: 'none' })).toContain("auth: 'none',");
  });

  test('an API key or a declared but never required bearer scheme sends no bearer token', async () => {
    const apiKey = `security:\n  - key: []\ncomponents:\n  securitySchemes:\n    key: { type: apiKey, in: header, name: X-API-Key }\n`;
    expect(await clientOf(`${HEAD}${apiKey}${ping}`)).toContain("auth: 'none',");
    const unused = `components:\n  securitySchemes:\n    bearerAuth: { type: http, scheme: bearer }\n`;
    expect(await clientOf(`${HEAD}${unused}${ping}`)).toContain("auth: 'none',");
    // OAuth2 access tokens are bearer tokens.
    const oauth = `security:\n  - o: [read]\ncomponents:\n  securitySchemes:\n    o: { type: oauth2, flows: {} }\n`;
    expect(await clientOf(`${HEAD}${oauth}${ping}`)).toContain("auth: 'bearer',");
  });

  test('a requirement naming no declared scheme points at it', async () => {
    const error = await contractError({ 'openapi/bad-auth.yaml': `${HEAD}security:\n  - nope: []\n${ping}` });
    expect(error.message).toContain('security requirement "nope" names no scheme of components.securitySchemes');
    expect(error.message).toMatch(/bad-auth\.yaml:\d+:\d+/);
  });
});

describe('regeneration', () => {
  test('is deterministic and returns only generated files, each with the header', async () => {
    const doc = await readFile(path.join(import.meta.dirname, 'fixtures/rest/pets/openapi.yaml'), 'utf8');
    const common = await readFile(path.join(import.meta.dirname, 'fixtures/rest/pets/common.yaml'), 'utf8');
    const first = await generateFrom({ 'openapi/svc.yaml': doc, 'openapi/common.yaml': common }, 'openapi/svc.yaml');
    const second = await generate(project, link('openapi/svc.yaml'));
    expect(second).toEqual(first);
    for (const f of first) {
      expect(f.kind).toBe('generated');
      expect(f.path.startsWith('src/links/svc/') || f.path.startsWith('src/links/_runtime/')).toBe(true);
      expect(f.content.startsWith('// Code generated by create-service-link. DO NOT EDIT.\n')).toBe(true);
    }
    // An added operation changes the client and types, and nothing else.
    const edited = doc.replace(
      'components:\n',
      '  /health:\n    get:\n      operationId: health\n      responses:\n        "204":\n          description: ok\ncomponents:\n',
    );
    await writeFile(path.join(root, 'openapi/svc.yaml'), edited);
    const third = await generate(project, link('openapi/svc.yaml'));
    const changed = third.filter((f, i) => f.content !== first[i]!.content).map((f) => f.path);
    expect(changed).toEqual(['src/links/svc/types.ts', 'src/links/svc/client.ts']);
    expect(third.find((f) => f.path.endsWith('client.ts'))!.content).toContain(
      '  health(options?: CallOptions): Promise<T.HealthResult> {',
    );
  });
});

describe('spec (flags and scaffold)', () => {
  test('--resource writes an OpenAPI 3.1 document with CRUD operations, an Error schema and the env defaults', async () => {
    const result = await scaffoldLink(spec, {
      name: 'order-service',
      options: { resource: ['orders:id=uuid,total=number,items=string[],note?=string'] },
      project,
      out: 'src/links/order-service',
    });
    expect(result.contracts).toEqual(['openapi/order-service.yaml']);
    // No stored auth: the document declares bearer, and generate follows it.
    expect(result.options).toEqual({ baseUrlEnv: 'ORDER_SERVICE_SERVICE_URL', tokenEnv: 'SERVICE_TOKEN' });
    const doc = result.files[0]!.content;
    expect(doc).toContain('openapi: 3.1.0');
    for (const op of ['listOrders', 'createOrder', 'getOrder', 'updateOrder', 'deleteOrder'])
      expect(doc).toContain(`operationId: "${op}"`);
    const { parse } = await import('yaml');
    const parsed = parse(doc) as { components: { schemas: Record<string, { required?: string[] }> } };
    expect(Object.keys(parsed.components.schemas)).toEqual(['Order', 'OrderPage', 'ErrorBody']);
    expect(parsed.components.schemas.Order!.required).toEqual(['id', 'total', 'items']);
  });

  test('without --openapi or --resource, a default resource named after the link', async () => {
    expect(missingOptions(spec.options, {})).toEqual([]);
    const result = await scaffoldLink(spec, { name: 'user', options: {}, project, out: 'src/links/user' });
    expect(result.files[0]!.content).toContain('/users/{id}:');
  });

  test('bad flags are usage errors', async () => {
    const scaffold = (options: Record<string, unknown>) =>
      scaffoldLink(spec, { name: 'user', options, project, out: 'src/links/user' });
    await expect(scaffold({ auth: 'basic' })).rejects.toThrow(UsageError);
    await expect(scaffold({ resource: ['Users:id=string'] })).rejects.toThrow(/kebab-case/);
    await expect(scaffold({ resource: ['users:id=strin'] })).rejects.toThrow(/unknown type "strin"/);
    await expect(scaffold({ baseUrlEnv: 'NOT-A-VAR' })).rejects.toThrow(/environment variable name/);
    await expect(scaffold({ openapi: 'nope.yaml' })).rejects.toThrow(/no such file/);
    await expect(scaffold({ openapi: 'a.yaml', resource: ['users'] })).rejects.toThrow(UsageError);
  });

  test('--openapi points at the existing document, project-relative', async () => {
    await writeFile(path.join(root, 'openapi', 'given.yaml'), `${HEAD}paths: {}\n`);
    const result = await scaffoldLink(spec, {
      name: 'given',
      options: { openapi: path.join(root, 'openapi', 'given.yaml'), auth: 'none' },
      project,
      out: 'src/links/given',
    });
    expect(result).toEqual({
      contracts: ['openapi/given.yaml'],
      files: [],
      options: { baseUrlEnv: 'GIVEN_SERVICE_URL', auth: 'none', tokenEnv: 'SERVICE_TOKEN' },
    });
  });

  test('the wizard asks only what the flags did not give', async () => {
    const asked: string[] = [];
    const answers: Record<string, unknown> = {
      'Do you already have an OpenAPI document for this service?': false,
      'Resource (NAME:FIELD=TYPE,...):': 'people:id=string,name=string',
      'Which side of this link is this service?': 'both',
      'Authentication:': 'bearer',
      'Environment variable with the token:': 'PEOPLE_TOKEN',
    };
    const answer = async (q: { message: string; default?: unknown }) => {
      asked.push(q.message);
      return answers[q.message] ?? q.default;
    };
    const prompts = { confirm: answer, input: answer, select: answer } as unknown as Prompts;
    const result = await askOptions(prompts, spec.options, { name: 'people' }, { baseUrlEnv: 'PEOPLE_URL' });
    expect(result).toEqual({
      baseUrlEnv: 'PEOPLE_URL',
      resource: ['people:id=string,name=string'],
      client: true,
      server: true,
      auth: 'bearer',
      tokenEnv: 'PEOPLE_TOKEN',
    });
    expect(asked).toEqual(Object.keys(answers));
    asked.length = 0;
    expect(
      await askOptions(
        prompts,
        spec.options,
        { name: 'people' },
        { openapi: 'a.yaml', client: true, baseUrlEnv: 'X', auth: 'none' },
      ),
    ).toEqual({ openapi: 'a.yaml', client: true, baseUrlEnv: 'X', auth: 'none' });
    expect(asked).toEqual([]);
  });

  test('spec.ts stays light: no YAML, Handlebars or generator import at the top level', async () => {
    for (const file of ['spec.ts', 'options.ts', 'resource.ts']) {
      const source = await readFile(path.join(import.meta.dirname, '../src/patterns/rest', file), 'utf8');
      const imports = source.split('\n').filter((l) => /^import /.test(l));
      expect(imports.join('\n')).not.toMatch(/yaml|handlebars|ts-morph|generate|contracts/);
    }
  });
});
