// Request validators of a REST server as Ajv standalone code, compiled here at generation time: the
// generated project validates with plain functions and does not depend on Ajv. Every file of the
// document is added to Ajv under its own base URI, so `$ref`s inside it (and to sibling files) resolve
// as they do in the document; each validator only refers to a schema by its JSON pointer.
// Two modules: parameters arrive as strings and are coerced (`"10"` -> 10, `"a"` -> ["a"]); bodies
// are JSON and are not.
import AjvModule from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { ContractError } from '../../errors.js';
import { type Json, type JsonObject, type Loc, type OpenApiDocuments, isObject } from '../../contracts/openapi.js';
import { selfContainedValidators } from '../../codegen/ajv-standalone.js';
import { READ_ONLY, accessFlags } from './access.js';
import type { OperationModel } from './operations.js';

// ajv ships CommonJS: under NodeNext the default import is module.exports, which carries `.default`.
const AjvClass = AjvModule.default;
const standaloneCode = standaloneModule.default;

const BASE = 'https://contract.invalid/';

/** `validateGetPetParams`: named by the operation (its type names are unique in a link), as users read them. */
export const paramsValidatorName = (op: OperationModel): string => `validate${op.typeBase}Params`;
export const bodyValidatorName = (op: OperationModel): string => `validate${op.typeBase}Body`;

function refOf(loc: Loc): string {
  const pointer = loc.path.map((p) => `/${encodeURIComponent(String(p).replace(/~/g, '~0').replace(/\//g, '~1'))}`);
  return `${BASE}${encodeURI(loc.file)}#${pointer.join('')}`;
}

function newAjv(docs: OpenApiDocuments, coerce: boolean) {
  const ajv = new AjvClass({
    code: { source: true, esm: true, lines: true },
    // OpenAPI adds keywords (example, xml, discriminator...) that Ajv should ignore; `nullable` it knows.
    strict: false,
    validateSchema: false,
    allErrors: false,
    validateFormats: false,
    ...(coerce ? { coerceTypes: 'array' as const } : {}),
  });
  for (const { file, root } of docs.documents())
    ajv.addSchema((coerce ? root : requestView(docs, file, root, [])) as object, `${BASE}${encodeURI(file)}`);
  return ajv;
}

/**
 * The document as request bodies see it: a `readOnly` property (on the property or on the schema its
 * `$ref` points to, as the client's Input type reads it) is not required in a request (OpenAPI:
 * `required` applies to it in responses only), so a schema shared by POST and GET (`id` readOnly and
 * required) accepts a body without it. `path` is where `value` sits in `file` (a stack, copied only
 * when a `$ref` is followed).
 */
function requestView(docs: OpenApiDocuments, file: string, value: Json, path: (string | number)[]): Json {
  const child = (key: string | number, node: Json): Json => {
    path.push(key);
    const out = requestView(docs, file, node, path);
    path.pop();
    return out;
  };
  if (Array.isArray(value)) return value.map((node, i) => child(i, node));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, node] of Object.entries(value)) out[key] = child(key, node);
  const properties = value.properties;
  if (Array.isArray(value.required) && isObject(properties))
    out.required = value.required.filter((name) => {
      if (typeof name !== 'string' || !Object.hasOwn(properties, name)) return true;
      const at = { file, path: [...path, 'properties', name] };
      return !(accessFlags(docs, properties[name], at) & READ_ONLY);
    });
  return out;
}

/** Which operations got a params and a body validator, and the two modules' text. */
export interface RequestValidators {
  params: Set<OperationModel>;
  bodies: Set<OperationModel>;
  paramsSource: string;
  bodiesSource: string;
}

export function requestValidators(docs: OpenApiDocuments, operations: OperationModel[]): RequestValidators {
  const file = docs.entry.file;
  const fail = (detail: string): never => {
    throw new ContractError(file, detail);
  };
  const paramsAjv = newAjv(docs, true);
  const bodiesAjv = newAjv(docs, false);
  const paramExports: Record<string, string> = {};
  const bodyExports: Record<string, string> = {};
  const params = new Set<OperationModel>();
  const bodies = new Set<OperationModel>();
  for (const op of operations) {
    const id = `urn:create-service-link:operation:${op.typeBase}`;
    if (op.params.length) {
      const properties = Object.fromEntries(
        op.params.map((p) => [p.key, p.schemaLoc ? { $ref: refOf(p.schemaLoc) } : {}]),
      );
      const required = op.params.filter((p) => p.required).map((p) => p.key);
      compile(paramsAjv, { $id: `${id}:params`, type: 'object', properties, required }, op, fail);
      paramExports[paramsValidatorName(op)] = `${id}:params`;
      params.add(op);
    }
    if (op.body?.schemaLoc && /json/i.test(op.body.mediaType)) {
      compile(bodiesAjv, { $id: `${id}:body`, $ref: refOf(op.body.schemaLoc) }, op, fail);
      bodyExports[bodyValidatorName(op)] = `${id}:body`;
      bodies.add(op);
    }
  }
  const module = (ajv: InstanceType<typeof AjvClass>, exports: Record<string, string>, what: string): string =>
    selfContainedValidators(
      Object.keys(exports).length ? standaloneCode(ajv, exports) : 'export {};\n',
      `router.ts gives it its types (${what}).`,
      fail,
    );
  return {
    params,
    bodies,
    paramsSource: module(paramsAjv, paramExports, 'parameters, coerced from strings'),
    bodiesSource: module(bodiesAjv, bodyExports, 'JSON request bodies'),
  };
}

function compile(
  ajv: InstanceType<typeof AjvClass>,
  schema: { $id: string } & Record<string, unknown>,
  op: OperationModel,
  fail: (detail: string) => never,
): void {
  try {
    ajv.addSchema(schema);
    ajv.getSchema(schema.$id);
  } catch (error) {
    fail(`the schemas of ${op.httpMethod} ${op.path} are not valid JSON Schema: ${(error as Error).message}`);
  }
}
