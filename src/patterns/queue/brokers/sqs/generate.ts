// The SQS broker's files of a queue link: its settings (queue URL, FIFO), publisher and consumer.
import { render } from '../../../../codegen/render.js';
import { wrapUnion } from '../../../../codegen/layout.js';
import { constantCase } from '../../../../util/names.js';
import type { BrokerCode, ChannelView, QueueView } from '../types.js';

/** Whether the link stores messages over the size limit in S3 (`--large-payloads`). */
const largePayloads = (options: Record<string, unknown>): boolean => options['largePayloads'] === true;

export const code: BrokerCode = {
  files(view, ctx) {
    const extras = {
      runtimeSqs: ctx.runtime('sqs'),
      runtimeSns: view.fanOut ? ctx.runtime('sns') : '',
      runtimeIdempotency: ctx.runtime('idempotency'),
      largePayloads: largePayloads(ctx.link.options),
      runtimeLargePayload: ctx.runtime('large-payload'),
      // ORDERS_PAYLOAD_BUCKET, ORDERS_PAYLOAD_LIMIT_BYTES for the link `orders`.
      payloadEnvPrefix: constantCase(view.linkName),
      // A fan-out link's consumers keep S3 objects by default: every subscribed queue points at the same one.
      payloadRetention: ctx.link.options['fanOut'] === true ? 'keep' : 'delete',
    };
    const data = { ...view, ...extras };
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
    const view = { ...c, ...extras };
    files[`${c.file}-sqs.ts`] = render('queue/brokers/sqs/sqs.ts', view);
    if (c.publish) files[`${c.file}-publisher.ts`] = render('queue/brokers/sqs/publisher.ts', view);
    if (c.consume) files[`${c.file}-consumer.ts`] = render('queue/brokers/sqs/consumer.ts', view);
  }
  return files;
}

/** The channels' context types (of the message type `literal`, when given). */
function contexts(channels: readonly ChannelView[], literal?: string): string[] {
  const of = literal ? `<${literal}>` : '';
  return channels.length ? channels.map((c) => `${c.api}MessageContext${of}`) : ['never'];
}
