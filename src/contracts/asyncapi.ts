// Reads an AsyncAPI document (YAML or JSON) into the queue pattern's model.
//
// Supported subset of AsyncAPI 3.0 (anything outside it is a ContractError with its line:column):
// - `asyncapi: 3.x.y`. A 2.x document is refused with a hint to convert it (`asyncapi convert`),
//   because 2.x's publish/subscribe semantics are inverted and silently guessing them loses meaning.
// - `info.title`, `info.version`, `info.description` (used for comments only).
// - Exactly ONE entry under `channels` (one link = one queue). Its `address` is the queue name; the
//   queue is FIFO when the address ends in `.fifo` or `bindings.sqs.queue.fifoQueue` is true.
// - The channel's `messages`: each a Message Object or a local `$ref` (`#/components/messages/X`).
//   Message: `name` (defaults to its key), `title`, `summary`, `description`, `contentType`
//   (application/json or absent), `payload`.
// - `payload`: a JSON Schema (the AsyncAPI Schema format, a draft-07 superset; `schemaFormat` may be
//   absent or an AsyncAPI / JSON Schema format) describing an OBJECT, inline or a local `$ref` into
//   `#/components/schemas`. Nested `$ref`s must also point into `#/components/schemas`.
//   `format` is an annotation only (not enforced), as in JSON Schema 2020-12.
// - A type discriminator: the property named by the payload's `discriminator` keyword (default
//   `type`), the same for every message. Its value is the property's `const` (or single `enum`
//   value) when given, else the message name; the reader adds the property (required, const) when
//   the payload does not declare it, so every published body carries it.
// - `operations` and `components.*` other than `messages`/`schemas` are accepted and ignored;
//   external `$ref`s (another file or URL) are refused.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ContractError } from '../errors.js';

export type JsonSchema = Record<string, unknown>;

export interface QueueMessageModel {
  /** Key under channel.messages. */
  key: string;
  /** The message's name, an identifier (e.g. "OrderCreated"): it names the generated type. */
  name: string;
  /** The discriminator value carried in every body of this type (usually the name). */
  value: string;
  title?: string;
  summary?: string;
  description?: string;
  /** Self-contained payload schema: discriminator injected, component refs rewritten to `#/$defs/X`. */
  schema: JsonSchema;
}

export interface QueueContractModel {
  file: string;
  title?: string;
  version?: string;
  description?: string;
  channelKey: string;
  address: string;
  fifo: boolean;
  discriminator: string;
  messages: QueueMessageModel[];
  /** components.schemas, refs rewritten to `#/$defs/X`: the named types. */
  schemas: Record<string, JsonSchema>;
}

type Path = (string | number)[];

const COMPONENT_SCHEMA_REF = '#/components/schemas/';

export function readAsyncApi(text: string, file: string): QueueContractModel {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const pos = lineCounter.linePos(error.pos[0]);
    throw new ContractError(file, `invalid YAML: ${error.message.split('\n')[0]}`, pos.line, pos.col);
  }
  const reader = new Reader(doc, lineCounter, file);
  return reader.read();
}

class Reader {
  private readonly root: unknown;

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {
    this.root = doc.toJS({ maxAliasCount: 100 });
  }

  /** A ContractError pointing at `path` (or its nearest ancestor that exists in the source). */
  fail(path: Path, detail: string, hint?: string): never {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) {
        const pos = this.lines.linePos(range[0]);
        throw new ContractError(this.file, detail, pos.line, pos.col, hint);
      }
    }
    throw new ContractError(this.file, detail, undefined, undefined, hint);
  }

  read(): QueueContractModel {
    const root = this.root;
    if (!isObject(root)) this.fail([], 'an AsyncAPI document must be a mapping at the top level');
    const version = root.asyncapi;
    if (version === undefined)
      this.fail([], 'missing "asyncapi" version field', 'start the document with `asyncapi: 3.0.0`');
    const v = String(version);
    if (/^2\./.test(v))
      this.fail(
        ['asyncapi'],
        `AsyncAPI ${v} is not supported; this tool reads AsyncAPI 3.0`,
        'convert it first: `npx @asyncapi/cli convert <file> --target-version=3.0.0`',
      );
    if (!/^3\.\d+\.\d+$/.test(v)) this.fail(['asyncapi'], `unsupported AsyncAPI version "${v}" (expected 3.x.y)`);

    const info = isObject(root.info) ? root.info : {};
    const channels = root.channels;
    if (!isObject(channels) || Object.keys(channels).length === 0)
      this.fail(['channels'], 'the document needs exactly one channel (the queue) under "channels"');
    const keys = Object.keys(channels);
    if (keys.length > 1)
      this.fail(
        ['channels', keys[1]!],
        `only one channel per queue link is supported, found ${keys.length}: ${keys.join(', ')}`,
        'split the document: one AsyncAPI file per queue',
      );
    const channelKey = keys[0]!;
    const { value: channel, path: channelPath } = this.deref(channels[channelKey], ['channels', channelKey]);
    if (!isObject(channel)) this.fail(channelPath, `channel "${channelKey}" must be a mapping`);
    const address = channel.address === undefined || channel.address === null ? channelKey : channel.address;
    if (typeof address !== 'string' || !address)
      this.fail([...channelPath, 'address'], 'the channel address (queue name) must be a non-empty string');
    const binding = getPath(channel, ['bindings', 'sqs', 'queue']);
    const fifo = address.endsWith('.fifo') || (isObject(binding) && binding.fifoQueue === true);

    const messagesNode = channel.messages;
    if (!isObject(messagesNode) || Object.keys(messagesNode).length === 0)
      this.fail(
        [...channelPath, 'messages'],
        `channel "${channelKey}" declares no messages`,
        'add at least one message type under channels.<name>.messages',
      );

    const schemas: Record<string, JsonSchema> = {};
    const componentSchemas = getPath(root, ['components', 'schemas']);
    if (componentSchemas !== undefined && !isObject(componentSchemas))
      this.fail(['components', 'schemas'], 'components.schemas must be a mapping');
    for (const [name, schema] of Object.entries(componentSchemas ?? {})) {
      if (!isObject(schema) && typeof schema !== 'boolean')
        this.fail(['components', 'schemas', name], `schema "${name}" must be a mapping`);
      schemas[name] = this.rewriteRefs(schema, ['components', 'schemas', name]) as JsonSchema;
    }

    let discriminator: string | undefined;
    const messages: QueueMessageModel[] = [];
    const seen = new Map<string, string>();
    for (const key of Object.keys(messagesNode)) {
      const { value: message, path } = this.deref(messagesNode[key], [...channelPath, 'messages', key]);
      if (!isObject(message)) this.fail(path, `message "${key}" must be a mapping`);
      const name = message.name === undefined ? key : message.name;
      if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
        this.fail(
          [...path, 'name'],
          `message name "${String(name)}" must be an identifier (letters, digits, underscores)`,
        );
      if (seen.has(name)) this.fail(path, `two messages are named "${name}" (${seen.get(name)} and ${key})`);
      seen.set(name, key);
      if (message.contentType !== undefined && !/json/i.test(String(message.contentType)))
        this.fail(
          [...path, 'contentType'],
          `content type "${String(message.contentType)}" is not supported; bodies are JSON`,
        );
      let payload = message.payload;
      let payloadPath: Path = [...path, 'payload'];
      if (payload === undefined) this.fail(path, `message "${name}" has no payload schema`);
      if (isObject(payload) && 'schema' in payload && ('schemaFormat' in payload || !('type' in payload))) {
        const format = String(payload.schemaFormat ?? '');
        if (format && !/asyncapi|schema\+json|schema\+yaml|json-schema/i.test(format))
          this.fail([...payloadPath, 'schemaFormat'], `schema format "${format}" is not supported; use JSON Schema`);
        payload = payload.schema;
        payloadPath = [...payloadPath, 'schema'];
      }
      // The top-level payload is dereferenced so the discriminator can be injected into it.
      if (isObject(payload) && typeof payload.$ref === 'string') {
        const ref = payload.$ref;
        if (!ref.startsWith(COMPONENT_SCHEMA_REF))
          this.fail(
            [...payloadPath, '$ref'],
            `unsupported $ref "${ref}"`,
            `payload refs must point into ${COMPONENT_SCHEMA_REF}`,
          );
        const target = getPath(root, ['components', 'schemas', decodePointer(ref.slice(COMPONENT_SCHEMA_REF.length))]);
        if (target === undefined) this.fail([...payloadPath, '$ref'], `"${ref}" does not resolve`);
        payloadPath = ['components', 'schemas', decodePointer(ref.slice(COMPONENT_SCHEMA_REF.length))];
        payload = target;
      }
      if (!isObject(payload)) this.fail(payloadPath, `the payload of "${name}" must be a schema mapping`);
      if (payload.type !== undefined && payload.type !== 'object')
        this.fail([...payloadPath, 'type'], `the payload of "${name}" must be an object schema (type: object)`);
      const disc = payload.discriminator === undefined ? 'type' : payload.discriminator;
      if (typeof disc !== 'string' || !disc)
        this.fail([...payloadPath, 'discriminator'], 'discriminator must be a property name');
      if (discriminator !== undefined && disc !== discriminator)
        this.fail(
          [...payloadPath, 'discriminator'],
          `all messages must share one discriminator property; "${name}" uses "${disc}", others "${discriminator}"`,
        );
      discriminator = disc;

      const schema = this.rewriteRefs(payload, payloadPath) as JsonSchema;
      delete schema.discriminator;
      schema.type = 'object';
      const properties = isObject(schema.properties) ? { ...schema.properties } : {};
      const declared = properties[disc];
      let value = name;
      if (declared !== undefined) {
        const c = isObject(declared)
          ? (declared.const ??
            (Array.isArray(declared.enum) && declared.enum.length === 1 ? declared.enum[0] : undefined))
          : undefined;
        if (typeof c !== 'string')
          this.fail(
            [...payloadPath, 'properties', disc],
            `the discriminator property "${disc}" of "${name}" must be a string const`,
            `e.g. ${disc}: { type: string, const: ${name} }`,
          );
        value = c;
      }
      properties[disc] = { ...(isObject(declared) ? declared : {}), type: 'string', const: value };
      schema.properties = { [disc]: properties[disc], ...properties };
      const required = Array.isArray(schema.required)
        ? schema.required.filter((r): r is string => typeof r === 'string')
        : [];
      schema.required = [disc, ...required.filter((r) => r !== disc)];
      const description = typeof message.description === 'string' ? message.description : undefined;
      messages.push({
        key,
        name,
        value,
        title: typeof message.title === 'string' ? message.title : undefined,
        summary: typeof message.summary === 'string' ? message.summary : undefined,
        description,
        schema,
      });
    }
    const values = new Set<string>();
    for (const m of messages) {
      if (values.has(m.value))
        this.fail([...channelPath, 'messages', m.key], `two messages share the discriminator value "${m.value}"`);
      values.add(m.value);
    }
    return {
      file: this.file,
      title: typeof info.title === 'string' ? info.title : undefined,
      version: info.version === undefined ? undefined : String(info.version),
      description: typeof info.description === 'string' ? info.description : undefined,
      channelKey,
      address,
      fifo,
      discriminator: discriminator ?? 'type',
      messages,
      schemas,
    };
  }

  /** Follows a local `$ref` (channels/messages level), returning the target and its path. */
  private deref(value: unknown, path: Path): { value: unknown; path: Path } {
    for (let hops = 0; isObject(value) && typeof value.$ref === 'string'; hops++) {
      if (hops > 10) this.fail(path, 'circular $ref');
      const ref = value.$ref;
      if (!ref.startsWith('#/'))
        this.fail(
          [...path, '$ref'],
          `external $ref "${ref}" is not supported`,
          "inline it or move it into this document's components",
        );
      const target = ref.slice(2).split('/').map(decodePointer);
      const resolved = getPath(this.root, target);
      if (resolved === undefined) this.fail([...path, '$ref'], `"${ref}" does not resolve`);
      value = resolved;
      path = target;
    }
    return { value, path };
  }

  /** Deep copy of a schema with component refs rewritten to `#/$defs/X`; other refs are errors. */
  private rewriteRefs(schema: unknown, path: Path): unknown {
    if (Array.isArray(schema)) return schema.map((item, i) => this.rewriteRefs(item, [...path, i]));
    if (!isObject(schema)) return schema;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') {
        if (!value.startsWith(COMPONENT_SCHEMA_REF))
          this.fail(
            [...path, key],
            `unsupported $ref "${value}"`,
            `schema refs must point into ${COMPONENT_SCHEMA_REF}`,
          );
        const name = decodePointer(value.slice(COMPONENT_SCHEMA_REF.length));
        if (name.includes('/') || getPath(this.root, ['components', 'schemas', name]) === undefined)
          this.fail([...path, key], `"${value}" does not resolve`);
        out.$ref = `#/$defs/${encodePointer(name)}`;
      } else if (key === 'examples' || key === 'example' || key === 'const' || key === 'enum' || key === 'default') {
        out[key] = value;
      } else {
        out[key] = this.rewriteRefs(value, [...path, key]);
      }
    }
    return out;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getPath(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isObject(current) && Object.hasOwn(current, String(key))) current = current[String(key)];
    else return undefined;
  }
  return current;
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function encodePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
