// The REST side of a bench starts from an OpenAPI operation: its JSON response (or request) schema is
// turned into an equivalent proto3 message, so gRPC can carry the very same data.
import { readFile } from 'node:fs/promises';
import { ContractError, UsageError } from '../errors.js';
import { pascalCase, safeIdentifier } from '../util/names.js';

type Schema = Record<string, unknown>;

export async function protoFromOpenApi(
  file: string,
  operationId: string | undefined,
): Promise<{ proto: string; message: string; label: string }> {
  const { parse } = await import('yaml');
  let doc: Schema;
  try {
    doc = parse(await readFile(file, 'utf8')) as Schema;
  } catch (error) {
    throw new ContractError(file, (error as Error).message.split('\n')[0]!);
  }
  const resolve = (s: unknown, depth = 0): Schema => {
    let schema = (s ?? {}) as Schema;
    while (typeof schema.$ref === 'string' && depth++ < 32) {
      const ref = schema.$ref;
      if (!ref.startsWith('#/')) throw new UsageError(`${file}: bench follows only local $refs (${ref})`);
      schema = ref
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (node, key) => (node as Schema | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
          doc,
        ) as Schema;
      if (!schema) throw new ContractError(file, `dangling $ref ${ref}`);
    }
    return schema;
  };

  const operations: { id: string; op: Schema }[] = [];
  for (const [p, item] of Object.entries((doc.paths ?? {}) as Record<string, Schema>)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item?.[method] as Schema | undefined;
      if (op) operations.push({ id: String(op.operationId ?? `${method} ${p}`), op });
    }
  }
  const jsonSchemaOf = (content: unknown) =>
    ((content as Schema | undefined)?.['application/json'] as Schema | undefined)?.schema;
  const pick = (op: Schema) => {
    const responses = (op.responses ?? {}) as Record<string, unknown>;
    for (const code of ['200', '201', '202']) {
      const s = jsonSchemaOf(resolve(responses[code]).content);
      if (s) return s;
    }
    return jsonSchemaOf(resolve(op.requestBody).content);
  };
  const chosen = operationId ? operations.find((o) => o.id === operationId) : operations.find((o) => pick(o.op));
  if (!chosen) {
    throw new UsageError(
      operationId
        ? `${file}: no operation "${operationId}" (have: ${operations.map((o) => o.id).join(', ')})`
        : `${file}: no operation with a JSON body to measure; pass --operation`,
    );
  }
  const root = pick(chosen.op);
  if (!root) throw new UsageError(`${file}: operation ${chosen.id} has no JSON response or request body to measure`);

  const messages = new Map<string, string>();
  const nameOf = (s: unknown, fallback: string) => {
    const ref = (s as Schema | undefined)?.$ref;
    return typeof ref === 'string' ? pascalCase(ref.split('/').pop()!) || fallback : fallback;
  };
  const fieldType = (s: unknown, hint: string): { type: string; repeated?: boolean } => {
    const schema = resolve(s);
    const variants = (schema.allOf ?? schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
    if (variants?.length && !schema.properties) {
      if (schema.allOf)
        return {
          type: message(
            { type: 'object', properties: Object.assign({}, ...variants.map((v) => resolve(v).properties ?? {})) },
            nameOf(s, hint),
          ),
        };
      return fieldType(variants[0], hint);
    }
    let t = schema.type;
    if (Array.isArray(t)) t = t.find((x) => x !== 'null');
    if (t === 'array') {
      const inner = fieldType(schema.items, `${hint}Item`);
      return inner.repeated ? { type: 'string', repeated: true } : { type: inner.type, repeated: true };
    }
    if (t === 'object' || schema.properties) {
      const extra = schema.additionalProperties;
      if (!schema.properties && extra && typeof extra === 'object') {
        const inner = fieldType(extra, `${hint}Value`);
        return { type: inner.repeated ? 'map<string, string>' : `map<string, ${inner.type}>` };
      }
      return { type: message(schema, nameOf(s, hint)) };
    }
    if (t === 'integer') return { type: schema.format === 'int32' ? 'int32' : 'int64' };
    if (t === 'number') return { type: 'double' };
    if (t === 'boolean') return { type: 'bool' };
    return { type: 'string' };
  };
  const message = (schema: Schema, name: string): string => {
    if (messages.has(name)) return name;
    messages.set(name, '');
    const lines: string[] = [];
    let n = 1;
    for (const [prop, propSchema] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
      const f = fieldType(propSchema, `${name}${pascalCase(prop)}`);
      const field = safeIdentifier(prop.replace(/[^A-Za-z0-9_]/g, '_'));
      lines.push(`  ${f.repeated ? 'repeated ' : ''}${f.type} ${field} = ${n++};`);
    }
    messages.set(name, `message ${name} {\n${lines.join('\n')}\n}`);
    return name;
  };
  const top = fieldType(root, `${pascalCase(chosen.id)}Body`);
  let messageName = top.type;
  if (top.repeated || top.type.startsWith('map<') || !messages.has(top.type)) {
    messageName = `${pascalCase(chosen.id)}Payload`;
    messages.set(
      messageName,
      `message ${messageName} {\n  ${top.repeated ? 'repeated ' : ''}${top.type} value = 1;\n}`,
    );
  }
  const proto = ['syntax = "proto3";', 'package csl.bench.api;', '', ...messages.values()].join('\n\n') + '\n';
  return { proto, message: `csl.bench.api.${messageName}`, label: `${chosen.id} (${file})` };
}
