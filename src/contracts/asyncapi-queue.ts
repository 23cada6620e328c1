// One queue per link, for the generator of this release: every channel's messages on the first
// channel's queue. Bodies are exactly the payloads the document describes; the message type travels
// beside them as the `type` message attribute, and a body without it is identified by the reader's
// `identification`. This view is what the generated code, the breaking-change guard and the bench consume.
import { ContractError } from '../errors.js';
import type { ChannelModel, Identification, JsonSchema, QueueContractModel, QueueMessageModel } from './asyncapi.js';

/** One channel (one queue) of the link, and which sides of it the link generates. */
export interface LinkChannel {
  key: string;
  address: string;
  fifo: boolean;
  /** Message values on the channel, in document order. */
  messages: string[];
  /** A publisher: the document sends on it (or names no operation for it). */
  publish: boolean;
  /** A consumer: the document receives from it (or names no operation for it). */
  consume: boolean;
  /** Message values the link's publisher sends on it (the `messages` of its side's operations). */
  sends: string[];
  /** Message values the link's consumer receives from it: its handlers and its filter policy. */
  receives: string[];
}

export interface QueueLinkModel {
  file: string;
  title?: string | undefined;
  version?: string | undefined;
  description?: string | undefined;
  channelKey: string;
  address: string;
  fifo: boolean;
  /** Every channel of the document (the first is channelKey/address/fifo above). */
  channels: LinkChannel[];
  /** Every message of the document, payload schemas exactly as written. */
  messages: QueueMessageModel[];
  schemas: Record<string, JsonSchema>;
  /** How a body without the `type` attribute is identified. */
  identification: Identification;
  /**
   * True when a payload alone tells its message type (one message, or a property every payload pins)
   * and every payload is an object: then `publish(payload)` needs no type argument.
   */
  selfIdentifying: boolean;
  warnings: string[];
}

/**
 * Which sides a link generates: `both` (or unset) as the document's operations say; `publisher` or
 * `consumer`: that side for every channel (a peer of the documented application uses it from the other end).
 */
export type LinkRole = 'both' | 'publisher' | 'consumer';

export function queueLink(model: QueueContractModel, role: LinkRole = 'both'): QueueLinkModel {
  const channel = model.channels[0]!;
  if (model.messages.length === 0)
    throw new ContractError(
      model.file,
      'the document declares no messages',
      undefined,
      undefined,
      'add at least one message type under channels.<name>.messages',
    );
  return {
    file: model.file,
    title: model.title,
    version: model.version,
    description: model.description,
    channelKey: channel.key,
    address: channel.address,
    fifo: channel.fifo,
    channels: model.channels.map((c) => linkChannel(c, role)),
    messages: model.messages,
    schemas: model.schemas,
    identification: model.identification,
    selfIdentifying: selfIdentifying(model),
    warnings: model.warnings,
  };
}

/**
 * A channel with sides from the role, else its operations: send -> publisher, receive -> consumer; none ->
 * both. Each side carries the union of its operations' `messages` (all the channel's when one names none).
 * A role against the document (`consumer` of a document that only sends) takes the other side's messages:
 * the peer receives what the documented application sends.
 */
function linkChannel(channel: ChannelModel, role: LinkRole): LinkChannel {
  const named = (action: 'send' | 'receive') => {
    const ops = channel.operations.filter((o) => o.action === action);
    if (ops.length === 0) return undefined;
    const wanted = new Set(ops.flatMap((o) => o.messages));
    return channel.messages.filter((m) => wanted.has(m));
  };
  const send = named('send');
  const receive = named('receive');
  const all = send === undefined && receive === undefined;
  const side = { key: channel.key, address: channel.address, fifo: channel.fifo, messages: channel.messages };
  if (role === 'publisher')
    return { ...side, publish: true, consume: false, sends: send ?? receive ?? channel.messages, receives: [] };
  if (role === 'consumer')
    return { ...side, publish: false, consume: true, sends: [], receives: receive ?? send ?? channel.messages };
  return {
    ...side,
    publish: all || send !== undefined,
    consume: all || receive !== undefined,
    sends: all ? channel.messages : (send ?? []),
    receives: all ? channel.messages : (receive ?? []),
  };
}

/**
 * The link as it generates: only the messages its sides name (what it sends, what it receives) on each
 * channel and in the link's types, so handlers, the identify function and a fan-out filter policy cover
 * exactly those. A message of another type that reaches its queue anyway is an unknown type there.
 * The breaking-change guard keeps the whole document (queueLink): a peer may use the other messages.
 */
export function linkedOnly(link: QueueLinkModel): QueueLinkModel {
  const kept = new Set(link.channels.flatMap((c) => [...c.sends, ...c.receives]));
  const messages = link.messages.filter((m) => kept.has(m.value));
  // Per channel: a message two channels carry may be named on one of them only.
  const channels = link.channels.map((c) => {
    const own = new Set([...c.sends, ...c.receives]);
    return { ...c, messages: c.messages.filter((m) => own.has(m)) };
  });
  const identification = narrowed(link.identification, kept, messages.length);
  const narrowedModel = { messages, identification };
  return { ...link, messages, channels, identification, selfIdentifying: selfIdentifying(narrowedModel) };
}

/** The identification among the kept messages: one left needs no rule; a property map loses the others. */
function narrowed(id: Identification, kept: ReadonlySet<string>, count: number): Identification {
  if (count === 1) return { kind: 'single' };
  if (id.kind !== 'discriminator' && id.kind !== 'property') return id;
  const values = Object.fromEntries(Object.entries(id.values).filter(([, v]) => kept.has(v)));
  return { ...id, values };
}

function selfIdentifying(model: Pick<QueueContractModel, 'messages' | 'identification'>): boolean {
  const id = model.identification;
  if (id.kind === 'validation' || !model.messages.every((m) => isObjectSchema(m.schema))) return false;
  // The pinned property must be in every payload, or a payload without it would name no type.
  return id.kind === 'single' || model.messages.every((m) => requires(m.schema, id.property));
}

function requires(schema: JsonSchema, property: string): boolean {
  return Array.isArray(schema.required) && schema.required.includes(property);
}

/** A payload schema that only admits JSON objects (`type: object`, or properties and no other type). */
function isObjectSchema(schema: JsonSchema): boolean {
  if (schema.type !== undefined) return schema.type === 'object';
  return isObject(schema.properties) && !('oneOf' in schema || 'anyOf' in schema || 'not' in schema);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The payload property that names a body's type when it comes without the `type` attribute, if any. */
export function identifyingProperty(model: Pick<QueueLinkModel, 'identification'>): string | undefined {
  const id = model.identification;
  return id.kind === 'discriminator' || id.kind === 'property' ? id.property : undefined;
}
