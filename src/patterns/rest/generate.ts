// OpenAPI document -> generated files of a REST link (the transport, auth, retries and ServiceError live
// in the project's shared runtime, runtime/rest.ts):
//   types.ts            one named type per component schema used, plus per-operation Params/Body/Result/Error
//   client.ts           one class, one method per operation
//   index.ts            the public surface
// Generation is a pure function of the document and the link options, so regenerating an unchanged
// document gives byte-identical files.
import { OpenApiDocuments, isObject, type Json, type JsonObject, type Loc } from '../../contracts/openapi.js';
import { camelCase, constantCase, pascalCase, propertyKey } from '../../util/names.js';
import { GENERATED_HEADER, jsDoc, stringLiteral } from '../../util/text.js';
import { SchemaTypes, isSchemaObject, schemaDoc, unionOf, type SchemaObject } from '../../codegen/schema-ts.js';
import type { GenerateContext, GenerateResult, PlannedFile } from '../types.js';
import { restDefaults } from './options.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
// Globals and built-in types a schema name must not shadow inside types.ts (and in code that imports its
// names one by one): a schema called `Error` becomes `ErrorSchema`.
const AVOID_TYPE_NAMES = new Set([
  'Array', 'ReadonlyArray', 'Record', 'Promise', 'Partial', 'Required', 'Pick', 'Omit', 'Readonly', 'Exclude',
  'Extract', 'NonNullable', 'Awaited', 'Error', 'Date', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Object', 'String',
  'Number', 'Boolean', 'Symbol', 'BigInt', 'Function', 'RegExp', 'JSON', 'Math', 'Response', 'Request', 'Headers',
  'URL', 'URLSearchParams', 'AbortSignal', 'AbortController', 'Buffer', 'Blob', 'FormData', 'ReadableStream',
  'Uint8Array', 'ArrayBuffer', 'Iterable', 'Iterator', 'AsyncIterable', 'PropertyKey',
]);

type Mode = 'read' | 'write';
const OPERATION_TYPE_SUFFIXES = ['Params', 'Body', 'Result', 'Error'];

interface ParamModel {
  name: string;
  key: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  type: string;
  style?: string;
  explode?: boolean;
  doc?: string;
}

interface OperationModel {
  methodName: string;
  typeBase: string;
  httpMethod: string;
  path: string;
  params: ParamModel[];
  body?: { type: string; required: boolean; mediaType: string };
  resultType: string;
  errorType: string;
  doc: string;
}

export async function generateRest(ctx: GenerateContext): Promise<GenerateResult> {
  const contract = ctx.link.contracts[0];
  if (!contract) throw new Error(`link "${ctx.link.name}" has no OpenAPI contract`);
  const docs = await OpenApiDocuments.load(contract, (f) => ctx.readFile(f));
  const options = restDefaults(ctx.link.name, ctx.link.options);
  const emitter = new TypeEmitter(docs);
  const operations = emitter.collectOperations();
  const typesFile = emitter.renderTypes(operations);
  const suffix = ctx.project.importSuffix;
  const className = `${pascalCase(ctx.link.name)}Client`;
  const out = ctx.link.out.replace(/\/+$/, '');
  const header = GENERATED_HEADER;
  const runtimeRest = ctx.runtime('rest');

  const info = isObject(docs.root.info) ? docs.root.info : {};
  const title = typeof info.title === 'string' ? info.title : ctx.link.name;
  const version = typeof info.version === 'string' ? info.version : '';
  const defaultBaseUrl = firstServerUrl(docs.root);
  // The link's own variables first, then the shared token (SERVICE_TOKEN or --token-env).
  const envPrefix = `${constantCase(ctx.link.name)}_SERVICE`;
  const tokenEnvs = [...new Set([`${envPrefix}_TOKEN`, options.tokenEnv])];
  const timeoutEnv = `${envPrefix}_TIMEOUT_MS`;
  const linkDefaults = [
    `service: ${stringLiteral(ctx.link.name)}`,
    `baseUrlEnv: ${stringLiteral(options.baseUrlEnv)}`,
    ...(defaultBaseUrl ? [`defaultBaseUrl: ${stringLiteral(defaultBaseUrl)}`] : []),
    `auth: ${stringLiteral(options.auth)}`,
    `tokenEnvs: [${tokenEnvs.map(stringLiteral).join(', ')}]`,
    `timeoutEnv: ${stringLiteral(timeoutEnv)}`,
  ];

  const methods = operations.map((op) => renderMethod(op)).join('\n');
  const client =
    `${header}\n` +
    `// Source: ${contract.replace(/[\r\n\u2028\u2029]/g, ' ')}\n` +
    (operations.length
      ? `import { ${operations.some((op) => op.params.some((p) => p.in === 'path')) ? 'pathParam, ' : ''}Transport, type CallOptions, type ClientConfig } from '${runtimeRest}';\n` +
        `import type * as T from './types${suffix}';\n\n`
      : `import type { ClientConfig } from '${runtimeRest}';\n\n`) +
    jsDoc(
      [
        [`Client for ${title}${version ? ` ${version}` : ''}.`, typeof info.description === 'string' ? info.description : '']
          .filter(Boolean)
          .join('\n'),
        [
          'Environment (config options win):',
          `- \`${options.baseUrlEnv}\`: base URL${defaultBaseUrl ? ` (default ${defaultBaseUrl})` : ''}.`,
          ...(options.auth === 'bearer'
            ? [`- ${tokenEnvs.map((e) => `\`${e}\``).join(', else ')}: bearer token, read per request, never logged.`]
            : []),
          `- \`${timeoutEnv}\`: timeout of each attempt in ms (default 10000; 0: none).`,
        ].join('\n'),
        'Every method throws ServiceError on failure: non-2xx status, timeout, abort, network error, or\n' +
          'missing configuration (code CONFIG: nothing was sent).',
      ].join('\n\n'),
    ) +
    `export class ${className} {\n` +
    (operations.length
      ? `  readonly #transport: Transport;\n\n` +
        `  constructor(config: ClientConfig = {}) {\n` +
        `    this.#transport = new Transport(config, {\n${linkDefaults.map((l) => `      ${l},\n`).join('')}    });\n` +
        `  }\n\n${methods}`
      : // Nothing to call yet: no transport to hold (an unread private field fails noUnusedLocals).
        '  /** The document has no operations yet: `generate` adds a method for each one under `paths`. */\n' +
        '  constructor(_config: ClientConfig = {}) {}\n') +
    `}\n`;

  const index =
    `${header}\n` +
    `export { ${className} } from './client${suffix}';\n` +
    `export {\n  ServiceError,\n  isServiceError,\n  type CallOptions,\n  type ClientConfig,\n  type FetchLike,\n  type ServiceErrorCode,\n  type TokenProvider,\n} from '${runtimeRest}';\n` +
    `export {\n  runWithRequestContext,\n  currentRequestContext,\n  outgoingRequestContext,\n  type RequestContext,\n} from '${ctx.runtime('context')}';\n` +
    `export * as types from './types${suffix}';\n`;

  const files: PlannedFile[] = [
    { kind: 'generated', path: `${out}/types.ts`, content: `${header}\n${typesFile}` },
    { kind: 'generated', path: `${out}/client.ts`, content: client },
    { kind: 'generated', path: `${out}/index.ts`, content: index },
  ];
  return { files };
}

function firstServerUrl(root: JsonObject): string | undefined {
  const servers = root.servers;
  if (!Array.isArray(servers) || !isObject(servers[0])) return undefined;
  const url = servers[0].url;
  return typeof url === 'string' && /^https?:\/\/[^{}]+$/.test(url) ? url : undefined;
}

function access(object: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${object}.${key}` : `${object}[${stringLiteral(key)}]`;
}

function renderMethod(op: OperationModel): string {
  const args: string[] = [];
  const hasParams = op.params.length > 0;
  const paramsOptional = !op.params.some((p) => p.required) && !op.body?.required;
  if (hasParams) args.push(`params: T.${op.typeBase}Params${paramsOptional ? ' = {}' : ''}`);
  if (op.body) args.push(`body${op.body.required ? '' : '?'}: T.${op.typeBase}Body`);
  args.push('options?: CallOptions');

  // The path is built from string literals and encoded parameters only, so nothing from the document can inject code.
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

  const fields = [`method: ${stringLiteral(op.httpMethod)}`, `path: ${pieces.join(' + ')}`];
  const query = op.params.filter((p) => p.in === 'query');
  if (query.length) {
    const items = query.map((p) => {
      const extra = [p.style && p.style !== 'form' ? `style: ${stringLiteral(p.style)}` : '', p.explode !== undefined ? `explode: ${p.explode}` : '']
        .filter(Boolean)
        .map((e) => `, ${e}`)
        .join('');
      return `        { name: ${stringLiteral(p.name)}, value: ${access('params', p.key)}${extra} },\n`;
    });
    fields.push(`query: [\n${items.join('')}      ]`);
  }
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
  const doc = jsDoc(op.doc, '  ');
  return (
    `${doc}  ${op.methodName}(${args.join(', ')}): Promise<T.${op.typeBase}Result> {\n` +
    `    return this.#transport.request<T.${op.typeBase}Result>(\n` +
    `      {\n${fields.map((f) => `        ${f.replace(/\n/g, '\n  ')},\n`).join('')}      },\n` +
    `      options,\n` +
    `    );\n` +
    `  }\n`
  );
}

interface Pending {
  key: string;
  name: string;
  mode: Mode;
  value: Json;
  loc: Loc;
}

class TypeEmitter {
  private readonly used = new Set<string>();
  private readonly named = new Map<string, string>();
  private readonly writeNamed = new Map<string, string>();
  private readonly needsWriteMemo = new Map<string, boolean>();
  private readonly queue: Pending[] = [];
  private readonly emitted: string[] = [];
  private readonly views: Record<Mode, SchemaTypes>;

  constructor(private readonly docs: OpenApiDocuments) {
    this.views = { read: this.view('read'), write: this.view('write') };
    // Component schemas of the entry document keep their names (in document order) and are all emitted.
    const components = docs.root.components;
    if (isObject(components) && isObject(components.schemas)) {
      for (const name of Object.keys(components.schemas)) {
        const path = ['components', 'schemas', name];
        this.nameFor({ loc: { file: docs.entry.file, path }, value: components.schemas[name]! }, 'read');
      }
    }
  }

  private key(loc: Loc): string {
    return `${loc.file}#/${loc.path.join('/')}`;
  }

  private unique(base: string): string {
    let name = base || 'Schema';
    if (/^[0-9]/.test(name)) name = `_${name}`;
    if (AVOID_TYPE_NAMES.has(name)) name = `${name}Schema`;
    let candidate = name;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${name}${n}`;
    this.used.add(candidate);
    return candidate;
  }

  private nameFor(target: { loc: Loc; value: Json }, mode: Mode): string {
    const key = this.key(target.loc);
    let name = this.named.get(key);
    if (!name) {
      const last = target.loc.path[target.loc.path.length - 1];
      const base =
        last !== undefined ? String(last) : target.loc.file.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, '');
      name = this.unique(pascalCase(base));
      this.named.set(key, name);
      this.queue.push({ key, name, mode: 'read', value: target.value, loc: target.loc });
    }
    if (mode === 'write' && this.needsWrite(target.value, target.loc)) {
      let writeName = this.writeNamed.get(key);
      if (!writeName) {
        writeName = this.unique(`${name}Input`);
        this.writeNamed.set(key, writeName);
        this.queue.push({ key, name: writeName, mode: 'write', value: target.value, loc: target.loc });
      }
      return writeName;
    }
    return name;
  }

  /** readOnly/writeOnly of a property schema, also when declared on the schema its `$ref` points to. */
  private accessFlags(prop: unknown, loc: Loc): { readOnly: boolean; writeOnly: boolean } {
    let readOnly = false;
    let writeOnly = false;
    let current: { value: unknown; loc: Loc } = { value: prop, loc };
    for (let hops = 0; hops < 16 && isSchemaObject(current.value); hops++) {
      readOnly ||= current.value.readOnly === true;
      writeOnly ||= current.value.writeOnly === true;
      if (typeof current.value.$ref !== 'string') break;
      current = this.docs.resolve(current.value.$ref, current.loc);
    }
    return { readOnly, writeOnly };
  }

  /** Whether the schema reads differently when sent: readOnly/writeOnly properties, here or through refs. */
  private needsWrite(value: Json, loc: Loc, visiting = new Set<string>()): boolean {
    const key = this.key(loc);
    const memo = this.needsWriteMemo.get(key);
    if (memo !== undefined) return memo;
    if (visiting.has(key)) return false;
    visiting.add(key);
    let found = false;
    const stack: { value: Json; loc: Loc }[] = [{ value, loc }];
    while (stack.length && !found) {
      const item = stack.pop()!;
      const node = item.value;
      if (Array.isArray(node)) {
        node.forEach((child, i) => stack.push({ value: child, loc: { file: item.loc.file, path: [...item.loc.path, i] } }));
      } else if (isObject(node)) {
        if (typeof node.$ref === 'string') {
          const target = this.docs.resolve(node.$ref, item.loc);
          found = this.needsWrite(target.value, target.loc, visiting);
          continue;
        }
        if (isObject(node.properties)) {
          for (const [name, prop] of Object.entries(node.properties)) {
            const flags = this.accessFlags(prop, { file: item.loc.file, path: [...item.loc.path, 'properties', name] });
            if (flags.readOnly || flags.writeOnly) found = true;
          }
        }
        for (const k of Object.keys(node)) {
          if (k === 'example' || k === 'examples' || k === 'enum' || k === 'const' || k === 'default') continue;
          stack.push({ value: node[k]!, loc: { file: item.loc.file, path: [...item.loc.path, k] } });
        }
      }
    }
    this.needsWriteMemo.set(key, found);
    return found;
  }

  private drain(): void {
    while (this.queue.length) {
      const item = this.queue.shift()!;
      const doc = isObject(item.value) ? schemaDoc(item.value) : '';
      this.emitted.push(`${jsDoc(doc)}export type ${item.name} = ${this.type(item.value, item.loc, item.mode, '')};\n`);
    }
  }

  /** TypeScript type for a schema. `indent` is the indentation of the line the type starts on. */
  type(schema: Json, loc: Loc, mode: Mode, indent: string): string {
    return this.views[mode].type(schema, loc, indent);
  }

  private view(mode: Mode): SchemaTypes {
    return new SchemaTypes({
      optional: 'plain',
      nullable: true,
      prefixItems: true,
      invalid: (at, message, hint) => this.docs.fail(at, message, hint),
      ref: (ref, at) => this.refType(ref, at, mode),
      property: (prop, at) => {
        const { readOnly, writeOnly } = this.accessFlags(prop, at);
        // Responses never carry writeOnly properties; requests never send readOnly ones.
        return { omit: mode === 'read' ? writeOnly : readOnly, readonly: readOnly };
      },
      discriminator: (parent, member, at) => this.discriminatorPin(parent, member, at),
    });
  }

  private refType(ref: string, at: Loc, mode: Mode): string {
    const target = this.docs.resolve(ref, at);
    if (!isObject(target.value) && typeof target.value !== 'boolean')
      this.docs.fail({ file: at.file, path: [...at.path, '$ref'] }, `$ref "${ref}" does not point to a schema`);
    return this.nameFor(target, mode);
  }

  /** With a discriminator, each `$ref` member of a oneOf/anyOf is pinned to its discriminator value(s). */
  private discriminatorPin(parent: SchemaObject, member: unknown, at: Loc): { property: string; values: string[] } | undefined {
    const discriminator = parent.discriminator;
    if (!isSchemaObject(discriminator) || typeof discriminator.propertyName !== 'string') return undefined;
    if (!isSchemaObject(member) || typeof member.$ref !== 'string') return undefined;
    const target = this.docs.resolve(member.$ref, at);
    const targetKey = this.key(target.loc);
    const values: string[] = [];
    if (isSchemaObject(discriminator.mapping)) {
      for (const [value, ref] of Object.entries(discriminator.mapping)) {
        if (typeof ref !== 'string') continue;
        const mapped = ref.includes('#') || ref.includes('/') ? ref : `#/components/schemas/${ref}`;
        const resolved = this.docs.resolve(mapped, { file: this.docs.entry.file, path: [] });
        if (this.key(resolved.loc) === targetKey) values.push(value);
      }
    }
    if (!values.length) values.push(String(target.loc.path[target.loc.path.length - 1] ?? ''));
    return { property: discriminator.propertyName, values };
  }

  collectOperations(): OperationModel[] {
    const docs: OpenApiDocuments = this.docs;
    const paths = docs.root.paths;
    const file = docs.entry.file;
    if (paths !== undefined && !isObject(paths)) docs.fail({ file, path: ['paths'] }, '"paths" must be an object');
    const operations: OperationModel[] = [];
    const methodNames = new Set<string>();
    for (const [path, rawItem] of Object.entries(isObject(paths) ? paths : {})) {
      const itemRef = docs.deref(rawItem, { file, path: ['paths', path] });
      if (!isObject(itemRef.value)) docs.fail(itemRef.loc, `path "${path}" must be an object`);
      const item = itemRef.value;
      for (const method of METHODS) {
        const op = item[method];
        if (op === undefined) continue;
        const opLoc: Loc = { file: itemRef.loc.file, path: [...itemRef.loc.path, method] };
        if (!isObject(op)) docs.fail(opLoc, `${method.toUpperCase()} ${path} must be an object`);
        operations.push(this.operation(path, method, item, itemRef.loc, op, opLoc, methodNames));
      }
    }
    return operations;
  }

  private operation(
    path: string,
    method: string,
    item: JsonObject,
    itemLoc: Loc,
    op: JsonObject,
    opLoc: Loc,
    methodNames: Set<string>,
  ): OperationModel {
    const docs: OpenApiDocuments = this.docs;
    const at = (...p: (string | number)[]): Loc => ({ file: opLoc.file, path: [...opLoc.path, ...p] });
    const fallback =
      method +
      path
        .split('/')
        .filter(Boolean)
        .map((seg) => (seg.startsWith('{') ? `By ${seg.slice(1, -1)}` : seg))
        .map(pascalCase)
        .join('');
    let methodName = camelCase(typeof op.operationId === 'string' ? op.operationId : '') || camelCase(fallback) || method;
    if (/^[0-9]/.test(methodName)) methodName = `op${methodName}`;
    if (methodName === 'constructor') methodName = 'constructor_';
    let unique = methodName;
    for (let n = 2; methodNames.has(unique); n++) unique = `${methodName}${n}`;
    methodNames.add(unique);
    // Params/Body/Result/Error of an operation must not clash with a schema's name (or another operation's).
    const base = pascalCase(unique);
    let typeBase = base;
    for (let n = 2; OPERATION_TYPE_SUFFIXES.some((s) => this.used.has(`${typeBase}${s}`)); n++) typeBase = `${base}${n}`;
    for (const s of OPERATION_TYPE_SUFFIXES) this.used.add(`${typeBase}${s}`);

    // Parameters: path-level ones, overridden by operation-level ones with the same name and location.
    const byKey = new Map<string, { value: JsonObject; loc: Loc }>();
    const addParams = (list: Json | undefined, listLoc: Loc) => {
      if (list === undefined) return;
      if (!Array.isArray(list)) docs.fail(listLoc, 'parameters must be a list');
      list.forEach((raw, i) => {
        const resolved = docs.deref(raw, { file: listLoc.file, path: [...listLoc.path, i] });
        const p = resolved.value;
        if (!isObject(p) || typeof p.name !== 'string' || typeof p.in !== 'string')
          docs.fail(resolved.loc, 'a parameter needs "name" and "in"');
        if (!['path', 'query', 'header', 'cookie'].includes(p.in))
          docs.fail({ file: resolved.loc.file, path: [...resolved.loc.path, 'in'] }, `unknown parameter location "${p.in}"`);
        byKey.set(`${p.in}:${p.name}`, { value: p, loc: resolved.loc });
      });
    };
    addParams(item.parameters, { file: itemLoc.file, path: [...itemLoc.path, 'parameters'] });
    addParams(op.parameters, at('parameters'));
    for (const match of path.matchAll(/\{([^}]+)\}/g)) {
      // A path template variable without a declared parameter is still a required string.
      if (!byKey.has(`path:${match[1]}`)) byKey.set(`path:${match[1]}`, { value: { name: match[1]!, in: 'path', required: true, schema: { type: 'string' } }, loc: opLoc });
    }
    const params: ParamModel[] = [];
    const keys = new Set<string>();
    for (const { value: p, loc } of byKey.values()) {
      const name = p.name as string;
      const where = p.in as ParamModel['in'];
      if (where === 'path' && !path.includes(`{${name}}`)) continue;
      let key = name;
      if (keys.has(key)) key = `${name}_${where}`;
      keys.add(key);
      let type = 'string';
      if (p.schema !== undefined) type = this.type(p.schema, { file: loc.file, path: [...loc.path, 'schema'] }, 'write', '  ');
      else if (isObject(p.content)) {
        const [mediaType] = Object.keys(p.content);
        const media = mediaType ? p.content[mediaType] : undefined;
        if (isObject(media) && media.schema !== undefined)
          type = this.type(media.schema, { file: loc.file, path: [...loc.path, 'content', mediaType!, 'schema'] }, 'write', '  ');
      }
      params.push({
        name,
        key,
        in: where,
        required: where === 'path' || p.required === true,
        type,
        style: typeof p.style === 'string' ? p.style : undefined,
        explode: typeof p.explode === 'boolean' ? p.explode : undefined,
        doc: typeof p.description === 'string' ? p.description : undefined,
      });
    }

    let body: OperationModel['body'];
    if (op.requestBody !== undefined) {
      const resolved = docs.deref(op.requestBody, at('requestBody'));
      const rb = resolved.value;
      if (!isObject(rb)) docs.fail(resolved.loc, 'requestBody must be an object');
      const content = isObject(rb.content) ? rb.content : {};
      const mediaType = pickMediaType(Object.keys(content));
      if (mediaType) {
        const media = content[mediaType];
        const schema = isObject(media) ? media.schema : undefined;
        const schemaLoc: Loc = { file: resolved.loc.file, path: [...resolved.loc.path, 'content', mediaType, 'schema'] };
        const json = /json/i.test(mediaType) || /x-www-form-urlencoded/i.test(mediaType);
        const type = json ? (schema === undefined ? 'unknown' : this.type(schema, schemaLoc, 'write', '')) : 'string';
        body = { type, required: rb.required === true, mediaType };
      }
    }

    const responses = op.responses;
    if (responses !== undefined && !isObject(responses)) docs.fail(at('responses'), 'responses must be an object');
    const success: string[] = [];
    const failure: string[] = [];
    for (const [status, raw] of Object.entries(isObject(responses) ? responses : {})) {
      const resolved = docs.deref(raw, at('responses', status));
      const r = resolved.value;
      if (!isObject(r)) docs.fail(resolved.loc, `response "${status}" must be an object`);
      const isSuccess = /^2(\d\d|XX)$/i.test(status);
      const content = isObject(r.content) ? r.content : {};
      const mediaType = pickMediaType(Object.keys(content));
      let type: string;
      if (!mediaType) type = 'undefined';
      else {
        const media = content[mediaType];
        const schema = isObject(media) ? media.schema : undefined;
        const schemaLoc: Loc = { file: resolved.loc.file, path: [...resolved.loc.path, 'content', mediaType, 'schema'] };
        type = /json/i.test(mediaType) ? (schema === undefined ? 'unknown' : this.type(schema, schemaLoc, 'read', '')) : 'string';
      }
      if (isSuccess) success.push(type);
      else if (type !== 'undefined' && type !== 'string') failure.push(type);
    }
    const docLines = [
      typeof op.summary === 'string' ? op.summary : '',
      typeof op.description === 'string' && op.description !== op.summary ? op.description : '',
      `\`${method.toUpperCase()} ${path}\``,
      op.deprecated === true ? '@deprecated' : '',
      `@throws {ServiceError<T.${typeBase}Error>} on a non-2xx status, timeout, abort or network failure`,
    ].filter(Boolean);
    return {
      methodName: unique,
      typeBase,
      httpMethod: method.toUpperCase(),
      path,
      params,
      body,
      resultType: unionOf(success, 'unknown'),
      errorType: unionOf(failure, 'unknown'),
      doc: docLines.join('\n\n'),
    };
  }

  renderTypes(operations: OperationModel[]): string {
    this.drain();
    const opTypes: string[] = [];
    for (const op of operations) {
      if (op.params.length) {
        const lines = op.params.map(
          (p) => `${jsDoc(p.doc, '  ')}  ${propertyKey(p.key)}${p.required ? `: ${p.type}` : `?: ${p.type} | undefined`};\n`,
        );
        opTypes.push(`export type ${op.typeBase}Params = {\n${lines.join('')}};\n`);
      }
      if (op.body) opTypes.push(`export type ${op.typeBase}Body = ${op.body.type};\n`);
      opTypes.push(`export type ${op.typeBase}Result = ${op.resultType};\n`);
      opTypes.push(`/** Error bodies ${op.typeBase} declares (ServiceError.body). */\nexport type ${op.typeBase}Error = ${op.errorType};\n`);
    }
    // Operation types may have discovered more named schemas.
    this.drain();
    return `// Types of the schemas in the OpenAPI document, then per-operation parameter, body, result and error types.\n\n${this.emitted.join('\n')}\n${opTypes.join('\n')}`;
  }
}

function pickMediaType(types: string[]): string | undefined {
  return (
    types.find((t) => /^application\/json\b/i.test(t)) ??
    types.find((t) => /^application\/.+\+json\b/i.test(t)) ??
    types.find((t) => /json/i.test(t)) ??
    types.find((t) => /x-www-form-urlencoded/i.test(t)) ??
    types[0]
  );
}
