// JSON Schema -> TypeScript type text, shared by the REST pattern (OpenAPI 3.0/3.1 schemas) and the queue
// pattern (AsyncAPI payloads), so both follow one set of rules for unions, intersections and brackets.
// What differs by contract comes in as options: how a `$ref` becomes a name, read/write views, OpenAPI's
// `nullable`, 2020-12 tuples, and how an optional property is written.
// Kept small and explicit rather than pulling json-schema-to-typescript (and prettier) into the tool: the
// output must sit inside our own files, use our naming, and escape contract text our way.
import { propertyKey } from '../util/names.js';
import { jsDoc, stringLiteral } from '../util/text.js';

/** Where a schema lives: the file and the JSON path inside it (the shape of OpenAPI's `Loc`). */
export interface SchemaLoc {
  file: string;
  path: (string | number)[];
}

export type SchemaObject = Record<string, unknown>;

export interface SchemaTypeOptions {
  /** The type a `$ref` stands for (a named type); sibling keywords other than `nullable` are ignored. */
  ref(ref: string, at: SchemaLoc): string;
  /** A schema the emitter cannot read: throws (REST stops at its file:line) or returns the type to use. */
  invalid(at: SchemaLoc, message: string, hint?: string): string;
  /**
   * How an optional property is written: `?: T` (as openapi-typescript does), or `?: T | undefined` so
   * that code built with exactOptionalPropertyTypes can pass an explicit undefined (JSON drops it).
   */
  optional: 'plain' | 'or-undefined';
  /** OpenAPI 3.0's `nullable: true` adds `| null` (plain JSON Schema has no such keyword). */
  nullable?: boolean;
  /** 2020-12 `prefixItems` give a tuple (draft-07 validators ignore the keyword, so their types must too). */
  prefixItems?: boolean;
  /** How a declared property appears in this view: left out, `readonly` or plain (REST's read/write views). */
  property?(prop: unknown, at: SchemaLoc): 'omit' | 'readonly' | 'plain';
  /** For a oneOf/anyOf member: the property and values its discriminator pins it to, if any. */
  discriminator?(
    parent: SchemaObject,
    member: unknown,
    at: SchemaLoc,
  ): { property: string; values: string[] } | undefined;
}

const KNOWN_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);
const UNIONS = ['oneOf', 'anyOf'] as const;

export function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Called for every schema node of a large document: one or two segments, no rest parameters.
function child(at: SchemaLoc, key: string, index?: string | number): SchemaLoc {
  return { file: at.file, path: index === undefined ? [...at.path, key] : [...at.path, key, index] };
}

export class SchemaTypes {
  constructor(private readonly options: SchemaTypeOptions) {}

  /** TypeScript type for a schema. `indent` is the indentation of the line the type starts on. */
  type(schema: unknown, at: SchemaLoc, indent = ''): string {
    if (schema === true) return 'unknown';
    if (schema === false) return 'never';
    if (!isSchemaObject(schema)) return this.options.invalid(at, 'a schema must be an object');
    const nullable = this.options.nullable === true && schema.nullable === true;
    if (typeof schema.$ref === 'string') {
      const name = this.options.ref(schema.$ref, at);
      return nullable ? orNull(name) : name;
    }
    const type = this.baseType(schema, at, indent);
    return nullable && type !== 'unknown' ? orNull(type) : type;
  }

  private baseType(schema: SchemaObject, at: SchemaLoc, indent: string): string {
    if (schema.const !== undefined) return literal(schema.const);
    if (Array.isArray(schema.enum)) return this.enumType(schema.enum, schema);
    const parts: string[] = [];
    for (const combinator of UNIONS) {
      const list = schema[combinator];
      if (list === undefined) continue;
      if (!Array.isArray(list))
        parts.push(this.options.invalid(child(at, combinator), `${combinator} must be a list of schemas`));
      else
        parts.push(
          unionOf(
            list.map((member, i) => this.unionMember(schema, member, child(at, combinator, i), indent)),
            'never',
          ),
        );
    }
    if (schema.allOf !== undefined) {
      if (!Array.isArray(schema.allOf))
        parts.push(this.options.invalid(child(at, 'allOf'), 'allOf must be a list of schemas'));
      else if (schema.allOf.length)
        parts.push(intersectionOf(schema.allOf.map((member, i) => this.type(member, child(at, 'allOf', i), indent))));
    }
    const own = this.ownType(schema, at, indent, parts.length > 0);
    if (own) parts.push(own);
    if (!parts.length) return 'unknown';
    return parts.length === 1 ? parts[0]! : intersectionOf(parts);
  }

  private enumType(values: unknown[], schema: SchemaObject): string {
    const literals = values.map(literal);
    if (this.options.nullable === true && schema.nullable === true) literals.push('null');
    return unionOf(literals, 'never');
  }

  /** A oneOf/anyOf member, pinned to its discriminator value(s) when the parent declares one. */
  private unionMember(parent: SchemaObject, member: unknown, at: SchemaLoc, indent: string): string {
    const type = this.type(member, at, indent);
    const pin = this.options.discriminator?.(parent, member, at);
    if (!pin) return type;
    const values = `{ ${propertyKey(pin.property)}: ${pin.values.map(stringLiteral).join(' | ')} }`;
    // A nullable member stays nullable: null carries no discriminator property to pin.
    const nullable = this.options.nullable === true && isSchemaObject(member) && member.nullable === true;
    if (!nullable) return `(${intersectionOf([type, values])})`;
    return `(${intersectionOf([type.replace(/ \| null$/, ''), values])}) | null`;
  }

  /** The schema's own `type`/`properties`/`items`, or '' when it has none (a pure combinator). */
  private ownType(schema: SchemaObject, at: SchemaLoc, indent: string, hasCombinators: boolean): string {
    const types = this.declaredTypes(schema, at);
    if (typeof types === 'string') return types;
    // Under allOf/oneOf, a bare `type: object` without properties adds nothing.
    if (
      hasCombinators &&
      types.length === 1 &&
      types[0] === 'object' &&
      !isSchemaObject(schema.properties) &&
      schema.additionalProperties === undefined
    )
      return '';
    // One type is the common case on large documents: no list to build.
    if (types.length === 1) return this.typeOf(types[0]!, schema, at, indent);
    return unionOf(
      types.map((t) => this.typeOf(t, schema, at, indent)),
      '',
    );
  }

  /** The names in `type` (or implied by properties/items), or a type text: '' for none, a fallback when invalid. */
  private declaredTypes(schema: SchemaObject, at: SchemaLoc): string[] | string {
    if (schema.type === undefined) {
      // `required` alone implies an object too: `allOf: [A, { required: [b] }]` makes A's `b` required.
      const required = Array.isArray(schema.required) && schema.required.length > 0;
      if (isSchemaObject(schema.properties) || schema.additionalProperties !== undefined || required) return ['object'];
      return schema.items !== undefined ? ['array'] : '';
    }
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!Array.isArray(types) || !types.every((t): t is string => typeof t === 'string'))
      return this.options.invalid(child(at, 'type'), 'a schema "type" must be a string or a list of strings');
    const unknown = types.find((t) => !KNOWN_TYPES.has(t));
    if (unknown !== undefined)
      return this.options.invalid(
        child(at, 'type'),
        `unknown type "${unknown}"`,
        'use one of string, number, integer, boolean, array, object, null',
      );
    return types;
  }

  private typeOf(name: string, schema: SchemaObject, at: SchemaLoc, indent: string): string {
    switch (name) {
      case 'integer':
        return 'number';
      case 'array':
        return this.arrayType(schema, at, indent);
      case 'object':
        return this.objectType(schema, at, indent);
      default:
        return name;
    }
  }

  private arrayType(schema: SchemaObject, at: SchemaLoc, indent: string): string {
    if (this.options.prefixItems === true && Array.isArray(schema.prefixItems)) {
      const items = schema.prefixItems.map((s, i) => this.type(s, child(at, 'prefixItems', i), indent));
      return `[${items.join(', ')}]`;
    }
    if (schema.items === undefined) return 'unknown[]';
    return arrayOf(this.type(schema.items, child(at, 'items'), indent));
  }

  private objectType(schema: SchemaObject, at: SchemaLoc, indent: string): string {
    if (schema.properties !== undefined && !isSchemaObject(schema.properties))
      return this.options.invalid(child(at, 'properties'), 'properties must be an object');
    const inner = `${indent}  `;
    const types: string[] = [];
    const declared = this.propertyLines(schema, at, inner, types);
    const index = this.indexType(schema, at, inner, types.length > 0);
    const requiredOnly = this.requiredOnlyLines(schema, inner);
    types.push(...requiredOnly.map(() => 'unknown'));
    const body = [...declared, ...requiredOnly].join('');
    // Without properties: only the index signature (`never` when no key is allowed: `{}` would take
    // any value but null and undefined).
    if (!types.length) return `{ [key: string]: ${index ?? 'never'} }`;
    if (!index || index === 'unknown') return `{\n${body}${indent}}`;
    // An index signature in an intersection applies to the declared properties too, so it may only keep
    // its type when every declared property fits it; otherwise TypeScript would refuse values the schema
    // accepts, and extra keys are typed `unknown` instead.
    if (types.every((t) => fitsIndex(t, index))) return `{\n${body}${indent}} & { [key: string]: ${index} }`;
    return `{\n${body}${inner}[key: string]: unknown;\n${indent}}`;
  }

  /** The lines of the declared properties (with their docs); `types` receives the type written for each. */
  private propertyLines(schema: SchemaObject, at: SchemaLoc, inner: string, types: string[]): string[] {
    const required = new Set(
      Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [],
    );
    const lines: string[] = [];
    for (const [name, prop] of Object.entries(isSchemaObject(schema.properties) ? schema.properties : {})) {
      const propAt = child(at, 'properties', name);
      const view = this.options.property?.(prop, propAt) ?? 'plain';
      if (view === 'omit') continue;
      const doc = isSchemaObject(prop) ? schemaDoc(prop) : '';
      let type = this.type(prop, propAt, inner);
      let key = propertyKey(name);
      if (!required.has(name)) {
        key += '?';
        if (this.options.optional === 'or-undefined') type = orUndefined(type);
      }
      types.push(type);
      lines.push(`${jsDoc(doc, inner)}${inner}${view === 'readonly' ? 'readonly ' : ''}${key}: ${type};\n`);
    }
    return lines;
  }

  /**
   * A required name the schema does not define (Spotify's `required: [uris]` next to `ids`) is still
   * required: typing it `unknown` keeps the type from accepting a body the server refuses.
   */
  private requiredOnlyLines(schema: SchemaObject, inner: string): string[] {
    const declared = isSchemaObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required : [];
    const names = required.filter((r): r is string => typeof r === 'string' && !Object.hasOwn(declared, r));
    return [...new Set(names)].map((name) => `${inner}${propertyKey(name)}: unknown;\n`);
  }

  /** The type of keys beyond the declared ones, or undefined when there are none. */
  private indexType(schema: SchemaObject, at: SchemaLoc, inner: string, hasProperties: boolean): string | undefined {
    const extra = schema.additionalProperties;
    if (extra === true || (isSchemaObject(extra) && !Object.keys(extra).length)) return 'unknown';
    if (isSchemaObject(extra)) return this.type(extra, child(at, 'additionalProperties'), inner);
    return extra === undefined && !hasProperties ? 'unknown' : undefined;
  }
}

/** The doc comment text of a schema: title, description, format, deprecation. */
export function schemaDoc(schema: SchemaObject): string {
  const lines: string[] = [];
  if (typeof schema.title === 'string' && schema.title !== schema.description) lines.push(schema.title);
  if (typeof schema.description === 'string') lines.push(schema.description);
  if (typeof schema.format === 'string') lines.push(`Format: ${schema.format}`);
  if (schema.deprecated === true) lines.push('@deprecated');
  return lines.join('\n\n');
}

/** The literal type of a `const`/`enum` value; objects and arrays are typed `unknown`. */
export function literal(value: unknown): string {
  if (typeof value === 'string') return stringLiteral(value);
  // YAML can write .inf and .nan, which have no literal type.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'number';
  if (typeof value === 'boolean') return String(value);
  return value === null ? 'null' : 'unknown';
}

// Type text rules. A member that is itself a union, an intersection or a function type is bracketed in a
// union or an intersection (needed for the last two, and easier to read for unions) and in an array type
// (`(A | B)[]`). Appending `| undefined` to an optional value flattens instead: `A | B | undefined`.

type Shape = 'plain' | 'union' | 'intersection' | 'function';

/**
 * The operator a type text has at its top level: `|`, `&`, or `=>` (conditional types bind as loosely).
 * `bars`, when given, receives the positions of the top-level `|`s.
 */
function shape(type: string, bars?: number[]): Shape {
  // Most types (names, literals, arrays of them) have no operator at all: one native scan says so.
  if (!/[|&?=]/.test(type)) return 'plain';
  let depth = 0;
  let found: Shape = 'plain';
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (c === '/' && type[i + 1] === '*') {
      // Skip doc comments: their text is the document's, braces and quotes included.
      const end = type.indexOf('*/', i + 2);
      i = end === -1 ? type.length : end + 1;
    } else if (c === "'" || c === '"') {
      // Skip string literals (stringLiteral writes them single-quoted; keys may come either way).
      for (i++; i < type.length && type[i] !== c; i++) if (type[i] === '\\') i++;
    } else if (c === '=' && type[i + 1] === '>') {
      if (depth === 0) return 'function';
      i++;
    } else if (c === '{' || c === '(' || c === '[' || c === '<') depth++;
    else if (c === '}' || c === ')' || c === ']' || c === '>') depth--;
    else if (depth !== 0) continue;
    else if (c === '?') return 'function';
    else if (c === '|') {
      found = 'union';
      bars?.push(i);
    } else if (c === '&' && found === 'plain') found = 'intersection';
  }
  return found;
}

/** The members of a union type text (the type itself when it is no union). */
function unionMembers(type: string): string[] {
  const bars: number[] = [];
  if (shape(type, bars) !== 'union') return [type];
  return [...bars, type.length].map((end, i) => type.slice(i ? bars[i - 1]! + 1 : 0, end).trim());
}

/** Whether every value of type `type` is also one of `index`, judged from the text: conservative. */
function fitsIndex(type: string, index: string): boolean {
  if (type === index) return true;
  const allowed = new Set(unionMembers(index));
  return unionMembers(type).every(
    (m) =>
      allowed.has(m) ||
      ((m.startsWith("'") || m.startsWith('"')) && allowed.has('string')) ||
      (/^-?[0-9]/.test(m) && allowed.has('number')) ||
      ((m === 'true' || m === 'false') && allowed.has('boolean')),
  );
}

/** Brackets a union, intersection or function type so it can stand next to `|`, `&` or `[]`. */
export function group(type: string): string {
  return shape(type) === 'plain' ? type : `(${type})`;
}

/** `A | B` of distinct alternatives; `unknown` swallows the rest, and no alternatives give `empty`. */
export function unionOf(types: string[], empty = 'never'): string {
  if (types.length === 1) return types[0]!;
  const unique = [...new Set(types)];
  if (unique.includes('unknown')) return 'unknown';
  if (unique.length <= 1) return unique[0] ?? empty;
  return unique.map(group).join(' | ');
}

/** `A & B` of every part, in order. */
export function intersectionOf(types: string[]): string {
  return types.map(group).join(' & ');
}

/** `T[]`, bracketing T when it is compound or starts with a type operator (`(keyof X)[]`). */
export function arrayOf(type: string): string {
  return /^(keyof|readonly|unique|infer) /.test(type) ? `(${type})[]` : `${group(type)}[]`;
}

/** `T | null`, unless T already ends in null. */
export function orNull(type: string): string {
  return /(^|\| )null$/.test(type) ? type : `${group(type)} | null`;
}

/** `T | undefined` for an optional value: flat after a union or an intersection, bracketing a function type. */
export function orUndefined(type: string): string {
  if (type === 'unknown' || type === 'undefined' || /(^|\| )undefined$/.test(type)) return type;
  return `${shape(type) === 'function' ? `(${type})` : type} | undefined`;
}
