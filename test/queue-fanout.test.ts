// Fan-out on SNS + SQS (fauxqs emulates both on 127.0.0.1): a fan-out link's publisher sends to an SNS
// topic; three consumer services each read their own SQS queue, subscribed to the topic with raw message
// delivery and a filter policy on the `type` attribute: each receives exactly its types. On a FIFO topic,
// each group arrives in publish order. A consumer-only link (`--role consumer`) has no publisher and no SNS.
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { buildApp } from 'fauxqs';
import { readFile, readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spec } from '../src/patterns/queue/spec.js';
import { readAsyncApi } from '../src/contracts/asyncapi.js';
import { queueLink } from '../src/contracts/asyncapi-queue.js';
import { queueTopology } from '../src/patterns/queue/topology.js';
import { createLink, loadCompiled } from './fixtures/queue/harness.js';
import { compile, makeProject, removeProject } from './helpers/project.js';

const MESSAGES = [
  'OrderPlaced:orderId=string,total=number',
  'OrderShipped:orderId=string,carrier=string',
  'OrderCancelled:orderId=string',
  'OrderRefunded:orderId=string,amount=number',
];

type Publisher = {
  publishBatch(entries: object[]): Promise<{ failed: unknown[] }>;
  publish(type: string, payload: unknown, options?: object): Promise<unknown>;
};
type Consumer = new (o: object) => { start(): Promise<void>; stop(): Promise<void> };
type Handler = (payload: { orderId: string }, context: { type: string; groupId?: string }) => void;

let dir = '';
let server: Awaited<ReturnType<typeof buildApp>>;
let sqs: SQSClient;
let sns: SNSClient;

beforeAll(async () => {
  dir = await makeProject({ module: 'esm' });
  await createLink(dir, 'orders', { message: MESSAGES, fanOut: true });
  await createLink(dir, 'ledger', { message: MESSAGES, fanOut: true, fifo: true });
  await createLink(dir, 'shipping', { message: MESSAGES, fanOut: true, role: 'consumer' });
  await createLink(dir, 'notify', { message: MESSAGES, fanOut: true, role: 'publisher' });
  expect((await compile(dir)).output).toBe('');
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } };
  sqs = new SQSClient(config);
  sns = new SNSClient(config);
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  sns?.destroy();
  await server?.close();
  if (dir) await removeProject(dir);
});

/** A topic and, per consumer service, its queue subscribed with raw delivery and a filter on `type`. */
async function topology(topic: string, fifo: boolean, services: Record<string, string[]>) {
  const suffix = fifo ? '.fifo' : '';
  const fifoAttributes = fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'true' } : undefined;
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({
      Name: `${topic}${suffix}`,
      ...(fifo ? { Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } } : {}),
    }),
  );
  const queues: Record<string, string> = {};
  for (const [service, types] of Object.entries(services)) {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `${topic}-${service}${suffix}`, Attributes: fifoAttributes }),
    );
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: Attributes!.QueueArn!,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ type: types }) },
      }),
    );
    queues[service] = QueueUrl!;
  }
  return { topicArn: TopicArn!, queues };
}

/** Runs one consumer per service until `count` messages arrived in all; returns what each handled. */
async function consume(Consumer: Consumer, queues: Record<string, string>, count: number) {
  const got: Record<string, string[]> = {};
  const record: (service: string) => Handler = (service) => (payload, context) =>
    void (got[service] ??= []).push(`${context.type}:${payload.orderId}`);
  const consumers = Object.entries(queues).map(([service, queueUrl]) => {
    const handlers = Object.fromEntries(MESSAGES.map((m) => [m.split(':')[0], record(service)]));
    return new Consumer({ client: sqs, queueUrl, handlers, waitTimeSeconds: 1, stopOnSignals: false });
  });
  for (const c of consumers) void c.start();
  const total = () => Object.values(got).reduce((n, l) => n + l.length, 0);
  for (let i = 0; i < 400 && total() < count; i++) await new Promise((r) => setTimeout(r, 25));
  // A little longer: a message a filter should have kept out would arrive now.
  await new Promise((r) => setTimeout(r, 300));
  await Promise.all(consumers.map((c) => c.stop()));
  return got;
}

describe('fan-out', () => {
  test('one publisher, three consumer services with different filter policies: each receives exactly its types', async () => {
    const mod = await loadCompiled<Record<string, unknown>>(dir, 'links/orders/index.js', 'esm');
    const services = {
      billing: ['OrderPlaced', 'OrderRefunded'],
      shipping: ['OrderPlaced', 'OrderShipped'],
      support: ['OrderCancelled'],
    };
    const { topicArn, queues } = await topology('orders', false, services);
    const publisher = new (mod.OrdersPublisher as new (o: object) => Publisher)({ client: sns, topicArn });
    const types = MESSAGES.map((m) => m.split(':')[0]!);
    const sent = Array.from({ length: 40 }, (_, i) => ({ type: types[i % 4]!, id: `o-${i}` }));
    // Documents written by --message pin each payload's own `type` (so publish(payload) works too).
    const payload = (type: string, orderId: string) => ({ type, orderId, total: 1, carrier: 'ups', amount: 1 });
    const result = await publisher.publishBatch(
      sent.slice(0, 36).map((s) => ({ type: s.type, payload: payload(s.type, s.id) })),
    );
    expect(result.failed).toEqual([]);
    for (const s of sent.slice(36)) await publisher.publish(s.type, payload(s.type, s.id));
    const expected = Object.fromEntries(
      Object.entries(services).map(([service, wanted]) => [
        service,
        sent
          .filter((s) => wanted.includes(s.type))
          .map((s) => `${s.type}:${s.id}`)
          .sort(),
      ]),
    );
    const count = Object.values(expected).reduce((n, l) => n + l.length, 0);
    const got = await consume(mod.OrdersConsumer as Consumer, queues, count);
    for (const service of Object.keys(services)) expect(got[service]?.sort(), service).toEqual(expected[service]);
  }, 60_000);

  test('a FIFO topic: each service receives its types, every group in publish order', async () => {
    const mod = await loadCompiled<Record<string, unknown>>(dir, 'links/ledger/index.js', 'esm');
    const services = {
      billing: ['OrderPlaced', 'OrderRefunded'],
      audit: ['OrderPlaced', 'OrderShipped', 'OrderCancelled', 'OrderRefunded'],
    };
    const { topicArn, queues } = await topology('ledger', true, services);
    const publisher = new (mod.LedgerPublisher as new (o: object) => Publisher)({ client: sns, topicArn });
    const types = MESSAGES.map((m) => m.split(':')[0]!);
    // Three groups (accounts), twelve messages each, interleaved.
    const sent = Array.from({ length: 36 }, (_, i) => ({
      type: types[i % 4]!,
      id: `g${i % 3}-${Math.floor(i / 3)}`,
      group: `g${i % 3}`,
    }));
    const entries = sent.map((s) => ({
      type: s.type,
      payload: { type: s.type, orderId: s.id, total: 1, carrier: 'ups', amount: 1 },
      groupId: s.group,
      deduplicationId: s.id,
    }));
    expect((await publisher.publishBatch(entries)).failed).toEqual([]);
    const count = sent.filter((s) => services.billing.includes(s.type)).length + sent.length;
    const got = await consume(mod.LedgerConsumer as Consumer, queues, count);
    for (const [service, wanted] of Object.entries(services))
      for (const group of ['g0', 'g1', 'g2']) {
        const inOrder = sent
          .filter((s) => s.group === group && wanted.includes(s.type))
          .map((s) => `${s.type}:${s.id}`);
        expect(
          got[service]?.filter((g) => g.includes(`:${group}-`)),
          `${service} ${group}`,
        ).toEqual(inOrder);
      }
  }, 60_000);

  test('a consumer-only link: no publisher, no SNS client; a fan-out publisher needs @aws-sdk/client-sns', async () => {
    const files = await readdir(path.join(dir, 'src/links/shipping'));
    expect(files).toContain('consumer.ts');
    expect(files).toContain('handlers.ts');
    expect(files).not.toContain('publisher.ts');
    expect(await readFile(path.join(dir, 'src/links/shipping/sqs.ts'), 'utf8')).not.toContain('TOPIC_ARN');
    expect(spec.runtimeDependencies?.({ fanOut: true, role: 'consumer' })).toEqual(['@aws-sdk/client-sqs']);
    expect(spec.runtimeDependencies?.({ fanOut: true })).toEqual(['@aws-sdk/client-sqs', '@aws-sdk/client-sns']);
    expect(spec.runtimeDependencies?.({})).toEqual(['@aws-sdk/client-sqs']);
    expect(await readFile(path.join(dir, 'src/links/orders/sqs.ts'), 'utf8')).toContain(
      "export const TOPIC_ARN_ENV = 'ORDERS_TOPIC_ARN';",
    );
  });

  test('the fan-out publisher says SNS where it talks to SNS; a plain queue publisher does not mention filter policies', async () => {
    const fanOut = await readFile(path.join(dir, 'src/links/orders/publisher.ts'), 'utf8');
    expect(fanOut).toContain('Entries SNS accepted');
    expect(fanOut).toContain('PublishError if SNS fails');
    expect(fanOut).not.toMatch(/SQS (accepted|side|allows|fails)|SQS's/);
    // A publisher-only fan-out link reads its topic, no queue: it has no queue variable to set.
    const notify = await readFile(path.join(dir, 'src/links/notify/sqs.ts'), 'utf8');
    expect(notify).toContain("export const TOPIC_ARN_ENV = 'NOTIFY_TOPIC_ARN';");
    expect(notify).not.toContain('QUEUE_URL');
    expect(await readFile(path.join(dir, 'src/links/notify/index.ts'), 'utf8')).toContain(
      '// topic ARN from NOTIFY_TOPIC_ARN',
    );
    const plainDir = await makeProject({ module: 'esm' });
    try {
      await createLink(plainDir, 'plain', { message: MESSAGES });
      const plain = await readFile(path.join(plainDir, 'src/links/plain/publisher.ts'), 'utf8');
      expect(plain).toContain('Entries SQS accepted');
      expect(plain).not.toMatch(/SNS|filter polic/);
    } finally {
      await removeProject(plainDir);
    }
  });

  test('the topology the infrastructure file is rendered from names what the generated code reads', async () => {
    const model = queueLink(readAsyncApi(await readFile(path.join(dir, 'asyncapi/shipping.yaml'), 'utf8'), 'x'));
    expect(queueTopology(model, 'shipping', { fanOut: true, role: 'consumer' })).toEqual({
      link: 'shipping',
      fanOut: true,
      role: 'consumer',
      channels: [
        {
          channel: 'shipping',
          fifo: false,
          queue: { name: 'shipping-shipping', urlEnv: 'SHIPPING_QUEUE_URL' },
          topic: { name: 'shipping', arnEnv: 'SHIPPING_TOPIC_ARN' },
          consumes: MESSAGES.map((m) => m.split(':')[0]),
          publishes: false,
        },
      ],
    });
  });
});
