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

/** Well-known types a --field may name, with the import they need. */
export const PROTO_WELL_KNOWN: Readonly<Record<string, string>> = {
  Timestamp: 'google/protobuf/timestamp.proto',
  Duration: 'google/protobuf/duration.proto',
  Struct: 'google/protobuf/struct.proto',
  Value: 'google/protobuf/struct.proto',
  Empty: 'google/protobuf/empty.proto',
  FieldMask: 'google/protobuf/field_mask.proto',
  Any: 'google/protobuf/any.proto',
  StringValue: 'google/protobuf/wrappers.proto',
  Int64Value: 'google/protobuf/wrappers.proto',
  Int32Value: 'google/protobuf/wrappers.proto',
  BoolValue: 'google/protobuf/wrappers.proto',
  DoubleValue: 'google/protobuf/wrappers.proto',
  BytesValue: 'google/protobuf/wrappers.proto',
};
