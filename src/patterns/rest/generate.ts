// OpenAPI document -> generated files of a REST link (the transport, auth, retries and ServiceError live
// in the project's shared runtime, runtime/rest.ts):
//   types.ts            one named type per component schema used, plus per-operation Params/Body/Result/Error
//   client.ts           one class, one method per operation
//   index.ts            the public surface
// Generation is a pure function of the document and the link options, so regenerating an unchanged
// document gives byte-identical files.
import { OpenApiDocuments, isObject, type Json, type JsonObject, type Loc } from '../../contracts/openapi.js';
import { camelCase, constantCase, pascalCase, propertyKey } from '../../util/names.js';
import { render } from '../../codegen/render.js';
import { GENERATED_HEADER, jsDoc, stringLiteral } from '../../util/text.js';
import type { GenerateContext, GenerateResult, PlannedFile } from '../types.js';
import { restDefaults, type RestOptions } from './options.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const KNOWN_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);
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
  const view = {
    header: GENERATED_HEADER,
    suffix: ctx.project.importSuffix,
    className: `${pascalCase(ctx.link.name)}Client`,
    runtimeRest: ctx.runtime('rest'),
    runtimeContext: ctx.runtime('context'),
  };
  const types = render('rest/types.ts', { header: view.header, code: emitter.renderTypes(operations) });
  const client = render('rest/client.ts', { ...view, ...clientView(ctx.link.name, options, docs.root, contract, operations) });
  const out = ctx.link.out.replace(/\/+$/, '');
  const files: PlannedFile[] = [
    { kind: 'generated', path: `${out}/types.ts`, content: types },
    { kind: 'generated', path: `${out}/client.ts`, content: client },
    { kind: 'generated', path: `${out}/index.ts`, content: render('rest/index.ts', view) },
  ];
  return { files };
}

/** What client.ts says beyond the link's names. */
interface ClientView {
  source: string;
  doc: string;
  /** The link's defaults handed to the Transport, one `key: value` each. */
  defaults: string[];
  pathParam: boolean;
  methods: string[];
}

function clientView(link: string, options: RestOptions, root: JsonObject, contract: string, operations: OperationModel[]): ClientView {
  const info = isObject(root.info) ? root.info : {};
  const title = typeof info.title === 'string' ? info.title : link;
  const version = typeof info.version === 'string' ? info.version : '';
  const defaultBaseUrl = firstServerUrl(root);
  // The link's own variables first, then the shared token (SERVICE_TOKEN or --token-env).
  const envPrefix = `${constantCase(link)}_SERVICE`;
  const tokenEnvs = [...new Set([`${envPrefix}_TOKEN`, options.tokenEnv])];
  const timeoutEnv = `${envPrefix}_TIMEOUT_MS`;
  const doc = jsDoc(
    [
      [`Client for ${title}${version ? ` ${version}` : ''}.`, typeof info.description === 'string' ? info.description : ''].filter(Boolean).join('\n'),
      [
        'Environment (config options win):',
        `- \`${options.baseUrlEnv}\`: base URL${defaultBaseUrl ? ` (default ${defaultBaseUrl})` : ''}.`,
        ...(options.auth === 'bearer' ? [`- ${tokenEnvs.map((e) => `\`${e}\``).join(', else ')}: bearer token, read per request, never logged.`] : []),
        `- \`${timeoutEnv}\`: timeout of each attempt in ms (default 10000; 0: none).`,
      ].join('\n'),
      'Every method throws ServiceError on failure: non-2xx status, timeout, abort, network error, or\n' +
        'missing configuration (code CONFIG: nothing was sent).',
    ].join('\n\n'),
  );
  const defaults = [
    `service: ${stringLiteral(link)}`,
    `baseUrlEnv: ${stringLiteral(options.baseUrlEnv)}`,
    ...(defaultBaseUrl ? [`defaultBaseUrl: ${stringLiteral(defaultBaseUrl)}`] : []),
    `auth: ${stringLiteral(options.auth)}`,
    `tokenEnvs: [${tokenEnvs.map(stringLiteral).join(', ')}]`,
    `timeoutEnv: ${stringLiteral(timeoutEnv)}`,
  ];
  return {
    source: contract.replace(/[\r\n\u2028\u2029]/g, ' '),
    doc,
    defaults,
    pathParam: operations.some((op) => op.params.some((p) => p.in === 'path')),
    methods: operations.map(renderMethod),
  };
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

/** One client method, without a trailing newline (client.ts.hbs puts each on its own lines). */
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
    '  }'
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

  constructor(private readonly docs: OpenApiDocuments) {
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
  private accessFlags(prop: Json, loc: Loc): { readOnly: boolean; writeOnly: boolean } {
    let readOnly = false;
    let writeOnly = false;
    let current: { value: Json; loc: Loc } = { value: prop, loc };
    for (let hops = 0; hops < 16 && isObject(current.value); hops++) {
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
    if (schema === true) return 'unknown';
    if (schema === false) return 'never';
    if (!isObject(schema)) return this.docs.fail(loc, 'a schema must be an object');
    if (typeof schema.$ref === 'string') {
      const target = this.docs.resolve(schema.$ref, loc);
      if (!isObject(target.value) && typeof target.value !== 'boolean')
        this.docs.fail({ file: loc.file, path: [...loc.path, '$ref'] }, `$ref "${schema.$ref}" does not point to a schema`);
      const name = this.nameFor(target, mode);
      return schema.nullable === true ? `${name} | null` : name;
    }
    let type = this.baseType(schema, loc, mode, indent);
    if (schema.nullable === true && type !== 'unknown' && !/(^|\| )null$/.test(type)) type = `${wrap(type)} | null`;
    return type;
  }

  private baseType(schema: JsonObject, loc: Loc, mode: Mode, indent: string): string {
    const at = (...p: (string | number)[]): Loc => ({ file: loc.file, path: [...loc.path, ...p] });
    if (schema.const !== undefined) return literal(schema.const);
    if (Array.isArray(schema.enum)) {
      const values = schema.enum.map(literal);
      if (schema.nullable === true && !values.includes('null')) values.push('null');
      return values.length ? [...new Set(values)].join(' | ') : 'never';
    }
    const parts: string[] = [];
    for (const combinator of ['oneOf', 'anyOf'] as const) {
      const list = schema[combinator];
      if (list === undefined) continue;
      if (!Array.isArray(list)) this.docs.fail(at(combinator), `${combinator} must be a list of schemas`);
      const members = list.map((member, i) => this.unionMember(schema, member, at(combinator, i), mode, indent));
      parts.push(members.length ? [...new Set(members)].join(' | ') : 'never');
    }
    if (schema.allOf !== undefined) {
      if (!Array.isArray(schema.allOf)) this.docs.fail(at('allOf'), 'allOf must be a list of schemas');
      const members = schema.allOf.map((member, i) => wrap(this.type(member, at('allOf', i), mode, indent)));
      if (members.length) parts.push(members.join(' & '));
    }
    const own = this.ownType(schema, loc, mode, indent, parts.length > 0);
    if (own) parts.push(own);
    if (!parts.length) return 'unknown';
    return parts.length === 1 ? parts[0]! : parts.map(wrap).join(' & ');
  }

  /** A oneOf/anyOf member; with a discriminator, each `$ref` member is pinned to its discriminator value. */
  private unionMember(parent: JsonObject, member: Json, loc: Loc, mode: Mode, indent: string): string {
    const type = this.type(member, loc, mode, indent);
    const discriminator = parent.discriminator;
    if (!isObject(discriminator) || typeof discriminator.propertyName !== 'string') return wrap(type);
    if (!isObject(member) || typeof member.$ref !== 'string') return wrap(type);
    const target = this.docs.resolve(member.$ref, loc);
    const targetKey = this.key(target.loc);
    const values: string[] = [];
    if (isObject(discriminator.mapping)) {
      for (const [value, ref] of Object.entries(discriminator.mapping)) {
        if (typeof ref !== 'string') continue;
        const mapped = ref.includes('#') || ref.includes('/') ? ref : `#/components/schemas/${ref}`;
        const resolved = this.docs.resolve(mapped, { file: this.docs.entry.file, path: [] });
        if (this.key(resolved.loc) === targetKey) values.push(value);
      }
    }
    if (!values.length) values.push(String(target.loc.path[target.loc.path.length - 1] ?? ''));
    return `(${type} & { ${propertyKey(discriminator.propertyName)}: ${values.map(stringLiteral).join(' | ')} })`;
  }

  /** The schema's own `type`/`properties`/`items`, or '' when it has none (a pure combinator). */
  private ownType(schema: JsonObject, loc: Loc, mode: Mode, indent: string, hasCombinators: boolean): string {
    const at = (...p: (string | number)[]): Loc => ({ file: loc.file, path: [...loc.path, ...p] });
    let types: string[];
    if (schema.type === undefined) {
      if (isObject(schema.properties) || schema.additionalProperties !== undefined) types = ['object'];
      else if (schema.items !== undefined) types = ['array'];
      else return '';
    } else if (typeof schema.type === 'string') types = [schema.type];
    else if (Array.isArray(schema.type) && schema.type.every((t) => typeof t === 'string')) types = schema.type as string[];
    else return this.docs.fail(at('type'), 'a schema "type" must be a string or a list of strings');
    for (const t of types) {
      if (!KNOWN_TYPES.has(t)) {
        this.docs.fail(
          at('type'),
          `unknown type "${t}"`,
          'use one of string, number, integer, boolean, array, object, null',
        );
      }
    }
    // Under allOf/oneOf, a bare `type: object` without properties adds nothing.
    if (hasCombinators && types.length === 1 && types[0] === 'object' && !isObject(schema.properties) && schema.additionalProperties === undefined)
      return '';
    const out = types.map((t) => {
      switch (t) {
        case 'string':
          return 'string';
        case 'integer':
        case 'number':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array': {
          if (Array.isArray(schema.prefixItems)) {
            const items = schema.prefixItems.map((s, i) => this.type(s, at('prefixItems', i), mode, indent));
            return `[${items.join(', ')}]`;
          }
          if (schema.items === undefined) return 'unknown[]';
          return `${wrap(this.type(schema.items, at('items'), mode, indent))}[]`;
        }
        default:
          return this.objectType(schema, loc, mode, indent);
      }
    });
    return [...new Set(out)].join(' | ');
  }

  private objectType(schema: JsonObject, loc: Loc, mode: Mode, indent: string): string {
    const at = (...p: (string | number)[]): Loc => ({ file: loc.file, path: [...loc.path, ...p] });
    const inner = `${indent}  `;
    const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : []);
    const lines: string[] = [];
    if (schema.properties !== undefined && !isObject(schema.properties)) this.docs.fail(at('properties'), 'properties must be an object');
    const props = isObject(schema.properties) ? schema.properties : {};
    for (const [name, prop] of Object.entries(props)) {
      const { readOnly, writeOnly } = this.accessFlags(prop, at('properties', name));
      // Responses never carry writeOnly properties; requests never send readOnly ones.
      if ((mode === 'read' && writeOnly) || (mode === 'write' && readOnly)) continue;
      const doc = isObject(prop) ? schemaDoc(prop) : '';
      const type = this.type(prop, at('properties', name), mode, inner);
      const optional = required.has(name) ? '' : '?';
      lines.push(`${jsDoc(doc, inner)}${inner}${readOnly ? 'readonly ' : ''}${propertyKey(name)}${optional}: ${type};\n`);
    }
    const extra = schema.additionalProperties;
    let index: string | undefined;
    if (extra === true || (isObject(extra) && !Object.keys(extra).length)) index = 'unknown';
    else if (isObject(extra)) index = this.type(extra, at('additionalProperties'), mode, inner);
    else if (extra === undefined && !lines.length) index = 'unknown';
    if (index && !lines.length) return `{ [key: string]: ${index} }`;
    const body = `{\n${lines.join('')}${indent}}`;
    // Declared properties may not fit the index type, so additional properties join by intersection.
    return index && index !== 'unknown' ? `${body} & { [key: string]: ${index} }` : body;
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
    const union = (types: string[], empty: string) => {
      const unique = [...new Set(types)];
      return unique.length ? unique.map((t) => (unique.length > 1 ? wrap(t) : t)).join(' | ') : empty;
    };
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
      resultType: union(success, 'unknown'),
      errorType: union(failure, 'unknown'),
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

function schemaDoc(schema: JsonObject): string {
  const lines: string[] = [];
  if (typeof schema.title === 'string' && schema.title !== schema.description) lines.push(schema.title);
  if (typeof schema.description === 'string') lines.push(schema.description);
  if (typeof schema.format === 'string') lines.push(`Format: ${schema.format}`);
  if (schema.deprecated === true) lines.push('@deprecated');
  return lines.join('\n\n');
}

function literal(value: Json): string {
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return 'unknown';
}

/** Parenthesises unions, intersections and function-like types before `[]`, `&` or `|`. */
function wrap(type: string): string {
  let depth = 0;
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (c === '/' && type[i + 1] === '*') {
      // Skip doc comments: their text is the document's, braces and quotes included.
      const end = type.indexOf('*/', i + 2);
      i = end === -1 ? type.length : end + 1;
    } else if (c === '{' || c === '(' || c === '[' || c === '<') depth++;
    else if (c === '}' || c === ')' || c === ']' || c === '>') depth--;
    else if (c === '"') {
      // Skip string literals (JSON-escaped).
      for (i++; i < type.length && type[i] !== '"'; i++) if (type[i] === '\\') i++;
    } else if (depth === 0 && (c === '|' || c === '&')) return `(${type})`;
  }
  return type;
}
