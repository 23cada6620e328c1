// The SQS broker's files of a queue link: its settings (queue URL, FIFO), publisher and consumer.
import { render } from '../../../../codegen/render.js';
import type { BrokerCode } from '../types.js';

export const code: BrokerCode = {
  files(view, ctx) {
    const data = { ...view, runtimeSqs: ctx.runtime('sqs') };
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
};
