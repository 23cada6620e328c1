// The server side of a REST link (`--server`), from the same operation model as the client:
//   router.ts           generated: the handlers interface and a node:http `(req, res)` router over it
//   validate-params.ts  generated: Ajv standalone validators of each operation's parameters
//   validate-bodies.ts  generated: the same for JSON request bodies
//   handlers.ts         the user's: one method per operation, merged on generate (merge.ts)
//   server.ts           the user's: listens on <NAME>_SERVICE_LISTEN, graceful shutdown
//   frozen.ts           generated while a method in handlers.ts names types of an operation that left
// Per-operation Input and Reply types go into types.ts (serverTypes), next to Params/Body/Result.
import type { OpenApiDocuments } from '../../contracts/openapi.js';
import { type Frozen, withoutUnusedFrozen } from '../../codegen/frozen.js';
import { importLine } from '../../codegen/imports.js';
import { wrapList } from '../../codegen/layout.js';
import {
  REMOVED_KEY,
  hasRemovedRecord,
  mergeDue,
  removedFromState,
  removedState,
  type Previous,
} from '../../codegen/members.js';
import { render } from '../../codegen/render.js';
import { constantCase, pascalCase, propertyKey } from '../../util/names.js';
import { GENERATED_HEADER, stringLiteral } from '../../util/text.js';
import type { GenerateContext, LinkState, PlannedFile } from '../types.js';
import type { OperationModel, ResponseModel } from './operations.js';
import type { SchemeModel } from './security.js';
import { type HandlerNames, interfaceMember, stubMethod } from './stubs.js';
import { bodyValidatorName, paramsValidatorName, requestValidators } from './validators.js';

/** Input and Reply of each operation, for types.ts (same module as the schema types they name). */
export function serverTypes(op: OperationModel): string[] {
  const fields: string[] = [];
  if (op.params.length) fields.push(`params: ${op.typeBase}Params`);
  if (op.body) fields.push(`body: ${op.typeBase}Body${op.body.required ? '' : ' | undefined'}`);
  const input = fields.length ? `{ ${fields.join('; ')} }` : 'Record<never, never>';
  const replies = op.responses.length
    ? op.responses.map(replyType)
    : ['{ status: number; body?: unknown; headers?: Record<string, string> }'];
  return [
    `/** What the ${op.methodName} handler receives, validated against the document. */\nexport type ${op.typeBase}Input = ${input};\n`,
    `/** The replies ${op.methodName} declares: one status each. */\nexport type ${op.typeBase}Reply =\n${replies.map((r) => `  | ${r}`).join('\n')};\n`,
  ];
}

function replyType(r: ResponseModel): string {
  const status = /^\d{3}$/.test(r.status) ? r.status : 'number';
  const body = r.type === 'undefined' ? 'body?: undefined' : `body: ${r.type.replace(/\n/g, '\n    ')}`;
  return `{ status: ${status}; ${body}; headers?: Record<string, string> }`;
}

export function serverNames(linkName: string): HandlerNames & { factory: string; verifiersType: string } {
  const pascal = pascalCase(linkName);
  return {
    handlersInterface: `${pascal}Handlers`,
    className: `${pascal}Impl`,
    factory: `create${pascal}Router`,
    verifiersType: `${pascal}Verifiers`,
  };
}

interface ServerInput {
  ctx: GenerateContext;
  docs: OpenApiDocuments;
  /** The document's security schemes (securitySchemes(docs)). */
  schemes: Map<string, SchemeModel>;
  operations: OperationModel[];
  out: string;
  title: string;
  contract: string;
  /** Last known types of operations that left, which methods in handlers.ts still name. */
  frozen: Frozen;
  /** What the new types.ts exports. */
  typeExports: ReadonlySet<string>;
}

/** The server's files and the state its handlers merge needs next time. */
export function serverFiles(input: ServerInput): { files: PlannedFile[]; state: LinkState } {
  const { ctx, operations, out } = input;
  const names = serverNames(ctx.link.name);
  const suffix = ctx.project.importSuffix;
  const validators = requestValidators(input.docs, operations);
  const runtimeServer = ctx.runtime('rest-server');
  const paramNames = [...validators.params].map(paramsValidatorName);
  const bodyNames = [...validators.bodies].map(bodyValidatorName);
  const security = schemesUsed(input.schemes, operations);
  const router = render('rest/router.ts', {
    header: GENERATED_HEADER,
    title: input.title,
    source: input.contract.replace(/[\r\n\u2028\u2029]/g, ' '),
    suffix,
    runtimeImport: importLine(
      [
        'createRouter',
        ...(operations.length ? ['type HandlerContext'] : []),
        'type RouteSpec',
        'type RouterOptions',
        ...(security.length ? ['type SchemeSpec', 'type Verifier'] : []),
      ],
      runtimeServer,
    ),
    schemes: security.map(([name, scheme]) => `  ${propertyKey(name)}: ${schemeLiteral(scheme)},`),
    verifiers: security.map(([name]) => `  ${propertyKey(name)}?: Verifier | undefined;`),
    paramValidators: paramNames.length ? importLine(paramNames, `./validate-params${suffix}`) : '',
    bodyValidators: bodyNames.length ? importLine(bodyNames, `./validate-bodies${suffix}`) : '',
    ...names,
    methods: operations.map(interfaceMember),
    routes: operations.map((op) => routeEntry(op, validators.params.has(op), validators.bodies.has(op))),
  });
  const previous = previousHandlers(ctx.previousState, names.className);
  const wanted = operations.map((op) => op.methodName);
  const schemeNames = security.map(([name]) => name);
  const files: PlannedFile[] = [
    { kind: 'generated', path: `${out}/router.ts`, content: router },
    { kind: 'generated', path: `${out}/validate-params.ts`, content: validators.paramsSource },
    { kind: 'generated', path: `${out}/validate-bodies.ts`, content: validators.bodiesSource },
    handlersPlan(input, names, previous),
    { kind: 'user', path: `${out}/server.ts`, content: serverTs(ctx, out, names, schemeNames) },
  ];
  if (input.frozen.content !== undefined)
    files.push({ kind: 'generated', path: `${out}/frozen.ts`, content: input.frozen.content });
  const state: LinkState = {
    [names.className]: wanted,
    [REMOVED_KEY]: removedState(ctx.previousState, [[names.className, previous, wanted]]),
  };
  return { files, state };
}

/** The schemes some operation requires, in the document's order (router.ts declares these, index.ts re-exports their verifiers type). */
export function schemesUsed(schemes: Map<string, SchemeModel>, operations: OperationModel[]): [string, SchemeModel][] {
  const used = new Set(operations.flatMap((op) => op.security?.flat() ?? []));
  return [...schemes].filter(([name]) => used.has(name));
}

function schemeLiteral(scheme: SchemeModel): string {
  return scheme.type === 'http'
    ? `{ type: 'http', scheme: ${stringLiteral(scheme.scheme)} }`
    : `{ type: 'apiKey', in: ${stringLiteral(scheme.in)}, name: ${stringLiteral(scheme.name)} }`;
}

function previousHandlers(state: LinkState | undefined, className: string): Previous {
  const live = state?.[className];
  return {
    live: new Set(Array.isArray(live) ? live.filter((n): n is string => typeof n === 'string') : []),
    removed: (hasRemovedRecord(state) && removedFromState(state, className)) || new Set<string>(),
  };
}

function routeEntry(op: OperationModel, validatesParams: boolean, validatesBody: boolean): string {
  const lines = [
    `operation: ${stringLiteral(op.methodName)}`,
    `method: ${stringLiteral(op.httpMethod)}`,
    `path: ${stringLiteral(op.path)}`,
    wrapList('    ', 'params: [', op.params.map(paramSpec), ']'),
  ];
  if (op.security)
    lines.push(`security: [${op.security.map((names) => `[${names.map(stringLiteral).join(', ')}]`).join(', ')}]`);
  if (validatesParams) lines.push(`validateParams: ${paramsValidatorName(op)}`);
  if (op.body) {
    const validate = validatesBody ? `, validate: ${bodyValidatorName(op)}` : '';
    lines.push(`body: { required: ${op.body.required}, json: ${/json/i.test(op.body.mediaType)}${validate} }`);
  }
  const media = op.responses.filter((r) => r.mediaType && r.mediaType !== 'application/json');
  if (media.length)
    lines.push(
      `mediaTypes: { ${media.map((r) => `${propertyKey(r.status)}: ${stringLiteral(r.mediaType!)}`).join(', ')} }`,
    );
  lines.push(`invoke: (handlers, input, ctx) => handlers.${op.methodName}(input as T.${op.typeBase}Input, ctx)`);
  return `  {\n${lines.map((l) => `    ${l},\n`).join('')}  },`;
}

function paramSpec(p: OperationModel['params'][number]): string {
  const array = p.array ? `, array: ${stringLiteral(p.array)}` : '';
  return `{ name: ${stringLiteral(p.name)}, key: ${stringLiteral(p.key)}, in: ${stringLiteral(p.in)}${array} }`;
}

function handlersPlan(input: ServerInput, names: HandlerNames, previous: Previous): PlannedFile {
  const { ctx, operations, out } = input;
  const prefix = ctx.project.noUnusedParameters ? '_' : '';
  const file = `${out}/handlers.ts`;
  const content = render('rest/handlers.ts', {
    title: input.title,
    runtimeServer: ctx.runtime('rest-server'),
    suffix: ctx.project.importSuffix,
    ...names,
    body: operations.map((op) => stubMethod(op, prefix)).join('\n'),
  });
  return {
    kind: 'user',
    path: file,
    content,
    merge: async (existing) => {
      const wanted = operations.map((op) => op.methodName);
      // Load ts-morph only when members are to be stubbed or marked; a `$frozen` import that outlived its
      // last use (the user deleted a removed operation's method) goes as plain text.
      if (!mergeDue(existing, [{ ref: { class: names.className }, wanted, previous }]))
        return withoutUnusedFrozen(existing);
      const { mergeHandlers } = await import('./merge.js');
      const runtimeServer = ctx.runtime('rest-server');
      const suffix = ctx.project.importSuffix;
      return mergeHandlers(existing, {
        file,
        className: names.className,
        operations,
        previous,
        prefix,
        runtimeServer,
        suffix,
        frozenExports: input.frozen.exports,
        typeExports: input.typeExports,
      });
    },
  };
}

function serverTs(
  ctx: GenerateContext,
  out: string,
  names: ReturnType<typeof serverNames>,
  schemeNames: string[],
): string {
  const { project } = ctx;
  return render('rest/server.ts', {
    schemeNames: schemeNames.join(', '),
    firstScheme: schemeNames[0],
    firstSchemeKey: schemeNames[0] === undefined ? '' : propertyKey(schemeNames[0]),
    linkName: ctx.link.name,
    env: `${constantCase(ctx.link.name)}_SERVICE`,
    distPath: `${out.replace(new RegExp(`^${project.srcDir}/`), 'dist/')}/server.js`,
    esm: project.moduleSystem === 'esm',
    runtimeServer: ctx.runtime('rest-server'),
    suffix: project.importSuffix,
    ...names,
  });
}
