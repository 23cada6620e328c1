// A document with three channels (three queues): one typed publisher per channel it sends on, one
// consumer per channel it receives from, compiled under the strictest flags and run on fauxqs (an SQS
// emulator) on 127.0.0.1. Then a channel is added to the document: every handler line is kept.
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateLink, loadCompiled } from './fixtures/queue/harness.js';
import { compile, makeProject, removeProject } from './helpers/project.js';
import { strictestTsconfig } from './helpers/strictest.js';

const LINK = { name: 'shop', pattern: 'queue', contracts: ['asyncapi/shop.yaml'], out: 'src/links/shop', options: {} };
const HANDLERS = `import type { ShopHandlers } from './consumer.js';

export const seen: string[] = [];

export const handlers: ShopHandlers = {
  async OrderPlaced(message, context) {
    seen.push(\`\${context.type}:\${message.orderId}:\${message.total}\`);
  },
  async 'order.cancelled'(message, context) {
    seen.push(\`\${context.type}:\${message.orderId}\`);
  },
  async PaymentCaptured(message, context) {
    seen.push(\`\${context.type}:\${message.amount}:\${context.groupId}\`);
  },
};
`;
// Calls the types must refuse: a channel's publisher takes only its own channel's message types.
const MISUSE = `import { ShopHeartbeatsPublisher, ShopOrdersPublisher } from './links/shop/index.js';

export function misuse(orders: ShopOrdersPublisher, beats: ShopHeartbeatsPublisher): void {
  // @ts-expect-error PaymentCaptured travels on the payments channel, not on orders
  void orders.publish('PaymentCaptured', { orderId: 'o', amount: 1 });
  // @ts-expect-error a heartbeat is the string "ping"
  void beats.publish('heartbeat', 'pong');
}
`;

let dir = '';
let server: Awaited<ReturnType<typeof buildApp>>;
let sqs: SQSClient;

beforeAll(async () => {
  dir = await makeProject({
    files: {
      'tsconfig.json': strictestTsconfig(),
      'src/misuse.ts': MISUSE,
    },
  });
  await mkdir(path.join(dir, 'asyncapi'));
  await copyFile(
    path.join(import.meta.dirname, 'fixtures/queue/multi-channel.yaml'),
    path.join(dir, 'asyncapi/shop.yaml'),
  );
  await generateLink(dir, LINK, 'esm', { noUnusedParameters: true });
  await writeFile(path.join(dir, 'src/links/shop/handlers.ts'), HANDLERS);
  // The same document fanned out (SNS publishers per channel) compiles under the same flags.
  const fan = { ...LINK, name: 'shopfan', out: 'src/links/shopfan', options: { fanOut: true } };
  await generateLink(dir, fan, 'esm', { noUnusedParameters: true });
  expect((await compile(dir)).output).toBe('');
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await server?.close();
  if (dir) await removeProject(dir);
});

type Publisher = new (o: object) => { publish(type: string, payload: unknown, options?: object): Promise<unknown> };
type Consumer = new (o: object) => { start(): Promise<void>; stop(): Promise<void> };

async function queue(name: string): Promise<string> {
  const fifo = name.endsWith('.fifo') ? { Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } } : {};
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, ...fifo }))).QueueUrl!;
}

describe('three channels', () => {
  test('a publisher per channel sent on, a consumer per channel received from; each handles only its own types', async () => {
    const mod = await loadCompiled<Record<string, unknown>>(dir, 'links/shop/index.js', 'esm');
    const { seen } = await loadCompiled<{ seen: string[] }>(dir, 'links/shop/handlers.js', 'esm');
    // Sides from the operations: orders both, payments received only, heartbeats sent only.
    expect(
      Object.keys(mod)
        .filter((k) => /^Shop\w*(Publisher|Consumer)$/.test(k))
        .sort(),
    ).toEqual(['ShopHeartbeatsPublisher', 'ShopOrdersConsumer', 'ShopOrdersPublisher', 'ShopPaymentsConsumer']);
    const [orders, payments, beats] = [
      await queue('shop-orders'),
      await queue('shop-payments.fifo'),
      await queue('shop-heartbeats'),
    ];
    const OrdersPublisher = mod.ShopOrdersPublisher as Publisher;
    const BeatsPublisher = mod.ShopHeartbeatsPublisher as Publisher;
    await new OrdersPublisher({ client: sqs, queueUrl: orders }).publish('OrderPlaced', {
      orderId: 'o-1',
      total: 12.5,
    });
    await new OrdersPublisher({ client: sqs, queueUrl: orders }).publish('order.cancelled', { orderId: 'o-2' });
    await new BeatsPublisher({ client: sqs, queueUrl: beats }).publish('heartbeat', 'ping');
    // The heartbeat's body is exactly its payload, a JSON string; its type beside it.
    const beat = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: beats, MessageAttributeNames: ['All'] })))
      .Messages?.[0];
    expect(beat?.Body).toBe('"ping"');
    expect(beat?.MessageAttributes?.type?.StringValue).toBe('heartbeat');
    // Payments come from another producer: raw bodies, one with the type attribute, one without, and one of
    // the orders channel, which the payments consumer must not take.
    const raw = (body: object, type?: string) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: payments,
          MessageBody: JSON.stringify(body),
          MessageGroupId: 'acct-1',
          ...(type ? { MessageAttributes: { type: { DataType: 'String', StringValue: type } } } : {}),
        }),
      );
    await raw({ orderId: 'o-1', amount: 1250 }, 'PaymentCaptured');
    await raw({ orderId: 'o-1', amount: 300 });
    const invalid: { reason: string; issues: { message: string }[] }[] = [];
    await raw({ orderId: 'o-9', total: 1 }, 'OrderPlaced');
    const consumers = [
      new (mod.ShopOrdersConsumer as Consumer)({
        client: sqs,
        queueUrl: orders,
        waitTimeSeconds: 1,
        stopOnSignals: false,
      }),
      new (mod.ShopPaymentsConsumer as Consumer)({
        client: sqs,
        queueUrl: payments,
        waitTimeSeconds: 1,
        stopOnSignals: false,
        hooks: { invalid: (e: (typeof invalid)[number]) => invalid.push(e) },
      }),
    ];
    for (const c of consumers) void c.start();
    for (let i = 0; i < 200 && (seen.length < 4 || invalid.length < 1); i++)
      await new Promise((r) => setTimeout(r, 25));
    await Promise.all(consumers.map((c) => c.stop()));
    expect([...seen].sort()).toEqual([
      'OrderPlaced:o-1:12.5',
      'PaymentCaptured:1250:acct-1',
      'PaymentCaptured:300:acct-1',
      'order.cancelled:o-2',
    ]);
    expect(invalid[0]?.reason).toBe('unknown-type');
    expect(invalid[0]?.issues[0]?.message).toContain('is not one of channel "payments"');
  }, 60_000);

  test('fanned out, each publishing channel reads its own topic ARN', async () => {
    const settings = await readFile(path.join(dir, 'src/links/shopfan/orders-sqs.ts'), 'utf8');
    expect(settings).toContain("export const SHOPFAN_ORDERS_TOPIC_ARN_ENV = 'SHOPFAN_ORDERS_TOPIC_ARN';");
    const publisher = await readFile(
      path.join(dir, 'src/links/shopfan/payments-publisher.ts').replace('payments', 'heartbeats'),
      'utf8',
    );
    expect(publisher).toContain('new PublishCommand({');
  });

  test('a channel added to the document: a stub for its message, every handler line kept, still compiles', async () => {
    const docPath = path.join(dir, 'asyncapi/shop.yaml');
    const doc = await readFile(docPath, 'utf8');
    const refunds = [
      '  refunds:',
      '    address: shop-refunds',
      '    messages:',
      '      RefundIssued:',
      '        payload:',
      '          type: object',
      '          required: [orderId]',
      '          properties:',
      '            orderId: { type: string }',
      '',
    ].join('\n');
    const edited = doc
      .replace(
        'operations:\n',
        "operations:\n  onRefund:\n    action: receive\n    channel: { $ref: '#/channels/refunds' }\n",
      )
      .replace('\noperations:', `\n${refunds}operations:`);
    await writeFile(docPath, edited);
    await generateLink(dir, LINK, 'esm', { noUnusedParameters: true });
    const merged = await readFile(path.join(dir, 'src/links/shop/handlers.ts'), 'utf8');
    expect(merged.slice(0, HANDLERS.lastIndexOf('};'))).toBe(HANDLERS.slice(0, HANDLERS.lastIndexOf('};')));
    expect(merged).toContain('  async RefundIssued(_message, context) {');
    expect((await compile(dir)).output).toBe('');
    // (The compiled index.js is already loaded in this process: read the new one.)
    expect(await readFile(path.join(dir, 'dist/links/shop/index.js'), 'utf8')).toContain('ShopRefundsConsumer');
  }, 60_000);
});
