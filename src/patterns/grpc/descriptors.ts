// Serialized FileDescriptorProtos of a link's .proto files, made at generation time for server
// reflection (@grpc/reflection reads them). Embedding them in generated code means a deployment of
// the compiled JS alone answers `buf curl --reflect` and grpcurl: no .proto and no proto-loader at run time.
import { createRequire } from 'node:module';
import type * as P from 'protobufjs';
import type protobuf from '../../contracts/proto-lib.js';

/** The plain-object shapes of descriptor.proto we touch (toObject output, camelCase field names). */
interface FieldObject {
  name: string;
  typeName?: string;
}
interface MessageObject {
  name: string;
  field?: FieldObject[];
  nestedType?: MessageObject[];
  options?: { mapEntry?: boolean };
}
interface FileObject {
  name: string;
  package?: string;
  dependency?: string[];
  messageType?: MessageObject[];
  enumType?: { name: string }[];
  service?: { name: string; method?: { inputType: string; outputType: string }[] }[];
}

interface DescriptorModule {
  FileDescriptorProto: {
    toObject(m: unknown): FileObject;
    fromObject(o: FileObject): unknown;
    encode(m: unknown): { finish(): Uint8Array };
  };
}

type LightRoot = P.Root & { toDescriptor(edition: string): { file: unknown[] } };

/** The grpc.health.v1 health service (grpc/grpc's health.proto) in protobufjs's JSON form. */
const HEALTH_V1: Record<string, P.AnyNestedObject> = {
  grpc: {
    nested: {
      health: {
        nested: {
          v1: {
            nested: {
              HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
              HealthCheckResponse: {
                fields: { status: { type: 'ServingStatus', id: 1 } },
                nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
              },
              HealthListRequest: { fields: {} },
              HealthListResponse: {
                fields: { statuses: { keyType: 'string', type: 'HealthCheckResponse', id: 1 } as P.IMapField },
              },
              Health: {
                methods: {
                  Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse' },
                  Watch: {
                    requestType: 'HealthCheckRequest',
                    responseType: 'HealthCheckResponse',
                    responseStream: true,
                  },
                  List: { requestType: 'HealthListRequest', responseType: 'HealthListResponse' },
                },
              },
            },
          },
        },
      },
    },
  },
};

/**
 * The descriptors of every file of `root` (one per package, named after it) as base64. protobufjs's descriptor extension works on its
 * own (light) build, so the root crosses over as JSON; it writes one file per package, leaves type
 * names relative, names map entries after the field as written and lists no imports: all fixed here,
 * since reflection clients (buf, grpcurl) build a registry from these files and need each complete.
 */
export function fileDescriptors(root: protobuf.Root): { name: string; base64: string }[] {
  const require = createRequire(import.meta.url);
  const descriptor = require('protobufjs/ext/descriptor') as DescriptorModule;
  const light = require('protobufjs/light') as typeof P;
  const copy = light.Root.fromJSON(root.toJSON()) as LightRoot;
  // grpc-health-check's own descriptor has the flaws fixed below (relative names, map entry names),
  // which stop buf from reading it: the health service is described here, from grpc.health.v1.
  if (!copy.lookup('grpc.health.v1')) copy.addJSON(HEALTH_V1).resolveAll();
  const files = copy.toDescriptor('proto3').file.map((f) => descriptor.FileDescriptorProto.toObject(f));
  const owner = new Map<string, string>();
  for (const file of files) for (const name of topLevelNames(file)) owner.set(name, file.name);
  for (const file of files) {
    const used = new Set<string>();
    for (const m of file.messageType ?? []) qualify(copy, m, prefixOf(file), used);
    for (const s of file.service ?? []) for (const rpc of s.method ?? []) used.add(rpc.inputType).add(rpc.outputType);
    const deps = new Set<string>();
    for (const t of used) {
      const f = ownerOf(owner, t);
      if (f !== undefined && f !== file.name) deps.add(f);
    }
    file.dependency = [...deps].sort();
  }
  return files.map((f) => {
    const bytes = descriptor.FileDescriptorProto.encode(descriptor.FileDescriptorProto.fromObject(f)).finish();
    return { name: f.name, base64: Buffer.from(bytes).toString('base64') };
  });
}

function prefixOf(file: FileObject): string {
  return file.package ? `.${file.package}` : '';
}

function topLevelNames(file: FileObject): string[] {
  const prefix = prefixOf(file);
  return [...(file.messageType ?? []), ...(file.enumType ?? []), ...(file.service ?? [])].map(
    (t) => `${prefix}.${t.name}`,
  );
}

/** The file declaring `.pkg.Msg.Nested`: the owner of its longest declared prefix. */
function ownerOf(owner: Map<string, string>, typeName: string): string | undefined {
  for (let name = typeName; name; name = name.slice(0, Math.max(0, name.lastIndexOf('.')))) {
    const file = owner.get(name);
    if (file) return file;
  }
  return undefined;
}

/**
 * Makes every type name in message `m` (declared in scope `scope`) absolute, resolving from the
 * protobufjs namespace `from` (a map entry's value resolves from the message holding the map).
 * Records each name used.
 */
function qualify(root: P.Root, m: MessageObject, scope: string, used: Set<string>, from = `${scope}.${m.name}`): void {
  const self = `${scope}.${m.name}`;
  // Map entries: named `<Field>Entry` as protoc names them (reflection clients check the name).
  for (const nested of m.nestedType ?? []) {
    if (!nested.options?.mapEntry) continue;
    const field = (m.field ?? []).find((f) => f.typeName === nested.name);
    if (!field) continue;
    nested.name = mapEntryName(field.name);
    field.typeName = `${self}.${nested.name}`;
  }
  const ns = root.lookup(from) as P.Namespace | null;
  for (const field of m.field ?? []) {
    if (!field.typeName) continue;
    if (!field.typeName.startsWith('.')) {
      const resolved = ns?.lookup(field.typeName) ?? root.lookup(field.typeName);
      if (resolved) field.typeName = resolved.fullName;
    }
    used.add(field.typeName);
  }
  for (const nested of m.nestedType ?? [])
    qualify(root, nested, self, used, nested.options?.mapEntry ? from : `${self}.${nested.name}`);
}

/** protoc's map entry name: the field name in CamelCase (underscores dropped, next letter upper) + Entry. */
function mapEntryName(field: string): string {
  const camel = field.replace(/_+([a-z0-9]?)/g, (_m, c: string) => c.toUpperCase());
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}
