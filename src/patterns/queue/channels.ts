// A queue link whose document has several channels: one typed publisher and/or consumer per channel
// (a channel is one queue). The link keeps one messages.ts and one user handlers.ts; each channel's
// consumer calls the handlers of its own message types, typed through consumer.ts.
import type { LinkChannel, QueueLinkModel } from '../../contracts/asyncapi-queue.js';
import { wrapUnion } from '../../codegen/layout.js';
import { constantCase, pascalCase } from '../../util/names.js';
import { jsDoc, stringLiteral } from '../../util/text.js';
import type { ChannelView, MessageView, QueueView } from './brokers/index.js';

/** Names of one channel's API: `ShopOrders` (classes, types), `orders` (files), `SHOP_ORDERS_QUEUE_URL`. */
export interface ChannelNames {
  channel: LinkChannel;
  api: string;
  file: string;
  unionName: string;
  queueUrlEnv: string;
  /** On fan-out: the variable holding the channel's topic ARN, `SHOP_ORDERS_TOPIC_ARN`. */
  topicArnEnv: string;
}

/** Channel names, each unique in the link (a clash takes a number). */
export function channelNames(model: QueueLinkModel, linkPascal: string, linkConst: string): ChannelNames[] {
  const taken = new Set<string>();
  return model.channels.map((channel) => {
    const base = pascalCase(channel.key) || 'Channel';
    let part = base;
    for (let n = 2; taken.has(part); n++) part = `${base}${n}`;
    taken.add(part);
    const api = `${linkPascal}${part}`;
    const file = part.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    return {
      channel,
      api,
      file,
      unionName: `${api}Message`,
      queueUrlEnv: `${linkConst}_${constantCase(part)}_QUEUE_URL`,
      topicArnEnv: `${linkConst}_${constantCase(part)}_TOPIC_ARN`,
    };
  });
}

/** The per-channel views the broker renders, from the link's view. */
export function channelViews(base: QueueView, names: readonly ChannelNames[]): ChannelView[] {
  return names.map((n) => {
    const messages = base.messages.filter((m) => n.channel.messages.includes(m.value));
    return {
      ...base,
      pascal: n.api,
      unionName: n.unionName,
      fifo: n.channel.fifo,
      queueUrlEnv: n.queueUrlEnv,
      queueUrlEnvLiteral: stringLiteral(n.queueUrlEnv),
      messages,
      api: n.api,
      fnParse: `parse${n.api}Message`,
      fnValidate: `validate${n.api}Message`,
      fnIsType: `is${n.api}MessageType`,
      fnTypeOf: 'messageTypeOf',
      settingsModule: `${n.file}-sqs`,
      queueUrlFn: `${lower(n.api)}QueueUrl`,
      ...fanOutView(base.fanOut && n.channel.publish, n.topicArnEnv, `${lower(n.api)}TopicArn`),
      constPrefix: `${constantCase(n.api)}_`,
      channelKey: oneLine(n.channel.key),
      linkHandlers: `${base.pascal}Handlers`,
      handledTypes:
        wrapUnion(
          '  ',
          '',
          messages.map((m) => m.literal),
          '',
        ).trim() || 'never',
      channels: undefined,
      file: n.file,
      publish: n.channel.publish,
      consume: n.channel.consume,
    };
  });
}

/** The messages a link with several channels has handlers for: those of the channels it consumes. */
export function consumedMessages(views: readonly MessageView[], channels: readonly ChannelView[]): MessageView[] {
  return views.filter((m) => channels.some((c) => c.consume && c.messages.includes(m)));
}

/** messages.ts's part for each channel: its types (narrowed from the link's) and its parse/validate. */
export function channelsApi(linkUnion: string, channels: readonly ChannelView[], among: boolean): string {
  const parts = channels.map((c) => {
    const u = c.unionName;
    const literals = c.messages.map((m) => m.literal);
    return `${jsDoc(`Channel ${JSON.stringify(c.channelKey)}: its message types.`)}${wrapUnion('', `export type ${u}Type =`, literals.length ? literals : ['never'])}
export type ${u}Payloads = Pick<${linkUnion}Payloads, ${u}Type>;
export type ${u}Headers = Pick<${linkUnion}Headers, ${u}Type>;
export type ${u}OutgoingHeaders = Pick<${linkUnion}OutgoingHeaders, ${u}Type>;
export type ${u} = ${u}Payloads[${u}Type];
export type ${u}Envelope = Extract<${linkUnion}Envelope, { type: ${u}Type }>;
export type ${u}Received = Extract<${linkUnion}Received, { type: ${u}Type }>;

const ${constantCase(c.api)}_TYPES: ReadonlySet<string> = new Set([${literals.join(', ')}]);

export function ${c.fnIsType}(type: unknown): type is ${u}Type {
  return typeof type === 'string' && ${constantCase(c.api)}_TYPES.has(type);
}

export function ${c.fnValidate}(
  type: string,
  payload: unknown,
): ParseResult<${u}Envelope> {
  return onChannel(validateMessage(type, payload), ${c.fnIsType}, ${stringLiteral(c.channelKey ?? '')});
}

export function ${c.fnParse}(
  body: string,
  attributes?: ReceivedAttributes | string | undefined,
): ParseResult<${u}Received> {
  const parsed = parseMessage(body, attributes${among ? `, ${constantCase(c.api)}_TYPES` : ''});
  return onChannel(parsed, ${c.fnIsType}, ${stringLiteral(c.channelKey ?? '')});
}`;
  });
  return `${parts.join('\n\n')}

/** A result of the link's parse/validate, narrowed to a channel: another channel's message is unknown here. */
function onChannel<E extends ${linkUnion}Envelope>(
  result: ParseResult,
  is: (type: string) => boolean,
  channel: string,
): ParseResult<E> {
  if (!result.ok || is(result.message.type)) return result as ParseResult<E>;
  const message = \`message type \${JSON.stringify(result.message.type)} is not one of channel \${JSON.stringify(channel)}\`;
  return { ok: false, reason: 'unknown-type', issues: [{ path: '', message }] };
}
`;
}

/** The view's fan-out part: the topic ARN's variable and function, and the limits the publisher keeps. */
export function fanOutView(fanOut: boolean, topicArnEnv: string, topicArnFn: string) {
  return {
    fanOut,
    topicArnEnvLiteral: stringLiteral(topicArnEnv),
    topicArnFn,
    limitConst: fanOut ? 'SNS_MESSAGE_LIMIT_BYTES' : 'SQS_MAX_PAYLOAD_BYTES',
    batchConst: fanOut ? 'SNS_MAX_BATCH_ENTRIES' : 'SQS_MAX_BATCH_ENTRIES',
  };
}

function lower(name: string): string {
  return `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\*\//g, '*\\/');
}
