// One queue per link, for the generator of this release: every channel's messages on the first
// channel's queue, each body carrying a type discriminator property. The reader's model is richer
// (channels, operations, payloads exactly as written); this view is what the generated code, the
// breaking-change guard and the bench still consume until the type travels as a message attribute.
import { ContractError } from '../errors.js';
import type { Identification, JsonSchema, QueueContractModel, QueueMessageModel } from './asyncapi.js';

export interface DiscriminatedQueueModel {
  file: string;
  title?: string | undefined;
  version?: string | undefined;
  description?: string | undefined;
  channelKey: string;
  address: string;
  fifo: boolean;
  discriminator: string;
  /** Payload schemas with the discriminator property injected (required, const). */
  messages: QueueMessageModel[];
  schemas: Record<string, JsonSchema>;
  /** How a body without the discriminator is identified (read from the payloads as written). */
  identification: Identification;
  warnings: string[];
}

export function discriminatedQueue(model: QueueContractModel): DiscriminatedQueueModel {
  const channel = model.channels[0]!;
  if (model.messages.length === 0)
    throw new ContractError(
      model.file,
      'the document declares no messages',
      undefined,
      undefined,
      'add at least one message type under channels.<name>.messages',
    );
  const discriminator = sharedDiscriminator(model);
  for (const m of model.messages)
    if (inBranches(m.schema, discriminator, model.schemas, 0))
      throw new ContractError(
        model.file,
        `the payload of "${m.value}" has its own "${discriminator}" property inside oneOf/anyOf/allOf, ` +
          'where this release puts the message type',
        m.at.line,
        m.at.column,
        `name the type property with the payload's \`discriminator\` keyword, or rename its "${discriminator}"`,
      );
  const messages = model.messages.map((m) => withDiscriminator(model.file, m, discriminator));
  const values = new Set<string>();
  for (const m of messages) {
    if (values.has(m.value))
      throw new ContractError(model.file, `two messages share the discriminator value "${m.value}"`);
    values.add(m.value);
  }
  return {
    file: model.file,
    title: model.title,
    version: model.version,
    description: model.description,
    channelKey: channel.key,
    address: channel.address,
    fifo: channel.fifo,
    discriminator,
    messages,
    schemas: model.schemas,
    identification: bodyless(renamed(model.identification, model.messages, messages), discriminator),
    warnings: model.warnings,
  };
}

/** The identification with message values as this view has them (a declared const may rename one). */
function renamed(id: Identification, read: QueueMessageModel[], now: QueueMessageModel[]): Identification {
  if (id.kind === 'single' || id.kind === 'validation') return id;
  const value = new Map(read.map((m, i) => [m.value, now[i]!.value]));
  const values = Object.fromEntries(Object.entries(id.values).map(([k, v]) => [k, value.get(v) ?? v]));
  return { ...id, values };
}

/** A body without the discriminator cannot be identified by the discriminator: then by validation. */
function bodyless(id: Identification, discriminator: string): Identification {
  return 'property' in id && id.property === discriminator ? { kind: 'validation' } : id;
}

function sharedDiscriminator(model: QueueContractModel): string {
  const named = new Set(model.messages.map((m) => m.schema.discriminator ?? 'type'));
  const [first, ...rest] = [...named];
  if (typeof first !== 'string' || !first || rest.length > 0)
    throw new ContractError(
      model.file,
      `all messages must share one discriminator property; found ${[...named].map(String).join(', ')}`,
    );
  return first;
}

/** The payload with its discriminator property (required, a string const); object payloads only. */
function withDiscriminator(file: string, m: QueueMessageModel, disc: string): QueueMessageModel {
  const { discriminator: _, ...schema } = m.schema;
  if (schema.type !== undefined && schema.type !== 'object')
    throw new ContractError(
      file,
      `the payload of "${m.value}" must be an object schema (type: object)`,
      m.at.line,
      m.at.column,
      'this release carries the message type inside the body, so payloads are objects',
    );
  const properties = isObject(schema.properties) ? { ...schema.properties } : {};
  const declared = properties[disc];
  let value = m.value;
  if (declared !== undefined) {
    const pinned = isObject(declared)
      ? (declared.const ?? (Array.isArray(declared.enum) && declared.enum.length === 1 ? declared.enum[0] : undefined))
      : undefined;
    if (typeof pinned !== 'string')
      throw new ContractError(
        file,
        `the discriminator property "${disc}" of "${m.value}" must be a string const`,
        m.at.line,
        m.at.column,
        `e.g. ${disc}: { type: string, const: ${m.name} }`,
      );
    value = pinned;
  }
  const property = { ...(isObject(declared) ? declared : {}), type: 'string', const: value };
  const required = Array.isArray(schema.required)
    ? schema.required.filter((r): r is string => typeof r === 'string')
    : [];
  return {
    ...m,
    value,
    schema: {
      ...schema,
      type: 'object',
      properties: { ...properties, [disc]: property },
      required: [disc, ...required.filter((r) => r !== disc)],
    },
  };
}

/** True when a oneOf/anyOf/allOf branch of `schema` (through `#/$defs` refs) declares `property`. */
function inBranches(schema: unknown, property: string, defs: Record<string, JsonSchema>, depth: number): boolean {
  if (!isObject(schema) || depth > 8) return false;
  const branches = ['oneOf', 'anyOf', 'allOf'].flatMap((k) => (Array.isArray(schema[k]) ? schema[k] : []));
  return branches.some((b: unknown) => {
    const ref = isObject(b) && typeof b.$ref === 'string' ? b.$ref.replace(/^#\/\$defs\//, '') : undefined;
    const branch = ref === undefined ? b : defs[ref.replace(/~1/g, '/').replace(/~0/g, '~')];
    const declared = isObject(branch) && isObject(branch.properties) && property in branch.properties;
    return declared || inBranches(branch, property, defs, depth + 1);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
