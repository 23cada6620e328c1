// A plain model of what a set of loaded .proto files defines, keyed the way buf pairs definitions across
// two versions: files by import name, messages/enums/services by fully-qualified name, fields and enum
// values by number, RPCs by name. Only the user's files count (not google/protobuf/*).
import type { LoadedProtos } from '../contracts/proto.js';
import protobuf from '../contracts/proto-lib.js';
import { PROTO_SCALARS as SCALARS } from '../contracts/proto-scalars.js';

export type Cardinality = 'optional' | 'required' | 'repeated' | 'map';

export interface FieldInfo {
  name: string;
  number: number;
  /** A scalar type name, or 'message' / 'enum'. */
  kind: string;
  /** Fully-qualified message or enum name (no leading dot). */
  typeName?: string;
  /** Map fields: the key scalar. `kind`/`typeName` then describe the value. */
  mapKey?: string;
  cardinality: Cardinality;
  /** The real (non-synthetic) oneof holding the field. */
  oneof?: string;
  defaultValue?: string;
}

export interface MessageInfo {
  fullName: string;
  file: string;
  fields: Map<number, FieldInfo>;
  /** Inclusive ranges. */
  reservedNumbers: [number, number][];
  reservedNames: string[];
}

export interface EnumInfo {
  fullName: string;
  /** Its name before a package rename (set only while comparing). */
  formerName?: string;
  file: string;
  /** Number -> the names given to it (aliases share a number). */
  values: Map<number, string[]>;
  reservedNumbers: [number, number][];
  reservedNames: string[];
}

export interface MethodInfo {
  name: string;
  request: string;
  response: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
  idempotency?: string;
}

export interface ServiceInfo {
  fullName: string;
  file: string;
  methods: Map<string, MethodInfo>;
}

export interface ProtoModel {
  /** Import name -> package ('' when none). */
  packages: Map<string, string>;
  /** Import name -> the path it was read from (for messages). */
  paths: Map<string, string>;
  messages: Map<string, MessageInfo>;
  enums: Map<string, EnumInfo>;
  services: Map<string, ServiceInfo>;
}

function strip(fullName: string): string {
  return fullName.replace(/^\./, '');
}

function reservedOf(
  reserved: (number[] | string)[] | undefined,
): Pick<MessageInfo, 'reservedNumbers' | 'reservedNames'> {
  const reservedNumbers: [number, number][] = [];
  const reservedNames: string[] = [];
  for (const r of reserved ?? []) {
    if (typeof r === 'string') reservedNames.push(r);
    else reservedNumbers.push([r[0]!, r[1] ?? r[0]!]);
  }
  return { reservedNumbers, reservedNames };
}

function fieldInfo(f: protobuf.Field): FieldInfo {
  const resolved = f.resolvedType;
  const kind = SCALARS.has(f.type) ? f.type : resolved instanceof protobuf.Enum ? 'enum' : 'message';
  const map = f instanceof protobuf.MapField ? f : undefined;
  const synthetic = f.options?.proto3_optional === true;
  const info: FieldInfo = {
    name: f.name,
    number: f.id,
    kind,
    cardinality: map ? 'map' : f.repeated ? 'repeated' : f.required ? 'required' : 'optional',
  };
  if (resolved && kind !== f.type) info.typeName = strip(resolved.fullName);
  if (map) info.mapKey = map.keyType;
  if (f.partOf && !synthetic) info.oneof = f.partOf.name;
  const def = f.options?.default as unknown;
  if (def !== undefined) info.defaultValue = String(def);
  return info;
}

/** Builds the model of the user's files in `loaded` (bundled well-known types are left out). */
export function protoModel(loaded: LoadedProtos): ProtoModel {
  const packages = new Map<string, string>();
  const paths = new Map<string, string>();
  const nameOfPath = new Map<string, string>();
  for (const [name, file] of loaded.files) {
    if (name.startsWith('google/protobuf/') || file.startsWith('(bundled)')) continue;
    const text = loaded.sources.get(file) ?? '';
    packages.set(name, /^\s*package\s+([\w.]+)\s*;/m.exec(text)?.[1] ?? '');
    paths.set(name, file);
    nameOfPath.set(file, name);
  }
  const model: ProtoModel = { packages, paths, messages: new Map(), enums: new Map(), services: new Map() };
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      const file = obj.filename ? nameOfPath.get(obj.filename) : undefined;
      if (obj instanceof protobuf.Type && file !== undefined) {
        const fields = new Map(obj.fieldsArray.map((f) => [f.id, fieldInfo(f)] as const));
        const reserved = reservedOf(obj.reserved as (number[] | string)[] | undefined);
        model.messages.set(strip(obj.fullName), { fullName: strip(obj.fullName), file, fields, ...reserved });
      } else if (obj instanceof protobuf.Enum && file !== undefined) {
        const values = new Map<number, string[]>();
        for (const [name, number] of Object.entries(obj.values))
          values.set(number, [...(values.get(number) ?? []), name]);
        const reserved = reservedOf(obj.reserved as (number[] | string)[] | undefined);
        model.enums.set(strip(obj.fullName), { fullName: strip(obj.fullName), file, values, ...reserved });
      } else if (obj instanceof protobuf.Service && file !== undefined) {
        model.services.set(strip(obj.fullName), { fullName: strip(obj.fullName), file, methods: methodsOf(obj) });
      }
      if (obj instanceof protobuf.Namespace || obj instanceof protobuf.Type) visit(obj);
    }
  };
  visit(loaded.root);
  return model;
}

function methodsOf(service: protobuf.Service): Map<string, MethodInfo> {
  const methods = new Map<string, MethodInfo>();
  for (const m of service.methodsArray) {
    const info: MethodInfo = {
      name: m.name,
      request: strip(m.resolvedRequestType?.fullName ?? m.requestType),
      response: strip(m.resolvedResponseType?.fullName ?? m.responseType),
      clientStreaming: !!m.requestStream,
      serverStreaming: !!m.responseStream,
    };
    const level = m.options?.idempotency_level as unknown;
    if (level !== undefined) info.idempotency = String(level);
    methods.set(m.name, info);
  }
  return methods;
}
