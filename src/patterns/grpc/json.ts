// The proto3 JSON mapping of each generated message: a table of its fields (property, JSON name, proto
// name, value type, kind) that runtime/json.ts reads and writes by. One row a field keeps the generated
// code short and cheap to type-check; the runtime does the mapping's work once, for every message.
import protobuf from '../../contracts/proto-lib.js';
import { fits, wrapList } from '../../codegen/layout.js';
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
  /** The codec constant of a generated message, or the runtime's (`$json.Timestamp`) for a well-known type. */
  message(fullName: string): string | undefined;
  enum(fullName: string): string | undefined;
}

/** The row's value type: a scalar's JSON form, an enum's values object, or a message's codec. */
function valueType(f: protobuf.Field, names: JsonNames, scalar: string): string {
  const rt = f.resolvedType;
  if (!rt) return stringLiteral(JSON_SCALAR[scalar] ?? scalar);
  const full = rt.fullName.replace(/^\./, '');
  // NullValue's one value is written as JSON null.
  if (full === 'google.protobuf.NullValue') return 'null';
  const name = rt instanceof protobuf.Enum ? names.enum(full) : names.message(full);
  if (!name) throw new Error(`internal: no generated name for ${full}`);
  return name;
}

/** The row's kind and its sixth entry (a map's key type, a oneof's property). */
function kindOf(f: protobuf.Field, oneofProp: (o: protobuf.OneOf) => string): string[] {
  if (f.map) return ["'map'", stringLiteral(JSON_SCALAR[(f as unknown as protobuf.MapField).keyType]!)];
  if (f.repeated) return ["'list'"];
  if (f.partOf && !f.partOf.isProto3Optional) return ["'oneof'", stringLiteral(oneofProp(f.partOf))];
  // Messages, optional and proto2 required fields are written whenever set; others unless at their default.
  return f.resolvedType instanceof protobuf.Type || f.hasPresence || f.required ? ["'opt'"] : [];
}

/** One field's row, as its cells: `['createdAt', 'createdAt', 'created_at', $json.Timestamp, 'opt']`. */
export function jsonRow(
  f: protobuf.Field,
  prop: string,
  names: JsonNames,
  oneofProp: (o: protobuf.OneOf) => string,
): string[] {
  return [
    stringLiteral(prop),
    stringLiteral(f.jsonName ?? prop),
    stringLiteral(f.name),
    valueType(f, names, f.type),
    ...kindOf(f, oneofProp),
  ];
}

/**
 * The message's codec constant: binary and JSON, over its encoder, decoder and field table (a function:
 * rows may name messages declared further down).
 */
export function jsonCodecDeclaration(
  ts: string,
  init: string,
  fullName: string,
  encode: string,
  decode: string,
  rows: string[][],
): string {
  const types = `${init}, ${ts}`;
  const lhs = `export const ${ts}: $json.MessageCodec<${types}> =`;
  const call = `$json.codec<${types}>(`;
  const args = [stringLiteral(fullName), encode, decode];
  const row = (indent: string) => (cells: string[]) => `${indent}${wrapList(indent, '[', cells, '],', false)}`;
  const oneLine = `  ${call}${args.join(', ')}, () => [`;
  if (fits(oneLine)) {
    const start = fits(`${lhs} ${oneLine.trim()}`) ? `${lhs} ${oneLine.trim()}` : `${lhs}\n${oneLine}`;
    const indent = start.includes('\n') ? '    ' : '  ';
    if (!rows.length) return `${start}]);`;
    return `${start}\n${rows.map(row(indent)).join('\n')}\n${indent.slice(2)}]);`;
  }
  const table = rows.length ? `() => [\n${rows.map(row('      ')).join('\n')}\n    ],` : '() => [],';
  return `${lhs}\n  ${call}\n${args.map((a) => `    ${a},\n`).join('')}    ${table}\n  );`;
}
