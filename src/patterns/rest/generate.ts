// OpenAPI document -> generated files of a REST link (the transport, auth, retries and ServiceError live
// in the project's shared runtime, runtime/rest.ts):
//   types.ts            one named type per component schema used, plus per-operation Params/Body/Result/Error
//   client.ts           one class, one method per operation
//   index.ts            the public surface
// Data flows one way: document -> operation model (operations.ts, naming schemas in schemas.ts) -> text
// (here, through the templates in templates/rest/). Generation is a pure function of the document and the link options, so regenerating an
// unchanged document gives byte-identical files.
import { OpenApiDocuments, isObject, type JsonObject } from '../../contracts/openapi.js';
import { orUndefined } from '../../codegen/schema-ts.js';
import { constantCase, pascalCase, propertyKey } from '../../util/names.js';
import { render } from '../../codegen/render.js';
import { wrapList } from '../../codegen/layout.js';
import {
  importLine,
  indexExports,
  indexModule,
  sharedRuntimeExports,
  type IndexModule,
} from '../../codegen/imports.js';
import { GENERATED_HEADER, jsDoc, stringLiteral } from '../../util/text.js';
import type { GenerateContext, GenerateResult, PlannedFile } from '../types.js';
import { collectOperations, type OperationModel, type ParamModel } from './operations.js';
import { DEFAULT_TOKEN_ENV, restDefaults, restSides, type RestOptions } from './options.js';
import { RestSchemas } from './schemas.js';
import { documentAuth, securitySchemes } from './security.js';
import { schemesUsed, serverFiles, serverNames, serverTypes } from './server.js';
import { restFrozen, typeExports } from './frozen.js';

/**
 * index.ts's exports: the client and its runtime part, the server's factory and handler types and its
 * runtime part (not serverNames()'s className, which would shadow the client's; the verifiers type
 * only when an operation requires credentials), then what every link shares.
 */
function indexModules(
  ctx: GenerateContext,
  view: ClientView,
  sides: { client: boolean; server: boolean },
  verified: boolean,
): IndexModule[] {
  const modules: IndexModule[] = [];
  if (sides.client)
    modules.push(
      indexModule(`./client${view.importSuffix}`, [view.className]),
      indexModule(
        view.runtimeRest,
        ['ServiceError', 'isServiceError'],
        ['CallOptions', 'ClientConfig', 'FetchLike', 'ServiceErrorCode', 'TokenProvider'],
      ),
    );
  if (sides.server) {
    const { factory, handlersInterface, verifiersType } = serverNames(ctx.link.name);
    modules.push(
      indexModule(`./router${view.importSuffix}`, [factory], [handlersInterface, ...(verified ? [verifiersType] : [])]),
      indexModule(
        ctx.runtime('rest-server'),
        ['HttpError', 'listen', 'problem', 'shutdownOnSignal'],
        ['HandlerContext', 'Problem', 'RouterOptions', 'Verifier'],
      ),
    );
  }
  return [...modules, ...sharedRuntimeExports(ctx.runtime('context'), ctx.runtime('middleware'))];
}

/** What client.ts says about the service and its environment. */
interface ClientView {
  linkName: string;
  className: string;
  contract: string;
  runtimeRest: string;
  importSuffix: string;
  title: string;
  version: string;
  description: string;
  defaultBaseUrl: string | undefined;
  options: RestOptions & { auth: 'bearer' | 'none' };
  tokenEnvs: string[];
  timeoutEnv: string;
}

export async function generateRest(ctx: GenerateContext): Promise<GenerateResult> {
  const contract = ctx.link.contracts[0];
  if (!contract) throw new Error(`link "${ctx.link.name}" has no OpenAPI contract`);
  const docs = await OpenApiDocuments.load(contract, (f) => ctx.readFile(f));
  const options = restDefaults(ctx.link.name, ctx.link.options);
  const schemas = new RestSchemas(docs);
  const warnings: string[] = [];
  const schemes = securitySchemes(docs);
  const operations = collectOperations(docs, schemas, schemes, (w) => warnings.push(w));
  // --auth wins; else the document says (no securitySchemes: no token).
  const auth =
    options.auth ??
    documentAuth(
      schemes,
      operations.map((op) => op.security),
    );
  const view = clientView(ctx, docs.root, contract, { ...options, auth });
  const out = ctx.link.out.replace(/\/+$/, '');
  const names = {
    header: GENERATED_HEADER,
    suffix: view.importSuffix,
    className: view.className,
    runtimeRest: view.runtimeRest,
  };
  const sides = restSides(ctx.link.options);
  const types = typesSource(schemas, operations, sides.server);
  const files: PlannedFile[] = [
    {
      kind: 'generated',
      path: `${out}/types.ts`,
      content: render('rest/types.ts', { header: GENERATED_HEADER, code: types }),
    },
  ];
  if (sides.client)
    files.push({
      kind: 'generated',
      path: `${out}/client.ts`,
      content: render('rest/client.ts', { ...names, ...clientParts(view, operations) }),
    });
  const index = render('rest/index.ts', {
    header: GENERATED_HEADER,
    suffix: view.importSuffix,
    exports: indexExports(indexModules(ctx, view, sides, schemesUsed(schemes, operations).length > 0)),
  });
  files.push({ kind: 'generated', path: `${out}/index.ts`, content: index });
  if (!sides.server) return { files, warnings };
  const exports = typeExports(types);
  const frozen = await restFrozen(ctx, out, exports);
  const server = serverFiles({
    ctx,
    docs,
    schemes,
    operations,
    out,
    title: view.title,
    contract,
    frozen,
    typeExports: exports,
  });
  return { files: [...files, ...server.files], state: server.state, warnings };
}

/** The default reads the link's own token, else the shared SERVICE_TOKEN; an explicit --token-env is the only one read. */
function tokenEnvs(envPrefix: string, tokenEnv: string): string[] {
  return tokenEnv === DEFAULT_TOKEN_ENV ? [`${envPrefix}_TOKEN`, DEFAULT_TOKEN_ENV] : [tokenEnv];
}

function clientView(
  ctx: GenerateContext,
  root: JsonObject,
  contract: string,
  options: ClientView['options'],
): ClientView {
  const info = isObject(root.info) ? root.info : {};
  const envPrefix = `${constantCase(ctx.link.name)}_SERVICE`;
  return {
    linkName: ctx.link.name,
    className: `${pascalCase(ctx.link.name)}Client`,
    contract,
    runtimeRest: ctx.runtime('rest'),
    importSuffix: ctx.project.importSuffix,
    title: typeof info.title === 'string' ? info.title : ctx.link.name,
    version: typeof info.version === 'string' ? info.version : '',
    description: typeof info.description === 'string' ? info.description : '',
    defaultBaseUrl: firstServerUrl(root),
    options,
    tokenEnvs: tokenEnvs(envPrefix, options.tokenEnv),
    timeoutEnv: `${envPrefix}_TIMEOUT_MS`,
  };
}

function firstServerUrl(root: JsonObject): string | undefined {
  const servers = root.servers;
  if (!Array.isArray(servers) || !isObject(servers[0])) return undefined;
  const url = servers[0].url;
  return typeof url === 'string' && /^https?:\/\/[^{}]+$/.test(url) ? url : undefined;
}

function typesSource(schemas: RestSchemas, operations: OperationModel[], server: boolean): string {
  // The operations' types were computed while reading them, so every schema they name is known by now.
  const named = schemas.declarations();
  const perOperation = operations.flatMap((op) => [...operationTypes(op), ...(server ? serverTypes(op) : [])]);
  return `// Types of the schemas in the OpenAPI document, then per-operation parameter, body, result and error types.\n\n${named.join('\n')}\n${perOperation.join('\n')}`;
}

function operationTypes(op: OperationModel): string[] {
  const types: string[] = [];
  if (op.params.length) {
    // Optional parameters also take an explicit undefined (exactOptionalPropertyTypes); they are then left out.
    const lines = op.params.map(
      (p) =>
        `${jsDoc(p.doc, '  ')}  ${propertyKey(p.key)}${p.required ? `: ${p.type}` : `?: ${orUndefined(p.type)}`};\n`,
    );
    types.push(`export type ${op.typeBase}Params = {\n${lines.join('')}};\n`);
  }
  if (op.body) types.push(`export type ${op.typeBase}Body = ${op.body.type};\n`);
  types.push(`export type ${op.typeBase}Result = ${op.resultType};\n`);
  types.push(
    `/** Error bodies ${op.typeBase} declares (ServiceError.body). */\nexport type ${op.typeBase}Error = ${op.errorType};\n`,
  );
  return types;
}

/** What client.ts.hbs fills in beyond the link's names. */
function clientParts(view: ClientView, operations: OperationModel[]) {
  const pathParam = operations.some((op) => op.params.some((p) => p.in === 'path'));
  const runtimeNames = [...(pathParam ? ['pathParam'] : []), 'Transport', 'type CallOptions', 'type ClientConfig'];
  return {
    source: view.contract.replace(/[\r\n\u2028\u2029]/g, ' '),
    doc: jsDoc(clientDoc(view)),
    defaults: transportDefaults(view),
    runtimeImport: importLine(runtimeNames, view.runtimeRest),
    methods: operations.map(methodSource),
  };
}

function clientDoc(view: ClientView): string {
  const { options, defaultBaseUrl } = view;
  const about = [`Client for ${view.title}${view.version ? ` ${view.version}` : ''}.`, view.description]
    .filter(Boolean)
    .join('\n');
  const environment = [
    'Environment (config options win):',
    `- \`${options.baseUrlEnv}\`: base URL${defaultBaseUrl ? ` (default ${defaultBaseUrl})` : ''}.`,
    ...(options.auth === 'bearer'
      ? [`- ${view.tokenEnvs.map((e) => `\`${e}\``).join(', else ')}: bearer token, read per request, never logged.`]
      : []),
    `- \`${view.timeoutEnv}\`: timeout of each attempt in ms (default 10000; 0: none).`,
  ].join('\n');
  const failures =
    'Every method throws ServiceError on failure: non-2xx status, timeout, abort, network error, or\n' +
    'missing configuration (code CONFIG: nothing was sent).';
  return [about, environment, failures].join('\n\n');
}

/** The link's defaults handed to the Transport, one `key: value` each. */
function transportDefaults(view: ClientView): string[] {
  return [
    `service: ${stringLiteral(view.linkName)}`,
    `baseUrlEnv: ${stringLiteral(view.options.baseUrlEnv)}`,
    ...(view.defaultBaseUrl ? [`defaultBaseUrl: ${stringLiteral(view.defaultBaseUrl)}`] : []),
    `auth: ${stringLiteral(view.options.auth)}`,
    `tokenEnvs: [${view.tokenEnvs.map(stringLiteral).join(', ')}]`,
    `timeoutEnv: ${stringLiteral(view.timeoutEnv)}`,
  ];
}

function access(object: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${object}.${key}` : `${object}[${stringLiteral(key)}]`;
}

/** One client method, without a trailing newline (client.ts.hbs puts each on its own lines). */
function methodSource(op: OperationModel): string {
  const fields = requestFields(op);
  const signature = wrapList('  ', `${op.methodName}(`, methodArgs(op), `): Promise<T.${op.typeBase}Result> {`);
  return (
    `${jsDoc(op.doc, '  ')}  ${signature}\n` +
    `    return this.#transport.request<T.${op.typeBase}Result>(\n` +
    `      {\n${fields.map((f) => `        ${f.replace(/\n/g, '\n  ')},\n`).join('')}      },\n` +
    `      options,\n` +
    `    );\n` +
    '  }'
  );
}

function methodArgs(op: OperationModel): string[] {
  const args: string[] = [];
  const paramsOptional = !op.params.some((p) => p.required) && !op.body?.required;
  if (op.params.length) args.push(`params: T.${op.typeBase}Params${paramsOptional ? ' = {}' : ''}`);
  if (op.body) args.push(`body${op.body.required ? '' : '?'}: T.${op.typeBase}Body`);
  args.push('options?: CallOptions');
  return args;
}

/**
 * The fields of the request object: the operation (its name for middleware and spans, as the server
 * side names it), method, path (and its template when it has parameters), then query, headers,
 * cookies and body when there are any.
 */
function requestFields(op: OperationModel): string[] {
  const fields = [
    `operation: ${stringLiteral(op.methodName)}`,
    `method: ${stringLiteral(op.httpMethod)}`,
    `path: ${pathExpression(op)}`,
  ];
  // The template names the call's span; a path without parameters is its own.
  if (/\{[^}]+\}/.test(op.path)) fields.push(`route: ${stringLiteral(op.path)}`);
  const query = op.params.filter((p) => p.in === 'query');
  if (query.length) fields.push(`query: [\n${query.map(queryItem).join('')}      ]`);
  for (const where of ['header', 'cookie'] as const) {
    const list = op.params.filter((p) => p.in === where);
    if (list.length) {
      const items = list.map((p) => `${stringLiteral(p.name)}: ${access('params', p.key)}`).join(', ');
      fields.push(`${where === 'header' ? 'headers' : 'cookies'}: { ${items} }`);
    }
  }
  if (op.body) {
    fields.push('body');
    if (op.body.mediaType !== 'application/json') fields.push(`mediaType: ${stringLiteral(op.body.mediaType)}`);
  }
  const accept = acceptHeader(op);
  if (accept !== 'application/json') fields.push(`accept: ${stringLiteral(accept)}`);
  const success = successBodies(op);
  if (success !== undefined) fields.push(`success: ${success}`);
  return fields;
}

/** The media types every response declares, JSON first; `application/json` when there are none. */
function acceptHeader(op: OperationModel): string {
  const types = [...new Set(op.responses.flatMap((r) => r.mediaTypes))];
  const json = types.filter((t) => /json/i.test(t));
  return [...json, ...types.filter((t) => !json.includes(t))].join(', ') || 'application/json';
}

/** How the runtime reads each 2xx (`{ '204': 'none' }`), or undefined when all are JSON (its default). */
function successBodies(op: OperationModel): string | undefined {
  const declared = op.responses.filter((r) => /^2(\d\d|XX)$/i.test(r.status));
  const kind = (mediaType: string | undefined) =>
    op.httpMethod === 'HEAD' || !mediaType ? 'none' : /json/i.test(mediaType) ? 'json' : 'text';
  // Nothing declared for success: only `default`, else the body as it comes (the result is typed unknown).
  const fallback = op.responses.find((r) => r.status === 'default');
  const entries = declared.length
    ? declared.map((r) => [r.status.toUpperCase(), kind(r.mediaType)] as const)
    : fallback
      ? [['2XX', kind(fallback.mediaType)] as const]
      : [];
  if (entries.length && entries.every(([, k]) => k === 'json')) return undefined;
  return `{ ${entries.map(([status, k]) => `${propertyKey(status)}: ${stringLiteral(k)}`).join(', ')} }`;
}

/** The path is built from string literals and encoded parameters only, so nothing from the document can inject code. */
function pathExpression(op: OperationModel): string {
  const pieces: string[] = [];
  const pathParams = new Map(op.params.filter((p) => p.in === 'path').map((p) => [p.name, p]));
  let last = 0;
  for (const match of op.path.matchAll(/\{([^}]+)\}/g)) {
    if (match.index > last) pieces.push(stringLiteral(op.path.slice(last, match.index)));
    const param = pathParams.get(match[1]!)!;
    pieces.push(`pathParam(${access('params', param.key)})`);
    last = match.index + match[0].length;
  }
  if (last < op.path.length || !pieces.length) pieces.push(stringLiteral(op.path.slice(last)));
  return pieces.join(' + ');
}

function queryItem(p: ParamModel): string {
  const extra = [
    p.style && p.style !== 'form' ? `style: ${stringLiteral(p.style)}` : '',
    p.explode !== undefined ? `explode: ${p.explode}` : '',
  ]
    .filter(Boolean)
    .map((e) => `, ${e}`)
    .join('');
  return `        { name: ${stringLiteral(p.name)}, value: ${access('params', p.key)}${extra} },\n`;
}
