// The queue pattern (broker: SQS): an AsyncAPI 3.0 document -> typed publisher, consumer, validators.
// Light on purpose: `--help` imports every spec, so yaml/ajv/ts-morph are loaded only in scaffold/load.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { PatternSpec } from '../types.js';
import { checkBroker, checkQueueUrlEnv, defaultQueueUrlEnv, parseMessageFlag, parseMessageFlags } from './options.js';

export const spec: PatternSpec = {
  id: 'queue',
  title: 'Message queue (SQS): typed publisher + consumer from an AsyncAPI document',
  flags: [
    {
      flags: '--message <TYPE:FIELD=TYPE,...>',
      description:
        'a message type and its fields (string, number, integer, boolean; "name?=" optional, "TYPE[]" a list); repeatable',
      example: 'create-service-link queue order --message "OrderCreated:orderId=string,total=number" --message "OrderCancelled:orderId=string,reason?=string"',
      repeatable: true,
    },
    {
      flags: '--fifo',
      description: 'a FIFO queue: ordered per message group, deduplicated; publish requires a group id',
      example: 'create-service-link queue order --message "OrderCreated:orderId=string" --fifo',
    },
    {
      flags: '--queue-url-env <VAR>',
      description: 'environment variable holding the queue URL (default: <NAME>_QUEUE_URL, e.g. ORDER_QUEUE_URL)',
      example: 'create-service-link queue order --message "OrderCreated:orderId=string" --queue-url-env ORDERS_SQS_URL',
    },
    {
      flags: '--broker <BROKER>',
      description: 'message broker; only "sqs" (AWS SQS or an SQS-compatible emulator)',
      example: 'create-service-link queue order --message "OrderCreated:orderId=string" --broker sqs',
      defaultValue: 'sqs',
    },
    {
      flags: '--asyncapi <FILE>',
      description: 'generate from an existing AsyncAPI 3.0 document (one channel) instead of --message',
      example: 'create-service-link queue order --asyncapi asyncapi/order.yaml',
    },
  ],
  runtimeDependencies: ['@aws-sdk/client-sqs'],
  runtimeModules: ['context', 'sqs'],
  legacyModules: { 'context.ts': 'context' },

  async ask(prompts, name, given) {
    const options = { ...given };
    const messages = Array.isArray(options.message) ? [...(options.message as string[])] : [];
    if (!options.asyncapi && messages.length === 0) {
      const existing = await prompts.input({
        message: 'Path of an existing AsyncAPI 3.0 document (leave empty to describe the messages now):',
      });
      if (existing.trim()) options.asyncapi = existing.trim();
    }
    if (!options.asyncapi && messages.length === 0) {
      for (;;) {
        const message = await prompts.input({
          message: messages.length === 0 ? 'First message type and fields (e.g. OrderCreated:orderId=string,total=number):' : 'Next message type (empty to finish):',
          validate: (v) => {
            if (!v.trim()) return messages.length > 0 || 'at least one message type is needed';
            try {
              parseMessageFlag(v);
              return true;
            } catch (error) {
              return (error as Error).message;
            }
          },
        });
        if (!message.trim()) break;
        messages.push(message.trim());
      }
      options.message = messages;
    }
    if (options.fifo === undefined && !options.asyncapi)
      options.fifo = await prompts.confirm({ message: 'FIFO queue (ordered per group, deduplicated)?', default: false });
    if (options.queueUrlEnv === undefined)
      options.queueUrlEnv = await prompts.input({
        message: 'Environment variable holding the queue URL:',
        default: defaultQueueUrlEnv(name),
        validate: (v) => /^[A-Z_][A-Z0-9_]*$/.test(v) || 'use upper case, digits and underscores',
      });
    return options;
  },

  missingRequired(options) {
    const messages = options.message;
    const hasMessages = Array.isArray(messages) ? messages.length > 0 : typeof messages === 'string';
    return hasMessages || options.asyncapi ? [] : ['--message (or --asyncapi)'];
  },

  async scaffold({ name, options, project }) {
    checkBroker(options.broker);
    const queueUrlEnv = checkQueueUrlEnv(
      typeof options.queueUrlEnv === 'string' && options.queueUrlEnv ? options.queueUrlEnv : defaultQueueUrlEnv(name),
    );
    const stored = { broker: 'sqs', queueUrlEnv, fifo: options.fifo === true };
    if (typeof options.asyncapi === 'string' && options.asyncapi) {
      if (options.message !== undefined && (!Array.isArray(options.message) || options.message.length > 0))
        throw new UsageError('--asyncapi and --message exclude each other: add message types to the AsyncAPI document instead');
      const absolute = path.resolve(project.root, options.asyncapi);
      const relative = path.relative(project.root, absolute).split(path.sep).join('/');
      if (relative.startsWith('..') || path.isAbsolute(relative))
        throw new UsageError(`--asyncapi ${options.asyncapi}: the document must be inside the project (${project.root})`);
      if (!existsSync(absolute)) throw new UsageError(`--asyncapi ${options.asyncapi}: no such file`);
      return { contracts: [relative], files: [], options: stored };
    }
    const messages = parseMessageFlags(options.message);
    if (messages.length === 0) throw new UsageError('the queue pattern needs --message <TYPE:FIELD=TYPE,...> or --asyncapi <FILE>');
    const { asyncApiDocument } = await import('./scaffold.js');
    const file = `asyncapi/${name}.yaml`;
    return { contracts: [file], files: [{ path: file, content: asyncApiDocument(name, messages, stored.fifo) }], options: stored };
  },

  async load() {
    return import('./generate.js');
  },
};
