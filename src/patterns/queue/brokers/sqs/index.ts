// AWS SQS (or an SQS-compatible emulator such as fauxqs, through SQS_ENDPOINT). Light: the code loads in load().
import type { Broker } from '../types.js';

export const sqs: Broker = {
  id: 'sqs',
  runtimeDependencies: ['@aws-sdk/client-sqs'],
  runtimeModules: ['sqs'],
  async load() {
    return (await import('./generate.js')).code;
  },
};
