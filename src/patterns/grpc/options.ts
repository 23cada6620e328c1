// Options of a gRPC link, declared once (flags, wizard, service-link.json), and the parsing of --rpc
// and --field. Light: imported by spec.ts, which `--help` imports.
import { defineOptions, resolveOptions, type Answers, type OptionValues, type Prompts } from '../../core/options.js';
import { UsageError } from '../../errors.js';
import { PROTO_SCALARS, PROTO_WELL_KNOWN } from '../../contracts/proto-scalars.js';
import { pascalCase } from '../../util/names.js';
import type { LinkConfig } from '../types.js';

export const RPC_KINDS = ['unary', 'server-stream', 'client-stream', 'bidi'] as const;
export type Kind = (typeof RPC_KINDS)[number];

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
    throw new UsageError(
      `--field "${text}": expected MESSAGE.FIELD:TYPE (TYPE[] for repeated), e.g. --field GetUserRequest.id:string`,
    );
  }
  return { message: pascalCase(m[1]!), name: m[2]!, type: m[3]!, repeated: m[4] === '[]' };
}

/** A parser as a validator: its UsageError message, or undefined. */
const accepts = (parse: (text: string) => unknown) => (text: string) => {
  try {
    parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

export function defaultPackage(name: string): string {
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
    request: isListing(rpc)
      ? [field(req, 'limit', 'uint32'), field(req, 'page_token', 'string')]
      : [field(req, 'id', 'string')],
    response: [field(res, 'id', 'string'), field(res, 'name', 'string')],
  };
}

const KIND_CHOICES = [
  { name: 'unary (one request, one response)', value: 'unary' },
  { name: 'server-stream (one request, a stream of responses)', value: 'server-stream' },
  { name: 'client-stream (a stream of requests, one response)', value: 'client-stream' },
  { name: 'bidi (streams both ways)', value: 'bidi' },
] as const;

const split = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The wizard's check of a field's type, at its prompt: a scalar, a well-known type or a message of these RPCs. */
function fieldTypeProblem(field: FieldDef, messages: readonly string[]): string | undefined {
  const wk = field.type.replace(/^google\.protobuf\./, '');
  if (PROTO_SCALARS.has(field.type) || Object.hasOwn(PROTO_WELL_KNOWN, wk) || messages.includes(field.type)) return;
  return `${field.name}:${field.type}: "${field.type}" is not a type here; use a proto scalar (${[...PROTO_SCALARS].slice(0, 6).join(', ')}, ...), a well-known type (Timestamp, Duration, Struct, ...) or a message (${messages.join(', ')})`;
}

/** The wizard's RPC loop: name, kind and extra fields of each RPC; gives --rpc and --field values. */
async function askRpcs(prompts: Prompts, ctx: { name: string }, values: Answers): Promise<Answers> {
  const rpcs: RpcDef[] = [];
  const fields = Array.isArray(values.field) ? values.field.map(String) : [];
  do {
    const rpcName = await prompts.input({
      message: 'RPC name',
      default: rpcs.length ? undefined : `Get${pascalCase(ctx.name)}`,
      validate: (v) =>
        !/^[A-Za-z][A-Za-z0-9_]*$/.test(v.trim())
          ? 'letters and digits, e.g. GetUser'
          : rpcs.some((r) => r.name === pascalCase(v.trim()))
            ? `${pascalCase(v.trim())} is already an RPC of this service`
            : true,
    });
    const kind = await prompts.select<Kind>({ message: `Kind of ${rpcName}`, choices: KIND_CHOICES });
    const rpc = parseRpc(`${rpcName.trim()}:${kind}`);
    rpcs.push(rpc);
    const defaults = defaultFields(rpc);
    for (const [msg, has] of [
      [`${rpc.name}Request`, defaults.request],
      [`${rpc.name}Response`, defaults.response],
    ] as const) {
      const answer = await prompts.input({
        message: `Fields to add to ${msg}, which has ${has.map((f) => `${f.name}:${f.type}`).join(', ')} (name:type, comma-separated; type[] for repeated; a same name replaces)`,
        default: '',
        validate: (v) => {
          const messages = rpcs.flatMap((r) => [`${r.name}Request`, `${r.name}Response`]);
          const bad = (part: string) =>
            accepts(parseField)(`${msg}.${part}`) ?? fieldTypeProblem(parseField(`${msg}.${part}`), messages);
          return split(v).map(bad).find(Boolean) ?? true;
        },
      });
      fields.push(...split(answer).map((part) => `${msg}.${part}`));
    }
  } while (await prompts.confirm({ message: 'Add another RPC?', default: false }));
  return { rpc: rpcs.map((r) => `${r.name}:${r.kind}`), field: fields };
}

/** Set when the wizard describes a new service (no --proto given or chosen, no --rpc flag). */
const describing = (v: Answers, flags: Answers) => v.proto === undefined && flags.rpc === undefined;

export const GRPC_OPTIONS = defineOptions(
  {
    rpc: {
      flag: '--rpc <NAME:KIND>',
      type: 'list',
      description:
        'an RPC of the new service; KIND is unary, server-stream, client-stream or bidi (repeatable). Without --rpc and --proto: one unary Get<Name>',
      example: 'create-service-link grpc user --rpc GetUser:unary --rpc ListUsers:server-stream --rpc Chat:bidi',
      validate: accepts(parseRpc),
      prompt: { message: 'RPCs and their fields', ask: askRpcs, when: (v) => v.proto === undefined },
    },
    package: {
      flag: '--package <NAME>',
      type: 'string',
      description: 'proto package of the new .proto (default <name>.v1)',
      example: 'create-service-link grpc user --rpc GetUser:unary --package acme.user.v1',
      default: ({ name }) => defaultPackage(name),
      validate: (v) =>
        /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(v)
          ? undefined
          : `--package "${v}": use dot-separated identifiers, e.g. acme.user.v1`,
      prompt: { message: 'Proto package', when: describing },
    },
    field: {
      flag: '--field <MESSAGE.FIELD:TYPE>',
      type: 'list',
      description:
        'adds a field to a request/response message (<Rpc>Request, <Rpc>Response or your own); TYPE is a proto scalar, a well-known type (Timestamp, Duration, Struct, ...) or another message, TYPE[] for repeated (repeatable). Messages start with default fields (requests: id, or limit and page_token for List*/server-stream RPCs; responses: id and name); a --field with the same name replaces that default',
      example:
        'create-service-link grpc user --rpc GetUser:unary --field GetUserRequest.id:string --field GetUserResponse.tags:string[] --field GetUserResponse.created:Timestamp',
      validate: accepts(parseField),
    },
    proto: {
      flag: '--proto <FILE>',
      type: 'list',
      description: 'generate from existing .proto files instead of writing one (repeatable)',
      example: 'create-service-link grpc billing --proto protos/billing/v1/billing.proto --proto-path protos',
      validate: (v) => (v ? undefined : 'give at least one file'),
      prompt: {
        gate: 'Generate from .proto files you already have?',
        message: '.proto files (comma-separated, project-relative)',
        list: 'csv',
        when: (v) => v.rpc === undefined,
      },
    },
    protoPath: {
      flag: '--proto-path <DIR>',
      type: 'list',
      description:
        'import root for .proto imports, like protoc -I (repeatable; default: the folder of each --proto file)',
      example:
        'create-service-link grpc billing --proto protos/billing/v1/billing.proto --proto-path protos --proto-path third_party',
      stored: true,
      prompt: {
        message: "Import roots (--proto-path, comma-separated; empty: the files' folders)",
        list: 'csv',
        // Only right after the wizard's own --proto answer: flags that name files are taken as complete.
        when: (v, flags) => flags.proto === undefined && v.proto !== undefined,
      },
    },
  },
  // The wizard asks for existing files first; --help lists --rpc first.
  ['proto', 'protoPath', 'rpc', 'package'],
);

export type GrpcValues = OptionValues<typeof GRPC_OPTIONS>;

/** A link's stored options, typed. */
export function grpcStored(link: LinkConfig): GrpcValues {
  return resolveOptions(GRPC_OPTIONS, link.options, link);
}
