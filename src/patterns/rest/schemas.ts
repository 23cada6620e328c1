// The named types of a REST link's types.ts. Component schemas of the entry document keep their names;
// any other schema a `$ref` reaches is named after its location. A schema that reads differently when
// sent (readOnly/writeOnly properties, here or through refs) also gets an `...Input` type for requests.
// The type text itself comes from the shared JSON Schema emitter, in a read and a write view.
import { type OpenApiDocuments, isObject, type Json, type Loc } from '../../contracts/openapi.js';
import { SchemaTypes, isSchemaObject, schemaDoc, type SchemaObject } from '../../codegen/schema-ts.js';
import { pascalCase } from '../../util/names.js';
import { jsDoc } from '../../util/text.js';
import { READ_ONLY, WRITE_ONLY, accessFlags } from './access.js';

/** Responses are read, request parameters and bodies are written. */
export type Mode = 'read' | 'write';

// Globals and built-in types a schema name must not shadow inside types.ts (and in code that imports its
// names one by one): a schema called `Error` becomes `ErrorSchema`.
const AVOID_TYPE_NAMES = new Set([
  'Array',
  'ReadonlyArray',
  'Record',
  'Promise',
  'Partial',
  'Required',
  'Pick',
  'Omit',
  'Readonly',
  'Exclude',
  'Extract',
  'NonNullable',
  'Awaited',
  'Error',
  'Date',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Object',
  'String',
  'Number',
  'Boolean',
  'Symbol',
  'BigInt',
  'Function',
  'RegExp',
  'JSON',
  'Math',
  'Response',
  'Request',
  'Headers',
  'URL',
  'URLSearchParams',
  'AbortSignal',
  'AbortController',
  'Buffer',
  'Blob',
  'FormData',
  'ReadableStream',
  'Uint8Array',
  'ArrayBuffer',
  'Iterable',
  'Iterator',
  'AsyncIterable',
  'PropertyKey',
]);

interface Pending {
  name: string;
  mode: Mode;
  value: Json;
  loc: Loc;
}

export class RestSchemas {
  private readonly used = new Set<string>();
  private readonly named = new Map<string, string>();
  private readonly writeNamed = new Map<string, string>();
  private readonly needsWriteMemo = new Map<string, boolean>();
  private readonly pending: Pending[] = [];
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

  /** TypeScript type for a schema. `indent` is the indentation of the line the type starts on. */
  type(schema: Json, loc: Loc, mode: Mode, indent = ''): string {
    return this.views[mode].type(schema, loc, indent);
  }

  /** A base name free for every `<base><suffix>` (numbered if needed), reserved so no schema takes one. */
  reserve(base: string, suffixes: readonly string[]): string {
    let candidate = base;
    for (let n = 2; suffixes.some((s) => this.used.has(`${candidate}${s}`)); n++) candidate = `${base}${n}`;
    for (const s of suffixes) this.used.add(`${candidate}${s}`);
    return candidate;
  }

  /** The `export type` declarations of every named schema reached so far, in the order they were named. */
  declarations(): string[] {
    while (this.pending.length) {
      const item = this.pending.shift()!;
      const doc = isObject(item.value) ? schemaDoc(item.value) : '';
      this.emitted.push(`${jsDoc(doc)}export type ${item.name} = ${this.type(item.value, item.loc, item.mode)};\n`);
    }
    return this.emitted;
  }

  private view(mode: Mode): SchemaTypes {
    return new SchemaTypes({
      optional: 'plain',
      nullable: true,
      prefixItems: true,
      invalid: (at, message, hint) => this.docs.fail(at, message, hint),
      ref: (ref, at) => this.refType(ref, at, mode),
      property: (prop, at) => {
        const flags = accessFlags(this.docs, prop, at);
        // Responses never carry writeOnly properties; requests never send readOnly ones.
        if (flags & (mode === 'read' ? WRITE_ONLY : READ_ONLY)) return 'omit';
        return flags & READ_ONLY ? 'readonly' : 'plain';
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
  private discriminatorPin(
    parent: SchemaObject,
    member: unknown,
    at: Loc,
  ): { property: string; values: string[] } | undefined {
    const discriminator = parent.discriminator;
    if (!isSchemaObject(discriminator) || typeof discriminator.propertyName !== 'string') return undefined;
    if (!isSchemaObject(member) || typeof member.$ref !== 'string') return undefined;
    const target = this.docs.resolve(member.$ref, at);
    const values = this.mappedValues(discriminator.mapping, this.key(target.loc));
    if (!values.length) values.push(String(target.loc.path[target.loc.path.length - 1] ?? ''));
    return { property: discriminator.propertyName, values };
  }

  /** The discriminator values whose mapping points at the schema with this key. */
  private mappedValues(mapping: unknown, targetKey: string): string[] {
    const values: string[] = [];
    if (!isSchemaObject(mapping)) return values;
    for (const [value, ref] of Object.entries(mapping)) {
      if (typeof ref !== 'string') continue;
      const mapped = ref.includes('#') || ref.includes('/') ? ref : `#/components/schemas/${ref}`;
      const resolved = this.docs.resolve(mapped, { file: this.docs.entry.file, path: [] });
      if (this.key(resolved.loc) === targetKey) values.push(value);
    }
    return values;
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
      this.pending.push({ name, mode: 'read', value: target.value, loc: target.loc });
    }
    if (mode === 'write' && this.needsWrite(target.value, target.loc)) {
      let writeName = this.writeNamed.get(key);
      if (!writeName) {
        writeName = this.unique(`${name}Input`);
        this.writeNamed.set(key, writeName);
        this.pending.push({ name: writeName, mode: 'write', value: target.value, loc: target.loc });
      }
      return writeName;
    }
    return name;
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
        for (const [i, child] of node.entries())
          stack.push({ value: child, loc: { file: item.loc.file, path: [...item.loc.path, i] } });
      } else if (isObject(node)) {
        if (typeof node.$ref === 'string') {
          const target = this.docs.resolve(node.$ref, item.loc);
          found = this.needsWrite(target.value, target.loc, visiting);
          continue;
        }
        found = this.hasAccessFlags(node, item.loc);
        for (const k of Object.keys(node)) {
          if (k === 'example' || k === 'examples' || k === 'enum' || k === 'const' || k === 'default') continue;
          stack.push({ value: node[k]!, loc: { file: item.loc.file, path: [...item.loc.path, k] } });
        }
      }
    }
    this.needsWriteMemo.set(key, found);
    return found;
  }

  /** Whether a schema declares a readOnly or writeOnly property (directly or on the property's `$ref`). */
  private hasAccessFlags(node: SchemaObject, loc: Loc): boolean {
    if (!isSchemaObject(node.properties)) return false;
    let found = false;
    for (const [name, prop] of Object.entries(node.properties)) {
      if (accessFlags(this.docs, prop, { file: loc.file, path: [...loc.path, 'properties', name] })) found = true;
    }
    return found;
  }
}
