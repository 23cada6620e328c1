// JSON Schema (the subset the AsyncAPI reader accepts) -> TypeScript type text.
// Kept small and explicit rather than pulling json-schema-to-typescript (and prettier) into the tool:
// the output must sit inside our own files, use our naming, and escape contract text our way.
import { jsDoc, stringLiteral } from '../../util/text.js';
import { propertyKey } from '../../util/names.js';
import type { JsonSchema } from '../../contracts/asyncapi.js';

export type RefName = (defName: string) => string;

function literal(value: unknown): string {
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  return 'unknown';
}

function union(parts: string[]): string {
  const unique = [...new Set(parts)];
  if (unique.length === 0) return 'never';
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 1 ? unique[0]! : unique.map((p) => (p.includes('=>') ? `(${p})` : p)).join(' | ');
}

export function schemaToTs(schema: unknown, refName: RefName, indent = ''): string {
  if (schema === true || schema === undefined) return 'unknown';
  if (schema === false) return 'never';
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 'unknown';
  const s = schema as JsonSchema;
  if (typeof s.$ref === 'string') return refName(decodeURIComponent(s.$ref.replace(/^#\/\$defs\//, '')).replace(/~1/g, '/').replace(/~0/g, '~'));
  if ('const' in s) return literal(s.const);
  if (Array.isArray(s.enum)) return union(s.enum.map(literal));
  const variants = (Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined) as unknown[] | undefined;
  if (variants) {
    const alternatives = union(variants.map((v) => wrap(schemaToTs(v, refName, indent))));
    // Properties beside oneOf/anyOf (the discriminator the reader adds, at least) hold for every variant.
    return s.properties ? `${objectType(s, refName, indent)} & ${wrap(alternatives)}` : alternatives;
  }
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((v) => wrap(schemaToTs(v, refName, indent)));
    if (s.properties) parts.push(objectType(s, refName, indent));
    return parts.join(' & ');
  }
  const types = Array.isArray(s.type) ? (s.type as unknown[]) : s.type === undefined ? [] : [s.type];
  if (types.length === 0) {
    if (s.properties || s.additionalProperties !== undefined || s.required) return objectType(s, refName, indent);
    if (s.items) return arrayType(s, refName, indent);
    return 'unknown';
  }
  return union(
    types.map((t) => {
      switch (t) {
        case 'string':
          return 'string';
        case 'number':
        case 'integer':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array':
          return arrayType(s, refName, indent);
        case 'object':
          return objectType(s, refName, indent);
        default:
          return 'unknown';
      }
    }),
  );
}

function wrap(type: string): string {
  return type.includes(' | ') || type.includes(' & ') ? `(${type})` : type;
}

function arrayType(s: JsonSchema, refName: RefName, indent: string): string {
  const item = schemaToTs(s.items ?? true, refName, indent);
  return /^[\w.]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
}

function objectType(s: JsonSchema, refName: RefName, indent: string): string {
  const properties = (s.properties && typeof s.properties === 'object' ? s.properties : {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(s.required) ? (s.required as unknown[]).map(String) : []);
  const inner = `${indent}  `;
  const lines: string[] = [];
  for (const [name, prop] of Object.entries(properties)) {
    const p = (prop && typeof prop === 'object' ? prop : {}) as JsonSchema;
    const doc = [p.title, p.description].filter((t): t is string => typeof t === 'string').join('\n\n');
    // Optional properties also take an explicit undefined (exactOptionalPropertyTypes); JSON drops it.
    const type = schemaToTs(prop, refName, inner);
    lines.push(`${jsDoc(doc, inner)}${inner}${propertyKey(name)}${required.has(name) ? `: ${type}` : `?: ${union([type, 'undefined'])}`};`);
  }
  const additional = s.additionalProperties;
  if (additional && typeof additional === 'object') {
    const valueType = schemaToTs(additional, refName, inner);
    if (lines.length === 0) return `Record<string, ${valueType}>`;
    lines.push(`${inner}[key: string]: unknown;`);
  }
  if (lines.length === 0) return 'Record<string, unknown>';
  return `{\n${lines.join('\n')}\n${indent}}`;
}
