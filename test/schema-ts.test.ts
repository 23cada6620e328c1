// The shared JSON-Schema-to-TypeScript emitter: its bracketing rules, literal and key escaping, and one
// schema fed through the REST and the queue pattern giving the same type text where their rules agree.
import { describe, expect, test } from 'vitest';
import {
  SchemaTypes,
  arrayOf,
  group,
  intersectionOf,
  literal,
  orNull,
  orUndefined,
  unionOf,
  type SchemaTypeOptions,
} from '../src/codegen/schema-ts.js';
import { generateFiles } from './helpers/generate.js';
import type { LinkConfig, ProjectInfo } from '../src/core/types.js';

const at = { file: 'schema.json', path: [] };

/** An emitter whose `$ref`s name the last pointer segment; anything invalid throws. */
function emitter(options: Partial<SchemaTypeOptions> = {}): SchemaTypes {
  return new SchemaTypes({
    ref: (ref) => ref.replace(/^.*\//, ''),
    invalid: (_at, message) => {
      throw new Error(message);
    },
    optional: 'plain',
    ...options,
  });
}

const ts = (schema: unknown, options?: Partial<SchemaTypeOptions>) => emitter(options).type(schema, at);

describe('bracketing', () => {
  test('a union inside an array type is bracketed, also in nested arrays', () => {
    const union = { oneOf: [{ type: 'string' }, { type: 'number' }] };
    expect(ts({ type: 'array', items: union })).toBe('(string | number)[]');
    expect(ts({ type: 'array', items: { type: 'array', items: union } })).toBe('(string | number)[][]');
    expect(ts({ type: 'array', items: { type: ['string', 'null'] } })).toBe('(string | null)[]');
    expect(ts({ type: 'array', items: { enum: ['a', 'b'] } })).toBe("('a' | 'b')[]");
    expect(ts({ type: 'array', items: { $ref: '#/components/schemas/Pet' } })).toBe('Pet[]');
  });

  test('intersections of unions and unions of intersections', () => {
    const ab = { oneOf: [{ $ref: '#/A' }, { $ref: '#/B' }] };
    const cd = { anyOf: [{ $ref: '#/C' }, { $ref: '#/D' }] };
    expect(ts({ allOf: [ab, cd] })).toBe('(A | B) & (C | D)');
    expect(ts({ oneOf: [{ allOf: [{ $ref: '#/A' }, { $ref: '#/B' }] }, { $ref: '#/C' }] })).toBe('(A & B) | C');
    // oneOf and anyOf side by side both hold.
    expect(ts({ ...ab, ...cd })).toBe('(A | B) & (C | D)');
    expect(ts({ type: 'array', items: { allOf: [{ $ref: '#/A' }, { $ref: '#/B' }] } })).toBe('(A & B)[]');
  });

  test('properties beside a combinator join it by intersection, after it', () => {
    const schema = {
      type: 'object',
      required: ['kind'],
      properties: { kind: { const: 'x' } },
      oneOf: [{ $ref: '#/A' }, { $ref: '#/B' }],
    };
    expect(ts(schema)).toBe("(A | B) & {\n  kind: 'x';\n}");
    // A bare `type: object` beside a combinator adds nothing.
    expect(ts({ type: 'object', allOf: [{ $ref: '#/A' }] })).toBe('A');
  });

  test('function types returned by a hook are bracketed wherever they stand', () => {
    const fn = '(event: string) => void';
    const hooks = { ref: () => fn };
    expect(ts({ type: 'array', items: { $ref: '#/F' } }, hooks)).toBe('((event: string) => void)[]');
    expect(ts({ oneOf: [{ $ref: '#/F' }, { type: 'string' }] }, hooks)).toBe('((event: string) => void) | string');
    expect(ts({ allOf: [{ $ref: '#/F' }, { $ref: '#/F' }] }, hooks)).toBe(
      '((event: string) => void) & ((event: string) => void)',
    );
    const optional = { type: 'object', properties: { on: { $ref: '#/F' } } };
    expect(ts(optional, { ...hooks, optional: 'or-undefined' })).toBe(
      '{\n  on?: ((event: string) => void) | undefined;\n}',
    );
  });

  test('the text rules directly', () => {
    expect(group('A | B')).toBe('(A | B)');
    expect(group('A & B')).toBe('(A & B)');
    expect(group('T extends U ? X : Y')).toBe('(T extends U ? X : Y)');
    // Operators inside braces, generics, string literals or doc comments are not top-level.
    expect(group('{\n  a: A | B;\n}')).toBe('{\n  a: A | B;\n}');
    expect(group('Array<A | B>')).toBe('Array<A | B>');
    expect(group('Promise<() => void>')).toBe('Promise<() => void>');
    expect(group('"a | b"')).toBe('"a | b"');
    expect(group('"a \\" | b"')).toBe('"a \\" | b"');
    expect(group("'a | b'")).toBe("'a | b'");
    expect(group("'a \\' | b'")).toBe("'a \\' | b'");
    expect(group('{\n  /** a | b } ( */\n  a: string;\n}')).toBe('{\n  /** a | b } ( */\n  a: string;\n}');
    expect(arrayOf('keyof T')).toBe('(keyof T)[]');
    expect(arrayOf('readonly string[]')).toBe('(readonly string[])[]');
    expect(unionOf(['A', 'A', 'B & C'])).toBe('A | (B & C)');
    expect(unionOf(['A', 'unknown'])).toBe('unknown');
    expect(unionOf([])).toBe('never');
    expect(unionOf([], 'unknown')).toBe('unknown');
    expect(unionOf(['A | B'])).toBe('A | B');
    expect(intersectionOf(['A | B', 'C'])).toBe('(A | B) & C');
    expect(orNull('A | B')).toBe('(A | B) | null');
    expect(orNull('A | null')).toBe('A | null');
    // Appending undefined flattens a union or an intersection and brackets only function types.
    expect(orUndefined('A | B')).toBe('A | B | undefined');
    expect(orUndefined('A & B')).toBe('A & B | undefined');
    expect(orUndefined('() => void')).toBe('(() => void) | undefined');
    expect(orUndefined('unknown')).toBe('unknown');
    expect(orUndefined('A | undefined')).toBe('A | undefined');
  });
});

describe('schemas', () => {
  test('literals and keys are escaped; docs cannot end their comment', () => {
    expect(ts({ enum: ['*/', 'a"b', '\u2028', 1, true, null] })).toBe(`'*/' | 'a"b' | '\\u2028' | 1 | true | null`);
    expect(ts({ const: Infinity })).toBe('number');
    expect(literal({ a: 1 })).toBe('unknown');
    expect(ts({ enum: [{ a: 1 }, 'x'] })).toBe('unknown');
    const props = {
      type: 'object',
      required: ['a-b'],
      properties: { 'a-b': { type: 'string', description: 'ends */ early' }, __proto__x: { type: 'string' } },
    };
    expect(ts(props)).toBe("{\n  /** ends *\\/ early */\n  'a-b': string;\n  __proto__x?: string;\n}");
    expect(
      ts({ type: 'object', required: ['__proto__'], properties: JSON.parse('{"__proto__": {"type": "string"}}') }),
    ).toBe("{\n  '__proto__': string;\n}");
  });

  test('additional properties', () => {
    expect(ts({ type: 'object' })).toBe('{ [key: string]: unknown }');
    expect(ts({ type: 'object', additionalProperties: { type: 'integer' } })).toBe('{ [key: string]: number }');
    expect(ts({ type: 'object', additionalProperties: false })).toBe('{ [key: string]: never }');
    const declared = (prop: unknown, extra: unknown) =>
      ts({ type: 'object', required: ['a'], properties: { a: prop }, additionalProperties: extra });
    expect(declared({ type: 'string' }, true)).toBe('{\n  a: string;\n}');
    // The index type can stay when every declared property fits it ...
    expect(declared({ type: 'string' }, { type: ['string', 'null'] })).toBe(
      '{\n  a: string;\n} & { [key: string]: string | null }',
    );
    expect(declared({ enum: ['x', 'y'] }, { type: 'string' })).toBe(
      "{\n  a: 'x' | 'y';\n} & { [key: string]: string }",
    );
    // ... otherwise the intersection would refuse `{ a: "x" }`.
    expect(declared({ type: 'string' }, { type: 'integer' })).toBe('{\n  a: string;\n  [key: string]: unknown;\n}');
  });

  test('a required name without a property is a required property typed unknown', () => {
    // Spotify's PUT /me/tracks body: `required: [uris]` beside a property `ids` only.
    const body = {
      type: 'object',
      required: ['uris'],
      properties: { ids: { type: 'array', items: { type: 'string' } } },
    };
    expect(ts(body)).toBe('{\n  ids?: string[];\n  uris: unknown;\n}');
    expect(ts({ type: 'object', required: ['a', 'a'] })).toBe('{\n  a: unknown;\n}');
    // In an allOf it makes the other member's property required.
    expect(ts({ allOf: [{ $ref: '#/A' }, { required: ['b'] }] })).toBe('A & {\n  b: unknown;\n}');
  });

  test('nullable and prefixItems only when the dialect has them', () => {
    expect(ts({ type: 'string', nullable: true })).toBe('string');
    expect(ts({ type: 'string', nullable: true }, { nullable: true })).toBe('string | null');
    expect(ts({ oneOf: [{ type: 'string' }, { type: 'number' }], nullable: true }, { nullable: true })).toBe(
      '(string | number) | null',
    );
    expect(ts({ $ref: '#/A', nullable: true }, { nullable: true })).toBe('A | null');
    const tuple = { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: { type: 'boolean' } };
    expect(ts(tuple, { prefixItems: true })).toBe('[string, number]');
    expect(ts(tuple)).toBe('boolean[]');
  });

  test('views: omitted and readonly properties; discriminator pins', () => {
    const schema = {
      type: 'object',
      properties: { id: { type: 'string', readOnly: true }, secret: { type: 'string', writeOnly: true } },
    };
    const view = (mode: 'read' | 'write'): Partial<SchemaTypeOptions> => ({
      property: (prop) => {
        const p = prop as { readOnly?: boolean; writeOnly?: boolean };
        if (mode === 'read' ? p.writeOnly === true : p.readOnly === true) return 'omit';
        return p.readOnly === true ? 'readonly' : 'plain';
      },
    });
    expect(ts(schema, view('read'))).toBe('{\n  readonly id?: string;\n}');
    expect(ts(schema, view('write'))).toBe('{\n  secret?: string;\n}');
    const pinned: Partial<SchemaTypeOptions> = {
      nullable: true,
      discriminator: (_p, member) => ({
        property: 'kind',
        values: [String((member as { $ref: string }).$ref).slice(2)],
      }),
    };
    expect(ts({ oneOf: [{ $ref: '#/Cat' }, { $ref: '#/Dog', nullable: true }] }, pinned)).toBe(
      "(Cat & { kind: 'Cat' }) | ((Dog & { kind: 'Dog' }) | null)",
    );
  });

  test('an invalid schema throws or becomes the type the hook returns', () => {
    expect(() => ts({ type: 'strng' })).toThrow('unknown type "strng"');
    expect(() => ts({ oneOf: {} })).toThrow('oneOf must be a list of schemas');
    const lenient = { invalid: () => 'unknown' };
    expect(ts({ type: 'object', properties: { pair: { type: 'array', items: [{ type: 'string' }] } } }, lenient)).toBe(
      '{\n  pair?: unknown[];\n}',
    );
  });
});

describe('one schema through the REST and the queue pattern', () => {
  const project: ProjectInfo = {
    root: '/project',
    packageManager: 'npm',
    moduleSystem: 'esm',
    importSuffix: '.js',
    srcDir: 'src',
  };
  // Only keywords both dialects read: no nullable, readOnly/writeOnly or prefixItems.
  const thing = (optional: boolean) => ({
    type: 'object',
    required: optional ? ['id'] : ['id', 'tags', 'size', 'parts', 'meta', 'choice'],
    properties: {
      id: { type: 'string', description: 'The id */' },
      tags: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
      size: { type: 'string', enum: ['S', 'M', 'L'] },
      parts: { type: 'array', items: { $ref: '#/components/schemas/Part' } },
      meta: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
      choice: {
        allOf: [
          { oneOf: [{ $ref: '#/components/schemas/Part' }, { type: 'boolean' }] },
          { type: 'object', properties: { note: { type: 'string' } }, required: ['note'] },
        ],
      },
    },
  });
  const part = { type: 'object', required: ['n'], properties: { n: { type: 'number', format: 'double' } } };

  async function restTypes(schema: unknown): Promise<string> {
    const doc = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {},
      components: { schemas: { Thing: schema, Part: part } },
    };
    const link: LinkConfig = {
      name: 'svc',
      pattern: 'rest',
      contracts: ['openapi/svc.json'],
      out: 'src/links/svc',
      options: {},
    };
    const files = await generateFiles(project, link, async (p) =>
      p === 'openapi/svc.json' ? JSON.stringify(doc) : undefined,
    );
    return files.find((f) => f.path === 'src/links/svc/types.ts')!.content;
  }

  async function queueTypes(schema: unknown): Promise<string> {
    const doc = {
      asyncapi: '3.0.0',
      info: { title: 't', version: '1.0.0' },
      channels: {
        q: {
          address: 'q',
          messages: {
            Happened: { payload: { type: 'object', properties: { thing: { $ref: '#/components/schemas/Thing' } } } },
          },
        },
      },
      components: { schemas: { Thing: schema, Part: part } },
    };
    const link: LinkConfig = {
      name: 'ev',
      pattern: 'queue',
      contracts: ['asyncapi/ev.yaml'],
      out: 'src/links/ev',
      options: {},
    };
    const files = await generateFiles(project, link, async (p) =>
      p === 'asyncapi/ev.yaml' ? JSON.stringify(doc) : undefined,
    );
    return files.find((f) => f.path === 'src/links/ev/messages.ts')!.content;
  }

  const declaration = (source: string, name: string) =>
    source.match(new RegExp(`^export type ${name} = [^]*?;\\n(?=\\n|$)`, 'm'))?.[0];

  test('with every property required, the text is the same', async () => {
    const rest = await restTypes(thing(false));
    const queue = await queueTypes(thing(false));
    const expected =
      'export type Thing = {\n' +
      '  /** The id *\\/ */\n' +
      '  id: string;\n' +
      '  tags: (string | number)[];\n' +
      "  size: 'S' | 'M' | 'L';\n" +
      '  parts: Part[];\n' +
      '  meta: { [key: string]: string | null };\n' +
      '  choice: (Part | boolean) & {\n' +
      '    note: string;\n' +
      '  };\n' +
      '};\n';
    expect(declaration(rest, 'Thing')).toBe(expected);
    expect(declaration(queue, 'Thing')).toBe(expected);
    expect(declaration(rest, 'Part')).toBe(declaration(queue, 'Part'));
  });

  test('optional properties differ only in how they are written', async () => {
    const rest = declaration(await restTypes(thing(true)), 'Thing')!;
    const queue = declaration(await queueTypes(thing(true)), 'Thing')!;
    expect(rest).toContain('  tags?: (string | number)[];\n');
    expect(queue).toContain('  tags?: (string | number)[] | undefined;\n');
    expect(queue).toBe(
      rest
        .replace(/^( {2}\w+\?: .*);$/gm, '$1 | undefined;')
        .replace(/^( {2}choice\?: [^]*? {2}\});$/m, '$1 | undefined;'),
    );
  });
});
