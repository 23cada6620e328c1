// Options of a queue link, declared once (flags, wizard, service-link.json), and the parsing of
// --message. Light: imported by spec.ts, so no heavy dependencies here.
import { defineOptions, type OptionValues } from '../../core/options.js';
import { BROKERS } from './brokers/index.js';
import { UsageError } from '../../errors.js';
import { isReservedWord } from '../../util/names.js';
import { defaultQueueUrlEnv } from './link-options.js';

export interface FieldSpec {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean';
  array: boolean;
  optional: boolean;
}

export interface MessageSpec {
  name: string;
  fields: FieldSpec[];
}

const FIELD_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * Parses one `--message` value: `TYPE[:FIELD=TYPE,...]`, e.g. "OrderCreated:orderId=string,total=number".
 * A field is optional with a `?` after its name (`note?=string`), a list with `[]` after its type (`tags=string[]`).
 */
export function parseMessageFlag(value: string): MessageSpec {
  const text = value.trim();
  const colon = text.indexOf(':');
  const name = (colon === -1 ? text : text.slice(0, colon)).trim();
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || isReservedWord(name))
    throw new UsageError(
      `--message "${value}": "${name}" is not a usable message type name (letters, digits, underscores; e.g. OrderCreated)`,
    );
  const fields: FieldSpec[] = [];
  const rest = colon === -1 ? '' : text.slice(colon + 1).trim();
  for (const part of rest ? rest.split(',') : []) {
    const m = /^\s*([A-Za-z_$][A-Za-z0-9_$]*)(\?)?\s*=\s*([a-z]+)(\[\])?\s*$/.exec(part);
    if (!m || !FIELD_TYPES.has(m[3]!))
      throw new UsageError(
        `--message "${value}": field "${part.trim()}" must look like name=TYPE with TYPE one of string, number, integer, boolean (optionally name?=TYPE or TYPE[])`,
      );
    if (fields.some((f) => f.name === m[1]))
      throw new UsageError(`--message "${value}": field "${m[1]}" is given twice`);
    fields.push({ name: m[1]!, optional: m[2] === '?', type: m[3] as FieldSpec['type'], array: m[4] === '[]' });
  }
  return { name, fields };
}

export function parseMessageFlags(values: unknown): MessageSpec[] {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  const messages = list.map((v) => parseMessageFlag(String(v)));
  const names = new Set<string>();
  for (const m of messages) {
    if (names.has(m.name)) throw new UsageError(`--message: message type "${m.name}" is given twice`);
    names.add(m.name);
  }
  return messages;
}

const QUEUE_URL_ENV = /^[A-Z_][A-Z0-9_]*$/;

export const QUEUE_OPTIONS = defineOptions(
  {
    message: {
      flag: '--message <TYPE:FIELD=TYPE,...>',
      type: 'list',
      description:
        'a message type and its fields (string, number, integer, boolean; "name?=" optional, "TYPE[]" a list); repeatable',
      example:
        'create-service-link queue order --message "OrderCreated:orderId=string,total=number" --message "OrderCancelled:orderId=string,reason?=string"',
      validate(value) {
        if (!value.trim()) return 'at least one message type is needed';
        try {
          parseMessageFlag(value);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
      required: { unless: 'asyncapi' },
      prompt: {
        message: 'First message type and fields (e.g. OrderCreated:orderId=string,total=number):',
        list: { next: 'Next message type (empty to finish):' },
        when: (v) => v.asyncapi === undefined,
      },
    },
    fifo: {
      flag: '--fifo',
      type: 'boolean',
      description: 'a FIFO queue: ordered per message group, deduplicated; publish requires a group id',
      example: 'create-service-link queue order --message "OrderCreated:orderId=string" --fifo',
      default: false,
      stored: true,
      prompt: { message: 'FIFO queue (ordered per group, deduplicated)?', when: (v) => v.asyncapi === undefined },
    },
    queueUrlEnv: {
      flag: '--queue-url-env <VAR>',
      type: 'string',
      description: 'environment variable holding the queue URL (default: <NAME>_QUEUE_URL, e.g. ORDER_QUEUE_URL)',
      example: 'create-service-link queue order --message "OrderCreated:orderId=string" --queue-url-env ORDERS_SQS_URL',
      default: ({ name }) => defaultQueueUrlEnv(name),
      validate: (v) =>
        QUEUE_URL_ENV.test(v)
          ? undefined
          : `--queue-url-env "${v}": use an environment variable name like ORDER_QUEUE_URL`,
      stored: true,
      prompt: { message: 'Environment variable holding the queue URL:' },
    },
    broker: {
      flag: '--broker <BROKER>',
      type: 'string',
      description: `message broker: ${Object.keys(BROKERS).join(', ')} (sqs: AWS SQS or an SQS-compatible emulator)`,
      example: 'create-service-link queue order --message "OrderCreated:orderId=string" --broker sqs',
      default: 'sqs',
      validate: (v) => (v in BROKERS ? undefined : `--broker "${v}": one of ${Object.keys(BROKERS).join(', ')}`),
      stored: true,
    },
    largePayloads: {
      flag: '--large-payloads',
      type: 'boolean',
      description:
        'store messages over the size limit in S3, the queue carrying a pointer (bucket from <NAME>_PAYLOAD_BUCKET; adds @aws-sdk/client-s3)',
      example: 'create-service-link queue order --message "OrderCreated:orderId=string" --large-payloads',
      // No default: a link without the flag stores nothing (service-link.json stays as earlier releases wrote it).
      stored: true,
    },
    fanOut: {
      flag: '--fan-out',
      type: 'boolean',
      description:
        'fan-out: publishers send to an SNS topic; each consuming service reads its own SQS queue subscribed to it (raw delivery, filtered on the message type)',
      example: 'create-service-link queue orders --asyncapi asyncapi/orders.yaml --fan-out',
      stored: true,
      // Not asked after the decision matrix: its fan-out answer is taken (cli/create.ts).
      prompt: { message: 'Fan out to several consuming services (an SNS topic, each service its own queue)?' },
    },
    role: {
      flag: '--role <publisher|consumer|both>',
      type: 'choice',
      choices: {
        both: 'both: publishers for the channels the document sends on, consumers for those it receives from',
        publisher: 'publisher: only publishers, one for every channel',
        consumer: 'consumer: only consumers, one for every channel (a service consuming what the document publishes)',
      },
      description:
        "which sides to generate: both (as the document's send/receive operations say), publisher or consumer (that side for every channel)",
      example: 'create-service-link queue orders --asyncapi asyncapi/orders.yaml --role consumer',
      stored: true,
      prompt: { message: 'Which sides does this service need?', when: (v) => v.asyncapi !== undefined },
    },
    asyncapi: {
      flag: '--asyncapi <FILE>',
      type: 'string',
      description:
        'generate from an existing AsyncAPI document (3.x or 2.x, any number of channels) instead of --message',
      example: 'create-service-link queue order --asyncapi asyncapi/order.yaml',
      prompt: {
        message: 'Path of an existing AsyncAPI 3.0 document (leave empty to describe the messages now):',
        when: (v) => v.message === undefined,
      },
    },
  },
  // The wizard asks for an existing document first; --help lists --message first.
  ['asyncapi', 'message', 'fifo', 'fanOut', 'role', 'queueUrlEnv'],
);

export type QueueValues = OptionValues<typeof QUEUE_OPTIONS>;
