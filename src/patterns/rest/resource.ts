// `--resource users:id=string,email=string` -> an OpenAPI 3.1 document with list/get/create/update/delete.
// Written as text (no YAML library) because it runs in the light spec; every name is validated first and
// every string is emitted JSON-quoted, which YAML reads as a double-quoted scalar.
import { UsageError } from '../../errors.js';
import { pascalCase, camelCase } from '../../util/names.js';

export interface ResourceField {
  name: string;
  type: string;
  array: boolean;
  optional: boolean;
}

export interface Resource {
  /** Collection name as written, e.g. "users" (the path segment). */
  name: string;
  /** Schema name, e.g. "User". */
  schema: string;
  /** The singular noun for prose, e.g. "user", "order item". */
  noun: string;
  fields: ResourceField[];
}

const FIELD_TYPES: Record<string, string> = {
  string: 'type: string',
  number: 'type: number',
  integer: 'type: integer',
  boolean: 'type: boolean',
  date: 'type: string\nformat: date',
  datetime: 'type: string\nformat: date-time',
  'date-time': 'type: string\nformat: date-time',
  email: 'type: string\nformat: email',
  uuid: 'type: string\nformat: uuid',
};

export const RESOURCE_EXAMPLE = 'users:id=string,email=string,name=string';

export function parseResource(text: string): Resource {
  const usage = (why: string) =>
    new UsageError(
      `--resource "${text}": ${why}\n  expected NAME:FIELD=TYPE,... e.g. --resource "${RESOURCE_EXAMPLE}"`,
    );
  const colon = text.indexOf(':');
  const name = (colon === -1 ? text : text.slice(0, colon)).trim();
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name))
    throw usage('the resource name must be lower-case kebab-case (e.g. "users")');
  const fields: ResourceField[] = [];
  const spec = colon === -1 ? 'id=string' : text.slice(colon + 1);
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(\?)?=([a-z-]+)(\[\])?$/.exec(part);
    if (!m) throw usage(`"${part}" is not FIELD=TYPE`);
    if (!FIELD_TYPES[m[3]!])
      throw usage(`unknown type "${m[3]}" (use ${Object.keys(FIELD_TYPES).join(', ')}, optionally with [])`);
    if (fields.some((f) => f.name === m[1])) throw usage(`field "${m[1]}" is listed twice`);
    fields.push({ name: m[1]!, optional: !!m[2], type: m[3]!, array: !!m[4] });
  }
  if (!fields.some((f) => f.name === 'id'))
    fields.unshift({ name: 'id', type: 'string', array: false, optional: false });
  const noun = singular(name).replace(/-/g, ' ');
  return { name, schema: pascalCase(singular(name)) || 'Item', noun: noun || 'item', fields };
}

/** "a user", "an invoice", "an hour", "a unit": the article by sound, for the common cases. */
export function withArticle(noun: string): string {
  const w = noun.toLowerCase();
  const an =
    /^(hour|honest|honou?r|heir)/.test(w) ||
    (/^[aeio]/.test(w) && !/^(eu|ewe|one|once)/.test(w)) ||
    (/^u/.test(w) && !/^(u[^aeiou][aeiou]|uni|uu|url)/.test(w));
  return `${an ? 'an' : 'a'} ${noun}`;
}

function singular(word: string): string {
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y';
  if (/(s|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/[^s]s$/.test(word)) return word.slice(0, -1);
  return word;
}

const q = (s: string) => JSON.stringify(s);

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

function fieldSchema(field: ResourceField): string {
  const base = FIELD_TYPES[field.type]!;
  return field.array ? `type: array\nitems:\n${indent(base, '  ')}` : base;
}

export function resourceDocument(linkName: string, resources: Resource[], auth: 'bearer' | 'none'): string {
  // Not `Error`: a type of that name would shadow the global Error in the generated types.
  const schemaNames = new Set(['ErrorBody']);
  for (const r of resources) {
    if (schemaNames.has(r.schema)) r.schema = `${r.schema}Resource`;
    schemaNames.add(r.schema);
  }
  const paths: string[] = [];
  const schemas: string[] = [];
  for (const r of resources) {
    const ref = q(`#/components/schemas/${r.schema}`);
    const pageRef = q(`#/components/schemas/${r.schema}Page`);
    const plural = pascalCase(r.name);
    const id = r.fields.find((f) => f.name === 'id')!;
    const json = (schemaRef: string) => `content:\n  application/json:\n    schema:\n      $ref: ${schemaRef}`;
    const errorResponse = `default:\n  $ref: "#/components/responses/Error"`;
    paths.push(
      `/${r.name}:\n` +
        indent(
          `get:\n` +
            `  operationId: ${q(camelCase(`list ${plural}`))}\n` +
            `  summary: ${q(`List ${r.name}`)}\n` +
            `  parameters:\n` +
            `    - name: limit\n      in: query\n      description: "Maximum number of items to return."\n      schema:\n        type: integer\n        minimum: 1\n        maximum: 100\n` +
            `    - name: cursor\n      in: query\n      description: "Opaque cursor from the previous page's nextCursor."\n      schema:\n        type: string\n` +
            `  responses:\n` +
            `    "200":\n      description: ${q(`A page of ${r.name}`)}\n${indent(json(pageRef), '      ')}\n` +
            indent(errorResponse, '    ') +
            `\npost:\n` +
            `  operationId: ${q(camelCase(`create ${r.schema}`))}\n` +
            `  summary: ${q(`Create ${withArticle(r.noun)}`)}\n` +
            `  requestBody:\n    required: true\n${indent(json(ref), '    ')}\n` +
            `  responses:\n` +
            `    "201":\n      description: ${q(`The created ${r.noun}`)}\n${indent(json(ref), '      ')}\n` +
            indent(errorResponse, '    '),
          '  ',
        ) +
        `\n/${r.name}/{id}:\n` +
        indent(
          `parameters:\n  - name: id\n    in: path\n    required: true\n    schema:\n${indent(fieldSchema(id), '      ')}\n` +
            `get:\n` +
            `  operationId: ${q(camelCase(`get ${r.schema}`))}\n` +
            `  summary: ${q(`Get ${withArticle(r.noun)} by id`)}\n` +
            `  responses:\n` +
            `    "200":\n      description: ${q(`The ${r.noun}`)}\n${indent(json(ref), '      ')}\n` +
            indent(errorResponse, '    ') +
            `\nput:\n` +
            `  operationId: ${q(camelCase(`update ${r.schema}`))}\n` +
            `  summary: ${q(`Replace ${withArticle(r.noun)}`)}\n` +
            `  requestBody:\n    required: true\n${indent(json(ref), '    ')}\n` +
            `  responses:\n` +
            `    "200":\n      description: ${q(`The updated ${r.noun}`)}\n${indent(json(ref), '      ')}\n` +
            indent(errorResponse, '    ') +
            `\ndelete:\n` +
            `  operationId: ${q(camelCase(`delete ${r.schema}`))}\n` +
            `  summary: ${q(`Delete ${withArticle(r.noun)}`)}\n` +
            `  responses:\n` +
            `    "204":\n      description: "Deleted"\n` +
            indent(errorResponse, '    '),
          '  ',
        ),
    );
    const required = r.fields.filter((f) => !f.optional).map((f) => q(f.name));
    const props = r.fields
      .map((f) => `${f.name}:\n${indent(fieldSchema(f) + (f.name === 'id' ? '\nreadOnly: true' : ''), '  ')}`)
      .join('\n');
    schemas.push(
      `${r.schema}:\n  type: object\n  required: [${required.join(', ')}]\n  properties:\n${indent(props, '    ')}`,
      `${r.schema}Page:\n  type: object\n  required: [items]\n  properties:\n    items:\n      type: array\n      items:\n        $ref: ${ref}\n` +
        `    nextCursor:\n      type: string\n      description: "Cursor of the next page; absent on the last page."`,
    );
  }
  schemas.push(
    `ErrorBody:\n  type: object\n  description: "The error body every operation returns on failure."\n  required: [code, message]\n  properties:\n` +
      `    code:\n      type: string\n      description: "Stable, machine-readable error code, e.g. not_found."\n` +
      `    message:\n      type: string\n      description: "Human-readable message."\n` +
      `    requestId:\n      type: string\n      description: "X-Request-ID of the failed request."`,
  );
  const security = auth === 'bearer' ? `security:\n  - bearerAuth: []\n` : '';
  const securitySchemes =
    auth === 'bearer' ? `  securitySchemes:\n    bearerAuth:\n      type: http\n      scheme: bearer\n` : '';
  return (
    `# OpenAPI contract of the "${linkName}" link. You own this file: edit it, then run\n` +
    `#   npx create-service-link generate\n` +
    `# to regenerate the typed client.\n` +
    `openapi: 3.1.0\n` +
    `info:\n  title: ${q(`${linkName} service`)}\n  version: "1.0.0"\n` +
    security +
    `paths:\n${indent(paths.join('\n'), '  ')}\n` +
    `components:\n  schemas:\n${indent(schemas.join('\n'), '    ')}\n` +
    `  responses:\n    Error:\n      description: "Error"\n      content:\n        application/json:\n          schema:\n            $ref: "#/components/schemas/ErrorBody"\n` +
    securitySchemes
  );
}
