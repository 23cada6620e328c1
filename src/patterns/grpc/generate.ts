// The heavy half of the grpc pattern (loaded lazily): .proto files -> PlannedFile[].
import protobuf from '../../contracts/proto-lib.js';
import path from 'node:path';
import { loadProtos, type LoadedProtos } from '../../contracts/proto.js';
import { UsageError } from '../../errors.js';
import { camelCase, constantCase, pascalCase } from '../../util/names.js';
import { GENERATED_HEADER, jsDoc, stringLiteral } from '../../util/text.js';
import type { GenerateContext, GenerateResult, PatternGenerator, PlannedFile } from '../types.js';
import { render } from '../../codegen/render.js';
import {
  IMPORTS_HERE,
  indexExports,
  indexModule,
  sharedRuntimeExports,
  withImports,
  type IndexModule,
} from '../../codegen/imports.js';
import { commentLines, fits, wrapList } from '../../codegen/layout.js';
import { buildMessages, fullName, reachableTypes, type TypeRef } from './messages.js';
import {
  handlerSignature,
  handlersClass,
  qual,
  recordedTypes,
  stubClass,
  type GrpcModules,
  type MethodModel,
  type RpcKind,
  type ServiceModel,
} from './stubs.js';

export {
  handlersClass,
  stubClass,
  stubMethod,
  type GrpcModules,
  type MethodModel,
  type RpcKind,
  type ServiceModel,
} from './stubs.js';
import { isMarker } from '../../codegen/markers.js';
import {
  RECORD_KEYS,
  REMOVED_KEY,
  SIGNATURES_KEY,
  hasRemovedRecord,
  markedInText,
  mergeDue,
  recordEntries,
  recordOf,
  removedFromState,
  removedState,
  resolveRenames,
  type Previous,
  type Rename,
} from '../../codegen/members.js';
import { FROZEN_NS, frozenTypes, wantedFrozen, type Frozen } from './frozen.js';
import { descriptorsOrNote, descriptorsTs, isIdempotent, retryConfigConst, retryConfigName } from './production.js';
import { protoWarnings } from './warnings.js';

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
        return {
          original: m.name,
          prop,
          kind: kindOf(m),
          path: `/${fullName(s)}/${m.name}`,
          comment: m.comment,
          req,
          res,
          idempotent: isIdempotent(m),
        };
      }),
    };
  });
}

/** A client method's signature up to its body's `{`, as a member of the client class (indented 2). */
function clientSignature(m: MethodModel): string {
  const req = qual(m.req, 'init');
  const res = qual(m.res, 'ts');
  const streamIn = m.kind === 'client-stream' || m.kind === 'bidi';
  const streamOut = m.kind === 'server-stream' || m.kind === 'bidi';
  const first = streamIn ? `requests: AsyncIterable<${req}> | Iterable<${req}>` : `request: ${req}`;
  const returns = `${streamOut ? 'AsyncIterable' : 'Promise'}<${res}>`;
  return wrapList('  ', `${m.prop}(`, [first, 'options?: CallOptions'], `): ${returns} {`);
}

const HELPERS: Record<RpcKind, { client: string; server: string }> = {
  unary: { client: 'unary', server: 'unaryHandler' },
  'server-stream': { client: 'serverStream', server: 'serverStreamHandler' },
  'client-stream': { client: 'clientStream', server: 'clientStreamHandler' },
  bidi: { client: 'bidiStream', server: 'bidiStreamHandler' },
};

/**
 * A grpc-js adapter entry of `<service>Implementation`, indented 4: on one line when it fits, else
 * broken after the arrow, else inside the type arguments (the layouts Biome and Prettier choose).
 */
function adapterEntry(m: MethodModel): string {
  const indent = '    ';
  const call = `handlers.${m.prop}(request, ctx)`;
  const types = [qual(m.req, 'ts'), qual(m.res, 'init')];
  const head = `${m.prop}: ${HELPERS[m.kind].server}<`;
  const generic = `${head}${types.join(', ')}>((request, ctx) =>`;
  // The template ends the entry with a comma.
  if (fits(`${generic} ${call}),`, indent)) return `${generic} ${call})`;
  if (fits(generic, indent)) return `${generic}\n${indent}  ${call},\n${indent})`;
  return `${wrapList(indent, head, types, '>', false)}((request, ctx) => ${call})`;
}

export function handlersFile(services: ServiceModel[], mods: GrpcModules, prefix = ''): string {
  const code = [
    '// Your gRPC handlers. This file is yours: `create-service-link generate` only adds stubs for new RPCs,',
    '// keeps the signatures it wrote in line with the .proto, and marks methods whose RPC was removed; it',
    '// never changes code you wrote. register.ts serves every class here.',
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

/** What besides the RPCs can make a merge due: renames, signatures the contract changed, frozen types. */
export interface HandlersExtra {
  renames: readonly Rename[];
  /** `<Class>.<method>` -> recordedTypes of the last generate. */
  signatures: ReadonlyMap<string, string>;
}

/**
 * True when merging cannot change the handlers file, decided without ts-morph: every class has its
 * RPCs of last time and no other (mergeDue), no rename is asked for, no RPC's types changed since the
 * tool last wrote them, no method kept for a removed RPC names a message that is gone (its signature
 * would get `$frozen`), and no `$frozen` import outlived its last use. When unsure it answers false,
 * which only costs the full merge.
 */
export function handlersUpToDate(
  existing: string,
  services: ServiceModel[],
  previous: Map<string, Previous>,
  messageExports?: ReadonlySet<string>,
  extra: HandlersExtra = { renames: [], signatures: new Map() },
): boolean {
  const checks = services.map((s) => ({
    ref: { class: handlersClass(s.name) },
    wanted: s.methods.map((m) => m.prop),
    previous: previous.get(handlersClass(s.name))!,
  }));
  if (mergeDue(existing, checks) || extra.renames.length) return false;
  // A service that left with handlers of last time: its class is to be marked.
  const current = new Set(checks.map((c) => c.ref.class));
  if ([...previous].some(([cls, p]) => !current.has(cls) && p.live.size)) return false;
  const changed = services.some((s) =>
    s.methods.some((m) => {
      const recorded = extra.signatures.get(`${handlersClass(s.name)}.${m.prop}`);
      return recorded !== undefined && recorded !== recordedTypes(m);
    }),
  );
  if (changed) return false;
  if (/\bas\s+\$frozen\b/.test(existing) && !existing.includes(`${FROZEN_NS}.`)) return false;
  if (!messageExports || !checks.some((c) => c.previous.removed.size)) return true;
  return [...existing.matchAll(/\$msg\.([A-Za-z_$][\w$]*)/g)].every((m) => messageExports.has(m[1]!));
}

export function envPrefix(linkName: string): string {
  return `${constantCase(linkName)}_SERVICE`;
}

/** The RPCs of the last generate: from service-link.json, or (links of earlier releases) service.ts. */
export async function previousRpcs(ctx: GenerateContext, out: string): Promise<Map<string, Set<string>>> {
  if (ctx.previousState) {
    const services = Object.entries(ctx.previousState).filter(([key]) => !RECORD_KEYS.has(key));
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
export async function previousHandlers(
  ctx: GenerateContext,
  out: string,
  services: ServiceModel[],
): Promise<Map<string, Previous>> {
  const rpcs = await previousRpcs(ctx, out);
  const recorded = hasRemovedRecord(ctx.previousState);
  const file = `${out}/handlers.ts`;
  const text = !recorded && (await ctx.exists(file)) ? await ctx.readFile(file) : '';
  const known = ctx.previousState !== undefined || rpcs.size > 0;
  const previous = new Map<string, Previous>();
  for (const [service, live] of rpcs)
    previous.set(handlersClass(service), {
      live,
      removed: removedFromState(ctx.previousState, handlersClass(service)) ?? new Set(),
    });
  for (const s of services) {
    const cls = handlersClass(s.name);
    const live = rpcs.get(s.name) ?? new Set(known ? [] : s.methods.map((m) => m.prop));
    const removed =
      removedFromState(ctx.previousState, cls) ??
      markedInText(text, { class: cls }, (line) => isMarker(line, 'removed'));
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

/** A .proto by project-relative or absolute path (an import root outside the project), undefined if absent. */
async function readProjectOrAbsolute(ctx: GenerateContext, file: string): Promise<string | undefined> {
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
  if (!link.contracts.length)
    throw new UsageError('the grpc link has no .proto contract; pass --proto FILE or --rpc NAME:KIND');
  const loaded = await loadProtos(
    link.contracts,
    protoPathsOf(link.options, link.contracts),
    {
      read: (file) => readProjectOrAbsolute(ctx, file),
    },
    project.root,
  );
  const contractPaths = new Set(loaded.mainFiles.map((f) => loaded.files.get(f)));
  const reachable = reachableTypes(loaded.root, (file) => contractPaths.has(file ?? ''));
  const model = buildMessages(loaded.root, reachable);
  const services = serviceModels(loaded, model.refs);
  const warnings = protoWarnings(loaded, reachable.messages, services.length);
  const out = link.out.replace(/\/$/, '');
  const previous = await previousHandlers(ctx, out, services);
  // The RPCs per service (their handler methods), and the methods kept for RPCs that left, so the
  // next generate knows which methods are the tool's without reading them back from any file.
  const wanted = new Map(services.map((s) => [handlersClass(s.name), s.methods.map((m) => m.prop)]));
  const containers = [...previous].map(([cls, p]) => [cls, p, wanted.get(cls) ?? []] as const);
  const renames = resolveRenames(ctx.renames, containers, camelCase, ctx.renameApplies);
  const removed = removedState(ctx.previousState, containers, renames);
  const signatures = recordOf(ctx.previousState, SIGNATURES_KEY);
  const frozen = await frozenOf(ctx, out, model.exports, removed, signatures);
  const extra = { renames, signatures, frozen };
  const files = await renderFiles(ctx, services, model.code, model.exports, loaded, previous, extra);
  const state = {
    ...Object.fromEntries(services.map((s) => [s.name, s.methods.map((m) => m.prop)])),
    [REMOVED_KEY]: removed,
    [SIGNATURES_KEY]: signaturesState(services, removed, signatures),
  };
  return { files, state, warnings };
}

/**
 * The types each handler had as the tool wrote them: the current RPCs', and for methods kept after
 * their RPC left, the last known ones (a later `--rename`, and frozen.ts, read them).
 */
function signaturesState(
  services: ServiceModel[],
  removed: readonly string[],
  last: ReadonlyMap<string, string>,
): string[] {
  const record = new Map<string, string>();
  for (const entry of removed) {
    const types = last.get(entry);
    if (types !== undefined) record.set(entry, types);
  }
  for (const s of services)
    for (const m of s.methods) record.set(`${handlersClass(s.name)}.${m.prop}`, recordedTypes(m));
  return recordEntries(record);
}

/**
 * frozen.ts: the last known types of messages a method kept for a removed RPC names in its signature
 * (as the tool wrote it), while handlers.ts still names them; read from the last messages.ts and frozen.ts.
 */
async function frozenOf(
  ctx: GenerateContext,
  out: string,
  messageExports: ReadonlyMap<string, unknown>,
  removed: readonly string[],
  signatures: ReadonlyMap<string, string>,
): Promise<Frozen> {
  const read = async (file: string): Promise<string> =>
    (await ctx.exists(`${out}/${file}`)) ? ctx.readFile(`${out}/${file}`) : '';
  const handlers = await read('handlers.ts');
  const exports = new Set(messageExports.keys());
  const recorded = removed.map((entry) => signatures.get(entry) ?? '').join(' ');
  const wanted = [...wantedFrozen(handlers, exports)].filter(
    (name) => handlers.includes(`${FROZEN_NS}.${name}`) || new RegExp(`\\$msg\\.${name}(?![\\w$])`).test(recorded),
  );
  if (!wanted.length) return { exports: new Set(), content: undefined };
  return frozenTypes(new Set(wanted), [await read('messages.ts'), await read('frozen.ts')], ctx.runtime('wire'));
}

/** An RPC as the templates see it: every type, literal and signature already written out. */
interface MethodView {
  prop: string;
  doc: string;
  pathLiteral: string;
  originalLiteral: string;
  requestStream: boolean;
  responseStream: boolean;
  reqType: string;
  reqInit: string;
  reqEncode: string;
  reqDecode: string;
  resType: string;
  resInit: string;
  resEncode: string;
  resDecode: string;
  /** The member of the handlers interface, and the grpc-js adapter over it. */
  signature: string;
  adapter: string;
  clientSignature: string;
  clientHelper: string;
  serverHelper: string;
  clientArg: string;
  /** `, true` for an idempotent RPC (the client's method table says its channel retries it). */
  idempotentArg: string;
}

interface ServiceView {
  name: string;
  camel: string;
  fullName: string;
  doc: string;
  methods: MethodView[];
  /** client.ts's retry config constant of the idempotent RPCs, and its name; '' when there are none. */
  retryConst: string;
  retryArg: string;
}

function methodView(m: MethodModel): MethodView {
  return {
    prop: m.prop,
    doc: jsDoc(m.comment, '  '),
    pathLiteral: stringLiteral(m.path),
    originalLiteral: stringLiteral(m.original),
    requestStream: m.kind === 'client-stream' || m.kind === 'bidi',
    responseStream: m.kind === 'server-stream' || m.kind === 'bidi',
    reqType: qual(m.req, 'ts'),
    reqInit: qual(m.req, 'init'),
    reqEncode: qual(m.req, 'encode'),
    reqDecode: qual(m.req, 'decode'),
    resType: qual(m.res, 'ts'),
    resInit: qual(m.res, 'init'),
    resEncode: qual(m.res, 'encode'),
    resDecode: qual(m.res, 'decode'),
    signature: handlerSignature(m, false),
    adapter: adapterEntry(m),
    clientSignature: clientSignature(m),
    clientHelper: HELPERS[m.kind].client,
    serverHelper: HELPERS[m.kind].server,
    clientArg: m.kind === 'unary' || m.kind === 'server-stream' ? 'request' : 'requests',
    idempotentArg: m.idempotent ? ', true' : '',
  };
}

function serviceView(s: ServiceModel): ServiceView {
  const retry = retryConfigConst(s);
  return {
    name: s.name,
    camel: camelCase(s.name),
    fullName: s.fullName,
    doc: jsDoc(s.comment),
    methods: s.methods.map(methodView),
    retryConst: retry ?? '',
    retryArg: retry ? `, ${retryConfigName(s)}` : '',
  };
}

function messagesTs(mods: GrpcModules, loaded: LoadedProtos, code: string): string {
  return render('grpc/messages.ts', {
    header: GENERATED_HEADER,
    runtimeWire: mods.wire,
    runtimeJson: mods.json,
    // The contract's files: one name a word, so a long list wraps between names.
    sources: commentLines(
      `Types and wire codecs for the messages and enums of: ${[...loaded.files.keys()].join(', ')}`,
    ),
    code,
  });
}

/** The runtime call helpers the services' RPC kinds need, sorted. */
function helpersOf(services: ServiceView[], side: 'clientHelper' | 'serverHelper'): string[] {
  return [...new Set(services.flatMap((s) => s.methods.map((m) => m[side])))].sort();
}

function serviceTs(mods: GrpcModules, services: ServiceView[], linkName: string): string {
  const view = { header: GENERATED_HEADER, imports: IMPORTS_HERE, services, linkLiteral: stringLiteral(linkName) };
  return withImports(render('grpc/service.ts', view), [
    { from: '@grpc/grpc-js', namespace: 'grpc', typeOnly: true },
    { from: mods.wire, namespace: '$wire', typeOnly: false },
    { from: `./messages${mods.suffix}`, namespace: '$msg', typeOnly: false },
    // The helpers of the RPC kinds present, from the model: an RPC named like one (rpc UnaryHandler) is no use of it.
    {
      from: mods.grpc,
      values: [...helpersOf(services, 'serverHelper'), ...(services.length ? ['withServeOptions'] : [])].sort(),
      types: ['CallContext', ...(services.length ? ['ServeOptions'] : [])],
    },
  ]);
}

function clientTs(mods: GrpcModules, env: string, services: ServiceView[], linkName: string): string {
  const linkLiteral = stringLiteral(linkName);
  const view = { header: GENERATED_HEADER, imports: IMPORTS_HERE, runtimeGrpc: mods.grpc, env, services, linkLiteral };
  return withImports(render('grpc/client.ts', view), [
    { from: '@grpc/grpc-js', namespace: 'grpc', typeOnly: true },
    { from: 'node:fs', values: ['readFileSync'], types: [] },
    { from: `./messages${mods.suffix}`, namespace: '$msg', typeOnly: true },
    { from: mods.wire, namespace: '$wire', typeOnly: true },
    {
      from: mods.grpc,
      values: [
        'envFlag',
        'makeChannelClient',
        ...helpersOf(services, 'clientHelper'),
        ...(services.some((s) => s.retryArg) ? ['retryServiceConfig'] : []),
      ].sort(),
      types: ['CallOptions', 'ConnectionOptions', 'ConnectionOverrides', 'Method'],
    },
    { from: `./service${mods.suffix}`, values: services.map((s) => `${s.name}Definition`), types: [] },
  ]);
}

/**
 * index.ts: the runtime API by name, then every message and enum. A message may carry a name the
 * runtime API uses (CallOptions, GrpcError, status, ...); `export *` of both would be ambiguous and
 * fail to compile, so the runtime names are exported explicitly (an explicit export wins over
 * `export *`) and each clashing message export is re-exported under an alias (CallOptionsMessage).
 */
export function indexFile(
  header: string,
  mods: GrpcModules,
  services: ServiceModel[],
  messageExports: Map<string, 'message' | 'enum'>,
): string {
  const suffix = mods.suffix;
  const modules: IndexModule[] = [
    indexModule(
      `./client${suffix}`,
      ['GrpcError', 'status', 'connectionOptions', ...services.map((s) => `${s.name}Client`)],
      ['CallOptions', 'ConnectionOptions', 'ConnectionOverrides'],
    ),
    indexModule(
      `./service${suffix}`,
      services.flatMap((s) => [`${s.name}Definition`, `${camelCase(s.name)}Implementation`, `add${s.name}`]),
      services.map((s) => `${s.name}Handlers`),
    ),
    ...sharedRuntimeExports(mods.context, mods.middleware),
    indexModule(mods.grpc, [], ['CallContext']),
    indexModule(
      mods.wire,
      [
        'unknownFields',
        'dropUnknownFields',
        'UNKNOWN_FIELDS',
        'timestampFromDate',
        'timestampToDate',
        'timestampNow',
        'durationFromMillis',
        'durationToMillis',
      ],
      ['JsonValue', 'Any', 'AnyInit', 'Empty', 'Timestamp', 'TimestampInit', 'Duration', 'DurationInit'],
    ),
    indexModule(mods.json, ['JsonError'], ['JsonReadOptions', 'JsonWriteOptions']),
    // The proto's messages and enums: a name the runtime API already exports gets an alias (CallOptionsMessage).
    {
      from: `./messages${suffix}`,
      names: new Map([...messageExports.keys()].map((n) => [n, 'value'] as const)),
      aliasSuffix: (name) => (messageExports.get(name) === 'enum' ? 'Enum' : 'Message'),
      star: true,
    },
  ];
  return render('grpc/index.ts', { header, exports: indexExports(modules) });
}

/** server.ts (user-owned, written once): starts a grpc-js server with every service's handlers. */
function serverTs(ctx: GenerateContext, mods: GrpcModules, out: string): string {
  const { link, project } = ctx;
  return render('grpc/server.ts', {
    linkName: link.name,
    env: envPrefix(link.name),
    suffix: mods.suffix,
    runtimeGrpc: mods.grpc,
    runtimeGrpcServer: ctx.runtime('grpc-server'),
    distPath: `${out.replace(new RegExp(`^${project.srcDir}/`), 'dist/')}/server.js`,
    esm: project.moduleSystem === 'esm',
  });
}

/** register.ts (generated): registerServices(server) adds every service with its handlers class. */
function registerTs(ctx: GenerateContext, mods: GrpcModules, services: ServiceView[]): string {
  const code = render('grpc/register.ts', {
    header: GENERATED_HEADER,
    imports: IMPORTS_HERE,
    linkName: ctx.link.name,
    services,
  });
  return withImports(code, [
    { from: '@grpc/grpc-js', namespace: 'grpc', typeOnly: true },
    {
      from: `./service${mods.suffix}`,
      values: services.map((s) => `add${s.name}`),
      types: services.map((s) => `${s.name}Handlers`),
    },
    { from: `./handlers${mods.suffix}`, values: services.map((s) => `${s.name}Impl`), types: [] },
    { from: mods.grpc, values: [], types: ['ServeOptions'] },
  ]);
}

/**
 * A server.ts of an earlier release registers its services by hand: one added since is not served.
 * Said after the run, with the one-line fix (the file is the user's: generate does not change it).
 */
async function noteUnserved(ctx: GenerateContext, out: string, services: ServiceModel[]): Promise<void> {
  const file = `${out}/server.ts`;
  if (!(await ctx.exists(file))) return;
  const text = await ctx.readFile(file);
  if (/\bregisterServices\s*\(/.test(text)) return;
  const missing = services.filter((s) => !new RegExp(`\\badd${s.name}\\s*\\(`).test(text)).map((s) => s.name);
  if (!missing.length) return;
  ctx.note(
    `${file} registers its services by hand and does not serve ${missing.join(', ')} (every call answers UNIMPLEMENTED). Replace its add<Service>(server, ...) calls with \`registerServices(server);\` from './register${ctx.project.importSuffix}': it serves every service of the .proto, now and after later generates.`,
  );
}

/**
 * A server.ts written before health, reflection and drain existed starts none of them, and generate
 * never edits it: say so once per generate, with the two ways to get them.
 */
async function noteNoProductionServices(ctx: GenerateContext, out: string): Promise<void> {
  const file = `${out}/server.ts`;
  if (!(await ctx.exists(file))) return;
  if (/\baddProductionServices\s*\(/.test(await ctx.readFile(file))) return;
  ctx.note(
    `${file} is from an earlier release: it serves no grpc.health.v1 health or server reflection and does not drain on SIGTERM. Move your changes aside, delete it and run generate to get the new one, or add addProductionServices and drainServer from the runtime's grpc-server module as the new server.ts does (README: gRPC, "Production services").`,
  );
}

/** What a merge of handlers.ts needs besides the model: renames, the signatures record, frozen types. */
interface MergeExtra extends HandlersExtra {
  frozen: Frozen;
}

/** handlers.ts (user-owned): stubs when new; later, stubs for new RPCs merged into the user's file. */
function handlersPlan(
  ctx: GenerateContext,
  out: string,
  services: ServiceModel[],
  mods: GrpcModules,
  messageExports: Map<string, 'message' | 'enum'>,
  previous: Map<string, Previous>,
  extra: MergeExtra,
): PlannedFile {
  const stubPrefix = ctx.project.noUnusedParameters ? '_' : '';
  const file = `${out}/handlers.ts`;
  return {
    kind: 'user',
    path: file,
    content: handlersFile(services, mods, stubPrefix),
    merge: async (existing) => {
      // Most regenerations change nothing here; ts-morph (and the TypeScript compiler under it)
      // takes longer to load than the whole rest of `generate`, so load it only when needed.
      const names = new Set(messageExports.keys());
      if (handlersUpToDate(existing, services, previous, names, extra)) return existing;
      const { mergeHandlers } = await import('./merge.js');
      return mergeHandlers(existing, {
        file,
        services,
        previous,
        mods,
        messageExports: names,
        frozenExports: extra.frozen.exports,
        signatures: extra.signatures,
        renames: extra.renames,
        stubPrefix,
        note: ctx.note,
      });
    },
  };
}

async function renderFiles(
  ctx: GenerateContext,
  services: ServiceModel[],
  messagesCode: string,
  messageExports: Map<string, 'message' | 'enum'>,
  loaded: LoadedProtos,
  previous: Map<string, Previous>,
  extra: MergeExtra,
): Promise<PlannedFile[]> {
  const mods: GrpcModules = {
    suffix: ctx.project.importSuffix,
    grpc: ctx.runtime('grpc'),
    wire: ctx.runtime('wire'),
    json: ctx.runtime('json'),
    context: ctx.runtime('context'),
    middleware: ctx.runtime('middleware'),
  };
  const out = ctx.link.out.replace(/\/$/, '');
  const views = services.map(serviceView);
  const generated = (name: string, content: string): PlannedFile => ({
    kind: 'generated',
    path: `${out}/${name}`,
    content,
  });
  const files = [
    generated('messages.ts', messagesTs(mods, loaded, messagesCode)),
    generated('service.ts', serviceTs(mods, views, ctx.link.name)),
    generated('client.ts', clientTs(mods, envPrefix(ctx.link.name), views, ctx.link.name)),
    generated('index.ts', indexFile(GENERATED_HEADER, mods, services, messageExports)),
  ];
  // No service, nothing to serve or implement.
  if (services.length) {
    files.push(generated('register.ts', registerTs(ctx, mods, views)));
    files.push(generated('descriptors.ts', descriptorsTs(descriptorsOrNote(ctx, loaded.root), services)));
    files.push(handlersPlan(ctx, out, services, mods, messageExports, previous, extra));
    files.push({ kind: 'user', path: `${out}/server.ts`, content: serverTs(ctx, mods, out) });
    await noteUnserved(ctx, out, services);
    await noteNoProductionServices(ctx, out);
  }
  if (extra.frozen.content !== undefined) files.push(generated('frozen.ts', extra.frozen.content));
  return files;
}

export const generator: PatternGenerator = {
  generate: planFiles,
};
