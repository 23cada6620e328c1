// The SQS broker's files of a queue link: its settings (queue URL, FIFO), publisher and consumer.
import { render } from '../../../../codegen/render.js';
import { constantCase } from '../../../../util/names.js';
import type { BrokerCode } from '../types.js';

/** Whether the link stores messages over the size limit in S3 (`--large-payloads`). */
const largePayloads = (options: Record<string, unknown>): boolean => options['largePayloads'] === true;

export const code: BrokerCode = {
  files(view, ctx) {
    const data = {
      ...view,
      runtimeSqs: ctx.runtime('sqs'),
      runtimeIdempotency: ctx.runtime('idempotency'),
      largePayloads: largePayloads(ctx.link.options),
      runtimeLargePayload: ctx.runtime('large-payload'),
      // ORDERS_PAYLOAD_BUCKET, ORDERS_PAYLOAD_LIMIT_BYTES for the link `orders`.
      payloadEnvPrefix: constantCase(view.linkName),
    };
    return {
      'publisher.ts': render('queue/brokers/sqs/publisher.ts', data),
      'consumer.ts': render('queue/brokers/sqs/consumer.ts', data),
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
