// Wire helpers shared by the generated codecs: protobufjs's Writer/Reader, 64-bit integers as
// bigint (exact over the full range), and the well-known types in their natural TypeScript shape.
import type { Long, Reader, Writer } from 'protobufjs/minimal.js';
import $protobuf from 'protobufjs/minimal.js';

export type { Reader, Writer };

/** Any JSON value: the shape of google.protobuf.Value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function writer(): Writer {
  return $protobuf.Writer.create();
}

/** A Writer kept between messages, so its buffer does not regrow from 128 bytes for each one. */
let spare: Writer | undefined;
const SPARE_LIMIT = 1 << 16;

/** Encodes one message into a fresh copy of its bytes. */
export function encodeMessage<T>(encode: (message: T, w: Writer) => Writer, message: T): Uint8Array {
  // Taking the spare (rather than sharing it) keeps this safe if encoding re-enters, e.g. from a getter.
  const w = spare ?? writer();
  spare = undefined;
  const bytes = encode(message, w).finish();
  // A complete message leaves no fork open, so reset() rewinds to the start. A writer that threw
  // never comes back here, and one grown past the limit is dropped rather than pinned in memory.
  w.reset();
  if (w.buf.length <= SPARE_LIMIT) spare = w;
  return bytes;
}

/** What each generated message exports under its own name: `Order.encode(init)`, `Order.decode(bytes)`. */
export interface MessageCodec<I, T> {
  encode(message: I): Uint8Array;
  decode(bytes: Uint8Array): T;
}

export function codec<I, T>(
  encode: (message: I, w: Writer) => Writer,
  decode: (r: Reader, end: number) => T,
): MessageCodec<I, T> {
  return {
    encode: (message) => encodeMessage(encode, message),
    decode: (bytes) => {
      const r = reader(bytes);
      return decode(r, r.len);
    },
  };
}

export function reader(bytes: Uint8Array): Reader {
  return $protobuf.Reader.create(bytes);
}

const MASK32 = 0xffffffffn;

/**
 * A bigint in the form protobufjs's Writer takes for 64-bit fields: a plain number while it is
 * exact, otherwise the two 32-bit halves (protobufjs reads only `low`/`high` from a Long).
 */
export function long(value: bigint): number | Long {
  // Number() rounds anything beyond 2^53 to a value that is no longer a safe integer.
  const n = Number(value);
  if (Number.isSafeInteger(n)) return n;
  const bits = BigInt.asUintN(64, value);
  return { low: Number(bits & MASK32) | 0, high: Number(bits >> 32n) | 0, unsigned: false } as Long;
}

/**
 * Writes an int64/uint64 varint. Values in [0, 2^32) have the same varint as a uint32, which
 * protobufjs writes without building a 64-bit intermediate.
 */
export function writeInt64(w: Writer, value: bigint): Writer {
  const n = Number(value);
  return n >= 0 && n <= 0xffffffff ? w.uint32(n) : w.int64(long(value));
}

export const writeUint64 = writeInt64;

// One call per singular field in the generated encoders: less code for the user's tsc to check than an
// `if` and a chained write per field, and small enough for V8 to inline. `i*` skip the proto3 default
// (implicit presence), `o*` write any value that is set (explicit presence).
export function iInt32(w: Writer, tag: number, v: number | undefined): void {
  if (v) w.uint32(tag).int32(v);
}
export function oInt32(w: Writer, tag: number, v: number | null | undefined): void {
  if (v != null) w.uint32(tag).int32(v);
}
export function iUint32(w: Writer, tag: number, v: number | undefined): void {
  if (v) w.uint32(tag).uint32(v);
}
export function oUint32(w: Writer, tag: number, v: number | null | undefined): void {
  if (v != null) w.uint32(tag).uint32(v);
}
export function iSint32(w: Writer, tag: number, v: number | undefined): void {
  if (v) w.uint32(tag).sint32(v);
}
export function oSint32(w: Writer, tag: number, v: number | null | undefined): void {
  if (v != null) w.uint32(tag).sint32(v);
}
export function iFixed32(w: Writer, tag: number, v: number | undefined): void {
  if (v) w.uint32(tag).fixed32(v);
}
export function oFixed32(w: Writer, tag: number, v: number | null | undefined): void {
  if (v != null) w.uint32(tag).fixed32(v);
}
export function iSfixed32(w: Writer, tag: number, v: number | undefined): void {
  if (v) w.uint32(tag).sfixed32(v);
}
export function oSfixed32(w: Writer, tag: number, v: number | null | undefined): void {
  if (v != null) w.uint32(tag).sfixed32(v);
}
// Floating point keeps an explicit test, so a NaN is written.
export function iDouble(w: Writer, tag: number, v: number | undefined): void {
  if (v !== undefined && v !== 0) w.uint32(tag).double(v);
}
export function oDouble(w: Writer, tag: number, v: number | null | undefined): void {
  if (v != null) w.uint32(tag).double(v);
}
export function iFloat(w: Writer, tag: number, v: number | undefined): void {
  if (v !== undefined && v !== 0) w.uint32(tag).float(v);
}
export function oFloat(w: Writer, tag: number, v: number | null | undefined): void {
  if (v != null) w.uint32(tag).float(v);
}
export function iBool(w: Writer, tag: number, v: boolean | undefined): void {
  if (v) w.uint32(tag).bool(v);
}
export function oBool(w: Writer, tag: number, v: boolean | null | undefined): void {
  if (v != null) w.uint32(tag).bool(v);
}
export function iString(w: Writer, tag: number, v: string | undefined): void {
  if (v) w.uint32(tag).string(v);
}
export function oString(w: Writer, tag: number, v: string | null | undefined): void {
  if (v != null) w.uint32(tag).string(v);
}
export function iBytes(w: Writer, tag: number, v: Uint8Array | undefined): void {
  if (v !== undefined && v.length !== 0) w.uint32(tag).bytes(v);
}
export function oBytes(w: Writer, tag: number, v: Uint8Array | null | undefined): void {
  if (v != null) w.uint32(tag).bytes(v);
}
export function iInt64(w: Writer, tag: number, v: bigint | undefined): void {
  if (v) writeInt64(w.uint32(tag), v);
}
export function oInt64(w: Writer, tag: number, v: bigint | null | undefined): void {
  if (v != null) writeInt64(w.uint32(tag), v);
}
export const iUint64 = iInt64;
export const oUint64 = oInt64;
export function iSint64(w: Writer, tag: number, v: bigint | undefined): void {
  if (v) w.uint32(tag).sint64(long(v));
}
export function oSint64(w: Writer, tag: number, v: bigint | null | undefined): void {
  if (v != null) w.uint32(tag).sint64(long(v));
}
export function iFixed64(w: Writer, tag: number, v: bigint | undefined): void {
  if (v) w.uint32(tag).fixed64(long(v));
}
export function oFixed64(w: Writer, tag: number, v: bigint | null | undefined): void {
  if (v != null) w.uint32(tag).fixed64(long(v));
}
export function iSfixed64(w: Writer, tag: number, v: bigint | undefined): void {
  if (v) w.uint32(tag).sfixed64(long(v));
}
export function oSfixed64(w: Writer, tag: number, v: bigint | null | undefined): void {
  if (v != null) w.uint32(tag).sfixed64(long(v));
}
/** A singular message field, length-delimited, when set. */
export function msg<T>(w: Writer, tag: number, v: T | null | undefined, encode: (value: T, w: Writer) => Writer): void {
  if (v != null) encode(v, w.uint32(tag).fork()).ldelim();
}

// Repeated fields: `p*` write a packed numeric field, `r*` one tagged value per element.
export function pInt32(w: Writer, tag: number, v: readonly number[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.int32(x);
  w.ldelim();
}
export function pUint32(w: Writer, tag: number, v: readonly number[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.uint32(x);
  w.ldelim();
}
export function pSint32(w: Writer, tag: number, v: readonly number[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.sint32(x);
  w.ldelim();
}
export function pFixed32(w: Writer, tag: number, v: readonly number[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.fixed32(x);
  w.ldelim();
}
export function pSfixed32(w: Writer, tag: number, v: readonly number[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.sfixed32(x);
  w.ldelim();
}
export function pDouble(w: Writer, tag: number, v: readonly number[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.double(x);
  w.ldelim();
}
export function pFloat(w: Writer, tag: number, v: readonly number[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.float(x);
  w.ldelim();
}
export function pBool(w: Writer, tag: number, v: readonly boolean[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.bool(x);
  w.ldelim();
}
export function pInt64(w: Writer, tag: number, v: readonly bigint[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) writeInt64(w, x);
  w.ldelim();
}
export function pSint64(w: Writer, tag: number, v: readonly bigint[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.sint64(long(x));
  w.ldelim();
}
export function pFixed64(w: Writer, tag: number, v: readonly bigint[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.fixed64(long(x));
  w.ldelim();
}
export function pSfixed64(w: Writer, tag: number, v: readonly bigint[] | undefined): void {
  if (v === undefined || v.length === 0) return;
  w.uint32(tag).fork();
  for (const x of v) w.sfixed64(long(x));
  w.ldelim();
}
export const pUint64 = pInt64;
export function rString(w: Writer, tag: number, v: readonly string[] | undefined): void {
  if (v !== undefined) for (const x of v) w.uint32(tag).string(x);
}
export function rBytes(w: Writer, tag: number, v: readonly Uint8Array[] | undefined): void {
  if (v !== undefined) for (const x of v) w.uint32(tag).bytes(x);
}
export function rMsg<T>(
  w: Writer,
  tag: number,
  v: readonly T[] | undefined,
  encode: (value: T, w: Writer) => Writer,
): void {
  if (v !== undefined) for (const x of v) encode(x, w.uint32(tag).fork()).ldelim();
}

// --- unknown fields: kept through decode -> encode, in the order received ---

/**
 * The property under which a decoded message keeps the fields its schema does not know (newer fields,
 * extensions), each as its raw tag and value. It exists only on messages that had some, so messages
 * without unknown fields keep their shape and pay nothing; encoders write them back after the known fields.
 * `Symbol.for`, so copies of this runtime in one process agree on it.
 */
export const UNKNOWN_FIELDS: unique symbol = Symbol.for('create-service-link.unknownFields');

interface WithUnknown {
  [UNKNOWN_FIELDS]?: Uint8Array[];
}

/** The unknown fields a decoded message kept (raw tag + value each), or none. */
export function unknownFields(message: object): readonly Uint8Array[] {
  return (message as WithUnknown)[UNKNOWN_FIELDS] ?? [];
}

/** Forgets a message's unknown fields (not those of its sub-messages), so encode leaves them out. */
export function dropUnknownFields(message: object): void {
  delete (message as WithUnknown)[UNKNOWN_FIELDS];
}

/**
 * Skips the value of a field the decoder does not keep, after its tag `t`: rejects field number 0 and
 * wire types 4, 6 and 7, and checks that a group ends with its own end tag.
 */
export function skip(r: Reader, t: number): void {
  r.skipType(t & 7, 0, t >>> 3);
}

/** A field the generated decoder does not know: skipped (see skip) and kept on the message. */
export function unknown(message: object, r: Reader, t: number): void {
  const start = r.pos;
  skip(r, t);
  const body = r.buf.subarray(start, r.pos);
  // The tag is written again (canonically); the copy does not pin or alias the caller's buffer.
  let n = 1;
  for (let v = t; v >= 128; v >>>= 7) n++;
  const field = new Uint8Array(n + body.length);
  let i = 0;
  let v = t;
  for (; v >= 128; v >>>= 7) field[i++] = (v & 127) | 128;
  field[i] = v;
  field.set(body, n);
  const own = message as WithUnknown;
  const kept = own[UNKNOWN_FIELDS];
  if (kept === undefined) own[UNKNOWN_FIELDS] = [field];
  else kept.push(field);
}

/** protobufjs's Writer grows its buffer through _reserve (not in its type declarations). */
interface RawWriter {
  _reserve(n: number): void;
}

/** Writes back a message's unknown fields, byte for byte. */
export function writeUnknown(w: Writer, message: object): void {
  const kept = (message as WithUnknown)[UNKNOWN_FIELDS];
  if (kept === undefined) return;
  for (const field of kept) {
    (w as unknown as RawWriter)._reserve(field.length);
    w.buf.set(field, w.pos);
    w.pos += field.length;
  }
}

/** The end of input came before a group's end tag. */
export function unterminatedGroup(): Error {
  return new Error('protobuf: a group has no end tag');
}

/** A field ran past the end of the message that holds it. */
export function overrun(): RangeError {
  return new RangeError('protobuf: a field runs past the end of its message');
}

function truncated(): RangeError {
  return new RangeError('protobuf: truncated or malformed 64-bit field');
}

// 64-bit reads land in these two unsigned 32-bit halves (one module-level pair: no object per value).
let lo = 0;
let hi = 0;
const TWO_32 = 4294967296;
/** hi below this: the value fits in 53 bits, so one exact Number -> BigInt conversion builds it. */
const SAFE_HI = 0x200000;

/** Reads a varint of up to 64 bits into lo/hi (protobufjs would hand back a lossy number or a Long). */
function varint64(r: Reader): void {
  const buf = r.buf;
  const len = r.len;
  let pos = r.pos;
  let b = 0;
  let l = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= len) throw truncated();
    b = buf[pos++]!;
    l |= (b & 127) << shift;
    if (b < 128) {
      r.pos = pos;
      lo = l >>> 0;
      hi = 0;
      return;
    }
  }
  if (pos >= len) throw truncated();
  b = buf[pos++]!;
  l |= (b & 15) << 28;
  let h = (b & 127) >> 4;
  if (b >= 128) {
    for (let shift = 3; ; shift += 7) {
      if (pos >= len || shift > 31) throw truncated();
      b = buf[pos++]!;
      h |= (b & 127) << shift;
      if (b < 128) break;
    }
  }
  r.pos = pos;
  lo = l >>> 0;
  hi = h >>> 0;
}

/** lo/hi as an unsigned bigint. */
function unsigned(): bigint {
  return hi < SAFE_HI ? BigInt(hi * TWO_32 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** lo/hi as a two's complement signed bigint. */
function signed(): bigint {
  // (hi | 0) is the signed high word; within +-2^53 the Number arithmetic is exact.
  const h = hi | 0;
  if (h < SAFE_HI && h >= -SAFE_HI) return BigInt(h * TWO_32 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

export function uint64(r: Reader): bigint {
  varint64(r);
  return unsigned();
}

export function int64(r: Reader): bigint {
  varint64(r);
  return signed();
}

export function sint64(r: Reader): bigint {
  varint64(r);
  if (hi < SAFE_HI) {
    // ZigZag on an exact Number: 2n -> n, 2n + 1 -> -(n + 1).
    const n = hi * TWO_32 + lo;
    return BigInt(lo & 1 ? -(n + 1) / 2 : n / 2);
  }
  const u = unsigned();
  return (u >> 1n) ^ -(u & 1n);
}

function fixed(r: Reader): void {
  if (r.pos + 8 > r.len) throw truncated();
  const buf = r.buf;
  const p = r.pos;
  lo = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
  hi = (buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24)) >>> 0;
  r.pos = p + 8;
}

export function fixed64(r: Reader): bigint {
  fixed(r);
  return unsigned();
}

export function sfixed64(r: Reader): bigint {
  fixed(r);
  return signed();
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A field whose name is also an Object.prototype member (constructor, toString, valueOf, ...): an
 * object that leaves it out still inherits that member, so only an own property counts as set.
 */
export function own<T extends object, K extends keyof T>(message: T, key: K): T[K] | undefined {
  return hasOwn.call(message, key) ? message[key] : undefined;
}

/** Sets a decoded map entry; a "__proto__" key stays an ordinary property. */
export function setKey<V>(map: { [key: string]: V }, key: string, value: V): void {
  if (key === '__proto__')
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

// google.protobuf.Timestamp and Duration keep their two fields, so every value is exact to the
// nanosecond and over the whole range (a Date stops at milliseconds, a number of milliseconds loses
// nanoseconds past 104 days). The helpers below convert from and to Date and milliseconds.
/** A point in time: seconds since 1970-01-01T00:00:00Z and 0 to 999,999,999 nanoseconds after them. */
export interface Timestamp {
  seconds: bigint;
  nanos: number;
}
/** {@link Timestamp} as the encoder takes it: either part may be left out (it is then 0). */
export type TimestampInit = { [K in keyof Timestamp]?: Timestamp[K] | undefined };

/** A signed span of time: seconds and nanoseconds of the same sign (-999,999,999 to 999,999,999). */
export interface Duration {
  seconds: bigint;
  nanos: number;
}
/** {@link Duration} as the encoder takes it: either part may be left out (it is then 0). */
export type DurationInit = { [K in keyof Duration]?: Duration[K] | undefined };

function encodeSecondsNanos(value: TimestampInit | DurationInit, w: Writer): Writer {
  if (value.seconds) writeInt64(w.uint32(8), value.seconds);
  if (value.nanos) w.uint32(16).int32(value.nanos);
  return w;
}

function decodeSecondsNanos(r: Reader, end: number): Timestamp {
  const m = { seconds: 0n, nanos: 0 };
  while (r.pos < end) {
    const t = r.uint32();
    if (t === 8) m.seconds = int64(r);
    else if (t === 16) m.nanos = r.int32();
    else skip(r, t);
  }
  return m;
}

export const encodeTimestamp: (value: TimestampInit, w: Writer) => Writer = encodeSecondsNanos;
export const decodeTimestamp: (r: Reader, end: number) => Timestamp = decodeSecondsNanos;
export const encodeDuration: (value: DurationInit, w: Writer) => Writer = encodeSecondsNanos;
export const decodeDuration: (r: Reader, end: number) => Duration = decodeSecondsNanos;

/** A Date as a Timestamp (exact: a Date holds whole milliseconds). */
export function timestampFromDate(date: Date): Timestamp {
  return fromMillis(date.getTime());
}

/** A Timestamp as a Date, rounded down to the millisecond. */
export function timestampToDate(t: TimestampInit): Date {
  return new Date(Number(t.seconds ?? 0n) * 1000 + Math.floor((t.nanos ?? 0) / 1_000_000));
}

/** The current time as a Timestamp. */
export function timestampNow(): Timestamp {
  return fromMillis(Date.now());
}

function fromMillis(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Milliseconds (fractions allowed, down to the nanosecond) as a Duration. */
export function durationFromMillis(ms: number): Duration {
  const seconds = Math.trunc(ms / 1000);
  return { seconds: BigInt(seconds), nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

/** A Duration in milliseconds (fractions carry the nanoseconds; past 104 days they round). */
export function durationToMillis(d: DurationInit): number {
  return Number(d.seconds ?? 0n) * 1000 + (d.nanos ?? 0) / 1_000_000;
}

// google.protobuf.Empty <-> {}
export type Empty = Record<string, never>;

export function encodeEmpty(_value: Empty, w: Writer): Writer {
  return w;
}

export function decodeEmpty(r: Reader, end: number): Empty {
  while (r.pos < end) {
    const t = r.uint32();
    if ((t & 7) === 4) break;
    skip(r, t);
  }
  return {};
}

// google.protobuf.FieldMask <-> string[] (its paths)
export function encodeFieldMask(paths: readonly string[], w: Writer): Writer {
  for (const p of paths) w.uint32(10).string(p);
  return w;
}

export function decodeFieldMask(r: Reader, end: number): string[] {
  const paths: string[] = [];
  while (r.pos < end) {
    const t = r.uint32();
    if (t === 10) paths.push(r.stringVerify());
    else skip(r, t);
  }
  return paths;
}

// google.protobuf.Any <-> { typeUrl, value } (the packed message stays encoded)
export interface Any {
  typeUrl: string;
  value: Uint8Array;
}

/** {@link Any} as the encoder takes it: either part may be left out. */
export type AnyInit = { [K in keyof Any]?: Any[K] | undefined };

export function encodeAny(value: AnyInit, w: Writer): Writer {
  if (value.typeUrl) w.uint32(10).string(value.typeUrl);
  if (value.value?.length) w.uint32(18).bytes(value.value);
  return w;
}

export function decodeAny(r: Reader, end: number): Any {
  const m: Any = { typeUrl: '', value: new Uint8Array(0) };
  while (r.pos < end) {
    const t = r.uint32();
    if (t === 10) m.typeUrl = r.stringVerify();
    else if (t === 18) m.value = r.bytes();
    else skip(r, t);
  }
  return m;
}

// google.protobuf.Struct / Value / ListValue <-> plain JSON values
export function encodeStruct(value: { [key: string]: JsonValue }, w: Writer): Writer {
  for (const key of Object.keys(value)) {
    w.uint32(10).fork().uint32(10).string(key);
    encodeValue(value[key]!, w.uint32(18).fork()).ldelim();
    w.ldelim();
  }
  return w;
}

export function decodeStruct(r: Reader, end: number): { [key: string]: JsonValue } {
  const m: { [key: string]: JsonValue } = {};
  while (r.pos < end) {
    const t = r.uint32();
    if (t !== 10) {
      skip(r, t);
      continue;
    }
    const entryEnd = r.uint32() + r.pos;
    let key = '';
    let value: JsonValue = null;
    while (r.pos < entryEnd) {
      const et = r.uint32();
      if (et === 10) key = r.stringVerify();
      else if (et === 18) value = decodeValue(r, r.uint32() + r.pos);
      else skip(r, et);
    }
    setKey(m, key, value);
  }
  return m;
}

export function encodeValue(value: JsonValue, w: Writer): Writer {
  if (value === null) w.uint32(8).int32(0);
  else if (typeof value === 'number') w.uint32(17).double(value);
  else if (typeof value === 'string') w.uint32(26).string(value);
  else if (typeof value === 'boolean') w.uint32(32).bool(value);
  else if (Array.isArray(value)) encodeListValue(value, w.uint32(50).fork()).ldelim();
  else encodeStruct(value, w.uint32(42).fork()).ldelim();
  return w;
}

export function decodeValue(r: Reader, end: number): JsonValue {
  let value: JsonValue = null;
  while (r.pos < end) {
    const t = r.uint32();
    switch (t) {
      case 8:
        r.int32();
        value = null;
        break;
      case 17:
        value = r.double();
        break;
      case 26:
        value = r.stringVerify();
        break;
      case 32:
        value = r.bool();
        break;
      case 42:
        value = decodeStruct(r, r.uint32() + r.pos);
        break;
      case 50:
        value = decodeListValue(r, r.uint32() + r.pos);
        break;
      default:
        skip(r, t);
    }
  }
  return value;
}

export function encodeListValue(values: readonly JsonValue[], w: Writer): Writer {
  for (const v of values) encodeValue(v, w.uint32(10).fork()).ldelim();
  return w;
}

export function decodeListValue(r: Reader, end: number): JsonValue[] {
  const values: JsonValue[] = [];
  while (r.pos < end) {
    const t = r.uint32();
    if (t === 10) values.push(decodeValue(r, r.uint32() + r.pos));
    else skip(r, t);
  }
  return values;
}

// Wrappers (google.protobuf.StringValue, Int64Value, ...) <-> T | undefined. Field 1 holds the value,
// read only with the wire type of `tag` (anything else is skipped, as in the generated decoders).
function decodeWrapper<T>(r: Reader, end: number, initial: T, tag: number, read: (r: Reader) => T): T {
  let value = initial;
  while (r.pos < end) {
    const t = r.uint32();
    if (t === tag) value = read(r);
    else skip(r, t);
  }
  return value;
}

export const encodeDoubleValue = (v: number, w: Writer): Writer => (v !== 0 ? w.uint32(9).double(v) : w);
export const decodeDoubleValue = (r: Reader, end: number): number => decodeWrapper(r, end, 0, 9, (x) => x.double());
export const encodeFloatValue = (v: number, w: Writer): Writer => (v !== 0 ? w.uint32(13).float(v) : w);
export const decodeFloatValue = (r: Reader, end: number): number => decodeWrapper(r, end, 0, 13, (x) => x.float());
export const encodeInt64Value = (v: bigint, w: Writer): Writer => (v !== 0n ? writeInt64(w.uint32(8), v) : w);
export const decodeInt64Value = (r: Reader, end: number): bigint => decodeWrapper(r, end, 0n, 8, int64);
export const encodeUInt64Value = (v: bigint, w: Writer): Writer => (v !== 0n ? writeInt64(w.uint32(8), v) : w);
export const decodeUInt64Value = (r: Reader, end: number): bigint => decodeWrapper(r, end, 0n, 8, uint64);
export const encodeInt32Value = (v: number, w: Writer): Writer => (v !== 0 ? w.uint32(8).int32(v) : w);
export const decodeInt32Value = (r: Reader, end: number): number => decodeWrapper(r, end, 0, 8, (x) => x.int32());
export const encodeUInt32Value = (v: number, w: Writer): Writer => (v !== 0 ? w.uint32(8).uint32(v) : w);
export const decodeUInt32Value = (r: Reader, end: number): number => decodeWrapper(r, end, 0, 8, (x) => x.uint32());
export const encodeBoolValue = (v: boolean, w: Writer): Writer => (v ? w.uint32(8).bool(v) : w);
export const decodeBoolValue = (r: Reader, end: number): boolean => decodeWrapper(r, end, false, 8, (x) => x.bool());
export const encodeStringValue = (v: string, w: Writer): Writer => (v !== '' ? w.uint32(10).string(v) : w);
export const decodeStringValue = (r: Reader, end: number): string =>
  decodeWrapper(r, end, '', 10, (x) => x.stringVerify());
export const encodeBytesValue = (v: Uint8Array, w: Writer): Writer => (v.length ? w.uint32(10).bytes(v) : w);
export const decodeBytesValue = (r: Reader, end: number): Uint8Array =>
  decodeWrapper(r, end, new Uint8Array(0), 10, (x) => x.bytes());

/** grpc-js serializers over the generated codecs (it wants Buffers). */
export function serializer<T>(encode: (message: T, w: Writer) => Writer): (message: T) => Buffer {
  return (message) => {
    const bytes = encodeMessage(encode, message);
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

export function deserializer<T>(decode: (r: Reader, end: number) => T): (bytes: Buffer) => T {
  return (bytes) => {
    const r = reader(bytes);
    return decode(r, r.len);
  };
}
