// The fan-out infrastructure file: the topology rendered as CloudFormation, applied on fauxqs by
// `setup-local` (twice: the second run changes nothing), and a message published to the topic reaches
// exactly the queues whose filter policy names its type. Also the file's ownership: rewritten only while
// untouched.
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { buildApp } from 'fauxqs';
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderCloudFormation } from '../src/patterns/queue/infra/cloudformation.js';
import { INFRA_STATE_KEY, infraFile } from '../src/patterns/queue/infra/file.js';
import type { QueueTopology } from '../src/patterns/queue/infra/topology.js';
import type { LinkState } from '../src/patterns/types.js';
import { TOOL_ROOT, makeProject, removeProject, runCli } from './helpers/project.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** One topic, three consuming services with different filters, and a FIFO pair. */
const TOPOLOGY: QueueTopology = {
  name: 'shop',
  topics: [
    { name: 'orders', fifo: false, arnEnv: 'SHOP_ORDERS_TOPIC_ARN' },
    { name: 'ledger', fifo: true, contentBasedDeduplication: true, arnEnv: 'SHOP_LEDGER_TOPIC_ARN' },
  ],
  queues: [
    {
      service: 'billing',
      fifo: false,
      urlEnv: 'SHOP_BILLING_QUEUE_URL',
      subscriptions: [{ topic: 'orders', messageTypes: ['OrderCreated', 'OrderCancelled'] }],
    },
    {
      service: 'shipping',
      fifo: false,
      urlEnv: 'SHOP_SHIPPING_QUEUE_URL',
      maxReceiveCount: 3,
      subscriptions: [{ topic: 'orders', messageTypes: ['OrderPaid'] }],
    },
    {
      service: 'audit',
      fifo: false,
      urlEnv: 'SHOP_AUDIT_QUEUE_URL',
      subscriptions: [{ topic: 'orders', messageTypes: [] }],
    },
    {
      service: 'books',
      fifo: true,
      urlEnv: 'SHOP_BOOKS_QUEUE_URL',
      subscriptions: [{ topic: 'ledger', messageTypes: ['Entry'] }],
    },
  ],
  payloadBucket: { bucketEnv: 'SHOP_PAYLOAD_BUCKET' },
};

let server: Awaited<ReturnType<typeof buildApp>>;
let endpoint = '';
let sqs: SQSClient;
let sns: SNSClient;
let dir = '';
let env: Record<string, string> = {};

function envOf(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function drain(queueUrl: string): Promise<string[]> {
  const types: string[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    if (!out.Messages?.length) return types.sort();
    for (const m of out.Messages) {
      // Raw delivery: the body is the publisher's, not SNS's JSON envelope.
      expect(JSON.parse(m.Body ?? '')).toHaveProperty('n');
      types.push(m.MessageAttributes?.['type']?.StringValue ?? '(none)');
    }
  }
}

beforeAll(async () => {
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  sns = new SNSClient({ endpoint, region: 'us-east-1', credentials });
  dir = await makeProject({
    files: { 'infra/shop.cloudformation.yaml': renderCloudFormation(TOPOLOGY, 'asyncapi/shop.yaml') },
  });
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  sns?.destroy();
  await server?.close();
  if (dir) await removeProject(dir);
});

describe('CloudFormation from the topology', () => {
  test('topics, a queue + DLQ per service, raw subscriptions with type filters, queue policies, a bucket expiring payloads', () => {
    const template = parse(renderCloudFormation(TOPOLOGY, 'asyncapi/shop.yaml')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const r = template.Resources;
    expect(r['OrdersTopic']?.Properties).toEqual({ TopicName: 'orders' });
    expect(r['LedgerTopic']?.Properties).toEqual({
      TopicName: 'ledger.fifo',
      FifoTopic: true,
      ContentBasedDeduplication: true,
    });
    expect(r['ShippingQueue']?.Properties['RedrivePolicy']).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['ShippingDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 3,
    });
    expect(r['BooksDeadLetterQueue']?.Properties).toMatchObject({ QueueName: 'shop-books-dlq.fifo', FifoQueue: true });
    expect(r['BillingOrdersSubscription']?.Properties).toEqual({
      TopicArn: { Ref: 'OrdersTopic' },
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': ['BillingQueue', 'Arn'] },
      RawMessageDelivery: true,
      FilterPolicyScope: 'MessageAttributes',
      FilterPolicy: { type: ['OrderCreated', 'OrderCancelled'] },
    });
    expect(r['AuditOrdersSubscription']?.Properties).not.toHaveProperty('FilterPolicy');
    const policy = r['BillingQueuePolicy']?.Properties['PolicyDocument'] as { Statement: Record<string, unknown>[] };
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': [{ Ref: 'OrdersTopic' }] } },
    });
    expect(r['PayloadBucket']?.Properties).toEqual({
      LifecycleConfiguration: { Rules: [{ Id: 'expire-offloaded-payloads', Status: 'Enabled', ExpirationInDays: 14 }] },
    });
  });

  test('a FIFO queue on a standard topic is refused, naming the service and the rule', () => {
    const bad: QueueTopology = {
      ...TOPOLOGY,
      queues: [{ service: 'books', fifo: true, urlEnv: 'X', subscriptions: [{ topic: 'orders', messageTypes: [] }] }],
    };
    expect(() => renderCloudFormation(bad, 'a.yaml')).toThrow(
      'service "books": a FIFO queue cannot subscribe to the standard topic "orders"',
    );
  });
});

describe('setup-local on fauxqs', () => {
  test('creates the topology and prints its environment; a second run changes nothing', async () => {
    const args = ['setup-local', 'shop', '--template', 'infra/shop.cloudformation.yaml', '--endpoint', endpoint];
    const first = await runCli(args, dir);
    expect(first.exitCode, first.stderr).toBe(0);
    env = envOf(first.stdout);
    expect(Object.keys(env).sort()).toEqual(
      [
        'AWS_REGION',
        'S3_ENDPOINT',
        'SHOP_AUDIT_QUEUE_URL',
        'SHOP_BILLING_QUEUE_URL',
        'SHOP_BOOKS_QUEUE_URL',
        'SHOP_LEDGER_TOPIC_ARN',
        'SHOP_ORDERS_TOPIC_ARN',
        'SHOP_PAYLOAD_BUCKET',
        'SHOP_SHIPPING_QUEUE_URL',
        'SNS_ENDPOINT',
        'SQS_ENDPOINT',
      ].sort(),
    );
    expect(env['SHOP_PAYLOAD_BUCKET']).toBe('shop-payloads');
    expect(first.stderr).toContain('lifecycle rule is not applied locally');

    const second = await runCli(args, dir);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(envOf(second.stdout)).toEqual(env);
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: env['SHOP_ORDERS_TOPIC_ARN'] }));
    expect(subs.Subscriptions).toHaveLength(3);
    const redrive = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: env['SHOP_SHIPPING_QUEUE_URL'], AttributeNames: ['RedrivePolicy'] }),
    );
    expect(JSON.parse(redrive.Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 3 });
  }, 60_000);

  test('a message published to the topic reaches exactly the queues whose filter names its type', async () => {
    const publish = (type: string, n: number) =>
      sns.send(
        new PublishCommand({
          TopicArn: env['SHOP_ORDERS_TOPIC_ARN'],
          Message: JSON.stringify({ n }),
          MessageAttributes: { type: { DataType: 'String', StringValue: type } },
        }),
      );
    for (const [n, type] of ['OrderCreated', 'OrderPaid', 'OrderCancelled', 'OrderPaid', 'Refunded'].entries())
      await publish(type, n);
    expect(await drain(env['SHOP_BILLING_QUEUE_URL']!)).toEqual(['OrderCancelled', 'OrderCreated']);
    expect(await drain(env['SHOP_SHIPPING_QUEUE_URL']!)).toEqual(['OrderPaid', 'OrderPaid']);
    expect(await drain(env['SHOP_AUDIT_QUEUE_URL']!)).toEqual([
      'OrderCancelled',
      'OrderCreated',
      'OrderPaid',
      'OrderPaid',
      'Refunded',
    ]);
    expect(await drain(env['SHOP_BOOKS_QUEUE_URL']!)).toEqual([]);
  }, 30_000);

  test('an edit of the file is applied: a type added to a filter reaches the queue after the next setup-local', async () => {
    const file = path.join(dir, 'infra/shop.cloudformation.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/^( +)- OrderPaid$/m, '$1- OrderPaid\n$1- Refunded'));
    const run = await runCli(['setup-local', '--template', file, '--endpoint', endpoint], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    await sns.send(
      new PublishCommand({
        TopicArn: env['SHOP_ORDERS_TOPIC_ARN'],
        Message: JSON.stringify({ n: 9 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'Refunded' } },
      }),
    );
    expect(await drain(env['SHOP_SHIPPING_QUEUE_URL']!)).toEqual(['Refunded']);
    expect(await drain(env['SHOP_BILLING_QUEUE_URL']!)).toEqual([]);
  }, 30_000);

  test('bad input: one error line naming the file and line, exit 1; no emulator: exit 2 naming --endpoint', async () => {
    await writeFile(path.join(dir, 'broken.yaml'), 'Resources:\n  A: [\n');
    const broken = await runCli(['setup-local', '--template', 'broken.yaml', '--endpoint', endpoint], dir);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr.trim().split('\n')[0]).toMatch(/^error: broken\.yaml:\d+:\d+: not valid YAML/);
    await writeFile(path.join(dir, 'list.yaml'), '- Resources\n');
    const list = await runCli(['setup-local', '--template', 'list.yaml', '--endpoint', endpoint], dir);
    expect(list.exitCode).toBe(1);
    expect(list.stderr.trim().split('\n')[0]).toBe(
      'error: list.yaml:1:1: not a CloudFormation template (a YAML mapping with Resources)',
    );
    const noEndpoint = await runCli(['setup-local', '--template', 'broken.yaml'], dir, { SQS_ENDPOINT: '' });
    expect(noEndpoint.exitCode).toBe(2);
    expect(noEndpoint.stderr).toContain('--endpoint <URL>');
  }, 30_000);
});

describe('the file is the user’s', () => {
  const path = 'infra/shop.cloudformation.yaml';
  const topology: QueueTopology = { ...TOPOLOGY, queues: TOPOLOGY.queues.slice(0, 1) };
  function ctx(current: string | undefined, previousState: LinkState | undefined, notes: string[] = []) {
    return {
      exists: async () => current !== undefined,
      readFile: async () => current ?? '',
      previousState,
      note: (text: string) => void notes.push(text),
    };
  }

  test('written when missing, rewritten while untouched, kept (with a note) once edited', async () => {
    const first = await infraFile(ctx(undefined, undefined), path, TOPOLOGY, 'asyncapi/shop.yaml');
    const written = first.file.content;
    expect(first.state[INFRA_STATE_KEY]).toHaveLength(1);

    // Untouched, and the topology lost a service: rewritten.
    const second = await infraFile(ctx(written, first.state), path, topology, 'asyncapi/shop.yaml');
    expect(first.file.kind === 'user' && second.file.kind === 'user').toBe(true);
    const merged = second.file.kind === 'user' ? await second.file.merge?.(written) : undefined;
    expect(merged).toBe(renderCloudFormation(topology, 'asyncapi/shop.yaml'));
    expect(merged).not.toContain('ShippingQueue');

    // Edited: kept byte for byte, the record stays the tool's, and the run says what the document describes.
    const edited = `${written}# my comment\n`;
    const notes: string[] = [];
    const third = await infraFile(ctx(edited, first.state, notes), path, topology, 'asyncapi/shop.yaml');
    expect(third.file.kind === 'user' ? await third.file.merge?.(edited) : undefined).toBe(edited);
    expect(third.state).toEqual(first.state);
    expect(notes[0]).toContain('was edited by you, so it was not regenerated');
    expect(notes[0]).toContain('consuming services billing');
  });
});

describe('a fan-out link writes its file; setup-local applies it by link name', () => {
  test('publisher and consumer-only links from one document: one set of topics, a queue per service, by filter', async () => {
    await writeFile(
      path.join(dir, 'shop.yaml'),
      await readFile(path.join(TOOL_ROOT, 'test/fixtures/queue/multi-channel.yaml')),
    );
    for (const args of [
      ['queue', 'store', '--asyncapi', 'shop.yaml', '--fan-out', '--large-payloads'],
      ['queue', 'billing', '--asyncapi', 'shop.yaml', '--fan-out', '--role', 'consumer'],
    ]) {
      const r = await runCli([...args, '--yes', '--no-install'], dir);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const billing = parse(await readFile(path.join(dir, 'infra/billing.cloudformation.yaml'), 'utf8')) as {
      Parameters: Record<string, unknown>;
      Resources: Record<string, { Type: string }>;
    };
    // The consumer-only stack takes the publisher's topics as parameters instead of creating them again.
    expect(Object.keys(billing.Parameters)).toEqual([
      'ShopOrdersTopicArn',
      'ShopPaymentsTopicArn',
      'ShopHeartbeatsTopicArn',
    ]);
    expect(Object.values(billing.Resources).filter((r) => r.Type === 'AWS::SNS::Topic')).toEqual([]);

    const run = await runCli(['setup-local', 'store', 'billing', '--endpoint', endpoint], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    const local = envOf(run.stdout);
    // Topics are named after the channels' addresses, so both stacks meet on them.
    expect(local['STORE_ORDERS_TOPIC_ARN']).toMatch(/:shop-orders$/);
    expect(local['STORE_PAYLOAD_BUCKET']).toBe('store-payloads');
    await sns.send(
      new PublishCommand({
        TopicArn: local['STORE_ORDERS_TOPIC_ARN'],
        Message: JSON.stringify({ n: 1, orderId: 'o-1', total: 2 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'OrderPlaced' } },
      }),
    );
    expect(await drain(local['STORE_ORDERS_QUEUE_URL']!)).toEqual(['OrderPlaced']);
    expect(await drain(local['BILLING_ORDERS_QUEUE_URL']!)).toEqual(['OrderPlaced']);
    expect(await drain(local['BILLING_HEARTBEATS_QUEUE_URL']!)).toEqual([]);
  }, 90_000);

  test('generate rewrites the untouched file and keeps an edited one, saying so', async () => {
    const file = path.join(dir, 'infra/billing.cloudformation.yaml');
    const before = await readFile(file, 'utf8');
    const untouched = await runCli(['generate', 'billing'], dir);
    expect(untouched.exitCode, untouched.stderr).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(before);
    await writeFile(file, `${before}# reviewed by ops\n`);
    const edited = await runCli(['generate', 'billing'], dir);
    expect(edited.exitCode, edited.stderr).toBe(0);
    expect(`${edited.stdout}${edited.stderr}`).toContain('was edited by you, so it was not regenerated');
    expect(await readFile(file, 'utf8')).toBe(`${before}# reviewed by ops\n`);
  }, 60_000);
});
