// The proto3 JSON mapping and the exact well-known types of the generated gRPC messages, against
// protobuf-es 2 (reflection over a descriptor set from `buf build`): values it builds survive our binary
// and JSON codecs byte for byte, our JSON is the JSON it writes, and what the mapping accepts or
// rejects on input. The link is generated into a temp project and compiled with tsc --strict first.
import {
  create,
  createFileRegistry,
  type DescMessage,
  fromBinary,
  fromJson,
  type Registry,
  toBinary,
  toJson,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { execFileSync } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, makeProject, removeProject, TOOL_ROOT } from './helpers/project.js';
import { createLink } from './fixtures/grpc/harness.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'grpc', 'json');
const BUF = path.join(TOOL_ROOT, 'node_modules', '.bin', 'buf');

/* eslint-disable @typescript-eslint/no-explicit-any -- compiled JS of the temp project */
let dir: string;
let link: any;
let registry: Registry;
let desc: DescMessage;

// Edge values on purpose: the int64 extremes, {1s, 1ns}, the largest Duration, NaN and infinities,
// bytes that need padding, a nested Any of a message and of a well-known type.
const SAMPLE = {
  i32: -2147483648,
  u32: 4294967295,
  s32: -7,
  f32: 7,
  i64: '-9223372036854775808',
  u64: '18446744073709551615',
  s64: '9223372036854775807',
  f64: '1',
  sf64: '-1',
  fl: 'NaN',
  db: -1.5e300,
  flag: true,
  text: 'h\u00e9llo \ud83d\ude00',
  data: 'AP8Q',
  color: 'COLOR_BLUE',
  inner: { a: 1, children: [{ a: 2 }] },
  maybe: 0,
  customName: 5,
  longs: ['1', '-2', '9007199254740993'],
  colors: ['COLOR_RED', 'COLOR_UNSPECIFIED'],
  inners: [{}, { a: 3 }],
  byName: { a: '1', __proto__x: '2' },
  byId: { '-9223372036854775808': { a: 4 } },
  byFlag: { true: 'yes', false: 'no' },
  pickInner: { a: 9 },
  at: '1970-01-01T00:00:01.000000001Z',
  took: '-1.500s',
  longest: '315576000000.999999999s',
  mask: 'fooBar,baz.quxQuux',
  meta: { k: [1, 'x', null, true, { n: {} }] },
  anything: null,
  list: [1, [2]],
  wrappedLong: '-3',
  wrappedText: '',
  wrappedBytes: 'AQ==',
  nothing: {},
  packed: { '@type': 'type.googleapis.com/jsonmap.v1.Inner', a: 5, children: [{ a: 6 }] },
  packedWkt: { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '0.000001s' },
  history: ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '2024-02-29T12:00:00.100Z'],
  wrappedDouble: '-Infinity',
  toString: 3,
  'with space': 4,
};

beforeAll(async () => {
  dir = await makeProject({ module: 'esm' });
  await cp(FIXTURE, path.join(dir, 'protos'), { recursive: true });
  await createLink(dir, 'everything', { proto: ['protos/everything.proto'], protoPath: ['protos'] });
  const r = await compile(dir);
  expect(r.output).toBe('');
  link = await import(pathToFileURL(path.join(dir, 'dist/links/everything/index.js')).href);
  const set = path.join(dir, 'everything.binpb');
  execFileSync(BUF, ['build', path.join(dir, 'protos'), '-o', set], { stdio: 'pipe' });
  registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, await readFile(set)));
  desc = registry.getMessage('jsonmap.v1.Everything')!;
  expect(desc).toBeDefined();
}, 120_000);

afterAll(async () => {
  if (dir) await removeProject(dir);
});

/** protobuf-es's canonical bytes of a message given as bytes (decode, then encode). */
function canonical(bytes: Uint8Array): Uint8Array {
  return toBinary(desc, fromBinary(desc, bytes));
}

describe('generated messages against protobuf-es', () => {
  it('binary: protobuf-es bytes -> decode -> encode gives the same message, nanoseconds and all', () => {
    const es = fromJson(desc, SAMPLE, { registry });
    const bytes = toBinary(desc, es);
    const ours = link.Everything.decode(bytes);
    expect(ours.at).toEqual({ seconds: 1n, nanos: 1 });
    expect(ours.longest).toEqual({ seconds: 315576000000n, nanos: 999_999_999 });
    expect(ours.took).toEqual({ seconds: -1n, nanos: -500_000_000 });
    expect(ours.history[1]).toEqual({ seconds: 253402300799n, nanos: 999_999_999 });
    expect(ours.choice).toEqual({ $case: 'pickInner', pickInner: { a: 9, children: [] } });
    expect(canonical(link.Everything.encode(ours))).toEqual(bytes);
  });

  it('JSON: ours reads what protobuf-es writes and writes exactly what it writes', () => {
    const es = fromJson(desc, SAMPLE, { registry });
    const esJson = toJson(desc, es, { registry });
    const ours = link.Everything.fromJson(esJson);
    expect(canonical(link.Everything.encode(ours))).toEqual(toBinary(desc, es));
    expect(link.Everything.toJson(ours)).toEqual(esJson);
    // And the text form, read back by protobuf-es.
    const back = fromJson(desc, JSON.parse(link.Everything.toJsonString(ours)), { registry });
    expect(toBinary(desc, back)).toEqual(toBinary(desc, es));
  });

  it('JSON options: proto names and defaults written like protobuf-es writes them', () => {
    const es = create(desc, { i32: 1 });
    const opts = { useProtoNames: true, emitDefaults: true };
    const esJson = toJson(desc, es, { registry, useProtoFieldName: true, alwaysEmitImplicit: true }) as any;
    const ours = link.Everything.toJson(link.Everything.decode(toBinary(desc, es)), opts);
    expect(ours).toEqual(esJson);
    // An Init object that leaves fields out means the same message.
    expect(link.Everything.toJson({ i32: 1 }, opts)).toEqual(esJson);
  });
});

describe('JSON input the mapping accepts and rejects', () => {
  const read = (json: unknown, options?: unknown) => link.Everything.fromJson(json, options);

  it('accepts proto names, numbers for 64-bit integers, enum numbers, url-safe base64 and null', () => {
    const m = read({
      renamed_field: 2,
      i64: 12,
      u64: '1e3',
      color: 2,
      data: '-_8',
      by_name: { k: 7 },
      inner: null,
      nullValue: null,
      fl: '1.5',
      at: '1970-01-01T01:00:00.5+01:00',
    });
    expect(m).toMatchObject({ renamedField: 2, i64: 12n, u64: 1000n, color: 2, byName: { k: 7n }, fl: 1.5 });
    expect(m.data).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(m.inner).toBeUndefined();
    expect(m.at).toEqual({ seconds: 0n, nanos: 500_000_000 });
  });

  it('unknown fields and enum names fail, or are skipped with ignoreUnknownFields', () => {
    expect(() => read({ nope: 1 })).toThrow(link.JsonError);
    expect(() => read({ color: 'COLOR_GREEN' })).toThrow(/unknown enum value "COLOR_GREEN"/);
    const m = read(
      { nope: 1, color: 'COLOR_GREEN', colors: ['COLOR_GREEN', 'COLOR_RED'] },
      { ignoreUnknownFields: true },
    );
    expect(m.color).toBe(0);
    expect(m.colors).toEqual([1]);
  });

  it('rejects values outside their type', () => {
    const bad: unknown[] = [
      { i32: 2147483648 },
      { i32: 1.5 },
      { u32: -1 },
      { i64: '9223372036854775808' },
      { i64: 2 ** 63 },
      { fl: 3.5e38 },
      { db: 'nan' },
      { flag: 'true' },
      { data: 'a b' },
      { text: 5 },
      { at: '1970-01-01T00:00:00z' },
      { at: '1970-02-30T00:00:00Z' },
      { took: '315576000001s' },
      { took: '1.0000000001s' },
      { mask: 'foo_bar' },
      { pickText: 'a', pickColor: 'COLOR_RED' },
      { longs: [null] },
      { packed: { '@type': 'type.googleapis.com/no.Such', a: 1 } },
      { renamed_field: 1, customName: 2 },
    ];
    for (const json of bad) expect(() => read(json), JSON.stringify(json)).toThrow(link.JsonError);
  });

  it('rejects values with no JSON form on output', () => {
    const write = (init: unknown) => link.Everything.toJson(init);
    expect(() => write({ at: { seconds: 253402300800n } })).toThrow(link.JsonError);
    expect(() => write({ took: { seconds: 1n, nanos: -1 } })).toThrow(link.JsonError);
    expect(() => write({ mask: ['fooBar'] })).toThrow(link.JsonError);
    expect(() => write({ anything: Number.NaN })).toThrow(link.JsonError);
  });
});

describe('JSON text', () => {
  const parse = (text: string) => link.Everything.fromJsonString(text);

  it('keeps integers beyond 2^53 exact for 64-bit fields, and numbers in a Value', () => {
    const m = parse('{"i64": -9223372036854775808, "u64": 18446744073709551615, "anything": 9007199254740993}');
    expect(m.i64).toBe(-9223372036854775808n);
    expect(m.u64).toBe(18446744073709551615n);
    expect(m.anything).toBe(9007199254740992);
    expect(parse(' { "text" : "a\\"b\\u00e9" , "longs" : [ 1 , 2 ] } ')).toMatchObject({
      text: 'a"b\u00e9',
      longs: [1n, 2n],
    });
  });

  it('rejects a key given twice, a lone surrogate and malformed text', () => {
    for (const text of [
      '{"i32": 1, "i32": 2}',
      '{"text": "\\ud800"}',
      '{"text": "\\udc00\\ud800"}',
      '{"i32": 1,}',
      '[',
      '{} x',
    ])
      expect(() => parse(text), text).toThrow(link.JsonError);
  });
});

describe('Timestamp and Duration helpers', () => {
  it('convert from and to Date and milliseconds', () => {
    const t = link.timestampFromDate(new Date(-1));
    expect(t).toEqual({ seconds: -1n, nanos: 999_000_000 });
    expect(link.timestampToDate({ seconds: 1n, nanos: 1 })).toEqual(new Date(1000));
    expect(link.durationFromMillis(-1500.5)).toEqual({ seconds: -1n, nanos: -500_500_000 });
    expect(link.durationToMillis({ seconds: 2n, nanos: 250_000_000 })).toBe(2250);
  });
});
