// The shape of a gRPC link's services as the user's handlers.ts sees it: the service model, handler
// signatures and the stubs written for new RPCs. Shared by the generator and the merge (merge.ts), so
// neither imports the other.
import { jsDoc, stringLiteral } from '../../util/text.js';
import type { TypeRef } from './messages.js';

export type RpcKind = 'unary' | 'server-stream' | 'client-stream' | 'bidi';

export interface MethodModel {
  /** Proto name, e.g. GetUser. */
  original: string;
  /** TS member name, e.g. getUser. */
  prop: string;
  kind: RpcKind;
  path: string;
  comment: string | null;
  req: TypeRef;
  res: TypeRef;
  /** `option idempotency_level` is NO_SIDE_EFFECTS or IDEMPOTENT: clients retry it on UNAVAILABLE. */
  idempotent: boolean;
}

export interface ServiceModel {
  name: string;
  fullName: string;
  comment: string | null;
  methods: MethodModel[];
}

/** A type as seen from another generated module (messages live behind `$msg`). */
export function qual(ref: TypeRef, which: 'ts' | 'init' | 'encode' | 'decode'): string {
  return ref.wkt ? ref[which] : `$msg.${ref[which]}`;
}

/** The parameter types and return type of a handler method, as written in handlers.ts. */
export function handlerTypes(m: MethodModel): { request: string; returns: string } {
  const req = qual(m.req, 'ts');
  const res = qual(m.res, 'init');
  const streamIn = m.kind === 'client-stream' || m.kind === 'bidi';
  const streamOut = m.kind === 'server-stream' || m.kind === 'bidi';
  return {
    request: streamIn ? `AsyncIterable<${req}>` : req,
    returns: streamOut ? `AsyncGenerator<${res}>` : `Promise<${res}>`,
  };
}

/**
 * What the signatures record keeps of a handler: its parameter and return types as the tool writes
 * them (the streaming kind shows in them). Parameter names are the user's to change.
 */
export function recordedTypes(m: MethodModel): string {
  const { request, returns } = handlerTypes(m);
  return `${request} => ${returns}`;
}

/**
 * A handler method's signature: for the service interface, or (`forClass`) for a stub in handlers.ts,
 * where `prefix` ('_' under noUnusedParameters) marks parameters the stub does not read yet.
 */
export function handlerSignature(m: MethodModel, forClass: boolean, prefix = ''): string {
  const req = qual(m.req, 'ts');
  const res = qual(m.res, 'init');
  const streamIn = m.kind === 'client-stream' || m.kind === 'bidi';
  const streamOut = m.kind === 'server-stream' || m.kind === 'bidi';
  const params = `${prefix}${streamIn ? `requests: AsyncIterable<${req}>` : `request: ${req}`}, ${prefix}ctx: CallContext`;
  if (!forClass) return `${m.prop}(${params}): ${streamOut ? 'AsyncIterable' : 'Promise'}<${res}>`;
  return `async ${streamOut ? '*' : ''}${m.prop}(${params}): ${streamOut ? 'AsyncGenerator' : 'Promise'}<${res}>`;
}

/** One stub method of the user-owned handlers class. */
export function stubMethod(service: ServiceModel, m: MethodModel, prefix = ''): string {
  return (
    `${jsDoc(m.comment, '  ')}  ${handlerSignature(m, true, prefix)} {\n` +
    `    throw new GrpcError(status.UNIMPLEMENTED, ${stringLiteral(`${service.name}.${m.original}: write this handler in handlers.ts`)});\n` +
    '  }\n'
  );
}

export function stubClass(service: ServiceModel, prefix = ''): string {
  return (
    `/** Implements ${service.fullName}. Write your code in the methods; \`generate\` adds stubs for new RPCs. */\n` +
    `export class ${service.name}Impl implements $service.${service.name}Handlers {\n` +
    service.methods.map((m) => stubMethod(service, m, prefix)).join('\n') +
    '}\n'
  );
}

/** Import specifiers of the modules a gRPC link's files import: its own and the shared runtime's. */
export interface GrpcModules {
  suffix: string;
  /** The shared runtime's call plumbing (GrpcError, status, CallContext, ...). */
  grpc: string;
  /** The shared runtime's wire helpers and well-known types. */
  wire: string;
  /** The shared runtime's proto3 JSON mapping. */
  json: string;
  context: string;
  /** useMiddleware and the Middleware type, re-exported by index.ts. */
  middleware: string;
}

/** The reconciler's container for a service's handlers: its class in handlers.ts. */
export function handlersClass(service: string): string {
  return `${service}Impl`;
}
