// Message headers, correlation IDs and traits (issue 17), on real documents and one written for the
// cases they lack, generated into one project compiled under the strictest flags, then run on fauxqs
// (an SQS emulator on 127.0.0.1): headers travel as message attributes, typed and validated like the
// body on both sides; the correlation ID is read from where the document says.
// - streetlights (3.0 and its 2.6 original): `my-app-header` (integer 0-100) comes from a message trait.
// - kraken: the correlation ID is in the payload (`$message.payload#/reqid`).
// - orders (below): a required header correlation ID, string/number/boolean headers, and a message with
//   more headers than travel one attribute each (they travel packed, as JSON in one attribute).
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateLink, loadCompiled } from './fixtures/queue/harness.js';
import { compileInProcess } from './helpers/in-process.js';
import { makeProject, removeProject } from './helpers/project.js';
import { decodeHeaders, encodeHeaders, type HeaderCodec } from '../runtime/sqs.js';
import { strictestTsconfig } from './helpers/strictest.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'asyncapi-real');

export const ORDERS = `asyncapi: 3.0.0
info: { title: Orders, version: 1.0.0 }
channels:
  orders:
    address: orders
    messages:
      OrderPlaced: { $ref: '#/components/messages/OrderPlaced' }
      OrderAudited: { $ref: '#/components/messages/OrderAudited' }
components:
  messages:
    OrderPlaced:
      traits: [{ $ref: '#/components/messageTraits/traced' }]
      correlationId: { $ref: '#/components/correlationIds/byHeader' }
      headers:
        type: object
        required: [tenant]
        properties:
          tenant: { type: string, minLength: 1 }
          priority: { type: integer, minimum: 0 }
      payload:
        type: object
        required: [orderId]
        properties: { orderId: { type: string } }
    OrderAudited:
      headers:
        type: object
        properties:
          a: { type: string }
          b: { type: number }
          c: { type: boolean }
          d: { type: string }
          e: { type: object, properties: { by: { type: string } } }
      payload:
        type: object
        required: [auditId]
        properties: { auditId: { type: string } }
  messageTraits:
    traced:
      headers:
        type: object
        required: [correlationId]
        properties:
          correlationId: { type: string, format: uuid }
          priority: { type: integer, maximum: 9 }
  correlationIds:
    byHeader: { location: '$message.header#/correlationId' }
`;

// Uses of the typed API: it must compile, and what it must refuse is marked @ts-expect-error.
const USE = `import { PubLightTurnOnPublisher } from './links/pub/index.js';
import type { MessageContext as LightsContext } from './links/sub/index.js';
import { OrdersPublisher, type MessageContext } from './links/orders/index.js';

export async function typed(publisher: PubLightTurnOnPublisher, orders: OrdersPublisher): Promise<void> {
  await publisher.publish('turnOnOff', { command: 'on' }, { headers: { 'my-app-header': 5 } });
  // @ts-expect-error a header of type integer takes no string
  await publisher.publish('turnOnOff', { command: 'on' }, { headers: { 'my-app-header': '5' } });
  await orders.publish('OrderPlaced', { orderId: 'o1' }, { headers: { tenant: 't' } });
  // @ts-expect-error OrderPlaced has a required header (tenant); its correlation ID may be left out
  await orders.publish('OrderPlaced', { orderId: 'o1' });
  await orders.publishBatch([
    { type: 'OrderAudited', payload: { auditId: 'a' } },
    { type: 'OrderPlaced', payload: { orderId: 'o2' }, headers: { tenant: 't', correlationId: 'c' } },
  ]);
  // @ts-expect-error a batch entry of OrderPlaced needs its headers too
  await orders.publishBatch([{ type: 'OrderPlaced', payload: { orderId: 'o3' } }]);
  // @ts-expect-error OrderAudited has no header "tenant"
  await orders.publish('OrderAudited', { auditId: 'a' }, { headers: { tenant: 't' } });
}

export function read(context: LightsContext, order: MessageContext<'OrderPlaced'>): number | string {
  const header: number | undefined = context.type === 'turnOnOff' ? context.headers['my-app-header'] : undefined;
  const tenant: string = order.headers.tenant;
  return header ?? order.correlationId ?? tenant;
}
`;

type Module = Record<string, unknown>;
type Consumer = { start(): Promise<void>; stop(): Promise<void> };
type Publisher = { publish(...args: unknown[]): Promise<{ correlationId?: string }> };
type Seen = { type: string; payload: unknown; headers: unknown; correlationId: unknown };
type Invalid = { reason: string; issues: { path: string; message: string }[] };

let server: Awaited<ReturnType<typeof buildApp>>;
let sqs: SQSClient;
let sns: SNSClient;
let dir = '';

beforeAll(async () => {
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } };
  sqs = new SQSClient(config);
  sns = new SNSClient(config);
  dir = await makeProject({ files: { 'tsconfig.json': strictestTsconfig(), 'src/use.ts': USE } });
  await mkdir(path.join(dir, 'asyncapi'));
  await writeFile(path.join(dir, 'asyncapi', 'orders.yml'), ORDERS);
  for (const file of ['streetlights-kafka.yml', 'streetlights-mqtt-2.6.yml', 'kraken-websocket-multiple-channels.yml'])
    await copyFile(path.join(FIXTURES, file), path.join(dir, 'asyncapi', file));
  for (const [name, file, options] of [
    ['pub', 'streetlights-kafka.yml', { role: 'publisher' }],
    ['sub', 'streetlights-kafka.yml', { role: 'consumer' }],
    ['mqtt', 'streetlights-mqtt-2.6.yml', { role: 'consumer' }],
    ['kraken', 'kraken-websocket-multiple-channels.yml', { role: 'consumer' }],
    ['orders', 'orders.yml', {}],
    ['fan', 'orders.yml', { fanOut: true, role: 'publisher' }],
  ] as const) {
    const link = { name, pattern: 'queue', contracts: [`asyncapi/${file}`], out: `src/links/${name}`, options };
    await generateLink(dir, link, 'esm', { noUnusedParameters: true });
  }
  expect(compileInProcess(dir).output).toBe('');
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  sns?.destroy();
  await server?.close();
  if (dir) await removeProject(dir);
});

let queues = 0;
async function newQueue(): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: `headers-${++queues}` }))).QueueUrl!;
}

/** Runs `consumer` of `link` on `queueUrl` until `count` messages were handled or found invalid. */
async function consume(link: string, consumer: string, queueUrl: string, count: number) {
  const mod = await loadCompiled<Module>(dir, `links/${link}/index.js`, 'esm');
  const types = mod[Object.keys(mod).find((k) => k.endsWith('_MESSAGE_TYPES'))!] as string[];
  const seen: Seen[] = [];
  const invalid: Invalid[] = [];
  const handlers = Object.fromEntries(
    types.map((type) => [
      type,
      (payload: unknown, context: { headers: unknown; correlationId: unknown }) =>
        void seen.push({ type, payload, headers: context.headers, correlationId: context.correlationId }),
    ]),
  );
  const Consumer = mod[consumer] as new (options: object) => Consumer;
  const running = new Consumer({
    client: sqs,
    queueUrl,
    handlers,
    stopOnSignals: false,
    waitTimeSeconds: 1,
    hooks: { invalid: (e: Invalid) => void invalid.push(e) },
  });
  void running.start();
  for (let i = 0; i < 200 && seen.length + invalid.length < count; i++) await new Promise((r) => setTimeout(r, 25));
  await running.stop();
  return { seen, invalid };
}

async function publisher(link: string, name: string, queueUrl: string): Promise<Publisher> {
  const mod = await loadCompiled<Module>(dir, `links/${link}/index.js`, 'esm');
  return new (mod[name] as new (options: object) => Publisher)({ client: sqs, queueUrl });
}

async function sendRaw(queueUrl: string, body: object, attributes: Record<string, [string, string]>) {
  const MessageAttributes = Object.fromEntries(
    Object.entries(attributes).map(([k, [DataType, StringValue]]) => [k, { DataType, StringValue }]),
  );
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body), MessageAttributes }));
}

describe('headers from traits (streetlights 3.0)', () => {
  test('typed headers travel as attributes and reach the handler', async () => {
    const queueUrl = await newQueue();
    const pub = await publisher('pub', 'PubLightTurnOnPublisher', queueUrl);
    await pub.publish('turnOnOff', { command: 'on' }, { headers: { 'my-app-header': 7 } });
    const { seen } = await consume('sub', 'SubLightTurnOnConsumer', queueUrl, 1);
    expect(seen).toEqual([{ type: 'turnOnOff', payload: { command: 'on' }, headers: { 'my-app-header': 7 } }]);
  }, 30_000);

  test('an invalid header is refused before sending, and an invalid one received is an invalid message', async () => {
    const queueUrl = await newQueue();
    const pub = await publisher('pub', 'PubLightTurnOnPublisher', queueUrl);
    await expect(pub.publish('turnOnOff', { command: 'on' }, { headers: { 'my-app-header': 500 } })).rejects.toThrow(
      /invalid turnOnOff message: headers\/my-app-header must be <= 100/,
    );
    // Another producer: a number sent as a String attribute is read by the schema's type.
    await sendRaw(queueUrl, { command: 'off' }, { type: ['String', 'turnOnOff'], 'my-app-header': ['String', '12'] });
    await sendRaw(queueUrl, { command: 'off' }, { type: ['String', 'turnOnOff'], 'my-app-header': ['Number', '500'] });
    const { seen, invalid } = await consume('sub', 'SubLightTurnOnConsumer', queueUrl, 2);
    expect(seen.map((s) => s.headers)).toEqual([{ 'my-app-header': 12 }]);
    // Handed back at once, the invalid message may be received again before the consumer stops.
    expect(invalid[0]).toMatchObject({
      reason: 'headers',
      issues: [{ path: '/my-app-header', message: 'must be <= 100' }],
    });
  }, 30_000);
});

describe('headers from traits of a 2.6 document (converted)', () => {
  test('the 2.x trait gives the same typed header', async () => {
    const queueUrl = await newQueue();
    await sendRaw(queueUrl, { lumens: 3 }, { 'my-app-header': ['Number', '4'] });
    const { seen } = await consume(
      'mqtt',
      'MqttSmartylightingStreetlights10EventStreetlightIdLightingMeasuredConsumer',
      queueUrl,
      1,
    );
    expect(seen).toEqual([{ type: 'lightMeasured', payload: { lumens: 3 }, headers: { 'my-app-header': 4 } }]);
  }, 30_000);
});

describe('correlation IDs', () => {
  test('from the payload (kraken: $message.payload#/reqid), for a body without the type attribute', async () => {
    const queueUrl = await newQueue();
    await sendRaw(queueUrl, { event: 'ping', reqid: 42 }, {});
    const { seen } = await consume('kraken', 'KrakenPingConsumer', queueUrl, 1);
    expect(seen).toEqual([{ type: 'ping', payload: { event: 'ping', reqid: 42 }, headers: {}, correlationId: '42' }]);
  }, 30_000);

  test('a required header one is filled with a new UUID when left out, and read back from its header', async () => {
    const queueUrl = await newQueue();
    const orders = await publisher('orders', 'OrdersPublisher', queueUrl);
    const made = await orders.publish('OrderPlaced', { orderId: 'o1' }, { headers: { tenant: 'acme', priority: 3 } });
    const given = await orders.publish(
      'OrderPlaced',
      { orderId: 'o2' },
      { headers: { tenant: 'acme', correlationId: 'c-2' } },
    );
    expect(made.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(given.correlationId).toBe('c-2');
    // The trait's `priority` (maximum 9) is merged under the message's own (minimum 0): both hold.
    await expect(
      orders.publish('OrderPlaced', { orderId: 'o3' }, { headers: { tenant: 'a', priority: 10 } }),
    ).rejects.toThrow(/headers\/priority must be <= 9/);
    await expect(orders.publish('OrderPlaced', { orderId: 'o3' }, { headers: {} })).rejects.toThrow(
      /headers must have required property 'tenant'/,
    );
    const { seen } = await consume('orders', 'OrdersConsumer', queueUrl, 2);
    expect(seen.sort((a, b) => JSON.stringify(a.payload).localeCompare(JSON.stringify(b.payload)))).toEqual([
      {
        type: 'OrderPlaced',
        payload: { orderId: 'o1' },
        headers: { tenant: 'acme', priority: 3, correlationId: made.correlationId },
        correlationId: made.correlationId,
      },
      {
        type: 'OrderPlaced',
        payload: { orderId: 'o2' },
        headers: { tenant: 'acme', correlationId: 'c-2' },
        correlationId: 'c-2',
      },
    ]);
  }, 30_000);
});

describe('more headers than travel one attribute each', () => {
  test('travel together as JSON in the `headers` attribute, typed and validated the same', async () => {
    const queueUrl = await newQueue();
    const orders = await publisher('orders', 'OrdersPublisher', queueUrl);
    const headers = { a: 'x', b: 1.5, c: true, d: 'y', e: { by: 'ada' } };
    await orders.publish('OrderAudited', { auditId: 'a1' }, { headers });
    const raw = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }),
    );
    const attributes = raw.Messages?.[0]?.MessageAttributes ?? {};
    expect(Object.keys(attributes).sort()).toEqual(['headers', 'requestId', 'type']);
    expect(JSON.parse(attributes['headers']?.StringValue ?? '')).toEqual(headers);
    const { seen } = await consume('orders', 'OrdersConsumer', queueUrl, 1);
    expect(seen).toEqual([{ type: 'OrderAudited', payload: { auditId: 'a1' }, headers }]);
    const messages = await readFile(path.join(dir, 'src/links/orders/messages.ts'), 'utf8');
    expect(messages).toContain('// OrderAudited: its headers travel as one JSON `headers` attribute (more than 4');
  }, 30_000);
});

describe('fan-out: headers as SNS message attributes', () => {
  test('a subscription filter policy matches a Number header; the consumer reads it as a number', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders-fan' }));
    const queueUrl = await newQueue();
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const FilterPolicy = JSON.stringify({ priority: [{ numeric: ['>=', 5] }] });
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: Attributes!.QueueArn!,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy },
      }),
    );
    const mod = await loadCompiled<Module>(dir, 'links/fan/index.js', 'esm');
    const fan = new (mod['FanPublisher'] as new (options: object) => Publisher)({ client: sns, topicArn: TopicArn });
    await fan.publish(
      'OrderPlaced',
      { orderId: 'low' },
      { headers: { tenant: 't', priority: 1, correlationId: 'c-low' } },
    );
    await fan.publish(
      'OrderPlaced',
      { orderId: 'high' },
      { headers: { tenant: 't', priority: 7, correlationId: 'c-high' } },
    );
    // Waits for two (five seconds at most): the filtered-out one must not come.
    const { seen } = await consume('orders', 'OrdersConsumer', queueUrl, 2);
    expect(seen).toEqual([
      {
        type: 'OrderPlaced',
        payload: { orderId: 'high' },
        headers: { tenant: 't', priority: 7, correlationId: 'c-high' },
        correlationId: 'c-high',
      },
    ]);
  }, 30_000);
});

describe('the header codec (runtime/sqs.ts)', () => {
  const codec: HeaderCodec = {
    headers: [
      ['s', 'string'],
      ['n', 'number'],
      ['b', 'boolean'],
      ['j', 'json'],
    ],
    packed: false,
  };

  test('each kind round-trips; undefined headers are not sent', () => {
    const headers = { s: 'x', n: -2.5, b: false, j: [1, 'a'], skipped: undefined };
    const attributes = encodeHeaders(codec, headers);
    expect(attributes).toEqual({
      s: { DataType: 'String', StringValue: 'x' },
      n: { DataType: 'Number', StringValue: '-2.5' },
      b: { DataType: 'String', StringValue: 'false' },
      j: { DataType: 'String', StringValue: '[1,"a"]' },
    });
    expect(decodeHeaders(codec, attributes)).toEqual({ s: 'x', n: -2.5, b: false, j: [1, 'a'] });
  });

  test('a message with an empty header sends them packed (SQS refuses an empty attribute value)', () => {
    const attributes = encodeHeaders(codec, { s: '', n: 1 });
    expect(attributes).toEqual({ headers: { DataType: 'String', StringValue: '{"s":"","n":1}' } });
    expect(decodeHeaders(codec, attributes)).toEqual({ s: '', n: 1 });
  });

  test("another producer's text that does not read as its kind stays text, for the validator to refuse", () => {
    const attributes = { n: { StringValue: 'ten' }, b: { StringValue: 'yes' }, j: { StringValue: 'plain' } };
    expect(decodeHeaders(codec, attributes)).toEqual({ n: 'ten', b: 'yes', j: 'plain' });
    expect(decodeHeaders({ ...codec, packed: true }, { headers: { StringValue: '{"n":1' } })).toBe('{"n":1');
    expect(decodeHeaders({ ...codec, packed: true }, undefined)).toEqual({});
  });
});
