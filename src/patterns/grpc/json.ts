// The proto3 JSON mapping of each generated message: a table of its fields, one string a field
// (`'created_at google.protobuf.Timestamp opt'`), that runtime/json.ts reads and writes by, and the
// message and enum types the table names. Strings keep the generated code short and cheap to type-check
// (a tuple a field cost the synthetic set a third more tsc time); the runtime does the mapping's work.
import protobuf from '../../contracts/proto-lib.js';
import { wrapList } from '../../codegen/layout.js';
import { stringLiteral } from '../../util/text.js';

/** The JSON form of each scalar type (runtime/json.ts `Scalar`): what differs is range and quoting. */
const JSON_SCALAR: Record<string, string> = {
  double: 'double',
  float: 'float',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
  bool: 'bool',
  string: 'string',
  bytes: 'bytes',
};

/** Names the generated module gives message codecs and enums, by full name (no leading dot). */
export interface JsonNames {
  /** The codec constant of a generated message (undefined for a well-known type: the runtime has it). */
  message(fullName: string): string | undefined;
  enum(fullName: string): string | undefined;
}

/** A row's type cell, and the generated type it names (to list in the message's types). */
function typeCell(f: protobuf.Field, names: JsonNames): { cell: string; ref?: string } {
  const rt = f.resolvedType;
  if (!rt) return { cell: JSON_SCALAR[f.type] ?? f.type };
  const full = rt.fullName.replace(/^\./, '');
  // NullValue's one value is written as JSON null.
  if (full === 'google.protobuf.NullValue') return { cell: 'null' };
  const name = rt instanceof protobuf.Enum ? names.enum(full) : names.message(full);
  if (name) return { cell: name, ref: name };
  if (full.startsWith('google.protobuf.')) return { cell: full };
  throw new Error(`internal: no generated name for ${full}`);
}

/** The row's kind and its argument (a map's key type, a oneof's property). */
function kindCells(f: protobuf.Field, oneofProp: (o: protobuf.OneOf) => string): string[] {
  if (f.map) return ['map', JSON_SCALAR[(f as unknown as protobuf.MapField).keyType]!];
  if (f.repeated) return ['list'];
  if (f.partOf && !f.partOf.isProto3Optional) return ['oneof', oneofProp(f.partOf)];
  // Messages, optional and proto2 required fields are written whenever set; others unless at their default.
  return f.resolvedType instanceof protobuf.Type || f.hasPresence || f.required ? ['opt'] : [];
}

/** The property runtime/json.ts derives from a proto name (it writes `prop=` for any other). */
function derivedProperty(proto: string): string {
  return proto.length > 1
    ? proto[0] + proto.slice(1).replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    : proto;
}

/** protoc's JSON name, as runtime/json.ts derives it (it writes `json=` for any other). */
function derivedJsonName(proto: string): string {
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

/** One field's row, and the generated type it names if any. */
export function jsonRow(
  f: protobuf.Field,
  prop: string,
  names: JsonNames,
  oneofProp: (o: protobuf.OneOf) => string,
): { row: string; ref?: string } {
  const { cell, ref } = typeCell(f, names);
  const cells = [f.name, cell, ...kindCells(f, oneofProp)];
  const json = f.jsonName ?? derivedJsonName(f.name);
  // A json_name may hold any character: escaped, so the row still splits on spaces.
  if (json !== derivedJsonName(f.name)) cells.push(`json=${encodeURIComponent(json)}`);
  if (prop !== derivedProperty(f.name)) cells.push(`prop=${prop}`);
  return { row: stringLiteral(cells.join(' ')), ...(ref ? { ref } : {}) };
}

/**
 * The message's codec constant: binary and JSON, over its encoder, decoder, field table and the types
 * the table names (a function: they may be declared further down).
 */
export function jsonCodecDeclaration(
  ts: string,
  init: string,
  fullName: string,
  encode: string,
  decode: string,
  rows: string[],
  refs: string[],
): string {
  const types = `${init}, ${ts}`;
  const lhs = `export const ${ts}: $json.MessageCodec<${types}> =`;
  const table = rows.length ? `[\n${rows.map((r) => `      ${r},\n`).join('')}    ]` : '[]';
  const args = [stringLiteral(fullName), encode, decode, table];
  const unique = [...new Set(refs)];
  if (unique.length) args.push(`() => (${wrapList('    ', '{ ', unique, ' }', false)})`);
  return `${lhs}\n  $json.codec<${types}>(\n${args.map((a) => `    ${a},\n`).join('')}  );`;
}
