// The grpc pattern, light half: flags, wizard questions, and the .proto contract it writes.
// Nothing heavy here (protobufjs, ts-morph, handlebars load in generate.ts via load()).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { pascalCase } from '../../util/names.js';
import type { PatternSpec, Prompts } from '../types.js';

export const RPC_KINDS = ['unary', 'server-stream', 'client-stream', 'bidi'] as const;
type Kind = (typeof RPC_KINDS)[number];

const SCALARS = new Set([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
  'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);
/** Well-known types a --field may name, with the import they need. */
const WELL_KNOWN: Record<string, string> = {
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

export interface RpcDef {
  name: string;
  kind: Kind;
}

export interface FieldDef {
  message: string;
  name: string;
  type: string;
  repeated: boolean;
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter((v) => v !== '');
  if (typeof value === 'string' && value !== '') return [value];
  return [];
}

export function parseRpc(text: string): RpcDef {
  const m = /^([A-Za-z][A-Za-z0-9_]*)(?::([a-z-]+))?$/.exec(text.trim());
  if (!m) throw new UsageError(`--rpc "${text}": expected NAME:KIND, e.g. --rpc GetUser:unary`);
  const kind = (m[2] ?? 'unary') as Kind;
  if (!RPC_KINDS.includes(kind)) {
    throw new UsageError(`--rpc "${text}": KIND must be one of ${RPC_KINDS.join(', ')}`);
  }
  return { name: pascalCase(m[1]!), kind };
}

export function parseField(text: string): FieldDef {
  const m = /^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*):([A-Za-z][A-Za-z0-9_.]*)(\[\])?$/.exec(text.trim());
  if (!m) {
    throw new UsageError(`--field "${text}": expected MESSAGE.FIELD:TYPE (TYPE[] for repeated), e.g. --field GetUserRequest.id:string`);
  }
  return { message: pascalCase(m[1]!), name: m[2]!, type: m[3]!, repeated: m[4] === '[]' };
}

function defaultPackage(name: string): string {
  return `${name.replace(/-/g, '_')}.v1`;
}

/** True for an RPC that lists things: a server stream, or a name like ListUsers / SearchOrders. */
function isListing(rpc: RpcDef): boolean {
  return rpc.kind === 'server-stream' || /^(List|Search|Stream|Watch)[A-Z0-9_]/.test(rpc.name);
}

/**
 * The starting fields of an RPC's request and response, for the user to edit. Listing RPCs page
 * (`limit`, `page_token`); the others look a thing up by `id`; responses carry `id` and `name`.
 */
export function defaultFields(rpc: RpcDef): { request: FieldDef[]; response: FieldDef[] } {
  const field = (message: string, name: string, type: string): FieldDef => ({ message, name, type, repeated: false });
  const req = `${rpc.name}Request`;
  const res = `${rpc.name}Response`;
  return {
    request: isListing(rpc) ? [field(req, 'limit', 'uint32'), field(req, 'page_token', 'string')] : [field(req, 'id', 'string')],
    response: [field(res, 'id', 'string'), field(res, 'name', 'string')],
  };
}

/** The proto3 contract the wizard/flags describe. --field adds to a message's default fields (same name: the last one wins). */
export function buildProto(linkName: string, pkg: string, rpcs: RpcDef[], fields: FieldDef[]): string {
  const service = `${pascalCase(linkName)}Service`;
  const messages = new Map<string, FieldDef[]>();
  for (const r of rpcs) {
    const d = defaultFields(r);
    messages.set(`${r.name}Request`, d.request);
    messages.set(`${r.name}Response`, d.response);
  }
  for (const f of fields) {
    const own = messages.get(f.message) ?? [];
    const at = own.findIndex((g) => g.name === f.name);
    messages.set(f.message, at < 0 ? [...own, f] : own.map((g, i) => (i === at ? f : g)));
  }
  const imports = new Set<string>();
  for (const f of fields) {
    if (SCALARS.has(f.type) || messages.has(f.type)) continue;
    const wk = f.type.replace(/^google\.protobuf\./, '');
    if (Object.hasOwn(WELL_KNOWN, wk)) {
      imports.add(WELL_KNOWN[wk]!);
      f.type = `google.protobuf.${wk}`;
      continue;
    }
    throw new UsageError(
      `--field ${f.message}.${f.name}:${f.type}: unknown type; use a proto scalar (string, int64, bool, ...), a well-known type (Timestamp, Duration, Struct, ...) or a message named by another --field`,
    );
  }
  const lines: string[] = ['syntax = "proto3";', '', `package ${pkg};`, ''];
  for (const i of [...imports].sort()) lines.push(`import "${i}";`);
  if (imports.size) lines.push('');
  lines.push(`service ${service} {`);
  for (const r of rpcs) {
    const req = r.kind === 'client-stream' || r.kind === 'bidi' ? `stream ${r.name}Request` : `${r.name}Request`;
    const res = r.kind === 'server-stream' || r.kind === 'bidi' ? `stream ${r.name}Response` : `${r.name}Response`;
    lines.push(`  rpc ${r.name}(${req}) returns (${res});`);
  }
  lines.push('}');
  for (const [msg, defs] of messages) {
    lines.push('', `message ${msg} {`);
    defs.forEach((f, i) => lines.push(`  ${f.repeated ? 'repeated ' : ''}${f.type} ${f.name} = ${i + 1};`));
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

export const spec: PatternSpec = {
  id: 'grpc',
  title: 'gRPC link (.proto contract, typed @grpc/grpc-js client and server)',
  flags: [
    {
      flags: '--rpc <NAME:KIND>',
      description:
        'an RPC of the new service; KIND is unary, server-stream, client-stream or bidi (repeatable). Without --rpc and --proto: one unary Get<Name>',
      example: 'create-service-link grpc user --rpc GetUser:unary --rpc ListUsers:server-stream --rpc Chat:bidi',
      repeatable: true,
    },
    {
      flags: '--package <NAME>',
      description: 'proto package of the new .proto (default <name>.v1)',
      example: 'create-service-link grpc user --rpc GetUser:unary --package acme.user.v1',
    },
    {
      flags: '--field <MESSAGE.FIELD:TYPE>',
      description:
        'adds a field to a request/response message (<Rpc>Request, <Rpc>Response or your own); TYPE is a proto scalar, a well-known type (Timestamp, Duration, Struct, ...) or another message, TYPE[] for repeated (repeatable). Messages start with default fields (requests: id, or limit and page_token for List*/server-stream RPCs; responses: id and name); a --field with the same name replaces that default',
      example:
        'create-service-link grpc user --rpc GetUser:unary --field GetUserRequest.id:string --field GetUserResponse.tags:string[] --field GetUserResponse.created:Timestamp',
      repeatable: true,
    },
    {
      flags: '--proto <FILE>',
      description: 'generate from existing .proto files instead of writing one (repeatable)',
      example: 'create-service-link grpc billing --proto protos/billing/v1/billing.proto --proto-path protos',
      repeatable: true,
    },
    {
      flags: '--proto-path <DIR>',
      description: 'import root for .proto imports, like protoc -I (repeatable; default: the folder of each --proto file)',
      example: 'create-service-link grpc billing --proto protos/billing/v1/billing.proto --proto-path protos --proto-path third_party',
      repeatable: true,
    },
  ],
  // Minimums the generated code needs: grpc-js 1.10 starts serving on bindAsync (server.ts never
  // calls the deprecated start()); wire.ts uses Writer/Reader members protobufjs 7 does not have.
  runtimeDependencies: ['@grpc/grpc-js@^1.10.0', 'protobufjs@^8.8.1'],
  runtimeModules: ['context', 'grpc', 'wire'],
  legacyModules: { 'runtime.ts': 'grpc', 'wire.ts': 'wire', 'request-context.ts': 'context' },

  async ask(prompts: Prompts, name: string, given: Record<string, unknown>) {
    const options = { ...given };
    if (list(options.proto).length || list(options.rpc).length) return options;
    const existing = await prompts.confirm({ message: 'Generate from .proto files you already have?', default: false });
    if (existing) {
      const files = await prompts.input({
        message: '.proto files (comma-separated, project-relative)',
        validate: (v) => (v.trim() ? true : 'give at least one file'),
      });
      options.proto = files.split(',').map((s) => s.trim()).filter(Boolean);
      const roots = await prompts.input({ message: 'Import roots (--proto-path, comma-separated; empty: the files\' folders)', default: '' });
      const r = roots.split(',').map((s) => s.trim()).filter(Boolean);
      if (r.length) options.protoPath = r;
      return options;
    }
    const rpcs: string[] = [];
    const fields: string[] = list(options.field);
    let more = true;
    while (more) {
      const rpcName = await prompts.input({
        message: 'RPC name',
        default: rpcs.length ? undefined : `Get${pascalCase(name)}`,
        validate: (v) => (/^[A-Za-z][A-Za-z0-9_]*$/.test(v.trim()) ? true : 'letters and digits, e.g. GetUser'),
      });
      const kind = await prompts.select<Kind>({
        message: `Kind of ${rpcName}`,
        choices: [
          { name: 'unary (one request, one response)', value: 'unary' },
          { name: 'server-stream (one request, a stream of responses)', value: 'server-stream' },
          { name: 'client-stream (a stream of requests, one response)', value: 'client-stream' },
          { name: 'bidi (streams both ways)', value: 'bidi' },
        ],
      });
      const rpc = parseRpc(`${rpcName.trim()}:${kind}`);
      rpcs.push(`${rpc.name}:${rpc.kind}`);
      const defaults = defaultFields(rpc);
      for (const [msg, has] of [[`${rpc.name}Request`, defaults.request], [`${rpc.name}Response`, defaults.response]] as const) {
        const answer = await prompts.input({
          message: `Fields to add to ${msg}, which has ${has.map((f) => `${f.name}:${f.type}`).join(', ')} (name:type, comma-separated; type[] for repeated; a same name replaces)`,
          default: '',
          validate: (v) => {
            try {
              for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) parseField(`${msg}.${part}`);
              return true;
            } catch (err) {
              return (err as Error).message;
            }
          },
        });
        for (const part of answer.split(',').map((s) => s.trim()).filter(Boolean)) fields.push(`${msg}.${part}`);
      }
      more = await prompts.confirm({ message: 'Add another RPC?', default: false });
    }
    options.rpc = rpcs;
    options.field = fields;
    if (options.package === undefined) {
      options.package = await prompts.input({ message: 'Proto package', default: defaultPackage(name) });
    }
    return options;
  },

  // Nothing is required: without --rpc/--proto the link gets one unary Get<Name> RPC to edit.
  missingRequired() {
    return [];
  },

  async scaffold({ name, options, project }) {
    const protos = list(options.proto);
    const rpcTexts = list(options.rpc);
    const fieldTexts = list(options.field);
    const protoPath = list(options.protoPath);
    if (protos.length) {
      if (rpcTexts.length || fieldTexts.length) {
        throw new UsageError('--proto uses your .proto files as they are; --rpc/--field only describe a new one. Pass one or the other');
      }
      // Stored project-relative, so service-link.json still works from another checkout.
      const rel = (p: string): string => (path.isAbsolute(p) ? path.relative(project.root, p) || '.' : p).split(path.sep).join('/');
      const roots = protoPath.map(rel);
      return { contracts: protos.map(rel), files: [], options: roots.length ? { protoPath: roots } : {} };
    }
    const file = `proto/${name}.proto`;
    const pkg = typeof options.package === 'string' && options.package ? options.package : defaultPackage(name);
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(pkg)) {
      throw new UsageError(`--package "${pkg}": use dot-separated identifiers, e.g. acme.user.v1`);
    }
    const rpcs = rpcTexts.length ? rpcTexts.map(parseRpc) : [{ name: `Get${pascalCase(name)}`, kind: 'unary' as const }];
    const seen = new Set<string>();
    for (const r of rpcs) {
      if (seen.has(r.name)) throw new UsageError(`--rpc ${r.name} is given twice`);
      seen.add(r.name);
    }
    const fields = fieldTexts.map(parseField);
    if (existsSync(path.join(project.root, file))) {
      if (rpcTexts.length || fieldTexts.length) {
        throw new UsageError(`${file} already exists: edit it and run \`create-service-link generate\`, or pass --proto ${file}`);
      }
      return { contracts: [file], files: [], options: { protoPath: ['proto'] } };
    }
    return {
      contracts: [file],
      files: [{ path: file, content: buildProto(name, pkg, rpcs, fields) }],
      options: { protoPath: ['proto'], ...(protoPath.length ? { protoPath: ['proto', ...protoPath] } : {}) },
    };
  },

  async load() {
    const { generator } = await import('./generate.js');
    return generator;
  },
};
