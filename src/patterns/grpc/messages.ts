// protobufjs reflection -> TypeScript types and wire codecs for every message and enum.
// Codecs are straight-line code over protobufjs's Writer/Reader (like `pbjs -t static-module`),
// 64-bit integers are bigint, well-known types map to natural shapes (see WKT below).
import protobuf from '../../contracts/proto-lib.js';
import { ContractError } from '../../errors.js';
import { isReservedWord, pascalCase, propertyKey, safeIdentifier } from '../../util/names.js';
import { jsDoc, stringLiteral } from '../../util/text.js';
import { fits, wrapList, wrapUnion } from '../../codegen/layout.js';
import { type JsonNames, jsonCodecDeclaration, jsonRow } from './json.js';

/** How a message-typed value is represented and coded. */
export interface TypeRef {
  ts: string;
  init: string;
  encode: string;
  decode: string;
  /** True for well-known types mapped to plain values. */
  wkt: boolean;
  /** The codec its JSON table names: the message's own, '' for a well-known type (the runtime has it). */
  json: string;
}

const WKT: Record<string, TypeRef> = {};
function wkt(name: string, ts: string, init = ts): void {
  WKT[`google.protobuf.${name}`] = {
    ts,
    init,
    encode: `$wire.encode${name}`,
    decode: `$wire.decode${name}`,
    wkt: true,
    json: '',
  };
}
// Timestamp and Duration keep seconds and nanos (exact; $wire has Date and millisecond helpers).
wkt('Timestamp', '$wire.Timestamp', '$wire.TimestampInit');
wkt('Duration', '$wire.Duration', '$wire.DurationInit');
wkt('Empty', '$wire.Empty');
wkt('FieldMask', 'string[]', 'readonly string[]');
wkt('Any', '$wire.Any', '$wire.AnyInit');
wkt('Struct', '{ [key: string]: $wire.JsonValue }');
wkt('Value', '$wire.JsonValue');
wkt('ListValue', '$wire.JsonValue[]', 'readonly $wire.JsonValue[]');
for (const [n, t] of [
  ['DoubleValue', 'number'],
  ['FloatValue', 'number'],
  ['Int64Value', 'bigint'],
  ['UInt64Value', 'bigint'],
  ['Int32Value', 'number'],
  ['UInt32Value', 'number'],
  ['BoolValue', 'boolean'],
  ['StringValue', 'string'],
  ['BytesValue', 'Uint8Array'],
] as const)
  wkt(n, t);

/** Names the generated module must not shadow. */
const GLOBALS = new Set(
  'Array ArrayBuffer AsyncIterable BigInt Boolean Buffer Date Error Function Iterable JSON Map Math Number Object Partial Promise Readonly Record Set String Symbol Uint8Array'.split(
    ' ',
  ),
);

type Scalar =
  | 'double'
  | 'float'
  | 'int32'
  | 'uint32'
  | 'sint32'
  | 'fixed32'
  | 'sfixed32'
  | 'int64'
  | 'uint64'
  | 'sint64'
  | 'fixed64'
  | 'sfixed64'
  | 'bool'
  | 'string'
  | 'bytes';
const SCALAR_TS: Record<Scalar, string> = {
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  int64: 'bigint',
  uint64: 'bigint',
  sint64: 'bigint',
  fixed64: 'bigint',
  sfixed64: 'bigint',
  bool: 'boolean',
  string: 'string',
  bytes: 'Uint8Array',
};
const WIRE: Record<Scalar, number> = {
  double: 1,
  float: 5,
  int32: 0,
  uint32: 0,
  sint32: 0,
  fixed32: 5,
  sfixed32: 5,
  int64: 0,
  uint64: 0,
  sint64: 0,
  fixed64: 1,
  sfixed64: 1,
  bool: 0,
  string: 2,
  bytes: 2,
};
const LONG = new Set<string>(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
function isScalar(t: string): t is Scalar {
  return Object.hasOwn(SCALAR_TS, t);
}

/** A proto field name as a TS property (snake_case -> camelCase, like protobufjs and protoc-gen-es). */
export function fieldProperty(name: string): string {
  const camel =
    name.length > 1 ? name[0] + name.slice(1).replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : name;
  return camel === '__proto__' ? '__proto__$' : camel;
}

function access(obj: string, prop: string): string {
  const key = propertyKey(prop);
  return key.startsWith('"') ? `${obj}[${key}]` : `${obj}.${key}`;
}

/**
 * How the encoder reads a field. Names of Object.prototype members (constructor, toString, valueOf,
 * hasOwnProperty, ...) are inherited by every object, so a plain `m.toString` is never "unset": those
 * fields are read once into a local through $wire.own(), which sees own properties only.
 */
function encodeAccess(prop: string, locals: string[]): string {
  if (!(prop in Object.prototype)) return access('m', prop);
  const local = `own$${prop.replace(/[^\w$]/g, '_')}`;
  if (!locals.some((l) => l.startsWith(`  const ${local} `)))
    locals.push(`  const ${local} = $wire.own(m, ${stringLiteral(prop)});`);
  return local;
}

export interface MessageModel {
  /** Full name (no leading dot) -> representation. */
  refs: Map<string, TypeRef>;
  enums: Map<string, string>;
  code: string;
  typeCount: number;
  /** Every name messages.ts exports, with whether it comes from an enum. */
  exports: Map<string, 'message' | 'enum'>;
}

export function collectTypes(root: protobuf.Root): { messages: protobuf.Type[]; enums: protobuf.Enum[] } {
  const messages: protobuf.Type[] = [];
  const enums: protobuf.Enum[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Type) {
        if (!Object.hasOwn(WKT, fullName(obj))) messages.push(obj);
        walk(obj);
      } else if (obj instanceof protobuf.Enum) enums.push(obj);
      else if (obj instanceof protobuf.Namespace) walk(obj);
    }
  };
  walk(root);
  return { messages, enums };
}

/**
 * The messages and enums the generated code needs: everything declared in the contract files, plus
 * what their fields and RPCs reach through imports. Imported files often carry much more than that
 * (google/api/annotations.proto pulls in all of descriptor.proto for its options), and generating
 * it would only cost time and type-checking.
 */
export function reachableTypes(
  root: protobuf.Root,
  isContractFile: (filename: string | null) => boolean,
): { messages: protobuf.Type[]; enums: protobuf.Enum[] } {
  const all = collectTypes(root);
  const keep = new Set<protobuf.ReflectionObject>();
  const todo: protobuf.ReflectionObject[] = [];
  const add = (obj: protobuf.ReflectionObject | null | undefined): void => {
    if (obj && !keep.has(obj)) {
      keep.add(obj);
      todo.push(obj);
    }
  };
  for (const obj of [...all.messages, ...all.enums]) if (isContractFile(obj.filename)) add(obj);
  const services = (ns: protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Service) {
        if (isContractFile(obj.filename))
          for (const m of obj.methodsArray) {
            add(m.resolvedRequestType);
            add(m.resolvedResponseType);
          }
      } else if (obj instanceof protobuf.Namespace || obj instanceof protobuf.Type) services(obj);
    }
  };
  services(root);
  while (todo.length) {
    const obj = todo.pop()!;
    if (obj instanceof protobuf.Type) for (const f of obj.fieldsArray) add(f.resolvedType);
  }
  return { messages: all.messages.filter((t) => keep.has(t)), enums: all.enums.filter((e) => keep.has(e)) };
}

/** A stable order that does not depend on the locale (and skips ICU's slow collation). */
function byFullName(a: protobuf.ReflectionObject, b: protobuf.ReflectionObject): number {
  const x = a.fullName;
  const y = b.fullName;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function fullName(obj: protobuf.ReflectionObject): string {
  return obj.fullName.replace(/^\./, '');
}

function packageOf(obj: protobuf.ReflectionObject): string {
  const parts: string[] = [];
  let p = obj.parent;
  while (p && !(p instanceof protobuf.Root)) {
    if (!(p instanceof protobuf.Type)) parts.unshift(p.name);
    p = p.parent;
  }
  return parts.join('.');
}

function localName(obj: protobuf.ReflectionObject): string {
  const parts = [obj.name];
  let p = obj.parent;
  while (p instanceof protobuf.Type) {
    parts.unshift(p.name);
    p = p.parent;
  }
  return parts.join('_');
}

/** Unique TS names: the local name (Outer_Inner), prefixed with the package on a clash. */
function assignNames(objs: protobuf.ReflectionObject[]): Map<string, string> {
  const byBase = new Map<string, protobuf.ReflectionObject[]>();
  for (const o of objs) {
    const base = localName(o);
    byBase.set(base, [...(byBase.get(base) ?? []), o]);
  }
  const used = new Set<string>();
  const names = new Map<string, string>();
  const derived = (n: string): string[] => [n, `${n}Init`, `encode${n}`, `decode${n}`];
  const free = (n: string): boolean =>
    !GLOBALS.has(n) && !isReservedWord(n) && n !== '__proto__' && derived(n).every((d) => !used.has(d));
  const sorted = [...objs].sort(byFullName);
  for (const o of sorted) {
    const base = safeIdentifier(localName(o));
    const clash = (byBase.get(localName(o))?.length ?? 0) > 1;
    let name = clash ? safeIdentifier(pascalCase(packageOf(o)) + base) : base;
    if (!free(name)) name = safeIdentifier(pascalCase(packageOf(o)) + base);
    for (let i = 2; !free(name); i++) name = `${base}${i}`;
    for (const d of derived(name)) used.add(d);
    names.set(fullName(o), name);
  }
  return names;
}

/** Types and codecs for the given messages and enums (all of the root's by default). */
export function buildMessages(root: protobuf.Root, types = collectTypes(root)): MessageModel {
  const { messages, enums } = types;
  const names = assignNames([...messages, ...enums]);
  const refs = new Map<string, TypeRef>(Object.entries(WKT));
  const groupTypes = new Set<string>();
  for (const t of messages) {
    const n = names.get(fullName(t))!;
    refs.set(fullName(t), {
      ts: n,
      init: `${n}Init`,
      encode: `encode${n}`,
      decode: `decode${n}`,
      wkt: false,
      json: n,
    });
    for (const f of ownFields(t)) if (isGroupField(f) && f.resolvedType) groupTypes.add(fullName(f.resolvedType));
  }
  const enumNames = new Map<string, string>();
  for (const e of enums) enumNames.set(fullName(e), names.get(fullName(e))!);

  const out: string[] = [];
  for (const e of [...enums].sort(byFullName)) out.push(genEnum(e, enumNames.get(fullName(e))!));
  for (const t of [...messages].sort(byFullName)) {
    out.push(genMessage(t, refs, enumNames, groupTypes.has(fullName(t))));
  }
  const exports = new Map<string, 'message' | 'enum'>();
  for (const t of messages) {
    const r = refs.get(fullName(t))!;
    for (const n of [r.ts, r.init, r.encode, r.decode]) exports.set(n, 'message');
  }
  for (const n of enumNames.values()) exports.set(n, 'enum');
  return { refs, enums: enumNames, code: out.join('\n'), typeCount: messages.length + enums.length, exports };
}

function genEnum(e: protobuf.Enum, name: string): string {
  const lines = Object.entries(e.values).map(([k, v]) => `${jsDoc(e.comments[k], '  ')}  ${propertyKey(k)}: ${v},`);
  return (
    `${jsDoc(e.comment)}export const ${name} = {\n${lines.join('\n')}\n} as const;\n` +
    `export type ${name} = (typeof ${name})[keyof typeof ${name}];\n`
  );
}

interface FieldPlan {
  field: protobuf.Field;
  prop: string;
  kind: 'scalar' | 'enum' | 'message';
  scalar?: Scalar;
  ref?: TypeRef;
  enumName?: string;
  group: boolean;
}

/**
 * A message field written as a group (proto2 groups, editions' DELIMITED encoding). A map's values are
 * always length-prefixed, whatever the file's default encoding says.
 */
function isGroupField(f: protobuf.Field): boolean {
  return f.delimited && !f.map;
}

function plan(
  f: protobuf.Field,
  refs: Map<string, TypeRef>,
  enums: Map<string, string>,
  parent: protobuf.Type,
): FieldPlan {
  const prop = fieldProperty(f.name);
  if (isScalar(f.type)) return { field: f, prop, kind: 'scalar', scalar: f.type, group: false };
  const rt = f.resolvedType;
  if (rt instanceof protobuf.Enum)
    return { field: f, prop, kind: 'enum', enumName: enums.get(fullName(rt)), group: false };
  if (rt instanceof protobuf.Type)
    return { field: f, prop, kind: 'message', ref: refs.get(fullName(rt)), group: isGroupField(f) };
  throw new ContractError(
    parent.filename ?? '(proto)',
    `field ${parent.name}.${f.name} has unresolved type "${f.type}"`,
  );
}

function valueType(p: FieldPlan, init: boolean): string {
  if (p.kind === 'scalar') return SCALAR_TS[p.scalar!];
  if (p.kind === 'enum') return p.enumName!;
  return init ? p.ref!.init : p.ref!.ts;
}

function zero(p: FieldPlan): string {
  if (p.kind === 'enum') {
    const values = Object.values((p.field.resolvedType as protobuf.Enum).values);
    return String(values.includes(0) ? 0 : (values[0] ?? 0));
  }
  switch (SCALAR_TS[p.scalar!]) {
    case 'number':
      return '0';
    case 'bigint':
      return '0n';
    case 'boolean':
      return 'false';
    case 'string':
      return "''";
    default:
      return 'new Uint8Array(0)';
  }
}

function writeExpr(p: FieldPlan, v: string, fieldNo: number): string {
  if (p.kind === 'message') {
    if (p.group) return `${p.ref!.encode}(${v}, w.uint32(${tag(fieldNo, 3)})).uint32(${tag(fieldNo, 4)})`;
    return `${p.ref!.encode}(${v}, w.uint32(${tag(fieldNo, 2)}).fork()).ldelim()`;
  }
  if (p.kind === 'enum') return `w.uint32(${tag(fieldNo, 0)}).int32(${v})`;
  const s = p.scalar!;
  const t = tag(fieldNo, WIRE[s]);
  if (s === 'int64' || s === 'uint64') return `$wire.writeInt64(w.uint32(${t}), ${v})`;
  return LONG.has(s) ? `w.uint32(${t}).${s}($wire.long(${v}))` : `w.uint32(${t}).${s}(${v})`;
}

/**
 * proto3 (and editions' default) strings must be valid UTF-8. protobufjs's stringVerify checks that and
 * decodes short ASCII strings in JS, which beats a native Buffer call per field; proto2 strings keep the
 * lenient reader.
 */
function verifiesUtf8(f: protobuf.Field): boolean {
  return (f as unknown as { _features?: { utf8_validation?: string } })._features?.utf8_validation === 'VERIFY';
}

/**
 * Reads one value. A message decodes into `into` when given (the value already read for that field: a
 * message field that occurs twice merges, as the spec says); a group ends at its own end tag and at
 * the latest where its parent ends.
 */
function readExpr(p: FieldPlan, into?: string): string {
  if (p.kind === 'message') {
    const ref = p.ref!;
    const target = into && !ref.wkt ? `, ${into}` : '';
    if (p.group) return `${ref.decode}(r, end, ${into ?? 'undefined'}, ${tag(p.field.id, 4)})`;
    return `${ref.decode}(r, r.uint32() + r.pos${target})`;
  }
  if (p.kind === 'enum') return `r.int32() as ${p.enumName}`;
  if (p.scalar === 'string') return verifiesUtf8(p.field) ? 'r.stringVerify()' : 'r.string()';
  return LONG.has(p.scalar!) ? `$wire.${p.scalar}(r)` : `r.${p.scalar}()`;
}

/** The $wire.i* / $wire.o* writer for a singular scalar or enum field (see wire.ts). */
function helperKind(p: FieldPlan): string {
  const s = p.kind === 'enum' ? 'int32' : p.scalar!;
  return s[0]!.toUpperCase() + s.slice(1);
}

function wireType(p: FieldPlan): number {
  if (p.kind === 'message') return p.group ? 3 : 2;
  return p.kind === 'enum' ? 0 : WIRE[p.scalar!];
}

/**
 * A field's tag (number and wire type). Decoders switch on the field number (dense cases: measured
 * faster than a switch over the sparse tags) and then compare the whole tag, so a known field that
 * arrives with another wire type (a changed field type, a corrupt message) is skipped like an unknown
 * one instead of misread. Computed as a number: `id << 3` would turn negative above field 2^28.
 */
function tag(id: number, wire: number): number {
  return id * 8 + wire;
}

/** An optional oneof property of a message interface: its union one member a line when long. */
function unionProperty(key: string, members: readonly string[]): string {
  return `  ${wrapUnion('  ', `${key}?:`, [...members, 'undefined'])}`;
}

/** A message's codec constant (binary and JSON, see json.ts), with its JSON field table in field-number order. */
function codecDeclaration(ctx: MessageContext): string {
  const { ref, type } = ctx;
  const names: JsonNames = { message: (n) => ctx.refs.get(n)?.json || undefined, enum: (n) => ctx.enums.get(n) };
  const rows = [...ownFields(type)]
    .sort((a, b) => a.id - b.id)
    .map((f) => jsonRow(f, fieldProperty(f.name), names, (o) => fieldProperty(o.name)));
  const table = rows.map((r) => r.row);
  const refs = rows.flatMap((r) => (r.ref ? [r.ref] : []));
  return jsonCodecDeclaration(ref.ts, ref.init, fullName(type), ref.encode, ref.decode, table, refs);
}

/** What the parts of one message's generator share: the message, its names, and the code being built. */
interface MessageContext {
  type: protobuf.Type;
  file: string;
  ref: TypeRef;
  refs: Map<string, TypeRef>;
  enums: Map<string, string>;
  /** A group's decoder stops at its END_GROUP tag. */
  isGroup: boolean;
  /** Property -> what claimed it ("field x", "oneof y"), to report two that collide. */
  props: Map<string, string>;
  /** Members of the message interface. */
  typeLines: string[];
  /** Members of its Init interface (what the encoder takes). */
  initLines: string[];
  /** Properties of the object the decoder starts from. */
  literal: string[];
  /** The encoder's `$wire.own()` locals (see encodeAccess), declared before its body. */
  encodeLocals: string[];
  /** The encoder's body. */
  encode: string[];
  /** The decoder's cases, switched on the field number. */
  decode: string[];
}

/** A field outside any oneof, as its generators see it. */
interface FieldSite {
  f: protobuf.Field;
  p: FieldPlan;
  doc: string;
  key: string;
  /** Reads and writes the decoded message (own properties only). */
  v: string;
  /** Reads the encoder's input. */
  ev: string;
  id: number;
}

/** A oneof, as its generators see it. */
interface OneofSite {
  oneof: protobuf.OneOf;
  prop: string;
  members: FieldPlan[];
}

/** A map field's key. */
interface MapKey {
  plan: FieldPlan;
  ts: string;
  /** String keys make a plain object; any other key type a Map. */
  stringKeys: boolean;
}

function genMessage(
  t: protobuf.Type,
  refs: Map<string, TypeRef>,
  enums: Map<string, string>,
  isGroup: boolean,
): string {
  const ctx = messageContext(t, refs, enums, isGroup);
  const oneofsDone = new Set<protobuf.OneOf>();
  for (const f of [...ownFields(t)].sort((a, b) => a.id - b.id)) {
    const oneof = f.partOf && !f.partOf.isProto3Optional ? f.partOf : undefined;
    if (!oneof) addField(ctx, f);
    else if (!oneofsDone.has(oneof)) {
      oneofsDone.add(oneof);
      addOneof(ctx, oneof);
    }
  }
  return renderMessage(ctx);
}

/**
 * A message's own fields. protobufjs also lists the extensions declared for it (named by their full
 * name); those are not modelled and travel as unknown fields, kept through decode and encode.
 */
function ownFields(t: protobuf.Type): protobuf.Field[] {
  return t.fieldsArray.filter((f) => !f.declaringField);
}

function messageContext(
  t: protobuf.Type,
  refs: Map<string, TypeRef>,
  enums: Map<string, string>,
  isGroup: boolean,
): MessageContext {
  return {
    type: t,
    file: t.filename ?? '(proto)',
    ref: refs.get(fullName(t))!,
    refs,
    enums,
    isGroup,
    props: new Map(),
    typeLines: [],
    initLines: [],
    literal: [],
    encodeLocals: [],
    encode: [],
    decode: [],
  };
}

/** Records that `what` becomes the property `prop`; two that do are a contract error. */
function claimProperty(ctx: MessageContext, prop: string, what: string): void {
  const prev = ctx.props.get(prop);
  if (prev) {
    throw new ContractError(
      ctx.file,
      `${what} and ${prev} in message ${ctx.type.name} both become the property "${prop}"`,
      undefined,
      undefined,
      'rename one of them',
    );
  }
  ctx.props.set(prop, what);
}

// --- oneof fields: one optional `{ $case, <member> }` property ---

function addOneof(ctx: MessageContext, oneof: protobuf.OneOf): void {
  const prop = fieldProperty(oneof.name);
  claimProperty(ctx, prop, `oneof ${oneof.name}`);
  const site: OneofSite = { oneof, prop, members: oneofMembers(ctx, oneof) };
  oneofTypes(ctx, site);
  encodeOneof(ctx, site);
  decodeOneof(ctx, site);
}

/** The oneof's fields by number; two with the same property name are a contract error. */
function oneofMembers(ctx: MessageContext, oneof: protobuf.OneOf): FieldPlan[] {
  const members = [...oneof.fieldsArray].sort((a, b) => a.id - b.id).map((m) => plan(m, ctx.refs, ctx.enums, ctx.type));
  const memberProps = new Set<string>();
  for (const m of members) {
    if (memberProps.has(m.prop))
      throw new ContractError(
        ctx.file,
        `oneof ${oneof.name} has two fields named "${m.prop}"`,
        undefined,
        undefined,
        'rename one of them',
      );
    memberProps.add(m.prop);
  }
  return members;
}

function oneofTypes(ctx: MessageContext, { oneof, prop, members }: OneofSite): void {
  const union = (init: boolean): string[] =>
    members.map((m) => `{ $case: ${stringLiteral(m.prop)}; ${propertyKey(m.prop)}: ${valueType(m, init)} }`);
  const memberDocs = members
    .map((m) => (m.field.comment ? `${m.prop}: ${m.field.comment}` : ''))
    .filter(Boolean)
    .join('\n');
  const doc = jsDoc([oneof.comment, memberDocs].filter(Boolean).join('\n'), '  ');
  ctx.typeLines.push(`${doc}${unionProperty(propertyKey(prop), union(false))}`);
  ctx.initLines.push(unionProperty(propertyKey(prop), union(true)));
  ctx.literal.push(`${propertyKey(prop)}: undefined`);
}

function encodeOneof(ctx: MessageContext, { prop, members }: OneofSite): void {
  const eo = encodeAccess(prop, ctx.encodeLocals);
  ctx.encode.push(
    `  switch (${eo}?.$case) {`,
    ...members.map((m) => `    case ${stringLiteral(m.prop)}: ${writeExpr(m, access(eo, m.prop), m.field.id)}; break;`),
    '  }',
  );
}

function decodeOneof(ctx: MessageContext, { prop, members }: OneofSite): void {
  const o = access('m', prop);
  for (const m of members) {
    const id = m.field.id;
    const value = (read: string): string => `{ $case: ${stringLiteral(m.prop)}, ${propertyKey(m.prop)}: ${read} }`;
    if (m.kind !== 'message' || m.ref!.wkt) {
      ctx.decode.push(...decodeCase(id, wireType(m), [`${o} = ${value(readExpr(m))};`]));
      continue;
    }
    // The same member again merges into the first; another member replaces it.
    const same = `${o}?.$case === ${stringLiteral(m.prop)} ? ${access(o, m.prop)} : undefined`;
    ctx.decode.push(`      case ${id}: {`, `        if (t !== ${tag(id, wireType(m))}) break;`);
    ctx.decode.push(`        const prev = ${same};`, `        ${o} = ${value(readExpr(m, 'prev'))};`);
    ctx.decode.push('        continue;', '      }');
  }
}

/**
 * A decoder case: the field number, the whole tag checked (another wire type falls through to
 * $wire.unknown), then `body`; on one line when it fits, else one statement a line.
 */
function decodeCase(id: number, wire: number, body: string[]): string[] {
  const check = `if (t !== ${tag(id, wire)}) break;`;
  const line = `      case ${id}: ${check} ${body.join(' ')} continue;`;
  if (fits(line)) return [line];
  return [`      case ${id}:`, ...[check, ...body, 'continue;'].map((l) => `        ${l}`)];
}

// --- fields outside a oneof ---

function addField(ctx: MessageContext, f: protobuf.Field): void {
  const s = fieldSite(ctx, f);
  if (f.map) addMapField(ctx, s);
  else if (f.repeated) addRepeatedField(ctx, s);
  else addSingularField(ctx, s);
}

function fieldSite(ctx: MessageContext, f: protobuf.Field): FieldSite {
  const p = plan(f, ctx.refs, ctx.enums, ctx.type);
  claimProperty(ctx, p.prop, `field ${f.name}`);
  const doc = jsDoc(f.comment, '  ');
  const key = propertyKey(p.prop);
  const v = access('m', p.prop);
  const ev = encodeAccess(p.prop, ctx.encodeLocals);
  return { f, p, doc, key, v, ev, id: f.id };
}

// --- map fields: an object for string keys, a Map for others; each entry a nested message ---

function addMapField(ctx: MessageContext, s: FieldSite): void {
  const keyType = (s.f as unknown as protobuf.MapField).keyType as Scalar;
  const ts = SCALAR_TS[keyType];
  const keyPlan: FieldPlan = { field: s.f, prop: 'key', kind: 'scalar', scalar: keyType, group: false };
  const key: MapKey = { plan: keyPlan, ts, stringKeys: ts === 'string' };
  mapTypes(ctx, s, key);
  encodeMap(ctx, s, key);
  decodeMap(ctx, s, key);
}

function mapTypes(ctx: MessageContext, s: FieldSite, key: MapKey): void {
  const tsOf = (init: boolean): string =>
    key.stringKeys ? `{ [key: string]: ${valueType(s.p, init)} }` : `Map<${key.ts}, ${valueType(s.p, init)}>`;
  ctx.typeLines.push(`${s.doc}  ${s.key}: ${tsOf(false)};`);
  ctx.initLines.push(`  ${s.key}?: ${tsOf(true)} | undefined;`);
  ctx.literal.push(`${s.key}: ${key.stringKeys ? '{}' : 'new Map()'}`);
}

function encodeMap(ctx: MessageContext, { p, ev, id }: FieldSite, key: MapKey): void {
  ctx.encode.push(
    key.stringKeys
      ? `  if (${ev} !== undefined) for (const k of Object.keys(${ev})) {\n    const e = ${ev}[k]!;`
      : `  if (${ev} !== undefined) for (const [k, e] of ${ev}) {`,
    `    w.uint32(${tag(id, 2)}).fork();`,
    `    ${writeExpr(key.plan, 'k', 1)};`,
    `    ${writeExpr(p, 'e', 2)};`,
    '    w.ldelim();',
    '  }',
  );
}

function decodeMap(ctx: MessageContext, { p, v, id }: FieldSite, key: MapKey): void {
  const valueInit = p.kind === 'message' ? 'undefined' : zero(p);
  const valueDecl = p.kind === 'message' ? `${p.ref!.ts} | undefined` : valueType(p, false);
  const finalValue = p.kind === 'message' ? `e ?? ${p.ref!.decode}(r, r.pos)` : 'e';
  ctx.decode.push(
    `      case ${id}: {`,
    `        if (t !== ${tag(id, 2)}) break;`,
    '        const entryEnd = r.uint32() + r.pos;',
    `        let k: ${key.ts} = ${zero(key.plan)};`,
    `        let e: ${valueDecl} = ${valueInit};`,
    '        while (r.pos < entryEnd) {',
    '          const et = r.uint32();',
    `          if (et === ${tag(1, wireType(key.plan))}) k = ${readExpr(key.plan)};`,
    `          else if (et === ${tag(2, wireType(p))}) e = ${readExpr(p, p.kind === 'message' ? 'e' : undefined)};`,
    '          else $wire.skip(r, et);',
    '        }',
    key.stringKeys
      ? `        if (k === '__proto__') $wire.setKey(${v}, k, ${finalValue});\n        else ${v}[k] = ${finalValue};`
      : `        ${v}.set(k, ${finalValue});`,
    '        continue;',
    '      }',
  );
}

// --- repeated fields, packed or not ---

function addRepeatedField(ctx: MessageContext, s: FieldSite): void {
  repeatedTypes(ctx, s);
  encodeRepeated(ctx, s);
  decodeRepeated(ctx, s);
}

/** Scalars other than string and bytes, and enums, may be packed. */
function isPackable(p: FieldPlan): boolean {
  return p.kind === 'enum' || (p.kind === 'scalar' && WIRE[p.scalar!] !== 2);
}

function repeatedTypes(ctx: MessageContext, { p, doc, key }: FieldSite): void {
  ctx.typeLines.push(`${doc}  ${key}: ${valueType(p, false)}[];`);
  // An element type that is itself an array (ListValue, FieldMask) needs brackets: `readonly (readonly T[])[]`.
  const element = valueType(p, true);
  ctx.initLines.push(
    `  ${key}?: readonly ${element.startsWith('readonly ') ? `(${element})` : element}[] | undefined;`,
  );
  ctx.literal.push(`${key}: []`);
}

function encodeRepeated(ctx: MessageContext, { f, p, ev, id }: FieldSite): void {
  if (isPackable(p) && f.packed) {
    ctx.encode.push(`  $wire.p${helperKind(p)}(w, ${tag(id, 2)}, ${ev});`);
  } else if (p.kind === 'scalar' && (p.scalar === 'string' || p.scalar === 'bytes')) {
    ctx.encode.push(`  $wire.r${helperKind(p)}(w, ${tag(id, 2)}, ${ev});`);
  } else if (p.kind === 'message' && !p.group) {
    ctx.encode.push(`  $wire.rMsg(w, ${tag(id, 2)}, ${ev}, ${p.ref!.encode});`);
  } else {
    ctx.encode.push(`  if (${ev} !== undefined) for (const e of ${ev}) ${writeExpr(p, 'e', id)};`);
  }
}

function decodeRepeated(ctx: MessageContext, { f, p, v, id }: FieldSite): void {
  if (!isPackable(p)) {
    ctx.decode.push(...decodeCase(id, wireType(p), [`${v}.push(${readExpr(p)});`]));
    return;
  }
  // Parsers must accept both packed and unpacked encodings of a packable field.
  const packed = `if (t === ${tag(id, 2)}) for (const e = r.uint32() + r.pos; r.pos < e; ) ${v}.push(${readExpr(p)});`;
  const unpacked = `if (t === ${tag(id, wireType(p))}) ${v}.push(${readExpr(p)});`;
  ctx.decode.push(
    `      case ${id}:`,
    // The encoding the field declares is tried first.
    ...(f.packed ? [packed, unpacked] : [unpacked, packed]).map((line, i) => `        ${i ? 'else ' : ''}${line}`),
    '        else break;',
    '        continue;',
  );
}

// --- singular fields: explicit presence (optional, messages) or implicit (a default value) ---

function addSingularField(ctx: MessageContext, s: FieldSite): void {
  const { f, p, doc, key, v, id } = s;
  const presence = p.kind === 'message' || (f.hasPresence && !f.required);
  if (presence) {
    ctx.typeLines.push(`${doc}  ${key}?: ${valueType(p, false)} | undefined;`);
    ctx.literal.push(`${key}: undefined`);
    ctx.encode.push(encodeOptional(s));
  } else {
    ctx.typeLines.push(`${doc}  ${key}: ${valueType(p, false)};`);
    ctx.literal.push(`${key}: ${zero(p)}`);
    ctx.encode.push(encodeImplicit(s));
  }
  ctx.initLines.push(`  ${key}?: ${valueType(p, true)} | undefined;`);
  const read = readExpr(p, p.kind === 'message' ? v : undefined);
  ctx.decode.push(...decodeCase(id, wireType(p), [`${v} = ${read};`]));
}

/** A field with presence: written when set. */
function encodeOptional({ p, ev, id }: FieldSite): string {
  if (p.kind === 'message' && !p.group && p.ref!.ts !== '$wire.JsonValue')
    return `  $wire.msg(w, ${tag(id, 2)}, ${ev}, ${p.ref!.encode});`;
  if (p.kind !== 'message') return `  $wire.o${helperKind(p)}(w, ${tag(id, wireType(p))}, ${ev});`;
  // JSON null is a real google.protobuf.Value; only undefined means "not set" there.
  const isSet = p.ref?.ts === '$wire.JsonValue' ? `${ev} !== undefined` : `${ev} != null`;
  return `  if (${isSet}) ${writeExpr(p, ev, id)};`;
}

/** A field without presence: written unless it has its default; a proto2 required one always. */
function encodeImplicit({ f, p, ev, id }: FieldSite): string {
  if (f.required) return `  ${writeExpr(p, `(${ev} ?? ${zero(p)})`, id)};`;
  return `  $wire.i${helperKind(p)}(w, ${tag(id, wireType(p))}, ${ev});`;
}

// --- the message's code ---

function renderMessage(ctx: MessageContext): string {
  const { ref } = ctx;
  return [
    `${jsDoc(ctx.type.comment)}${declareType(ref.ts, ctx.typeLines)}`,
    `/** {@link ${ref.ts}} as the encoder takes it: any field may be left out (it then has its default). */`,
    declareType(ref.init, ctx.initLines),
    codecDeclaration(ctx),
    ...renderEncoder(ctx),
    ...renderDecoder(ctx),
    '',
  ].join('\n');
}

/** A message without fields is an object with no properties; `interface X {}` would accept any value. */
function declareType(name: string, lines: string[]): string {
  return lines.length
    ? `export interface ${name} {\n${lines.join('\n')}\n}`
    : `export type ${name} = Record<string, never>;`;
}

function renderEncoder({ ref, encodeLocals, encode }: MessageContext): string[] {
  return [
    wrapList('', `export function ${ref.encode}(`, [`m: ${ref.init}`, 'w: $wire.Writer'], '): $wire.Writer {'),
    ...encodeLocals,
    ...encode,
    '  $wire.writeUnknown(w, m);',
    '  return w;',
    '}',
  ];
}

/**
 * The decoder reads into `into` when given (merging), else a new message with every default. Fields it
 * does not know (or that arrive with another wire type) are kept on the message by $wire.unknown.
 * A message used as a group also takes its end tag, and stops there. A field that ends past the message's
 * end is an error.
 */
function renderDecoder({ ref, isGroup, literal, decode }: MessageContext): string[] {
  const n = ref.ts;
  const params = ['r: $wire.Reader', 'end: number', `into?: ${n}`, ...(isGroup ? ['endTag = -1'] : [])];
  return [
    wrapList('', `export function ${ref.decode}(`, params, `): ${n} {`),
    `  ${literal.length ? wrapList('  ', `const m: ${n} = into ?? { `, literal, ' };') : `const m: ${n} = into ?? {};`}`,
    '  while (r.pos < end) {',
    '    const t = r.uint32();',
    ...(isGroup ? ['    if (t === endTag) return m;'] : []),
    ...(decode.length ? ['    switch (t >>> 3) {', ...decode, '    }'] : []),
    '    $wire.unknown(m, r, t);',
    '  }',
    ...(isGroup ? ['  if (endTag !== -1) throw $wire.unterminatedGroup();'] : []),
    // A last field that ran past the end (a length that lies) would misalign the parent's fields.
    '  if (r.pos > end) throw $wire.overrun();',
    '  return m;',
    '}',
  ];
}
