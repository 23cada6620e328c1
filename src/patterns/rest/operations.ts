// OpenAPI document -> the model of its operations: one method name, parameter list, body, result and
// error type per operation under `paths`. Type texts come from RestSchemas, which names every schema
// they reach; nothing here writes generated code.
import { type OpenApiDocuments, isObject, type Json, type JsonObject, type Loc } from '../../contracts/openapi.js';
import { unionOf } from '../../codegen/schema-ts.js';
import { camelCase, pascalCase } from '../../util/names.js';
import type { RestSchemas } from './schemas.js';
import { type Requirement, type SchemeModel, requirement } from './security.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PARAM_LOCATIONS = ['path', 'query', 'header', 'cookie'] as const;
/** The per-operation types of types.ts: `<typeBase>Params`, `<typeBase>Body`, ... */
export const OPERATION_TYPE_SUFFIXES = ['Params', 'Body', 'Result', 'Error', 'Input', 'Reply'] as const;

export interface ParamModel {
  name: string;
  key: string;
  in: (typeof PARAM_LOCATIONS)[number];
  required: boolean;
  type: string;
  style?: string;
  explode?: boolean;
  doc?: string;
  /** Where its schema is in the document (for the server's validators). */
  schemaLoc?: Loc;
  /** The schema is an array: how the server splits it (repeated, or comma-separated). */
  array?: 'explode' | 'comma';
}

/** One declared response: its status key (`200`, `2XX`, `default`), media type and body type. */
export interface ResponseModel {
  status: string;
  mediaType: string | undefined;
  /** Every media type its `content` declares, in document order (the client's Accept). */
  mediaTypes: string[];
  type: string;
}

export interface OperationModel {
  methodName: string;
  typeBase: string;
  httpMethod: string;
  path: string;
  params: ParamModel[];
  body?: { type: string; required: boolean; mediaType: string; schemaLoc?: Loc };
  /** Every declared response, in document order (the server's reply types). */
  responses: ResponseModel[];
  resultType: string;
  errorType: string;
  doc: string;
  /** The credentials it requires (its own `security`, else the document's); undefined: none. */
  security?: Requirement;
}

interface DeclaredParam {
  name: string;
  in: ParamModel['in'];
  value: JsonObject;
  loc: Loc;
}

function at(loc: Loc, ...path: (string | number)[]): Loc {
  return { file: loc.file, path: [...loc.path, ...path] };
}

/**
 * `schemes` are the document's security schemes (securitySchemes(docs), read once per generate);
 * `warn` hears of input taken with an assumption (a method renamed because its name was taken).
 */
export function collectOperations(
  docs: OpenApiDocuments,
  schemas: RestSchemas,
  schemes: Map<string, SchemeModel>,
  warn: (text: string) => void = () => {},
): OperationModel[] {
  return new OperationReader(docs, schemas, schemes, warn).read();
}

class OperationReader {
  private readonly methodNames = new Set<string>();

  constructor(
    private readonly docs: OpenApiDocuments,
    private readonly schemas: RestSchemas,
    private readonly schemes: Map<string, SchemeModel>,
    private readonly warn: (text: string) => void,
  ) {}

  read(): OperationModel[] {
    const paths = this.docs.root.paths;
    const file = this.docs.entry.file;
    if (paths !== undefined && !isObject(paths)) this.docs.fail({ file, path: ['paths'] }, '"paths" must be an object');
    const operations: OperationModel[] = [];
    for (const [path, rawItem] of Object.entries(isObject(paths) ? paths : {})) {
      const itemRef = this.docs.deref(rawItem, { file, path: ['paths', path] });
      if (!isObject(itemRef.value)) this.docs.fail(itemRef.loc, `path "${path}" must be an object`);
      const item = { value: itemRef.value, loc: itemRef.loc };
      for (const method of METHODS) {
        const op = item.value[method];
        if (op === undefined) continue;
        const opLoc = at(item.loc, method);
        if (!isObject(op)) this.docs.fail(opLoc, `${method.toUpperCase()} ${path} must be an object`);
        operations.push(this.operation(path, method, item, { value: op, loc: opLoc }));
      }
    }
    return operations;
  }

  private operation(
    path: string,
    method: string,
    item: { value: JsonObject; loc: Loc },
    op: { value: JsonObject; loc: Loc },
  ): OperationModel {
    const methodName = this.methodName(path, method, op);
    // Params/Body/Result/Error of an operation must not clash with a schema's name (or another operation's).
    const typeBase = this.schemas.reserve(pascalCase(methodName), OPERATION_TYPE_SUFFIXES);
    const params = this.parameters(path, item, op);
    const body = this.requestBody(op);
    const { success, failure, responses } = this.responses(op);
    const security = requirement(this.docs, this.schemes, op.value.security, at(op.loc, 'security'));
    return {
      ...(security ? { security } : {}),
      methodName,
      typeBase,
      httpMethod: method.toUpperCase(),
      path,
      params,
      body,
      responses,
      resultType: unionOf(success, 'unknown'),
      errorType: unionOf(failure, 'unknown'),
      doc: operationDoc(op.value, method, path, typeBase),
    };
  }

  /** camelCase operationId (or method + path), unique within the client and usable as a method name. */
  private methodName(path: string, method: string, { value: op, loc }: { value: JsonObject; loc: Loc }): string {
    const fallback =
      method +
      path
        .split('/')
        .filter(Boolean)
        .map((seg) => (seg.startsWith('{') ? `By ${seg.slice(1, -1)}` : seg))
        .map(pascalCase)
        .join('');
    let name = camelCase(typeof op.operationId === 'string' ? op.operationId : '') || camelCase(fallback) || method;
    if (/^[0-9]/.test(name)) name = `op${name}`;
    if (name === 'constructor') name = 'constructor_';
    let unique = name;
    for (let n = 2; this.methodNames.has(unique); n++) unique = `${name}${n}`;
    if (unique !== name) {
      const { line } = this.docs.locate(at(loc, 'operationId'));
      this.warn(
        `${loc.file}${line ? `:${line}` : ''}: ${method.toUpperCase()} ${path} would be ${name}, which another operation already is; it is called ${unique}. Give it an operationId of its own`,
      );
    }
    this.methodNames.add(unique);
    return unique;
  }

  private parameters(
    path: string,
    item: { value: JsonObject; loc: Loc },
    op: { value: JsonObject; loc: Loc },
  ): ParamModel[] {
    // Path-level parameters, overridden by operation-level ones with the same name and location.
    const declared = new Map<string, DeclaredParam>();
    this.declare(declared, item.value.parameters, at(item.loc, 'parameters'));
    this.declare(declared, op.value.parameters, at(op.loc, 'parameters'));
    for (const match of path.matchAll(/\{([^}]+)\}/g)) {
      // A path template variable without a declared parameter is still a required string.
      const name = match[1]!;
      const value: JsonObject = { name, in: 'path', required: true, schema: { type: 'string' } };
      if (!declared.has(`path:${name}`)) declared.set(`path:${name}`, { name, in: 'path', value, loc: op.loc });
    }
    const keys = new Set<string>();
    const params: ParamModel[] = [];
    for (const param of declared.values()) {
      if (param.in === 'path' && !path.includes(`{${param.name}}`)) continue;
      // A name used in two locations (a query and a header `id`) gets the location in its key.
      const key = keys.has(param.name) ? `${param.name}_${param.in}` : param.name;
      keys.add(key);
      params.push(this.parameter(param, key));
    }
    return params;
  }

  /** Adds a `parameters` list to the declared parameters, keyed by location and name. */
  private declare(declared: Map<string, DeclaredParam>, list: Json | undefined, listLoc: Loc): void {
    if (list === undefined) return;
    if (!Array.isArray(list)) this.docs.fail(listLoc, 'parameters must be a list');
    list.forEach((raw, i) => {
      const resolved = this.docs.deref(raw, at(listLoc, i));
      const p = resolved.value;
      if (!isObject(p) || typeof p.name !== 'string' || typeof p.in !== 'string')
        this.docs.fail(resolved.loc, 'a parameter needs "name" and "in"');
      const where = PARAM_LOCATIONS.find((l) => l === p.in);
      if (!where) this.docs.fail(at(resolved.loc, 'in'), `unknown parameter location "${p.in}"`);
      declared.set(`${where}:${p.name}`, { name: p.name, in: where, value: p, loc: resolved.loc });
    });
  }

  private parameter(param: DeclaredParam, key: string): ParamModel {
    const p = param.value;
    const schemaLoc = p.schema === undefined ? undefined : at(param.loc, 'schema');
    const schema = schemaLoc ? this.docs.deref(p.schema, schemaLoc).value : undefined;
    const isArray = isObject(schema) && schema.type === 'array';
    const style = typeof p.style === 'string' ? p.style : 'form';
    const explode = typeof p.explode === 'boolean' ? p.explode : style === 'form';
    return {
      ...(schemaLoc ? { schemaLoc } : {}),
      ...(isArray ? { array: param.in === 'query' && explode ? ('explode' as const) : ('comma' as const) } : {}),
      name: param.name,
      key,
      in: param.in,
      required: param.in === 'path' || p.required === true,
      type: this.parameterType(p, param.loc),
      style: typeof p.style === 'string' ? p.style : undefined,
      explode: typeof p.explode === 'boolean' ? p.explode : undefined,
      doc: typeof p.description === 'string' ? p.description : undefined,
    };
  }

  /** The parameter's `schema`, else the schema of its first `content` media type, else string. */
  private parameterType(p: JsonObject, loc: Loc): string {
    if (p.schema !== undefined) return this.schemas.type(p.schema, at(loc, 'schema'), 'write', '  ');
    if (!isObject(p.content)) return 'string';
    const [mediaType] = Object.keys(p.content);
    const media = mediaType ? p.content[mediaType] : undefined;
    if (!isObject(media) || media.schema === undefined) return 'string';
    return this.schemas.type(media.schema, at(loc, 'content', mediaType!, 'schema'), 'write', '  ');
  }

  private requestBody(op: { value: JsonObject; loc: Loc }): OperationModel['body'] {
    if (op.value.requestBody === undefined) return undefined;
    const resolved = this.docs.deref(op.value.requestBody, at(op.loc, 'requestBody'));
    const rb = resolved.value;
    if (!isObject(rb)) this.docs.fail(resolved.loc, 'requestBody must be an object');
    const content = isObject(rb.content) ? rb.content : {};
    const mediaType = pickMediaType(Object.keys(content));
    if (!mediaType) return undefined;
    const media = content[mediaType];
    const schema = isObject(media) ? media.schema : undefined;
    // JSON and form bodies are typed by their schema; anything else is sent as a string.
    let type = 'string';
    if (/json/i.test(mediaType) || /x-www-form-urlencoded/i.test(mediaType))
      type =
        schema === undefined
          ? 'unknown'
          : this.schemas.type(schema, at(resolved.loc, 'content', mediaType, 'schema'), 'write');
    const schemaLoc = schema === undefined ? undefined : at(resolved.loc, 'content', mediaType, 'schema');
    return { type, required: rb.required === true, mediaType, ...(schemaLoc ? { schemaLoc } : {}) };
  }

  /** Body types of the 2xx responses, and of the others that carry a typed body (ServiceError.body). */
  private responses(op: { value: JsonObject; loc: Loc }): {
    success: string[];
    failure: string[];
    responses: ResponseModel[];
  } {
    const responses = op.value.responses;
    if (responses !== undefined && !isObject(responses))
      this.docs.fail(at(op.loc, 'responses'), 'responses must be an object');
    const success: string[] = [];
    const failure: string[] = [];
    const all: ResponseModel[] = [];
    for (const [status, raw] of Object.entries(isObject(responses) ? responses : {})) {
      const resolved = this.docs.deref(raw, at(op.loc, 'responses', status));
      if (!isObject(resolved.value)) this.docs.fail(resolved.loc, `response "${status}" must be an object`);
      const type = this.responseType(resolved.value, resolved.loc);
      const content = isObject(resolved.value.content) ? resolved.value.content : {};
      all.push({ status, mediaType: pickMediaType(Object.keys(content)), mediaTypes: Object.keys(content), type });
      if (/^2(\d\d|XX)$/i.test(status)) success.push(type);
      else if (type !== 'undefined' && type !== 'string') failure.push(type);
    }
    return { success, failure, responses: all };
  }

  /** `undefined` without content, the schema's type for JSON, string for any other media type. */
  private responseType(response: JsonObject, loc: Loc): string {
    const content = isObject(response.content) ? response.content : {};
    const mediaType = pickMediaType(Object.keys(content));
    if (!mediaType) return 'undefined';
    if (!/json/i.test(mediaType)) return 'string';
    const media = content[mediaType];
    const schema = isObject(media) ? media.schema : undefined;
    return schema === undefined
      ? 'unknown'
      : this.schemas.type(schema, at(loc, 'content', mediaType, 'schema'), 'read');
  }
}

function operationDoc(op: JsonObject, method: string, path: string, typeBase: string): string {
  return [
    typeof op.summary === 'string' ? op.summary : '',
    typeof op.description === 'string' && op.description !== op.summary ? op.description : '',
    `\`${method.toUpperCase()} ${path}\``,
    op.deprecated === true ? '@deprecated' : '',
    `@throws {ServiceError<T.${typeBase}Error>} on a non-2xx status, timeout, abort or network failure`,
  ]
    .filter(Boolean)
    .join('\n\n');
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
