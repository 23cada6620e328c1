// The proto3 JSON mapping (https://protobuf.dev/programming-guides/json/) for the generated messages.
// Each message describes its fields once, one string a field, which the generated code hands to codec();
// the readers and writers here walk that table. Strings are far less for the user's tsc to check than a
// pair of functions (or a tuple a field) per message, and one loop over the table beats protobuf-es's
// reflection.
import * as $wire from './wire.js';
import type { JsonValue } from './wire.js';

export type { JsonValue };

export interface JsonReadOptions {
  /** Skip fields (and enum value names) this message does not know instead of failing. */
  ignoreUnknownFields?: boolean | undefined;
}

export interface JsonWriteOptions {
  /** Write fields that have their default value (implicit presence) too. */
  emitDefaults?: boolean | undefined;
  /** Use the .proto field names instead of their lowerCamelCase JSON names. */
  useProtoNames?: boolean | undefined;
}

/** What the JSON mapping needs of a type: its full name, its JSON form, and (for Any) its binary form. */
export interface JsonType<I, T> {
  readonly typeName: string;
  toJson(value: I, options?: JsonWriteOptions): JsonValue;
  fromJson(json: JsonValue, options?: JsonReadOptions): T;
  encode(message: I): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/** Each generated message's codec: binary (`encode`/`decode`) and JSON, as values or as text. */
export interface MessageCodec<I, T> extends $wire.MessageCodec<I, T>, JsonType<I, T> {
  toJsonString(message: I, options?: JsonWriteOptions): string;
  fromJsonString(text: string, options?: JsonReadOptions): T;
}

/** The JSON form of a scalar field (sint32, sfixed32 are int32; fixed64, sint64, sfixed64 int64/uint64). */
export type Scalar = 'int32' | 'uint32' | 'int64' | 'uint64' | 'float' | 'double' | 'bool' | 'string' | 'bytes';

/** An enum's generated `{ NAME: number }` object. */
export type EnumValues = { readonly [name: string]: number };

/**
 * A field's value type: a scalar, an enum (`null` for google.protobuf.NullValue), or a message (any
 * message's codec: `never` takes every Init type).
 */
export type FieldType = Scalar | EnumValues | null | JsonType<never, unknown>;

/**
 * The message and enum types a message's fields name, by the names its table uses: `{ Line, Status }`.
 * Well-known types are named by their full name (`google.protobuf.Timestamp`) and need no entry.
 */
export type FieldTypes = { readonly [name: string]: EnumValues | { readonly typeName: string } };

/** A JSON value that cannot be read as (or a message value that has no JSON form in) its field. */
export class JsonError extends Error {
  override name = 'JsonError';
}

type Obj = { [key: string]: unknown };

const hasOwn = Object.prototype.hasOwnProperty;
const registry = new Map<string, JsonType<unknown, unknown>>();
/** The generated messages among them (JSON objects of their fields, unlike the well-known types). */
const messages = new WeakSet<JsonType<unknown, unknown>>();

/** The types Any can hold, by full name: every generated message and the well-known types register here. */
export function register(type: JsonType<unknown, unknown>): void {
  registry.set(type.typeName, type);
}

export function lookup(typeName: string): JsonType<unknown, unknown> | undefined {
  return registry.get(typeName);
}

// --- compiled tables ---

interface CompiledField {
  prop: string;
  json: string;
  proto: string;
  type: FieldType;
  kind: '' | 'opt' | 'list' | 'map' | 'oneof';
  /** The map key's scalar, or the oneof's property. */
  extra: string;
  /** A property Object.prototype also has (toString, constructor): only an own one counts as set. */
  inherited: boolean;
}

interface Compiled {
  fields: CompiledField[];
  /** JSON and proto names -> field. */
  byName: Map<string, CompiledField>;
}

const SCALARS = new Set<string>(['int32', 'uint32', 'int64', 'uint64', 'float', 'double', 'bool', 'string', 'bytes']);
const KINDS = new Set<string>(['opt', 'list', 'map', 'oneof']);

/**
 * A message's table, one string a field: `<proto name> <type> [opt | list | map <key type> | oneof
 * <oneof property>] [json=<JSON name>] [prop=<property>]`. JSON name and property are written only when
 * they differ from the ones derived from the proto name (lowerCamelCase, as protoc and the generator do).
 */
function compile(typeName: string, rows: readonly string[], types: FieldTypes): Compiled {
  const fields: CompiledField[] = [];
  const byName = new Map<string, CompiledField>();
  for (const row of rows) {
    const [proto = '', type = '', ...rest] = row.split(' ');
    const named = (key: string): string | undefined => rest.find((c) => c.startsWith(key))?.slice(key.length);
    const kind = rest[0] !== undefined && KINDS.has(rest[0]) ? (rest[0] as CompiledField['kind']) : '';
    const prop = named('prop=') ?? camel(proto);
    const c: CompiledField = {
      prop,
      json: decodeURIComponent(named('json=') ?? jsonName(proto)),
      proto,
      type: fieldType(typeName, type, types),
      kind,
      extra: kind === 'map' || kind === 'oneof' ? (rest[1] ?? '') : '',
      inherited: prop in Object.prototype,
    };
    fields.push(c);
    byName.set(c.json, c);
    byName.set(c.proto, c);
  }
  return { fields, byName };
}

function fieldType(typeName: string, name: string, types: FieldTypes): FieldType {
  if (SCALARS.has(name)) return name as Scalar;
  if (name === 'null') return null;
  const type = hasOwn.call(types, name) ? types[name] : name.includes('.') ? registry.get(name) : undefined;
  if (!type) throw new Error(`internal: ${typeName}'s JSON table names unknown type ${name}`);
  return type as FieldType;
}

/** The generator's property name of a field: snake_case -> camelCase, the first character kept. */
function camel(proto: string): string {
  return proto.length > 1
    ? proto[0] + proto.slice(1).replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    : proto;
}

/** protoc's JSON name: each underscore dropped, the next other character upper-cased. */
function jsonName(proto: string): string {
  let out = '';
  let upper = false;
  for (const c of proto) {
    if (c === '_') upper = true;
    else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

const EMPTY = new Uint8Array(0);

/**
 * A message's codec from its binary encoder/decoder, its field table and the types the table names (a
 * function: they may be declared further down the module). Registers the message for Any.
 */
export function codec<I, T>(
  typeName: string,
  encode: (message: I, w: $wire.Writer) => $wire.Writer,
  decode: (r: $wire.Reader, end: number) => T,
  table: readonly string[],
  types?: () => FieldTypes,
): MessageCodec<I, T> {
  const binary = $wire.codec(encode, decode);
  let compiled: Compiled | undefined;
  const fields = (): Compiled => (compiled ??= compile(typeName, table, types?.() ?? {}));
  const self: MessageCodec<I, T> = {
    typeName,
    encode: binary.encode,
    decode: binary.decode,
    toJson: (message, options) => writeMessage(fields(), message as Obj, options ?? {}),
    fromJson: (json, options) => {
      const m = decode($wire.reader(EMPTY), 0);
      readMessage(fields(), m as Obj, json, options ?? {}, typeName);
      return m;
    },
    toJsonString: (message, options) => JSON.stringify(self.toJson(message, options)),
    fromJsonString: (text, options) => self.fromJson(parseJson(text), options),
  };
  register(self as JsonType<unknown, unknown>);
  messages.add(self as JsonType<unknown, unknown>);
  return self;
}

/**
 * JSON text as a value, stricter than JSON.parse where the mapping asks for it: a key given twice and a
 * lone UTF-16 surrogate are errors, and an integer beyond 2^53 stays exact (a bigint, read by int64 fields;
 * anywhere else it becomes a number). JSON.parse still decodes each string that has escapes.
 */
function parseJson(text: string): JsonValue {
  const p = { text, pos: 0 };
  const v = parseValue(p);
  skipSpace(p);
  if (p.pos < text.length) throw syntax(p);
  return v;
}

interface ParseState {
  text: string;
  pos: number;
}

function syntax(p: ParseState): JsonError {
  return new JsonError(`invalid JSON at offset ${p.pos}`);
}

function skipSpace(p: ParseState): void {
  const t = p.text;
  let c = t.charCodeAt(p.pos);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++p.pos);
}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function parseValue(p: ParseState): JsonValue {
  skipSpace(p);
  const c = p.text[p.pos];
  if (c === '{') return parseObject(p);
  if (c === '[') return parseArray(p);
  if (c === '"') return parseString(p);
  for (const [word, value] of LITERALS)
    if (p.text.startsWith(word, p.pos)) {
      p.pos += word.length;
      return value;
    }
  NUMBER_TOKEN.lastIndex = p.pos;
  const m = NUMBER_TOKEN.exec(p.text);
  if (!m) throw syntax(p);
  p.pos += m[0].length;
  const n = Number(m[0]);
  if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(m[0]) as unknown as number;
  return n;
}

const LITERALS: [string, JsonValue][] = [
  ['true', true],
  ['false', false],
  ['null', null],
];

function parseObject(p: ParseState): JsonValue {
  const out: { [key: string]: JsonValue } = {};
  p.pos++;
  skipSpace(p);
  if (p.text[p.pos] === '}') {
    p.pos++;
    return out;
  }
  for (;;) {
    skipSpace(p);
    if (p.text[p.pos] !== '"') throw syntax(p);
    const key = parseString(p);
    if (hasOwn.call(out, key)) throw new JsonError(`invalid JSON: key "${key}" given twice`);
    skipSpace(p);
    if (p.text[p.pos++] !== ':') throw syntax(p);
    $wire.setKey(out, key, parseValue(p));
    skipSpace(p);
    const c = p.text[p.pos++];
    if (c === '}') return out;
    if (c !== ',') throw syntax(p);
  }
}

function parseArray(p: ParseState): JsonValue {
  const out: JsonValue[] = [];
  p.pos++;
  skipSpace(p);
  if (p.text[p.pos] === ']') {
    p.pos++;
    return out;
  }
  for (;;) {
    out.push(parseValue(p));
    skipSpace(p);
    const c = p.text[p.pos++];
    if (c === ']') return out;
    if (c !== ',') throw syntax(p);
  }
}

function parseString(p: ParseState): string {
  const t = p.text;
  const start = p.pos;
  let escaped = false;
  let i = start + 1;
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 34) break;
    if (c === 92) {
      escaped = true;
      i++;
    } else if (c < 32 || Number.isNaN(c)) throw syntax({ text: t, pos: i });
    i++;
  }
  p.pos = i + 1;
  if (!escaped) return t.slice(start + 1, i);
  let s: string;
  try {
    s = JSON.parse(t.slice(start, i + 1)) as string;
  } catch {
    throw syntax({ text: t, pos: start });
  }
  if (LONE_SURROGATE.test(s)) throw new JsonError(`invalid JSON: unpaired surrogate in string at offset ${start}`);
  return s;
}

/** Integers the parser kept exact, as numbers: what a google.protobuf.Value holds. */
function plainNumbers(v: JsonValue): JsonValue {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = plainNumbers(v[i]!);
  else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) v[k] = plainNumbers(v[k]!);
  return v;
}

// --- writing ---

function writeMessage(c: Compiled, m: Obj, options: JsonWriteOptions): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  const all = options.emitDefaults === true;
  for (const f of c.fields) {
    const v = f.inherited ? own(m, f.prop) : m[f.prop];
    const key = options.useProtoNames ? f.proto : f.json;
    if (f.kind === 'oneof') {
      const o = own(m, f.extra) as Obj | undefined;
      if (o?.['$case'] === f.prop) out[key] = writeValue(f.type, o[f.prop], options);
    } else if (f.kind === 'list') {
      // A field left out of an Init object has its default value (here: empty).
      const list = (v ?? []) as readonly unknown[];
      if (list.length || all) out[key] = list.map((e) => writeValue(f.type, e, options));
    } else if (f.kind === 'map') {
      const entries = v === undefined ? [] : v instanceof Map ? [...v] : Object.entries(v as Obj);
      if (entries.length || all) out[key] = writeMap(f, entries, options);
    } else if (f.kind === 'opt') {
      if (v !== undefined && (v !== null || f.type === VALUE)) out[key] = writeValue(f.type, v, options);
    } else if (v === undefined ? all : all || !isDefault(v)) {
      out[key] = writeValue(f.type, v ?? zero(f.type), options);
    }
  }
  return out;
}

/** An own property only: one Object.prototype also has (toString) is not a field that is set. */
function own(m: Obj, prop: string): unknown {
  return hasOwn.call(m, prop) ? m[prop] : undefined;
}

function writeMap(f: CompiledField, entries: [unknown, unknown][], options: JsonWriteOptions): JsonValue {
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of entries) $wire.setKey(out, String(k), writeValue(f.type, v, options));
  return out;
}

const ZERO: { [S in Scalar]: unknown } = {
  int32: 0,
  uint32: 0,
  int64: 0n,
  uint64: 0n,
  float: 0,
  double: 0,
  bool: false,
  string: '',
  bytes: new Uint8Array(0),
};

/** The default value of a field without presence: a scalar's zero, or an enum's 0. */
function zero(type: FieldType): unknown {
  return typeof type === 'string' ? ZERO[type] : 0;
}

function isDefault(v: unknown): boolean {
  switch (typeof v) {
    case 'number':
      return v === 0 && !Object.is(v, -0);
    case 'bigint':
      return v === 0n;
    case 'boolean':
      return !v;
    case 'string':
      return v === '';
    default:
      return v instanceof Uint8Array && v.length === 0;
  }
}

function writeValue(type: FieldType, v: unknown, options: JsonWriteOptions): JsonValue {
  if (type === null) return null;
  if (typeof type === 'string') return writeScalar(type, v);
  const message = jsonType(type);
  if (message) return message.toJson(v, options);
  return enumName(type as EnumValues, v as number);
}

/** A message's codec as the table holds it, or undefined for an enum. */
function jsonType(type: object): JsonType<unknown, unknown> | undefined {
  // A codec takes the message it was made for: the field's own value, which is what it gets here.
  return typeof (type as { toJson?: unknown }).toJson === 'function' ? (type as JsonType<unknown, unknown>) : undefined;
}

function writeScalar(type: Scalar, v: unknown): JsonValue {
  switch (type) {
    case 'int64':
    case 'uint64':
      return String(v);
    case 'float':
    case 'double':
      return Number.isFinite(v) ? (v as number) : String(v);
    case 'bytes':
      return base64(v as Uint8Array);
    default:
      return v as JsonValue;
  }
}

const enumNames = new WeakMap<EnumValues, Map<number, string>>();

/** An enum value's name (the first one, for aliases), or its number when the value is unknown. */
function enumName(values: EnumValues, n: number): JsonValue {
  let names = enumNames.get(values);
  if (!names) {
    names = new Map();
    for (const [k, v] of Object.entries(values)) if (!names.has(v)) names.set(v, k);
    enumNames.set(values, names);
  }
  return names.get(n) ?? n;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

// --- reading ---

function readMessage(c: Compiled, m: Obj, json: JsonValue, options: JsonReadOptions, typeName: string): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new JsonError(`${typeName}: expected a JSON object, got ${describe(json)}`);
  const seen = new Set<CompiledField>();
  for (const key of Object.keys(json)) {
    const f = c.byName.get(key);
    if (!f) {
      if (options.ignoreUnknownFields) continue;
      throw new JsonError(`${typeName}: unknown field "${key}"`);
    }
    if (seen.has(f)) throw new JsonError(`${typeName}: field ${f.proto} given twice`);
    seen.add(f);
    readField(f, m, json[key]!, options, typeName);
  }
}

function readField(f: CompiledField, m: Obj, v: JsonValue, options: JsonReadOptions, typeName: string): void {
  const where = `${typeName}.${f.proto}`;
  if (v === null && f.type !== VALUE && f.type !== null) {
    // null means "not set"; a member of a oneof is then just left out.
    if (f.kind === 'opt') m[f.prop] = undefined;
    return;
  }
  if (f.kind === 'list') {
    if (!Array.isArray(v)) throw new JsonError(`${where}: expected a JSON array, got ${describe(v)}`);
    const list = m[f.prop] as unknown[];
    for (const e of v) {
      if (e === null && f.type !== VALUE) throw new JsonError(`${where}: null in a list`);
      const x = readValue(f.type, e, options, where);
      if (x !== SKIP) list.push(x);
    }
  } else if (f.kind === 'map') readMap(f, m, v, options, where);
  else {
    const x = readValue(f.type, v, options, where);
    if (x === SKIP) return;
    if (f.kind !== 'oneof') $wire.setKey(m, f.prop, x);
    else if (m[f.extra] !== undefined) throw new JsonError(`${where}: oneof ${f.extra} has more than one field set`);
    else m[f.extra] = { $case: f.prop, [f.prop]: x };
  }
}

function readMap(f: CompiledField, m: Obj, v: JsonValue, options: JsonReadOptions, where: string): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new JsonError(`${where}: expected a JSON object, got ${describe(v)}`);
  const target = m[f.prop] as Map<unknown, unknown> | Obj;
  for (const k of Object.keys(v)) {
    const e = v[k]!;
    if (e === null && f.type !== VALUE) throw new JsonError(`${where}: null map value`);
    const x = readValue(f.type, e, options, where);
    if (x === SKIP) continue;
    if (target instanceof Map) target.set(mapKey(f.extra as Scalar, k, where), x);
    else $wire.setKey(target, k, x);
  }
}

function mapKey(type: Scalar, k: string, where: string): unknown {
  if (type === 'bool') {
    if (k === 'true' || k === 'false') return k === 'true';
    throw new JsonError(`${where}: map key "${k}" is not a bool`);
  }
  return readScalar(type, k, where);
}

/** An enum name unknown with ignoreUnknownFields: the field (element, entry) is left out. */
const SKIP: unique symbol = Symbol('skip');

function readValue(type: FieldType, v: JsonValue, options: JsonReadOptions, where: string): unknown {
  if (type === null) {
    if (v === null || v === 'NULL_VALUE') return 0;
    throw new JsonError(`${where}: expected null, got ${describe(v)}`);
  }
  if (typeof type === 'string') return readScalar(type, v, where);
  const message = jsonType(type);
  if (message) return message.fromJson(v, options);
  return readEnum(type as EnumValues, v, options, where);
}

function readEnum(values: EnumValues, v: JsonValue, options: JsonReadOptions, where: string): number | typeof SKIP {
  if (typeof v === 'string') {
    if (hasOwn.call(values, v)) return values[v]!;
    if (options.ignoreUnknownFields) return SKIP;
    throw new JsonError(`${where}: unknown enum value "${v}"`);
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return v;
  throw new JsonError(`${where}: expected an enum value name or number, got ${describe(v)}`);
}

const INT = /^-?(?:0|[1-9]\d*)$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const LIMITS = {
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
} as const;

function readScalar(type: Scalar, v: JsonValue, where: string): unknown {
  switch (type) {
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'bool':
      if (typeof v === 'boolean') return v;
      break;
    case 'bytes':
      if (typeof v === 'string') return unbase64(v, where);
      break;
    case 'float':
    case 'double':
      return readFloat(type, v, where);
    case 'int32':
    case 'uint32':
      return readInt32(type, v, where);
    default:
      return readInt64(type, v, where);
  }
  throw new JsonError(`${where}: expected a ${type}, got ${describe(v)}`);
}

function numberOf(v: JsonValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && NUMBER.test(v)) return Number(v);
  return undefined;
}

function readInt32(type: 'int32' | 'uint32', v: JsonValue, where: string): number {
  const n = numberOf(v);
  const [lo, hi] = LIMITS[type];
  if (n === undefined || !Number.isInteger(n)) throw new JsonError(`${where}: expected a ${type}, got ${describe(v)}`);
  if (n < lo || n > hi) throw new JsonError(`${where}: ${n} is out of range for ${type}`);
  return n;
}

function readInt64(type: 'int64' | 'uint64', v: JsonValue, where: string): bigint {
  let n: bigint | undefined;
  if (typeof v === 'string' && INT.test(v)) n = BigInt(v);
  else if (typeof v === 'bigint') n = v;
  else {
    const x = numberOf(v);
    // A number (or an exponent form) is exact only while it is a safe integer.
    if (x !== undefined && Number.isInteger(x) && (typeof v === 'string' || Number.isSafeInteger(x))) n = BigInt(x);
  }
  if (n === undefined) throw new JsonError(`${where}: expected a ${type}, got ${describe(v)}`);
  const [lo, hi] = LIMITS[type];
  if (n < lo || n > hi) throw new JsonError(`${where}: ${n} is out of range for ${type}`);
  return n;
}

const FLOAT_MAX = 3.4028234663852886e38;

function readFloat(type: 'float' | 'double', v: JsonValue, where: string): number {
  let n: number | undefined;
  if (v === 'NaN') n = Number.NaN;
  else if (v === 'Infinity') n = Number.POSITIVE_INFINITY;
  else if (v === '-Infinity') n = Number.NEGATIVE_INFINITY;
  // JSON has no infinite number: one here is a literal too large for a double.
  else if ((n = numberOf(v)) !== undefined && !Number.isFinite(n)) n = undefined;
  if (n === undefined) throw new JsonError(`${where}: expected a ${type}, got ${describe(v)}`);
  if (type === 'float' && Number.isFinite(n)) {
    if (Math.abs(n) > FLOAT_MAX) throw new JsonError(`${where}: ${n} is out of range for float`);
    return Math.fround(n);
  }
  return n;
}

const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/;

function unbase64(s: string, where: string): Uint8Array {
  if (!BASE64.test(s) || s.replace(/=+$/, '').length % 4 === 1 || (s.includes('=') && s.length % 4 !== 0))
    throw new JsonError(`${where}: invalid base64`);
  return new Uint8Array(Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64'));
}

function describe(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = typeof v === 'bigint' ? String(v) : JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

// --- well-known types with a JSON form of their own ---

function wkt<I, T>(
  name: string,
  encode: (v: I, w: $wire.Writer) => $wire.Writer,
  decode: (r: $wire.Reader, end: number) => T,
  toJson: (v: I, options: JsonWriteOptions) => JsonValue,
  fromJson: (json: JsonValue, options: JsonReadOptions) => T,
): JsonType<I, T> {
  const binary = $wire.codec(encode, decode);
  const type: JsonType<I, T> = {
    typeName: `google.protobuf.${name}`,
    encode: binary.encode,
    decode: binary.decode,
    toJson: (v, options) => toJson(v, options ?? {}),
    fromJson: (json, options) => fromJson(json, options ?? {}),
  };
  register(type as JsonType<unknown, unknown>);
  return type;
}

/** A wrapper (Int64Value, StringValue, ...): the JSON form of the value it wraps. */
function wrapper<T>(
  name: string,
  scalar: Scalar,
  encode: (v: T, w: $wire.Writer) => $wire.Writer,
  decode: (r: $wire.Reader, end: number) => T,
): JsonType<T, T> {
  const where = `google.protobuf.${name}`;
  return wkt(
    name,
    encode,
    decode,
    (v) => writeScalar(scalar, v),
    (json) => readScalar(scalar, json, where) as T,
  );
}

export const DoubleValue = wrapper('DoubleValue', 'double', $wire.encodeDoubleValue, $wire.decodeDoubleValue);
export const FloatValue = wrapper('FloatValue', 'float', $wire.encodeFloatValue, $wire.decodeFloatValue);
export const Int64Value = wrapper('Int64Value', 'int64', $wire.encodeInt64Value, $wire.decodeInt64Value);
export const UInt64Value = wrapper('UInt64Value', 'uint64', $wire.encodeUInt64Value, $wire.decodeUInt64Value);
export const Int32Value = wrapper('Int32Value', 'int32', $wire.encodeInt32Value, $wire.decodeInt32Value);
export const UInt32Value = wrapper('UInt32Value', 'uint32', $wire.encodeUInt32Value, $wire.decodeUInt32Value);
export const BoolValue = wrapper('BoolValue', 'bool', $wire.encodeBoolValue, $wire.decodeBoolValue);
export const StringValue = wrapper('StringValue', 'string', $wire.encodeStringValue, $wire.decodeStringValue);
export const BytesValue = wrapper('BytesValue', 'bytes', $wire.encodeBytesValue, $wire.decodeBytesValue);

export const Empty = wkt(
  'Empty',
  $wire.encodeEmpty,
  $wire.decodeEmpty,
  () => ({}),
  (json) => {
    if (typeof json !== 'object' || json === null || Array.isArray(json) || Object.keys(json).length)
      throw new JsonError(`google.protobuf.Empty: expected {}, got ${describe(json)}`);
    return {};
  },
);

// --- Timestamp: RFC 3339 in UTC ("1972-01-01T10:00:20.021Z"), years 1 to 9999 ---

const TS_MIN = -62135596800n; // 0001-01-01T00:00:00Z
const TS_MAX = 253402300799n; // 9999-12-31T23:59:59Z
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** 0, 3, 6 or 9 digits of fraction, as the mapping asks. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  return `.${digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits}`;
}

function timestampToJson(v: $wire.TimestampInit): string {
  const seconds = v.seconds ?? 0n;
  const nanos = v.nanos ?? 0;
  if (seconds < TS_MIN || seconds > TS_MAX || nanos < 0 || nanos > 999_999_999 || !Number.isInteger(nanos))
    throw new JsonError('google.protobuf.Timestamp: out of range (years 1 to 9999, nanos 0 to 999999999)');
  const iso = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z for years 1-9999
  return `${iso.slice(0, 19)}${fraction(nanos)}Z`;
}

function timestampFromJson(json: JsonValue): $wire.Timestamp {
  const m = typeof json === 'string' ? RFC3339.exec(json) : null;
  if (!m) throw new JsonError(`google.protobuf.Timestamp: expected an RFC 3339 date-time, got ${describe(json)}`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    throw new JsonError(`google.protobuf.Timestamp: no such date-time ${json as string}`);
  const zone = m[8]!;
  const offset =
    zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  const seconds = BigInt(date.getTime() / 1000 - offset * 60);
  if (seconds < TS_MIN || seconds > TS_MAX) throw new JsonError(`google.protobuf.Timestamp: ${json} is out of range`);
  return { seconds, nanos: Number((m[7] ?? '').padEnd(9, '0')) };
}

export const Timestamp = wkt<$wire.TimestampInit, $wire.Timestamp>(
  'Timestamp',
  $wire.encodeTimestamp,
  $wire.decodeTimestamp,
  timestampToJson,
  timestampFromJson,
);

// --- Duration: seconds with up to 9 digits of fraction ("-1.000000001s"), at most 10,000 years ---

const DURATION_MAX = 315576000000n;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

function durationToJson(v: $wire.DurationInit): string {
  const seconds = v.seconds ?? 0n;
  const nanos = v.nanos ?? 0;
  const sign = seconds < 0n || nanos < 0;
  if (
    seconds > DURATION_MAX ||
    seconds < -DURATION_MAX ||
    !Number.isInteger(nanos) ||
    Math.abs(nanos) > 999_999_999 ||
    (seconds !== 0n && nanos !== 0 && seconds < 0n !== nanos < 0)
  )
    throw new JsonError('google.protobuf.Duration: out of range or seconds and nanos of different signs');
  const abs = seconds < 0n ? -seconds : seconds;
  return `${sign ? '-' : ''}${abs}${fraction(Math.abs(nanos))}s`;
}

function durationFromJson(json: JsonValue): $wire.Duration {
  const m = typeof json === 'string' ? DURATION.exec(json) : null;
  if (!m) throw new JsonError(`google.protobuf.Duration: expected seconds like "1.5s", got ${describe(json)}`);
  const abs = BigInt(m[2]!);
  if (abs > DURATION_MAX) throw new JsonError(`google.protobuf.Duration: ${json} is out of range`);
  const nanos = Number((m[3] ?? '').padEnd(9, '0'));
  return m[1] ? { seconds: -abs, nanos: nanos === 0 ? 0 : -nanos } : { seconds: abs, nanos };
}

export const Duration = wkt<$wire.DurationInit, $wire.Duration>(
  'Duration',
  $wire.encodeDuration,
  $wire.decodeDuration,
  durationToJson,
  durationFromJson,
);

// --- FieldMask: its paths in lowerCamelCase, joined by commas ---

function fieldMaskToJson(paths: readonly string[]): string {
  return paths
    .map((p) => {
      if (/[A-Z]|_(?![a-z])/.test(p)) throw new JsonError(`google.protobuf.FieldMask: path "${p}" has no JSON form`);
      return p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    })
    .join(',');
}

function fieldMaskFromJson(json: JsonValue): string[] {
  if (typeof json !== 'string')
    throw new JsonError(`google.protobuf.FieldMask: expected a string, got ${describe(json)}`);
  if (json === '') return [];
  return json.split(',').map((p) => {
    if (p.includes('_')) throw new JsonError(`google.protobuf.FieldMask: path "${p}" is not lowerCamelCase`);
    return p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  });
}

export const FieldMask = wkt<readonly string[], string[]>(
  'FieldMask',
  $wire.encodeFieldMask,
  $wire.decodeFieldMask,
  fieldMaskToJson,
  fieldMaskFromJson,
);

// --- Struct, Value, ListValue: already plain JSON values ---

function checkedJson(v: JsonValue, where: string): JsonValue {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new JsonError(`${where}: ${v} has no JSON form`);
  if (Array.isArray(v)) for (const e of v) checkedJson(e, where);
  else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) checkedJson(v[k]!, where);
  return v;
}

type JsonObject = { [key: string]: JsonValue };

const VALUE = wkt<JsonValue, JsonValue>(
  'Value',
  $wire.encodeValue,
  $wire.decodeValue,
  (v) => checkedJson(v, 'google.protobuf.Value'),
  plainNumbers,
);
export { VALUE as Value };

export const Struct = wkt<JsonObject, JsonObject>(
  'Struct',
  $wire.encodeStruct,
  $wire.decodeStruct,
  (v) => checkedJson(v, 'google.protobuf.Struct'),
  (json) => {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new JsonError(`google.protobuf.Struct: expected a JSON object, got ${describe(json)}`);
    return plainNumbers(json) as JsonObject;
  },
);

export const ListValue = wkt<readonly JsonValue[], JsonValue[]>(
  'ListValue',
  $wire.encodeListValue,
  $wire.decodeListValue,
  (v) => checkedJson([...v], 'google.protobuf.ListValue'),
  (json) => {
    if (!Array.isArray(json))
      throw new JsonError(`google.protobuf.ListValue: expected an array, got ${describe(json)}`);
    return plainNumbers(json) as JsonValue[];
  },
);

// --- Any: {"@type": url, ...the packed message's fields} or, for a well-known type, {"@type", "value"} ---

function anyType(typeUrl: string): JsonType<unknown, unknown> {
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const type = registry.get(name);
  if (!type) throw new JsonError(`google.protobuf.Any: type ${typeUrl || '(none)'} is not known here`);
  return type;
}

/** Well-known types have a JSON form of their own: an Any holds them under "value". */
function isSpecial(type: JsonType<unknown, unknown>): boolean {
  return !messages.has(type);
}

function anyToJson(v: $wire.AnyInit, options: JsonWriteOptions): JsonValue {
  if (!v.typeUrl) {
    if (v.value?.length) throw new JsonError('google.protobuf.Any: a value without a type URL');
    return {};
  }
  const type = anyType(v.typeUrl);
  const inner = type.toJson(type.decode(v.value ?? EMPTY), options);
  if (isSpecial(type)) return { '@type': v.typeUrl, value: inner };
  return { '@type': v.typeUrl, ...(inner as JsonObject) };
}

function anyFromJson(json: JsonValue, options: JsonReadOptions): $wire.Any {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new JsonError(`google.protobuf.Any: expected a JSON object, got ${describe(json)}`);
  const url = json['@type'];
  if (url === undefined && Object.keys(json).length === 0) return { typeUrl: '', value: EMPTY };
  if (typeof url !== 'string' || !url.includes('/'))
    throw new JsonError('google.protobuf.Any: "@type" must be a type URL (type.googleapis.com/full.Name)');
  const type = anyType(url);
  let body: JsonValue;
  if (isSpecial(type)) {
    if (!hasOwn.call(json, 'value')) throw new JsonError(`google.protobuf.Any: ${url} needs a "value"`);
    body = json['value']!;
  } else {
    const { '@type': _, ...rest } = json;
    body = rest;
  }
  return { typeUrl: url, value: type.encode(type.fromJson(body, options)) };
}

export const Any = wkt<$wire.AnyInit, $wire.Any>('Any', $wire.encodeAny, $wire.decodeAny, anyToJson, anyFromJson);
