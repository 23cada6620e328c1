// Reads an AsyncAPI document (YAML or JSON) into the queue pattern's model: channels -> messages, plus
// the send/receive operations on each channel. Anything it cannot read is a ContractError at the
// line:column of the user's own file.
//
// - `asyncapi: 3.x.y`, or 2.x: converted in memory to 3.0 by the AsyncAPI project's own converter
//   (@asyncapi/converter, loaded only for 2.x); errors then point into the original 2.x text and say so.
// - Any number of channels. A channel's `address` (default: its key) names its queue; FIFO when it ends
//   in `.fifo` or `bindings.sqs.queue.fifoQueue` is true. Operations: `action` send|receive, `channel`.
// - Messages: Message Objects or local `$ref`s; one referenced from several channels is one message.
//   Its type name comes from `name`, `messageId`, `title` or its key, made an identifier (clashes get a
//   number), never refused for its spelling. Its `value` (what travels as the type) keeps the spelling.
// - `payload`: any JSON Schema, exactly as written (strings, arrays, top-level oneOf/anyOf/allOf/not),
//   inline or a local `$ref`; nested refs point into `#/components/schemas`. Avro (or any non-JSON
//   Schema) `schemaFormat` is refused, naming the message, the format and the workaround.
// - `traits` are merged into their message before anything reads it (AsyncAPI 3: in order, the message
//   wins), for 3.x and converted 2.x alike; `headers` is an object schema, `correlationId.location` a
//   `$message.header#/...` or `$message.payload#/...` pointer.
// - How a consumer tells the messages of a body apart (see `identifyMessages`).
// - Bindings other than sqs/sns (kafka, amqp, ws, ...) are ignored with a warning naming them.
import { createRequire } from 'node:module';
import type * as Converter from '@asyncapi/converter';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ContractError } from '../errors.js';
import { pascalCase } from '../util/names.js';

export type JsonSchema = Record<string, unknown>;

export interface QueueMessageModel {
  /** Where the message is declared, e.g. `components/messages/OrderCreated` or `channels/orders/messages/x`. */
  key: string;
  /** An identifier unique in the document (e.g. "OrderCreated"): it names the generated type. */
  name: string;
  /** The message type as it travels (the `type` message attribute): its name as the document spells it. */
  value: string;
  title?: string | undefined;
  summary?: string | undefined;
  description?: string | undefined;
  /** The payload schema exactly as the document describes it, component refs rewritten to `#/$defs/X`. */
  schema: JsonSchema;
  /** The `headers` schema (an object schema; traits applied), refs rewritten like the payload's. */
  headers?: JsonSchema | undefined;
  /** Where the message's correlation ID is (`correlationId.location`), when it names one. */
  correlationId?: CorrelationModel | undefined;
  /** `examples[].payload` of the message. */
  examples: unknown[];
  /** Line and column of its payload in the user's file, for errors raised after reading. */
  at: { line?: number | undefined; column?: number | undefined };
}

/** `$message.header#/REQUEST_ID` -> { in: 'header', path: ['REQUEST_ID'] }; `$message.payload#/a/b` likewise. */
export interface CorrelationModel {
  in: 'header' | 'payload';
  path: string[];
}

export interface OperationModel {
  key: string;
  action: 'send' | 'receive';
  /** Message values the operation names (all of its channel's when it names none). */
  messages: string[];
}

export interface ChannelModel {
  key: string;
  address: string;
  fifo: boolean;
  /** Values of the channel's messages, in document order. */
  messages: string[];
  operations: OperationModel[];
}

/**
 * How a consumer tells which message a body is when it comes without the type attribute: the only
 * message; the payloads' `discriminator`; a property every payload pins with `const`/`enum` to distinct
 * values; else validating against each schema in turn (first match wins).
 */
export type Identification =
  | { kind: 'single' }
  | { kind: 'discriminator' | 'property'; property: string; values: Record<string, string> }
  | { kind: 'validation' };

export interface QueueContractModel {
  file: string;
  /** The `asyncapi` version as written (2.x documents were converted in memory). */
  asyncapi: string;
  title?: string | undefined;
  version?: string | undefined;
  description?: string | undefined;
  channels: ChannelModel[];
  /** Every message of the document once, in order of first appearance. */
  messages: QueueMessageModel[];
  /** components.schemas, refs rewritten to `#/$defs/X`: the named types. */
  schemas: Record<string, JsonSchema>;
  identification: Identification;
  /** What the reader ignored and the user should know (unsupported bindings). */
  warnings: string[];
}

type Path = (string | number)[];

const COMPONENT_SCHEMA_REF = '#/components/schemas/';
const JSON_SCHEMA_FORMAT = /asyncapi|schema\+json|schema\+yaml|json-schema/i;
const HONOURED_BINDINGS = new Set(['sqs', 'sns']);

export function readAsyncApi(text: string, file: string): QueueContractModel {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const pos = lines.linePos(error.pos[0]);
    throw new ContractError(file, `invalid YAML: ${error.message.split('\n')[0]}`, pos.line, pos.col);
  }
  const source: Source = new Source(doc, lines, file);
  const original = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (!isObject(original)) return source.fail([], 'an AsyncAPI document must be a mapping at the top level');
  const version = checkVersion(source, original.asyncapi);
  const root = version.startsWith('2.') ? convert(source, original, version) : original;
  return new Reader(root, source, version).read();
}

function checkVersion(source: Source, version: unknown): string {
  if (version === undefined)
    source.fail([], 'missing "asyncapi" version field', 'start the document with `asyncapi: 3.0.0`');
  const v = String(version);
  if (!/^[23]\.\d+\.\d+$/.test(v))
    source.fail(['asyncapi'], `unsupported AsyncAPI version "${v}" (expected 2.x or 3.x)`);
  return v;
}

/**
 * A 2.x document converted to 3.0 in memory; errors from then on name the 2.x original. What the
 * converter says on the console (parameters it dropped) becomes the reader's warnings instead.
 */
function convert(source: Source, original: Record<string, unknown>, version: string): Record<string, unknown> {
  // Required here, not imported at the top: only 2.x documents pay for loading it.
  const converter = createRequire(import.meta.url)('@asyncapi/converter') as typeof Converter;
  source.converted = version;
  if (!isObject(original.info)) source.fail(['info'], 'the document needs an "info" mapping (title, version)');
  const warn = console.warn;
  console.warn = (...args: unknown[]) => source.notes.push(`converting from ${version}: ${args.join(' ')}`);
  try {
    return converter.convert(structuredClone(original) as { asyncapi: string }, '3.0.0');
  } catch (error) {
    source.fail(
      ['asyncapi'],
      `this AsyncAPI ${version} document could not be converted to 3.0: ${(error as Error).message}`,
    );
  } finally {
    console.warn = warn;
  }
}

/** The user's file: where a path of the (possibly converted) document is, for errors. */
class Source {
  converted: string | undefined;
  /** Warnings gathered before the reader runs (from the converter). */
  readonly notes: string[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly file: string,
  ) {}

  /** A ContractError pointing at `path` (or its nearest ancestor that exists in the user's file). */
  fail(path: Path, detail: string, hint?: string): never {
    const said = this.converted ? `${detail} (an AsyncAPI ${this.converted} document, read as 3.0)` : detail;
    const { line, column } = this.locate(path);
    throw new ContractError(this.file, said, line, column, hint);
  }

  /** Where `path` (or its nearest ancestor that exists in the user's file) is. */
  locate(path: Path): { line?: number | undefined; column?: number | undefined } {
    const at = this.converted ? fromConverted(path) : path;
    for (let n = at.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(at.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) {
        const pos = this.lines.linePos(range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  }
}

/**
 * The 2.x path of a converted document's path: the converter moves `publish.message` under the
 * channel's `messages` and wraps a payload with a `schemaFormat` as `{ schemaFormat, schema }`.
 */
function fromConverted(path: Path): Path {
  if (path[0] !== 'channels' || path[2] !== 'messages' || typeof path[3] !== 'string') return path;
  const [operation, ...rest] = path[3].split('.');
  if (operation !== 'publish' && operation !== 'subscribe') return path;
  const tail = path.slice(4);
  if (tail[0] === 'payload' && tail[1] === 'schemaFormat') tail.shift();
  else if (tail[0] === 'payload' && tail[1] === 'schema') tail.splice(1, 1);
  return [path[0], path[1]!, operation, ...rest, ...tail];
}

class Reader {
  private readonly messages = new Map<string, QueueMessageModel>();
  private readonly names = new Set<string>();
  private readonly warnings: Set<string>;

  constructor(
    private readonly root: Record<string, unknown>,
    private readonly source: Source,
    private readonly asyncapi: string,
  ) {
    this.warnings = new Set(source.notes);
  }

  private fail(path: Path, detail: string, hint?: string): never {
    return this.source.fail(path, detail, hint);
  }

  read(): QueueContractModel {
    const info = isObject(this.root.info) ? this.root.info : {};
    const schemas = this.componentSchemas();
    const channels = this.channels();
    this.operations(channels);
    this.noteBindings(this.root, []);
    const messages = [...this.messages.values()];
    return {
      file: this.source.file,
      asyncapi: this.asyncapi,
      title: stringOr(info.title),
      version: info.version === undefined ? undefined : String(info.version),
      description: stringOr(info.description),
      channels,
      messages,
      schemas,
      identification: identifyMessages(messages),
      warnings: [...this.warnings],
    };
  }

  private componentSchemas(): Record<string, JsonSchema> {
    const node = getPath(this.root, ['components', 'schemas']);
    if (node !== undefined && !isObject(node))
      this.fail(['components', 'schemas'], 'components.schemas must be a mapping');
    const schemas: Record<string, JsonSchema> = {};
    for (const [name, schema] of Object.entries(node ?? {})) {
      if (!isObject(schema) && typeof schema !== 'boolean')
        this.fail(['components', 'schemas', name], `schema "${name}" must be a mapping`);
      schemas[name] = this.rewriteRefs(schema, ['components', 'schemas', name]) as JsonSchema;
    }
    return schemas;
  }

  private channels(): ChannelModel[] {
    const node = this.root.channels;
    if (!isObject(node) || Object.keys(node).length === 0)
      this.fail(['channels'], 'the document declares no channels', 'add at least one channel under "channels"');
    return Object.keys(node).map((key) => this.channel(key, node[key]));
  }

  private channel(key: string, node: unknown): ChannelModel {
    const { value: channel, path } = this.deref(node, ['channels', key]);
    if (!isObject(channel)) this.fail(path, `channel "${key}" must be a mapping`);
    const address = channel.address === undefined || channel.address === null ? key : channel.address;
    if (typeof address !== 'string' || !address)
      this.fail([...path, 'address'], 'the channel address (queue name) must be a non-empty string');
    const binding = getPath(channel, ['bindings', 'sqs', 'queue']);
    const fifo = address.endsWith('.fifo') || (isObject(binding) && binding.fifoQueue === true);
    const messagesNode = channel.messages ?? {};
    if (!isObject(messagesNode)) this.fail([...path, 'messages'], `the messages of channel "${key}" must be a mapping`);
    const messages = Object.keys(messagesNode).map(
      (m) => this.message(messagesNode[m], [...path, 'messages', m], m).value,
    );
    return { key, address, fifo, messages, operations: [] };
  }

  /** Reads each operation onto its channel. */
  private operations(channels: ChannelModel[]): void {
    const node = this.root.operations;
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const { value: op, path } = this.deref(value, ['operations', key]);
      if (!isObject(op)) this.fail(path, `operation "${key}" must be a mapping`);
      if (op.action !== 'send' && op.action !== 'receive')
        this.fail([...path, 'action'], `the action of operation "${key}" must be "send" or "receive"`);
      const ref = isObject(op.channel) ? op.channel.$ref : undefined;
      const channelKey = typeof ref === 'string' ? decodePointer(ref.replace(/^#\/channels\//, '')) : undefined;
      const channel = channels.find((c) => c.key === channelKey);
      if (!channel)
        this.fail(
          [...path, 'channel'],
          `operation "${key}" must name a channel: channel: { $ref: '#/channels/<key>' }`,
        );
      const refs = Array.isArray(op.messages) ? op.messages : [];
      const messages = refs.map((m, i) => this.message(m, [...path, 'messages', i], String(i)).value);
      channel.operations.push({ key, action: op.action, messages: messages.length > 0 ? messages : channel.messages });
      if (op.reply !== undefined) this.reply(channels, channel, key, op.action, op.reply, [...path, 'reply']);
    }
  }

  /**
   * An operation's `reply` is the other side's operation: the application that receives sends the reply
   * (on the reply's channel, else the operation's), so the link covers its messages on that side.
   */
  private reply(
    channels: ChannelModel[],
    own: ChannelModel,
    key: string,
    action: 'send' | 'receive',
    node: unknown,
    at: Path,
  ): void {
    const { value: reply, path } = this.deref(node, at);
    if (!isObject(reply)) return;
    const ref = isObject(reply.channel) ? reply.channel.$ref : undefined;
    const channelKey = typeof ref === 'string' ? decodePointer(ref.replace(/^#\/channels\//, '')) : undefined;
    const channel = channelKey === undefined ? own : channels.find((c) => c.key === channelKey);
    if (!channel)
      this.fail(
        [...path, 'channel'],
        `the reply of operation "${key}" must name a channel: { $ref: '#/channels/<key>' }`,
      );
    const refs = Array.isArray(reply.messages) ? reply.messages : [];
    const messages = refs.map((m, i) => this.message(m, [...path, 'messages', i], String(i)).value);
    channel.operations.push({
      key: `${key}.reply`,
      action: action === 'send' ? 'receive' : 'send',
      messages: messages.length > 0 ? messages : channel.messages,
    });
  }

  /** One message, read once however many channels and operations refer to it. */
  private message(node: unknown, at: Path, key: string): QueueMessageModel {
    const { value: declared, path } = this.deref(node, at);
    const id = path.join('/');
    const known = this.messages.get(id);
    if (known) return known;
    if (!isObject(declared)) this.fail(path, `message "${key}" must be a mapping`);
    const message = this.withTraits(declared, path);
    const spelled = [message.name, message.messageId, message.title].find((s) => typeof s === 'string' && s.trim());
    const value = typeof spelled === 'string' ? spelled : keyName(path);
    if (message.contentType !== undefined && !/json/i.test(String(message.contentType)))
      this.fail(
        [...path, 'contentType'],
        `content type "${String(message.contentType)}" is not supported; bodies are JSON`,
      );
    const headers = this.headers(message, path, value);
    const model: QueueMessageModel = {
      key: id,
      name: this.typeName(value),
      value,
      title: stringOr(message.title),
      summary: stringOr(message.summary),
      description: stringOr(message.description),
      schema: this.payload(message, path, value),
      headers,
      correlationId: this.correlation(message, path, value, headers),
      examples: examplesOf(message.examples),
      at: this.source.locate(message.payload === undefined ? path : [...path, 'payload']),
    };
    if ([...this.messages.values()].some((m) => m.value === model.value))
      this.fail(path, `two messages are named "${value}"`, 'give each message its own `name`');
    this.messages.set(id, model);
    return model;
  }

  /**
   * The message with its `traits` merged in, AsyncAPI 3's way: the traits in order (a later one wins),
   * then the message itself over them; mappings merge key by key, anything else is replaced.
   */
  private withTraits(message: Record<string, unknown>, path: Path): Record<string, unknown> {
    const { traits, ...own } = message;
    if (traits === undefined) return message;
    if (!Array.isArray(traits)) this.fail([...path, 'traits'], 'message traits must be a list');
    let merged: Record<string, unknown> = {};
    for (const [i, node] of traits.entries()) {
      const { value: trait, path: at } = this.deref(node, [...path, 'traits', i]);
      if (!isObject(trait)) this.fail(at, 'a message trait must be a mapping');
      merged = this.merge(merged, trait, at);
    }
    return this.merge(merged, own, path);
  }

  /** `over` merged into `base` (refs of both followed first, so a trait's `headers` meets the message's). */
  private merge(base: Record<string, unknown>, over: Record<string, unknown>, path: Path): Record<string, unknown> {
    const out = { ...base };
    for (const [key, value] of Object.entries(over)) {
      if (out[key] === undefined) {
        out[key] = value;
        continue;
      }
      const mine = this.deref(value, [...path, key]).value;
      const theirs = this.deref(out[key], [...path, key]).value;
      out[key] = isObject(mine) && isObject(theirs) ? this.merge(theirs, mine, [...path, key]) : value;
    }
    return out;
  }

  /** The headers schema: an object schema (a top-level `$ref` followed), or undefined when there is none. */
  private headers(message: Record<string, unknown>, path: Path, value: string): JsonSchema | undefined {
    if (message.headers === undefined) return undefined;
    let { value: schema, path: at } = this.deref(message.headers, [...path, 'headers']);
    if (isObject(schema) && 'schema' in schema && 'schemaFormat' in schema) {
      if (!JSON_SCHEMA_FORMAT.test(String(schema.schemaFormat)))
        this.fail([...at, 'schemaFormat'], `the headers of message "${value}" must be described in JSON Schema`);
      ({ value: schema, path: at } = this.deref(schema.schema, [...at, 'schema']));
    }
    if (!isObject(schema) || (schema.type !== undefined && schema.type !== 'object'))
      this.fail(at, `the headers of message "${value}" must be a schema of type object (one property per header)`);
    return this.rewriteRefs(schema, at) as JsonSchema;
  }

  /** Where the message's correlation ID is; a location this link cannot read is a warning, not an error. */
  private correlation(
    message: Record<string, unknown>,
    path: Path,
    value: string,
    headers: JsonSchema | undefined,
  ): CorrelationModel | undefined {
    if (message.correlationId === undefined) return undefined;
    const { value: node, path: at } = this.deref(message.correlationId, [...path, 'correlationId']);
    const location = isObject(node) ? node.location : undefined;
    const parsed =
      typeof location === 'string' ? /^\$message\.(header|payload)#((?:\/[^/]*)+)$/.exec(location.trim()) : null;
    if (!parsed)
      this.fail(
        isObject(node) ? [...at, 'location'] : at,
        `the correlationId of message "${value}" needs a location such as $message.header#/correlationId or $message.payload#/id`,
      );
    const where = parsed[1] === 'header' ? 'header' : 'payload';
    const pointer = parsed[2]!.split('/').slice(1).map(decodePointer);
    if (where === 'header' && !Object.hasOwn(properties(headers ?? {}), pointer[0]!)) {
      this.warnings.add(
        `the correlationId of message "${value}" is in header "${pointer[0]}", which its headers do not declare: ignored`,
      );
      return undefined;
    }
    return { in: where, path: pointer };
  }

  /** An identifier from the message's name, unique in the document. */
  private typeName(value: string): string {
    let base = pascalCase(value) || 'Message';
    if (/^[0-9]/.test(base)) base = `Message${base}`;
    let name = base;
    for (let n = 2; this.names.has(name); n++) name = `${base}${n}`;
    this.names.add(name);
    return name;
  }

  /** The payload schema as written: a Multi Format Schema is unwrapped, a top-level `$ref` followed. */
  private payload(message: Record<string, unknown>, path: Path, value: string): JsonSchema {
    let payload = message.payload;
    let at: Path = [...path, 'payload'];
    // A 2.x message (and a 3.x Multi Format Schema) may name its format; only JSON Schema dialects are read.
    const wrapped = isObject(payload) && 'schema' in payload && 'schemaFormat' in payload;
    const format = String((wrapped ? (payload as JsonSchema).schemaFormat : message.schemaFormat) ?? '');
    if (format && !JSON_SCHEMA_FORMAT.test(format))
      this.fail(
        wrapped ? [...at, 'schemaFormat'] : [...path, 'schemaFormat'],
        `the payload of message "${value}" is in schema format "${format}", which this tool does not read`,
        /avro/i.test(format)
          ? 'describe the payload in JSON Schema (e.g. converted with avro-to-json-schema) and keep the .avsc beside it'
          : 'describe the payload in JSON Schema',
      );
    if (wrapped) {
      payload = (payload as JsonSchema).schema;
      at = [...at, 'schema'];
    }
    if (payload === undefined) this.fail(path, `message "${value}" has no payload schema`);
    if (isObject(payload) && typeof payload.$ref === 'string') {
      const resolved = this.deref(payload, at);
      payload = resolved.value;
      at = resolved.path;
    }
    if (!isObject(payload) && typeof payload !== 'boolean')
      this.fail(at, `the payload of "${value}" must be a JSON Schema`);
    const schema = this.rewriteRefs(typeof payload === 'boolean' ? {} : payload, at) as JsonSchema;
    return schema;
  }

  /** Warns once per binding kind the link cannot honour (schemas are not walked: a property may be named so). */
  private noteBindings(value: unknown, path: Path): void {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) this.noteBindings(v, [...path, i]);
      return;
    }
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'payload' || key === 'headers' || (key === 'schemas' && path.length === 1)) continue;
      if (key !== 'bindings' || !isObject(child)) this.noteBindings(child, [...path, key]);
      else
        for (const kind of Object.keys(child).filter((b) => !HONOURED_BINDINGS.has(b) && !b.startsWith('x-')))
          this.warnings.add(`${kind} bindings are ignored (this link is SQS): ${[...path, key].join('.')}`);
    }
  }

  /** Follows local `$ref`s, returning the target and its path. */
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
      if (key === '$ref' && typeof value === 'string') out.$ref = this.schemaRef(value, [...path, key]);
      else if (['examples', 'example', 'const', 'enum', 'default'].includes(key)) out[key] = value;
      else out[key] = this.rewriteRefs(value, [...path, key]);
    }
    return out;
  }

  private schemaRef(ref: string, path: Path): string {
    if (!ref.startsWith(COMPONENT_SCHEMA_REF))
      this.fail(path, `unsupported $ref "${ref}"`, `schema refs must point into ${COMPONENT_SCHEMA_REF}`);
    const name = decodePointer(ref.slice(COMPONENT_SCHEMA_REF.length));
    if (name.includes('/') || getPath(this.root, ['components', 'schemas', name]) === undefined)
      this.fail(path, `"${ref}" does not resolve`);
    return `#/$defs/${encodePointer(name)}`;
  }
}

/**
 * A nameless message's name from where it is declared: its key, except the converter's keys for a 2.x
 * operation's message (`publish.message`, `subscribe.message.1`), which say nothing: then its channel's.
 */
function keyName(path: Path): string {
  const key = String(path.at(-1));
  const converted = /^(?:publish|subscribe)\.message(?:\.(\d+))?$/.exec(key);
  if (!converted || path[0] !== 'channels') return key;
  return `${pascalCase(String(path[1]))}Message${converted[1] === undefined ? '' : Number(converted[1]) + 1}`;
}

/** How a body without the type attribute is matched to one of `messages` (see Identification). */
export function identifyMessages(messages: readonly QueueMessageModel[]): Identification {
  if (messages.length <= 1) return { kind: 'single' };
  const declared = messages.map((m) => m.schema.discriminator);
  const first = declared[0];
  if (typeof first === 'string' && declared.every((d) => d === first)) {
    const values = pinnedValues(messages, first, true);
    if (values) return { kind: 'discriminator', property: first, values };
  }
  const candidates = Object.keys(properties(messages[0]!.schema));
  for (const property of candidates) {
    const values = pinnedValues(messages, property, false);
    if (values) return { kind: 'property', property, values };
  }
  return { kind: 'validation' };
}

/**
 * Property value -> message value when every message pins `property` to its own values (a
 * discriminator may also default to the message's name); undefined when they do not.
 */
function pinnedValues(
  messages: readonly QueueMessageModel[],
  property: string,
  byName: boolean,
): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  for (const m of messages) {
    const schema = properties(m.schema)[property];
    const pinned = isObject(schema) ? (schema.const !== undefined ? [schema.const] : schema.enum) : undefined;
    const list = Array.isArray(pinned) ? pinned : byName ? [m.value] : [];
    if (list.length === 0 || !list.every((v): v is string => typeof v === 'string')) return undefined;
    for (const v of list) {
      if (Object.hasOwn(values, v)) return undefined;
      values[v] = m.value;
    }
  }
  return values;
}

function properties(schema: JsonSchema): Record<string, unknown> {
  return isObject(schema.properties) ? schema.properties : {};
}

function examplesOf(node: unknown): unknown[] {
  if (!Array.isArray(node)) return [];
  return node.filter((e) => isObject(e) && 'payload' in e).map((e) => (e as JsonSchema).payload);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
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
