// The protobuf scalar type names, in a module of their own so that light modules (a pattern's spec,
// read by `--help`) can use them without loading protobufjs.
export const PROTO_SCALARS: ReadonlySet<string> = new Set([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);
