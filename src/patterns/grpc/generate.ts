// The heavy half of the grpc pattern (loaded lazily): .proto files -> PlannedFile[].
import protobuf from '../../contracts/proto-lib.js';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadProtos, type LoadedProtos } from '../../contracts/proto.js';
import { UsageError } from '../../errors.js';
import { camelCase, constantCase, pascalCase } from '../../util/names.js';
import { GENERATED_HEADER, jsDoc, stringLiteral } from '../../util/text.js';
import type { GenerateContext, GenerateResult, PatternGenerator, PlannedFile, ProjectInfo } from '../types.js';
import { buildMessages, fullName, reachableTypes, type TypeRef } from './messages.js';
import { isMarker } from '../../codegen/markers.js';
import { REMOVED_KEY, hasRemovedRecord, markedInText, mergeDue, removedFromState, removedState, type Previous } from '../../codegen/members.js';

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
}

export interface ServiceModel {
  name: string;
  fullName: string;
  comment: string | null;
  methods: MethodModel[];
}

const MEMBER_CLASH = new Set(['constructor', 'close']);

function kindOf(m: protobuf.Method): RpcKind {
  if (m.requestStream && m.responseStream) return 'bidi';
  if (m.requestStream) return 'client-stream';
  if (m.responseStream) return 'server-stream';
  return 'unary';
}

export function serviceModels(loaded: LoadedProtos, refs: Map<string, TypeRef>): ServiceModel[] {
  const mainPaths = new Set(loaded.mainFiles.map((f) => loaded.files.get(f)));
  const services: protobuf.Service[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Service) {
        if (mainPaths.has(obj.filename ?? '')) services.push(obj);
      } else if (obj instanceof protobuf.Namespace) walk(obj);
    }
  };
  walk(loaded.root);
  const taken = new Set<string>();
  return services.map((s) => {
    let name = pascalCase(s.name) || 'Service';
    if (taken.has(name)) name = pascalCase(fullName(s));
    taken.add(name);
    return {
      name,
      fullName: fullName(s),
      comment: s.comment,
      methods: s.methodsArray.map((m) => {
        let prop = camelCase(m.name) || 'call';
        if (MEMBER_CLASH.has(prop)) prop = `${prop}_`;
        const req = refs.get(fullName(m.resolvedRequestType!))!;
        const res = refs.get(fullName(m.resolvedResponseType!))!;
        return { original: m.name, prop, kind: kindOf(m), path: `/${fullName(s)}/${m.name}`, comment: m.comment, req, res };
      }),
    };
  });
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
  return { request: streamIn ? `AsyncIterable<${req}>` : req, returns: streamOut ? `AsyncGenerator<${res}>` : `Promise<${res}>` };
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

function clientSignature(m: MethodModel): string {
  const req = qual(m.req, 'init');
  const res = qual(m.res, 'ts');
  switch (m.kind) {
    case 'unary': return `${m.prop}(request: ${req}, options?: CallOptions): Promise<${res}>`;
    case 'server-stream': return `${m.prop}(request: ${req}, options?: CallOptions): AsyncIterable<${res}>`;
    case 'client-stream': return `${m.prop}(requests: AsyncIterable<${req}> | Iterable<${req}>, options?: CallOptions): Promise<${res}>`;
    case 'bidi': return `${m.prop}(requests: AsyncIterable<${req}> | Iterable<${req}>, options?: CallOptions): AsyncIterable<${res}>`;
  }
}

const HELPERS: Record<RpcKind, { client: string; server: string }> = {
  unary: { client: 'unary', server: 'unaryHandler' },
  'server-stream': { client: 'serverStream', server: 'serverStreamHandler' },
  'client-stream': { client: 'clientStream', server: 'clientStreamHandler' },
  bidi: { client: 'bidiStream', server: 'bidiStreamHandler' },
};

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
  context: string;
}

export function handlersFile(services: ServiceModel[], mods: GrpcModules, prefix = ''): string {
  const code = [
    '// Your gRPC handlers. This file is yours: `create-service-link generate` only adds stubs for new RPCs',
    '// and marks methods whose RPC was removed from the .proto; it never changes your code.',
    IMPORTS_HERE,
    services.map((s) => stubClass(s, prefix)).join('\n'),
  ].join('\n');
  return withImports(code, [
    { from: mods.grpc, values: ['GrpcError', 'status'], types: ['CallContext'] },
    { from: `./messages${mods.suffix}`, namespace: '$msg', typeOnly: true },
    { from: `./service${mods.suffix}`, namespace: '$service', typeOnly: true },
    { from: mods.wire, namespace: '$wire', typeOnly: true },
  ]);
}

/** The reconciler's container for a service's handlers: its class in handlers.ts. */
export function handlersClass(service: string): string {
  return `${service}Impl`;
}

/**
 * True when merging cannot change the handlers file, decided without ts-morph: every class has its
 * RPCs of last time and no other (mergeDue), and no method kept for a removed RPC names a message
 * that is gone (its signature would get `unknown`). When unsure it answers false, which only costs
 * the full merge.
 */
export function handlersUpToDate(
  existing: string,
  services: ServiceModel[],
  previous: Map<string, Previous>,
  messageExports?: ReadonlySet<string>,
): boolean {
  const checks = services.map((s) => ({ ref: { class: handlersClass(s.name) }, wanted: s.methods.map((m) => m.prop), previous: previous.get(handlersClass(s.name))! }));
  if (mergeDue(existing, checks)) return false;
  if (!messageExports || !checks.some((c) => c.previous.removed.size)) return true;
  return [...existing.matchAll(/\$msg\.([A-Za-z_$][\w$]*)/g)].every((m) => messageExports.has(m[1]!));
}

export function envPrefix(linkName: string): string {
  return `${constantCase(linkName)}_SERVICE`;
}

/** The RPCs of the last generate: from service-link.json, or (links of earlier releases) service.ts. */
export async function previousRpcs(ctx: GenerateContext, out: string): Promise<Map<string, Set<string>>> {
  if (ctx.previousState) {
    const services = Object.entries(ctx.previousState).filter(([key]) => key !== REMOVED_KEY);
    return new Map(services.map(([service, rpcs]) => [service, new Set(rpcs)]));
  }
  const file = `${out}/service.ts`;
  return legacyRpcIndex((await ctx.exists(file)) ? await ctx.readFile(file) : undefined);
}

/**
 * Per handlers class, what the last generate recorded: the RPCs then (the methods the tool stubbed or
 * adopted) and the methods it kept for RPCs that had left. Links of earlier releases lack the removed
 * record: their marker comments say which methods those are; a link without any record of its RPCs
 * trusts the methods that are there.
 */
export async function previousHandlers(ctx: GenerateContext, out: string, services: ServiceModel[]): Promise<Map<string, Previous>> {
  const rpcs = await previousRpcs(ctx, out);
  const recorded = hasRemovedRecord(ctx.previousState);
  const file = `${out}/handlers.ts`;
  const text = !recorded && (await ctx.exists(file)) ? await ctx.readFile(file) : '';
  const known = ctx.previousState !== undefined || rpcs.size > 0;
  const previous = new Map<string, Previous>();
  for (const [service, live] of rpcs) previous.set(handlersClass(service), { live, removed: removedFromState(ctx.previousState, handlersClass(service)) ?? new Set() });
  for (const s of services) {
    const cls = handlersClass(s.name);
    const live = rpcs.get(s.name) ?? new Set(known ? [] : s.methods.map((m) => m.prop));
    const removed = removedFromState(ctx.previousState, cls) ?? markedInText(text, { class: cls }, (line) => isMarker(line, 'removed'));
    previous.set(cls, { live, removed });
  }
  return previous;
}

/** Releases before the manifest kept state wrote the RPC index as a comment at the end of service.ts. */
function legacyRpcIndex(serviceTs: string | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const m = serviceTs ? /^\/\/ service-link rpcs: (.*)$/m.exec(serviceTs) : null;
  if (!m) return out;
  try {
    const parsed = JSON.parse(m[1]!) as Record<string, string[]>;
    for (const [k, v] of Object.entries(parsed)) out.set(k, new Set(v));
  } catch {
    // An unreadable index only means nothing is marked as removed.
  }
  return out;
}

async function readProjectOrAbsolute(ctx: GenerateContext, file: string): Promise<string | undefined> {
  if (path.isAbsolute(file)) return readFile(file, 'utf8').catch(() => undefined);
  if (!(await ctx.exists(file))) return undefined;
  return ctx.readFile(file);
}

export function protoPathsOf(options: Record<string, unknown>, contracts: string[]): string[] {
  const given = options.protoPath;
  const list = Array.isArray(given) ? given.map(String) : typeof given === 'string' ? [given] : [];
  if (list.length) return list;
  // No import roots given: each contract's own folder, like protoc with -I set to it.
  return [...new Set(contracts.map((c) => path.posix.dirname(c.split(path.sep).join('/'))))];
}

export async function planFiles(ctx: GenerateContext): Promise<GenerateResult> {
  const { link, project } = ctx;
  if (!link.contracts.length) throw new UsageError('the grpc link has no .proto contract; pass --proto FILE or --rpc NAME:KIND');
  const loaded = await loadProtos(link.contracts, protoPathsOf(link.options, link.contracts), {
    read: (file) => readProjectOrAbsolute(ctx, file),
  }, project.root);
  const contractPaths = new Set(loaded.mainFiles.map((f) => loaded.files.get(f)));
  const model = buildMessages(loaded.root, reachableTypes(loaded.root, (file) => contractPaths.has(file ?? '')));
  const services = serviceModels(loaded, model.refs);
  const previous = await previousHandlers(ctx, link.out.replace(/\/$/, ''), services);
  const files = await renderFiles(ctx, project, services, model.code, model.exports, loaded, previous);
  // The RPCs per service (their handler methods), and the methods kept for RPCs that left, so the
  // next generate knows which methods are the tool's without reading them back from any file.
  const wanted = new Map(services.map((s) => [handlersClass(s.name), s.methods.map((m) => m.prop)]));
  const state = {
    ...Object.fromEntries(services.map((s) => [s.name, s.methods.map((m) => m.prop)])),
    [REMOVED_KEY]: removedState(ctx.previousState, [...previous].map(([cls, p]) => [cls, p, wanted.get(cls) ?? []] as const)),
  };
  return { files, state };
}

const TEMPLATES = fileURLToPath(new URL('../../../templates/', import.meta.url));

/**
 * Fills a template that only substitutes values ({{x}} / {{{x}}}, no blocks or helpers); repeated
 * parts are fragments (client-method, service-method, ...) joined here. Compiling templates with
 * Handlebars cost more than a fifth of a `generate` run, and no template here needs its logic.
 */
const templateCache = new Map<string, string>();
function fill(name: string, data: Record<string, string>, pattern = 'grpc'): string {
  const file = `${TEMPLATES}${pattern}/${name}.hbs`;
  let source = templateCache.get(file);
  if (source === undefined) templateCache.set(file, (source = readFileSync(file, 'utf8')));
  return source.replace(/\{\{\{?\s*(\w+)\s*\}?\}\}/g, (_, key: string) => {
    if (!Object.hasOwn(data, key)) throw new Error(`template ${pattern}/${name}.hbs: no value for "${key}"`);
    return data[key]!;
  });
}

const IMPORTS_HERE = '/*<imports>*/\n';
/** `* as ns` (type-only or not), or named values and types. */
type ImportSpec = { from: string; namespace: string; typeOnly: boolean } | { from: string; values: string[]; types: string[] };

/**
 * Puts a generated module's imports where its template says IMPORTS_HERE, each only when the module's
 * code uses it (re-exports do not count): an unused import fails noUnusedLocals, and which helpers a
 * module uses depends on the contract (RPC kinds, well-known types).
 */
function withImports(code: string, specs: ImportSpec[]): string {
  // Comments (JSDoc from the .proto may say "unary") and re-exports are not uses.
  const body = code
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|\s)\/\/[^\n]*/g, '$1')
    .replace(/^export (type )?\{[^}]*\} from [^\n]*$/gm, '');
  const uses = (name: string): boolean => new RegExp(`(?<![\\w$.])${name}(?![\\w$])`).test(body);
  const lines: string[] = [];
  for (const spec of specs) {
    if ('namespace' in spec) {
      if (body.includes(`${spec.namespace}.`)) lines.push(`import ${spec.typeOnly ? 'type ' : ''}* as ${spec.namespace} from '${spec.from}';\n`);
      continue;
    }
    const names = [...spec.values.filter(uses), ...spec.types.filter(uses).map((t) => `type ${t}`)];
    if (names.length) lines.push(`import { ${names.join(', ')} } from '${spec.from}';\n`);
  }
  return code.replace(IMPORTS_HERE, lines.join(''));
}

/** The string and boolean fields of a view object, as template values. */
function stringFields(view: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(view)) if (typeof v === 'string' || typeof v === 'boolean') out[k] = String(v);
  return out;
}

/**
 * index.ts: the runtime API by name, then every message and enum. A message may carry a name the
 * runtime API uses (CallOptions, GrpcError, status, ...); `export *` of both would be ambiguous and
 * fail to compile, so the runtime names are exported explicitly (an explicit export wins over
 * `export *`) and each clashing message export is re-exported under an alias (CallOptionsMessage).
 */
export function indexFile(header: string, mods: GrpcModules, services: ServiceModel[], messageExports: Map<string, 'message' | 'enum'>): string {
  const suffix = mods.suffix;
  const groups: [string, string[], string[]][] = [
    [`./client${suffix}`, ['GrpcError', 'status', 'connectionOptions', ...services.map((s) => `${s.name}Client`)], ['CallOptions', 'ConnectionOptions', 'ConnectionOverrides']],
    [`./service${suffix}`, services.flatMap((s) => [`${s.name}Definition`, `${camelCase(s.name)}Implementation`, `add${s.name}`]), services.map((s) => `${s.name}Handlers`)],
    [mods.context, ['runWithRequestContext', 'currentRequestContext', 'outgoingRequestContext'], ['RequestContext']],
    [mods.grpc, [], ['CallContext']],
    [mods.wire, [], ['JsonValue', 'Any', 'AnyInit', 'Empty']],
  ];
  const taken = new Set(groups.flatMap(([, values, types]) => [...values, ...types]));
  const lines = [header];
  for (const [module, values, types] of groups) {
    const names = [...values, ...types.map((t) => `type ${t}`)];
    lines.push(`export { ${names.join(', ')} } from '${module}';`);
  }
  lines.push(`export * from './messages${suffix}';`);
  const aliases: string[] = [];
  for (const [name, kind] of messageExports) {
    if (!taken.has(name)) continue;
    const base = `${name}${kind === 'enum' ? 'Enum' : 'Message'}`;
    let alias = base;
    for (let i = 2; taken.has(alias) || messageExports.has(alias); i++) alias = `${base}${i}`;
    taken.add(alias);
    aliases.push(`${name} as ${alias}`);
  }
  if (aliases.length) {
    lines.push(
      '// These messages share a name with the runtime API exported above, so they are exported here under',
      '// another name (messages.ts itself keeps the proto names).',
      `export { ${aliases.join(', ')} } from './messages${suffix}';`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function renderFiles(
  ctx: GenerateContext,
  project: ProjectInfo,
  services: ServiceModel[],
  messagesCode: string,
  messageExports: Map<string, 'message' | 'enum'>,
  loaded: LoadedProtos,
  previous: Map<string, Previous>,
): Promise<PlannedFile[]> {
  const { link } = ctx;
  const suffix = project.importSuffix;
  const mods: GrpcModules = { suffix, grpc: ctx.runtime('grpc'), wire: ctx.runtime('wire'), context: ctx.runtime('context') };
  const stubPrefix = project.noUnusedParameters ? '_' : '';
  const out = link.out.replace(/\/$/, '');
  const env = envPrefix(link.name);
  const header = GENERATED_HEADER;
  const esm = project.moduleSystem === 'esm';
  const files: PlannedFile[] = [];
  const gen = (name: string, content: string): void => {
    files.push({ kind: 'generated', path: `${out}/${name}`, content });
  };

  gen('messages.ts', fill('messages.ts', {
    header,
    runtimeWire: mods.wire,
    sources: [...loaded.files.keys()].join(', '),
    code: messagesCode,
  }));

  const view = services.map((s) => ({
    name: s.name,
    camel: camelCase(s.name),
    fullName: s.fullName,
    doc: jsDoc(s.comment),
    methods: s.methods.map((m) => ({
      prop: m.prop,
      pathLiteral: stringLiteral(m.path),
      originalLiteral: stringLiteral(m.original),
      requestStream: m.kind === 'client-stream' || m.kind === 'bidi',
      responseStream: m.kind === 'server-stream' || m.kind === 'bidi',
      reqType: qual(m.req, 'ts'),
      reqInit: qual(m.req, 'init'),
      resType: qual(m.res, 'ts'),
      resInit: qual(m.res, 'init'),
      reqEncode: qual(m.req, 'encode'),
      reqDecode: qual(m.req, 'decode'),
      resEncode: qual(m.res, 'encode'),
      resDecode: qual(m.res, 'decode'),
      doc: jsDoc(m.comment, '  '),
      signature: handlerSignature(m, false),
      helper: HELPERS[m.kind].server,
      clientDoc: jsDoc(m.comment, '  '),
      clientSignature: clientSignature(m),
      clientHelper: HELPERS[m.kind].client,
      clientArg: m.kind === 'unary' || m.kind === 'server-stream' ? 'request' : 'requests',
    })),
  }));
  gen('service.ts', withImports(fill('service.ts', {
    header,
    imports: IMPORTS_HERE,
    services: view
      .map((s) =>
        fill('service-definition.ts', {
          doc: s.doc,
          name: s.name,
          camel: s.camel,
          fullName: s.fullName,
          definitionEntries: s.methods.map((m) => fill('service-method.ts', stringFields(m))).join(''),
          handlerMembers: s.methods.map((m) => `${m.doc}  ${m.signature};\n`).join(''),
          implementationEntries: s.methods
            .map((m) => `    ${m.prop}: ${m.helper}<${m.reqType}, ${m.resInit}>((request, ctx) => handlers.${m.prop}(request, ctx)),\n`)
            .join(''),
        }),
      )
      .join(''),
  }), [
    { from: '@grpc/grpc-js', namespace: 'grpc', typeOnly: true },
    { from: mods.wire, namespace: '$wire', typeOnly: false },
    { from: `./messages${suffix}`, namespace: '$msg', typeOnly: false },
    { from: mods.grpc, values: ['bidiStreamHandler', 'clientStreamHandler', 'serverStreamHandler', 'unaryHandler'], types: ['CallContext'] },
  ]));
  const clients = view
    .map((s) =>
      fill('client-class.ts', {
        doc: s.doc,
        name: s.name,
        methodConsts: s.methods.map((m) => `const ${s.camel}_${m.prop} = method(${s.name}Definition.${m.prop});`).join('\n'),
        methods: s.methods.map((m) => fill('client-method.ts', { ...stringFields(m), constName: `${s.camel}_${m.prop}` })).join(''),
      }),
    )
    .join('');
  // The per-RPC method table helper, only when there are RPCs (an unused function fails noUnusedLocals).
  const methodHelper = view.length
    ? 'function method<Req, Res>(d: { path: string; requestSerialize: (v: Req) => Buffer; responseDeserialize: (b: Buffer) => Res }): Method<Req, Res> {\n' +
      '  return { path: d.path, serialize: d.requestSerialize, deserialize: d.responseDeserialize };\n}\n'
    : '';
  gen('client.ts', withImports(fill('client.ts', { header, runtimeGrpc: mods.grpc, env, imports: IMPORTS_HERE, clients: methodHelper + clients }), [
    { from: '@grpc/grpc-js', namespace: 'grpc', typeOnly: true },
    { from: 'node:fs', values: ['readFileSync'], types: [] },
    { from: `./messages${suffix}`, namespace: '$msg', typeOnly: true },
    { from: mods.wire, namespace: '$wire', typeOnly: true },
    { from: mods.grpc, values: ['bidiStream', 'clientStream', 'envFlag', 'makeChannelClient', 'serverStream', 'unary'], types: ['CallOptions', 'ConnectionOptions', 'ConnectionOverrides', 'Method'] },
    { from: `./service${suffix}`, values: view.map((s) => `${s.name}Definition`), types: [] },
  ]));
  gen('index.ts', indexFile(header, mods, services, messageExports));

  if (services.length) {
    const handlersPath = `${out}/handlers.ts`;
    files.push({
      kind: 'user',
      path: handlersPath,
      content: handlersFile(services, mods, stubPrefix),
      merge: async (existing) => {
        // Most regenerations change nothing here; ts-morph (and the TypeScript compiler under it)
        // takes longer to load than the whole rest of `generate`, so load it only when needed.
        const names = new Set(messageExports.keys());
        if (handlersUpToDate(existing, services, previous, names)) return existing;
        const { mergeHandlers } = await import('./merge.js');
        return mergeHandlers(existing, { file: handlersPath, services, previous, mods, messageExports: names, stubPrefix });
      },
    });
    const distPath = `${out.replace(new RegExp(`^${project.srcDir}/`), 'dist/')}/server.js`;
    files.push({
      kind: 'user',
      path: `${out}/server.ts`,
      content: fill('server.ts', {
        name: link.name,
        env,
        suffix,
        runtimeGrpc: mods.grpc,
        distPath,
        urlImport: esm ? "import { pathToFileURL } from 'node:url';\n" : '',
        addFunctions: view.map((s) => `add${s.name}`).join(', '),
        implClasses: view.map((s) => `${s.name}Impl`).join(', '),
        addServices: view.map((s) => `  add${s.name}(server, new ${s.name}Impl());\n`).join(''),
        isMain: esm ? 'if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {' : 'if (require.main === module) {',
      }),
    });
  }
  return files;
}

export const generator: PatternGenerator = {
  generate: planFiles,
};
