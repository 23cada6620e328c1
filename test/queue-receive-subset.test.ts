// A consumer receives exactly the messages its receive operations name (AsyncAPI 3: an operation's
// `messages` may list some of its channel's). One channel of four message types; a publishing service and
// three consuming services, each with its own document whose receive operation names a different subset.
// Each consumer link has handlers, a handler type and a filter policy for exactly its subset, the project
// compiles under the strictest flags, and on fauxqs (setup-local + the generated code) each service gets
// exactly its types; a message of another type put straight on a consumer's queue is `invalid`
// (unknown type), not handled. Regeneration: a message added to a receive operation adds its stub and
// widens the untouched infrastructure file's filter, keeping the user's lines.
import { buildApp } from 'fauxqs';
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readAsyncApi } from '../src/contracts/asyncapi.js';
import { linkedOnly, queueLink, type LinkRole } from '../src/contracts/asyncapi-queue.js';
import { queueTopology } from '../src/patterns/queue/topology.js';
import { makeProject, removeProject } from './helpers/project.js';
import { UserProject } from './helpers/user-project.js';
import { strictestTsconfig } from './helpers/strictest.js';

const object = (props: string) => `
        payload:
          type: object
          required: [orderId]
          properties:
            orderId: { type: string }${props}`;

const CHANNEL = `asyncapi: 3.0.0
info: { title: shop orders, version: 1.0.0 }
channels:
  orders:
    address: shop-orders
    messages:
      OrderPlaced:${object('\n            total: { type: number }')}
      OrderShipped:${object('\n            carrier: { type: string }')}
      OrderCancelled:${object('')}
      OrderRefunded:${object('\n            amount: { type: integer }')}
`;

/** A document with one operation on the orders channel naming `messages` (all when empty). */
function document(action: 'send' | 'receive', messages: string[]): string {
  const refs = messages.map((m) => `\n      - $ref: '#/channels/orders/messages/${m}'`).join('');
  const list = messages.length ? `\n    messages:${refs}` : '';
  return `${CHANNEL}operations:\n  ${action}Orders:\n    action: ${action}\n    channel: { $ref: '#/channels/orders' }${list}\n`;
}

const SERVICES: Record<string, string[]> = {
  billing: ['OrderPlaced', 'OrderRefunded'],
  shipping: ['OrderPlaced', 'OrderShipped'],
  support: ['OrderCancelled'],
};

// The user's program: runs the three consumers, publishes one message of each type, puts an OrderShipped
// straight on support's queue (no filter there), prints what the handlers and the invalid hook saw.
const PROBE = `import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ShopPublisher } from './links/shop/index.js';
import { startBillingConsumer } from './links/billing/index.js';
import { startShippingConsumer } from './links/shipping/index.js';
import { startSupportConsumer, queueUrl } from './links/support/index.js';
import { seen } from './seen.js';

const expected = Number(process.argv[2]);
const options = { waitTimeSeconds: 1, stopOnSignals: false } as const;
const invalid = new Set<string>();
const consumers = [
  startBillingConsumer(options),
  startShippingConsumer(options),
  startSupportConsumer({
    ...options,
    hooks: {
      invalid: (event) => {
        if (invalid.has(event.messageId)) return;
        invalid.add(event.messageId);
        seen.push(\`support:invalid:\${event.reason}\`);
      },
    },
  }),
];
const publisher = new ShopPublisher();
await publisher.publish('OrderPlaced', { orderId: 'o-1', total: 1 });
await publisher.publish('OrderShipped', { orderId: 'o-2', carrier: 'ups' });
await publisher.publish('OrderCancelled', { orderId: 'o-3' });
await publisher.publish('OrderRefunded', { orderId: 'o-4', amount: 2 });
const sqs = new SQSClient({ endpoint: process.env['SQS_ENDPOINT'] ?? '', region: 'us-east-1' });
await sqs.send(
  new SendMessageCommand({
    QueueUrl: queueUrl(),
    MessageBody: JSON.stringify({ orderId: 'o-5', carrier: 'dhl' }),
    MessageAttributes: { type: { DataType: 'String', StringValue: 'OrderShipped' } },
  }),
);
const deadline = Date.now() + 10_000;
while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
// A little longer: a message a filter should have kept out would arrive now.
await new Promise((r) => setTimeout(r, 300));
await Promise.all(consumers.map((c) => c.stop()));
sqs.destroy();
console.log(JSON.stringify([...seen].sort()));
`;

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

let p: UserProject;
let server: Awaited<ReturnType<typeof buildApp>>;
let endpoint = '';

/** The filter policy types of the link's subscription in its infrastructure file. */
async function filterOf(link: string): Promise<unknown> {
  const template = parse(await p.read(`infra/${link}.cloudformation.yaml`)) as Template;
  const subscriptions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SNS::Subscription');
  expect(subscriptions, link).toHaveLength(1);
  return (subscriptions[0]!.Properties['FilterPolicy'] as { type: string[] }).type;
}

/** The message types the link's handlers.ts has handlers for. */
async function handlerKeys(link: string): Promise<string[]> {
  const text = await p.read(`src/links/${link}/handlers.ts`);
  return [...text.matchAll(/^ {2}async (\w+)\(/gm)].map((m) => m[1]!);
}

/** The user writes the body of `type`'s handler in `link`: it records what it saw. */
async function handle(link: string, type: string): Promise<void> {
  const file = `src/links/${link}/handlers.ts`;
  const stub = new RegExp(`async ${type}\\(_?message, _?context\\) \\{\\n[\\s\\S]*?\\n {2}\\},`);
  await p.edit(
    file,
    stub,
    `async ${type}(message, context) {\n    // ${link} records the ${type} it got\n    seen.push(\`${link}:\${context.type}:\${message.orderId}\`);\n  },`,
  );
}

beforeAll(async () => {
  const files: Record<string, string> = {
    'tsconfig.json': strictestTsconfig(),
    'shop.yaml': document('send', []),
    'src/seen.ts': 'export const seen: string[] = [];\n',
  };
  for (const [service, types] of Object.entries(SERVICES)) files[`${service}.yaml`] = document('receive', types);
  p = new UserProject(await makeProject({ files }));
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (p) await removeProject(p.dir);
});

describe('receive operations that name some of the channel messages', () => {
  test('each consumer link has handlers, a handler type and a filter for exactly its messages', async () => {
    const links = [['shop', 'publisher'], ...Object.keys(SERVICES).map((s) => [s, 'consumer'])];
    for (const [link, role] of links) {
      const r = await p.cli([
        'queue',
        link!,
        '--asyncapi',
        `${link}.yaml`,
        '--fan-out',
        '--role',
        role!,
        '--yes',
        '--no-install',
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    for (const [service, types] of Object.entries(SERVICES)) {
      expect(await handlerKeys(service), service).toEqual(types);
      expect(await filterOf(service), service).toEqual(types);
      const messages = await p.read(`src/links/${service}/messages.ts`);
      const list = types.map((t) => `'${t}'`).join(', ');
      expect(messages, service).toContain(
        `_MESSAGE_TYPES: readonly ${service[0]!.toUpperCase()}${service.slice(1)}MessageType[] = [${list}];`,
      );
      const line = `import type { ${service[0]!.toUpperCase()}${service.slice(1)}Handlers } from './consumer.js';`;
      await p.edit(`src/links/${service}/handlers.ts`, line, `${line}\nimport { seen } from '../../seen.js';`);
      for (const type of types) await handle(service, type);
    }
    // The publisher follows its send operation: all four types.
    const shop = await p.read('src/links/shop/messages.ts');
    const all = /SHOP_MESSAGE_TYPES: readonly ShopMessageType\[\] = \[([^\]]*)\]/.exec(shop)?.[1];
    expect(all?.match(/'\w+'/g)).toEqual(["'OrderPlaced'", "'OrderShipped'", "'OrderCancelled'", "'OrderRefunded'"]);
    await writeFile(path.join(p.dir, 'src/probe.ts'), PROBE);
    await p.step();
  }, 90_000);

  test('on fauxqs each service receives exactly its types; another type on its queue is invalid', async () => {
    const setup = await p.cli(['setup-local', 'shop', 'billing', 'shipping', 'support', '--endpoint', endpoint]);
    expect(setup.exitCode, setup.stderr).toBe(0);
    const env = Object.fromEntries(
      setup.stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const seen = await p.run('probe.js', 6, { ...env, AWS_ACCESS_KEY_ID: 't', AWS_SECRET_ACCESS_KEY: 't' });
    expect(seen).toEqual(
      [
        'billing:OrderPlaced:o-1',
        'billing:OrderRefunded:o-4',
        'shipping:OrderPlaced:o-1',
        'shipping:OrderShipped:o-2',
        'support:OrderCancelled:o-3',
        'support:invalid:unknown-type',
      ].sort(),
    );
  }, 60_000);

  test('a message added to a receive operation: its stub, a wider filter, every user line kept', async () => {
    const before = await readFile(path.join(p.dir, 'support.yaml'), 'utf8');
    await writeFile(path.join(p.dir, 'support.yaml'), document('receive', ['OrderCancelled', 'OrderShipped']));
    expect(await p.read('support.yaml')).not.toBe(before);
    await p.step();
    expect(await handlerKeys('support')).toEqual(['OrderCancelled', 'OrderShipped']);
    // The filter lists the types in the channel's order; the new stub comes after the user's handler.
    expect(await filterOf('support')).toEqual(['OrderShipped', 'OrderCancelled']);
    // The other consumers' documents did not change: nor did their handlers.
    expect(await handlerKeys('billing')).toEqual(SERVICES['billing']);
  }, 60_000);
});

describe('which messages a link covers, from its operations and role', () => {
  const op = (key: string, action: string, channel: string, messages: string[]) =>
    `  ${key}:\n    action: ${action}\n    channel: { $ref: '#/channels/${channel}' }\n    messages:\n` +
    messages.map((m) => `      - $ref: '#/channels/${channel}/messages/${m}'\n`).join('');
  const link = (text: string, role: LinkRole = 'both') => linkedOnly(queueLink(readAsyncApi(text, 'shop.yaml'), role));
  const values = (model: ReturnType<typeof link>) => model.messages.map((m) => m.value);

  test('three receive operations on one channel in one document: their union, in channel order', () => {
    const text = `${CHANNEL}operations:\n${op('a', 'receive', 'orders', ['OrderRefunded'])}${op('b', 'receive', 'orders', ['OrderPlaced'])}${op('c', 'receive', 'orders', ['OrderShipped', 'OrderPlaced'])}`;
    for (const role of ['both', 'consumer'] as const) {
      const model = link(text, role);
      expect(values(model), role).toEqual(['OrderPlaced', 'OrderShipped', 'OrderRefunded']);
      const topology = queueTopology(model, 'shop', { fanOut: true, role });
      expect(topology.channels[0]!.consumes, role).toEqual(['OrderPlaced', 'OrderShipped', 'OrderRefunded']);
    }
  });

  test('a role against the document takes the other side: the peer receives what the application sends', () => {
    const text = `${CHANNEL}operations:\n${op('s', 'send', 'orders', ['OrderCancelled', 'OrderPlaced'])}`;
    expect(values(link(text, 'consumer'))).toEqual(['OrderPlaced', 'OrderCancelled']);
    expect(values(link(text, 'publisher'))).toEqual(['OrderPlaced', 'OrderCancelled']);
    // One message left: a body without the type attribute needs no rule to be identified.
    expect(link(`${CHANNEL}operations:\n${op('s', 'send', 'orders', ['OrderShipped'])}`).identification).toEqual({
      kind: 'single',
    });
  });

  test("an operation's reply is the other side: the receiving application sends its messages", () => {
    const reply = `    reply:\n      channel: { $ref: '#/channels/orders' }\n      messages:\n        - $ref: '#/channels/orders/messages/OrderShipped'\n`;
    const model = link(`${CHANNEL}operations:\n${op('r', 'receive', 'orders', ['OrderPlaced'])}${reply}`);
    expect(model.channels[0]).toMatchObject({ receives: ['OrderPlaced'], sends: ['OrderShipped'], publish: true });
    expect(values(model)).toEqual(['OrderPlaced', 'OrderShipped']);
  });

  test('several channels: each consumed channel filters on its own operations, the sent one keeps its messages', () => {
    const text = `${CHANNEL}  audit:\n    address: shop-audit\n    messages:\n      Audited:${object('')}\n      Purged:${object('')}\noperations:\n${op('r', 'receive', 'orders', ['OrderCancelled'])}${op('s', 'send', 'audit', ['Purged'])}`;
    const model = link(text);
    expect(values(model)).toEqual(['OrderCancelled', 'Purged']);
    const channels = queueTopology(model, 'shop', { fanOut: true }).channels;
    expect(channels.map((c) => [c.channel, c.consumes, c.publishes])).toEqual([
      ['orders', ['OrderCancelled'], false],
      ['audit', [], true],
    ]);
  });
});
