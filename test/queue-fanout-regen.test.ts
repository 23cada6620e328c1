// Regeneration of fan-out links (issue 14's proof): a multi-channel document, a publishing link and a
// consumer-only link, handler bodies written by the user; then the document gains a channel (sent and
// received) and a receive operation on a channel the link only published on, and a second consuming
// service scaffolds its link. `generate` keeps every handler line, the project compiles under the
// strictest flags, the untouched infrastructure files describe the new queues, subscriptions and filter
// policies, and `setup-local` + the generated publishers and consumers deliver on fauxqs.
import { buildApp } from 'fauxqs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TOOL_ROOT, makeProject, removeProject } from './helpers/project.js';
import { UserProject } from './helpers/user-project.js';
import { strictestTsconfig } from './helpers/strictest.js';

/** The document's second version: a `refunds` channel sent and received, and store now hears heartbeats. */
function withRefunds(v1: string): string {
  const refunds = `  refunds:
    address: shop-refunds
    messages:
      RefundIssued:
        name: RefundIssued
        payload:
          type: object
          required: [orderId, amount]
          properties:
            orderId: { type: string }
            amount: { type: integer }
`;
  const operations = `  issueRefund:
    action: send
    channel: { $ref: '#/channels/refunds' }
  onRefund:
    action: receive
    channel: { $ref: '#/channels/refunds' }
  onBeat:
    action: receive
    channel: { $ref: '#/channels/heartbeats' }
`;
  expect(v1).toContain('\noperations:\n');
  return `${v1.replace('\noperations:\n', `\n${refunds}operations:\n`)}${operations}`;
}

// The user's program: publishes one message of each kind, runs the consumers of every queue, prints what
// the handlers saw once all has arrived (or after 10 s).
const PROBE = `import { StoreHeartbeatsPublisher, StoreOrdersPublisher, StoreRefundsPublisher, startStoreHeartbeatsConsumer, startStoreOrdersConsumer, startStoreRefundsConsumer } from './links/store/index.js';
import { startBillingOrdersConsumer, startBillingRefundsConsumer } from './links/billing/index.js';
import { startShippingOrdersConsumer, startShippingRefundsConsumer } from './links/shipping/index.js';
import { seen } from './seen.js';

const expected = Number(process.argv[2]);
const options = { waitTimeSeconds: 1, stopOnSignals: false } as const;
const consumers = [
  startStoreOrdersConsumer(options),
  startStoreRefundsConsumer(options),
  startStoreHeartbeatsConsumer(options),
  startBillingOrdersConsumer(options),
  startBillingRefundsConsumer(options),
  startShippingOrdersConsumer(options),
  startShippingRefundsConsumer(options),
];
await new StoreOrdersPublisher().publish('OrderPlaced', { orderId: 'o-1', total: 12.5 });
await new StoreRefundsPublisher().publish('RefundIssued', { orderId: 'o-1', amount: 3 });
await new StoreHeartbeatsPublisher().publish('heartbeat', 'ping');
const deadline = Date.now() + 10_000;
while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
await Promise.all(consumers.map((c) => c.stop()));
console.log(JSON.stringify([...seen].sort()));
`;

type Template = {
  Metadata: { CreateServiceLink: { Environment: Record<string, string> } };
  Parameters?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

let p: UserProject;
let server: Awaited<ReturnType<typeof buildApp>>;
let endpoint = '';

/** The user writes the body of handler `key` in `link`'s handlers.ts: it records what it saw. */
async function handle(link: string, key: string, payload: 'orderId' | 'value'): Promise<void> {
  const file = `src/links/${link}/handlers.ts`;
  const head = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `'${key}'`;
  const stub = new RegExp(`async ${head.replace(/[.']/g, '\\$&')}\\(_?message, _?context\\) \\{\\n[\\s\\S]*?\\n  \\},`);
  const seen = payload === 'orderId' ? 'message.orderId' : 'message';
  await p.edit(
    file,
    stub,
    `async ${head}(message, context) {\n    // ${link} records the ${key} it got\n    seen.push(\`${link}:\${context.type}:\${${seen}}\`);\n  },`,
  );
}

async function importSeen(link: string): Promise<void> {
  const file = `src/links/${link}/handlers.ts`;
  const line = `import type { ${link[0]!.toUpperCase()}${link.slice(1)}Handlers } from './consumer.js';`;
  await p.edit(file, line, `${line}\nimport { seen } from '../../seen.js';`);
}

async function infra(link: string): Promise<Template> {
  return parse(await p.read(`infra/${link}.cloudformation.yaml`)) as Template;
}

/** The queue and topic variables each link's code reads are exactly those its infrastructure file sets. */
async function agree(...links: string[]): Promise<void> {
  for (const link of links) {
    const files = await readdir(path.join(p.dir, 'src/links', link));
    const code = (await Promise.all(files.map((f) => p.read(`src/links/${link}/${f}`)))).join('\n');
    const read = new Set(code.match(/'[A-Z0-9_]+_(QUEUE_URL|TOPIC_ARN)'/g)?.map((v) => v.slice(1, -1)));
    const given = Object.keys((await infra(link)).Metadata.CreateServiceLink.Environment);
    expect([...read].sort(), link).toEqual(given.sort());
  }
}

beforeAll(async () => {
  const v1 = await readFile(path.join(TOOL_ROOT, 'test/fixtures/queue/multi-channel.yaml'), 'utf8');
  const dir = await makeProject({
    files: {
      'tsconfig.json': strictestTsconfig(),
      'shop.yaml': v1,
      'src/seen.ts': 'export const seen: string[] = [];\n',
    },
  });
  p = new UserProject(dir);
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (p) await removeProject(p.dir);
});

describe('fan-out links: a channel and a subscriber added', () => {
  test('v1: a publishing link and a consumer-only link, handler bodies written, regenerated and compiled', async () => {
    for (const args of [
      ['queue', 'store', '--asyncapi', 'shop.yaml', '--fan-out'],
      ['queue', 'billing', '--asyncapi', 'shop.yaml', '--fan-out', '--role', 'consumer'],
    ]) {
      const r = await p.cli([...args, '--yes', '--no-install']);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    for (const link of ['store', 'billing']) {
      await importSeen(link);
      await handle(link, 'OrderPlaced', 'orderId');
      await handle(link, 'order.cancelled', 'orderId');
      await handle(link, 'PaymentCaptured', 'orderId');
    }
    await handle('billing', 'heartbeat', 'value');
    expect((await infra('store')).Resources).not.toHaveProperty('HeartbeatsQueue');
    await p.step();
    await agree('store', 'billing');
  }, 60_000);

  test('v2: a new channel, a new receive operation and a second consuming service; every handler line kept', async () => {
    const before = { store: await p.read('infra/store.cloudformation.yaml') };
    await writeFile(path.join(p.dir, 'shop.yaml'), withRefunds(await p.read('shop.yaml')));
    const created = await p.cli([
      'queue',
      'shipping',
      '--asyncapi',
      'shop.yaml',
      '--fan-out',
      '--role',
      'consumer',
      '--yes',
      '--no-install',
    ]);
    expect(created.exitCode, created.stderr).toBe(0);
    await importSeen('shipping');
    await handle('shipping', 'OrderPlaced', 'orderId');
    await handle('shipping', 'RefundIssued', 'orderId');
    const printed = await p.generate();
    expect(printed).not.toContain('was edited by you');
    // The new handlers are stubbed beside the user's; the user then writes them too.
    expect(await p.read('src/links/store/handlers.ts')).toMatch(/async RefundIssued\(_?message, _?context\)/);
    expect(await p.read('src/links/store/handlers.ts')).toMatch(/async heartbeat\(_?message, _?context\)/);
    expect(await p.read('src/links/billing/handlers.ts')).toMatch(/async RefundIssued\(_?message, _?context\)/);
    await handle('store', 'RefundIssued', 'orderId');
    await handle('store', 'heartbeat', 'value');
    await handle('billing', 'RefundIssued', 'orderId');
    // The user's program (run on fauxqs below) uses the new channel's publisher and consumers.
    await writeFile(path.join(p.dir, 'src/probe.ts'), PROBE);
    await p.step();

    // The untouched infrastructure files were rewritten from the new document.
    const store = await infra('store');
    expect(await p.read('infra/store.cloudformation.yaml')).not.toBe(before.store);
    expect(store.Resources['ShopRefundsTopic']?.Properties).toEqual({ TopicName: 'shop-refunds' });
    expect(store.Resources['RefundsQueue']?.Properties).toMatchObject({ QueueName: 'shop-refunds-store' });
    expect(store.Resources['HeartbeatsQueue']?.Properties).toMatchObject({ QueueName: 'shop-heartbeats-store' });
    expect(store.Resources['HeartbeatsShopHeartbeatsSubscription']?.Properties).toMatchObject({
      TopicArn: { Ref: 'ShopHeartbeatsTopic' },
      RawMessageDelivery: true,
      FilterPolicy: { type: ['heartbeat'] },
    });
    expect(store.Metadata.CreateServiceLink.Environment).toMatchObject({
      STORE_REFUNDS_TOPIC_ARN: 'ShopRefundsTopicArn',
      STORE_REFUNDS_QUEUE_URL: 'RefundsQueueUrl',
      STORE_HEARTBEATS_QUEUE_URL: 'HeartbeatsQueueUrl',
    });
    const billing = await infra('billing');
    expect(Object.keys(billing.Parameters ?? {})).toContain('ShopRefundsTopicArn');
    expect(billing.Resources['RefundsQueue']).toMatchObject({
      Properties: { QueueName: 'shop-refunds-billing' },
    });
    await agree('store', 'billing', 'shipping');
    // The second consuming service: its own queues, subscribed to the publisher's topics, filtered on its types.
    const shipping = await infra('shipping');
    expect(shipping.Resources['RefundsQueue']?.Properties).toMatchObject({ QueueName: 'shop-refunds-shipping' });
    expect(shipping.Resources['RefundsShopRefundsSubscription']?.Properties).toMatchObject({
      TopicArn: { Ref: 'ShopRefundsTopicArn' },
      FilterPolicyScope: 'MessageAttributes',
      FilterPolicy: { type: ['RefundIssued'] },
    });
    expect(shipping.Resources['OrdersShopOrdersSubscription']?.Properties).toMatchObject({
      FilterPolicy: { type: ['OrderPlaced', 'order.cancelled'] },
    });
  }, 90_000);

  test('setup-local creates all three stacks; the generated code delivers through them', async () => {
    const setup = await p.cli(['setup-local', 'store', 'billing', 'shipping', '--endpoint', endpoint]);
    expect(setup.exitCode, setup.stderr).toBe(0);
    const env = Object.fromEntries(
      setup.stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const seen = await p.run('probe.js', 7, { ...env, AWS_ACCESS_KEY_ID: 't', AWS_SECRET_ACCESS_KEY: 't' });
    // Each service got every message of the channels it consumes, once; nothing else.
    expect(seen).toEqual(
      [
        'billing:OrderPlaced:o-1',
        'billing:RefundIssued:o-1',
        'shipping:OrderPlaced:o-1',
        'shipping:RefundIssued:o-1',
        'store:OrderPlaced:o-1',
        'store:RefundIssued:o-1',
        'store:heartbeat:ping',
      ].sort(),
    );
  }, 60_000);
});
