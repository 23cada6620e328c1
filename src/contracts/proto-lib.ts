// protobufjs from its single-file build (dist/protobuf.js: the same 8.x sources as the package's main
// entry, bundled, not minified, so internals such as field features keep their names). Loading one file
// instead of ~40 CommonJS modules takes ~25 ms off every `generate`. Every grpc module imports
// protobufjs from here, so `instanceof protobuf.Type` always sees the same copy of the classes.
import { createRequire } from 'node:module';
import type * as P from 'protobufjs';

const protobuf = createRequire(import.meta.url)('protobufjs/dist/protobuf.js') as typeof P;

// The instance types under the names `import protobuf from 'protobufjs'` gives them.
declare namespace protobuf {
  type Enum = P.Enum;
  type Field = P.Field;
  type INamespace = P.INamespace;
  type IParserResult = P.IParserResult;
  type MapField = P.MapField;
  type Method = P.Method;
  type Namespace = P.Namespace;
  type NamespaceBase = P.NamespaceBase;
  type OneOf = P.OneOf;
  type ReflectionObject = P.ReflectionObject;
  type Root = P.Root;
  type Service = P.Service;
  type Type = P.Type;
}

export default protobuf;
