// The queue pattern (broker: SQS): an AsyncAPI 3.0 document -> typed publisher, consumer, validators.
// Light on purpose: `--help` imports every spec, so yaml/ajv/ts-morph are loaded only in scaffold/load.
import { UsageError } from '../../errors.js';
import { contractFile } from '../../project/contract-path.js';
import type { PatternSpec } from '../types.js';
import { largePayloads, publishesToSns } from './link-options.js';
import { QUEUE_OPTIONS, parseMessageFlags } from './options.js';
import { brokerOf } from './brokers/index.js';

export const spec: PatternSpec<typeof QUEUE_OPTIONS> = {
  id: 'queue',
  title: 'Message queue (SQS): typed publisher + consumer from an AsyncAPI document',
  example: 'create-service-link queue orders --message "OrderCreated:orderId=string,total=number" --fifo',
  options: QUEUE_OPTIONS,
  // Packages only where used: SNS for a fan-out link that publishes, S3 for large payloads.
  runtimeDependencies: (options) => [
    ...brokerOf(options).runtimeDependencies,
    ...(publishesToSns(options) ? ['@aws-sdk/client-sns'] : []),
    ...(largePayloads(options) ? ['@aws-sdk/client-s3'] : []),
  ],
  runtimeModules: (options) => [
    'context',
    ...brokerOf(options).runtimeModules,
    ...(publishesToSns(options) ? ['sns'] : []),
    'idempotency',
    ...(largePayloads(options) ? ['large-payload'] : []),
  ],
  legacyModules: { 'context.ts': 'context' },

  async scaffold({ name, options, project }) {
    const { asyncapi } = options;
    if (asyncapi) {
      if (options.message.length)
        throw new UsageError(
          '--asyncapi and --message exclude each other: add message types to the AsyncAPI document instead',
        );
      const relative = contractFile('--asyncapi', asyncapi, project.root, 'asyncapi/orders.yaml');
      return { contracts: [relative], files: [] };
    }
    const messages = parseMessageFlags(options.message);
    if (messages.length === 0)
      throw new UsageError('the queue pattern needs --message <TYPE:FIELD=TYPE,...> or --asyncapi <FILE>');
    const { asyncApiDocument } = await import('./scaffold.js');
    const file = `asyncapi/${name}.yaml`;
    return { contracts: [file], files: [{ path: file, content: asyncApiDocument(name, messages, options.fifo) }] };
  },

  async load() {
    return import('./generate.js');
  },

  async bench() {
    return (await import('./bench.js')).bench;
  },
};
