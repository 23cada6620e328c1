// The SQS broker's files of a queue link: its settings (queue URL, FIFO), publisher and consumer.
import { render } from '../../../../codegen/render.js';
import { wrapUnion } from '../../../../codegen/layout.js';
import type { BrokerCode, ChannelView, QueueView } from '../types.js';
import { isFanOut, largePayloads, payloadEnvPrefixOf } from '../../link-options.js';

export const code: BrokerCode = {
  files(view, ctx) {
    const extras = {
      runtimeSqs: ctx.runtime('sqs'),
      runtimeSns: view.fanOut ? ctx.runtime('sns') : '',
      // Who the publisher sends to, for its comments: a fan-out publisher talks to SNS, not SQS.
      sender: view.fanOut ? 'SNS' : 'SQS',
      runtimeIdempotency: ctx.runtime('idempotency'),
      largePayloads: largePayloads(ctx.link.options),
      runtimeLargePayload: ctx.runtime('large-payload'),
      // ORDERS_PAYLOAD_BUCKET, ORDERS_PAYLOAD_LIMIT_BYTES for the link `orders`.
      payloadEnvPrefix: payloadEnvPrefixOf(view.linkName),
      // A fan-out link's consumers keep S3 objects by default: every subscribed queue points at the same one.
      payloadRetention: isFanOut(ctx.link.options) ? 'keep' : 'delete',
    };
    const data = { ...view, ...extras, readsQueue: readsQueue(view) };
    if (view.channels) return channelFiles(data, view.channels, extras);
    return {
      ...(view.publish ? { 'publisher.ts': render('queue/brokers/sqs/publisher.ts', data) } : {}),
      ...(view.consume ? { 'consumer.ts': render('queue/brokers/sqs/consumer.ts', data) } : {}),
      'sqs.ts': render('queue/brokers/sqs/sqs.ts', data),
    };
  },
  runtimeModule: 'sqs',
  runtimeExports: [
    ['MessageTooLargeError', 'value'],
    ['MessageValidationError', 'value'],
    ['PublishError', 'value'],
    ['QueueConfigError', 'value'],
    ['SQS_ENDPOINT_ENV', 'value'],
    ['SQS_MAX_BATCH_ENTRIES', 'value'],
    ['SQS_MAX_PAYLOAD_BYTES', 'value'],
    ['defaultSqsClient', 'value'],
  ],
  moreRuntimeExports(options) {
    const idempotency = {
      module: 'idempotency',
      names: [
        ['MemoryIdempotencyStore', 'value'],
        ['IdempotencyStore', 'type'],
        ['ClaimResult', 'type'],
      ] as const,
    };
    if (!largePayloads(options)) return [idempotency];
    const payloads = {
      module: 'large-payload',
      names: [
        ['LargePayloads', 'value'],
        ['PayloadFetchError', 'value'],
        ['S3_ENDPOINT_ENV', 'value'],
        ['PayloadRetention', 'type'],
      ] as const,
    };
    return [idempotency, payloads];
  },
};

/**
 * A link with several channels: per channel its settings, publisher (a channel it sends on) and consumer
 * (one it receives from); consumer.ts types the link's handlers for every consumer.
 */
function channelFiles(
  data: QueueView & { runtimeSqs: string; runtimeSns: string },
  channels: readonly ChannelView[],
  extras: Record<string, unknown>,
): Record<string, string> {
  const files: Record<string, string> = {};
  const consumers = channels.filter((c) => c.consume);
  if (consumers.length > 0)
    files['consumer.ts'] = render('queue/brokers/sqs/link-consumer.ts', {
      ...data,
      consumers,
      contextUnion: wrapUnion('', 'export type MessageContext =', contexts(consumers)),
      handlers: data.messages.map((m) => ({
        ...m,
        context: contexts(
          consumers.filter((c) => c.messages.some((x) => x.value === m.value)),
          m.literal,
        ).join(' | '),
      })),
    });
  for (const c of channels) {
    const view = { ...c, ...extras, readsQueue: readsQueue(c) };
    files[`${c.file}-sqs.ts`] = render('queue/brokers/sqs/sqs.ts', view);
    if (c.publish) files[`${c.file}-publisher.ts`] = render('queue/brokers/sqs/publisher.ts', view);
    if (c.consume) files[`${c.file}-consumer.ts`] = render('queue/brokers/sqs/consumer.ts', view);
  }
  return files;
}

/**
 * Whether the code reads a queue URL: a consumer does, and a plain queue's publisher; a fan-out
 * publisher sends to its topic, so a channel it only publishes on has no queue variable to set.
 */
function readsQueue(view: Pick<QueueView, 'consume' | 'fanOut'>): boolean {
  return view.consume || !view.fanOut;
}

/** The channels' context types (of the message type `literal`, when given). */
function contexts(channels: readonly ChannelView[], literal?: string): string[] {
  const of = literal ? `<${literal}>` : '';
  return channels.length ? channels.map((c) => `${c.api}MessageContext${of}`) : ['never'];
}
