// The queue pattern end to end: generate into temp projects, compile with tsc --strict (ESM and CJS),
// run the compiled publisher/consumer against fauxqs (an SQS emulator) on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compile, makeProject, removeProject } from './helpers/project.js';
import { createLink, generateLink, loadCompiled, projectInfo } from './fixtures/queue/harness.js';
import { generateFiles } from './helpers/generate.js';
import { spec } from '../src/patterns/queue/spec.js';
import { scaffoldLink } from '../src/core/scaffold.js';
import type { LinkConfig } from '../src/patterns/types.js';
import { ContractError } from '../src/errors.js';
import { readAsyncApi } from '../src/contracts/asyncapi.js';

/* Shapes of the compiled modules, as the tests use them. */
type Handler = (
  message: Record<string, unknown>,
  context: {
    messageId: string;
    receiveCount: number;
    requestId: string;
    traceparent?: string;
    tracestate?: string;
    groupId?: string;
  },
) => Promise<void> | void;
interface Consumer {
  start(): Promise<void>;
  stop(): Promise<void>;
}
interface ConsumerOptions {
  handlers: Record<string, Handler>;
  client?: SQSClient;
  queueUrl: string;
  concurrency?: number;
  waitTimeSeconds?: number;
  visibilityTimeoutSeconds?: number;
  heartbeatIntervalSeconds?: number;
  retryDelaySeconds?: (n: number) => number;
  stopOnSignals?: false;
  hooks?: Record<string, (...args: never[]) => void>;
}
interface Publisher {
  publish(
    message: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): Promise<{ messageId: string; requestId: string }>;
  publishBatch(
    entries: Record<string, unknown>[],
  ): Promise<{ sent: { index: number }[]; failed: { index: number; code: string }[] }>;
}
interface LinkModule {
  [key: string]: unknown;
  runWithRequestContext<T>(ctx: { requestId?: string; traceparent?: string; tracestate?: string }, fn: () => T): T;
  currentRequestContext(): { requestId: string; traceparent?: string; tracestate?: string } | undefined;
}

let server: Awaited<ReturnType<typeof buildApp>>;
let endpoint = '';
let sqs: SQSClient;
let esmDir = '';
let cjsDir = '';
let order: LinkModule;
let ledger: LinkModule;
const dirs: string[] = [];

const ORDER_MESSAGES = [
  'OrderCreated:orderId=string,total=number,tags?=string[]',
  'OrderCancelled:orderId=string,reason?=string',
];

function publisherOf(mod: LinkModule, queueUrl: string): Publisher {
  const Ctor = Object.entries(mod).find(([k]) => k.endsWith('Publisher'))![1] as new (o: object) => Publisher;
  return new Ctor({ client: sqs, queueUrl });
}
function consumerOf(mod: LinkModule, options: ConsumerOptions): Consumer {
  const Ctor = Object.entries(mod).find(([k]) => k.endsWith('Consumer') && !k.startsWith('start'))![1] as new (
    o: object,
  ) => Consumer;
  return new Ctor({ client: sqs, stopOnSignals: false, waitTimeSeconds: 1, ...options });
}

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return out.QueueUrl!;
}
async function depth(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    SQS_ENDPOINT: endpoint,
  });
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

  esmDir = await makeProject({ module: 'esm' });
  cjsDir = await makeProject({ module: 'cjs' });
  dirs.push(esmDir, cjsDir);
  for (const [dir, module] of [
    [esmDir, 'esm'],
    [cjsDir, 'cjs'],
  ] as const) {
    await createLink(dir, 'order', { message: ORDER_MESSAGES }, module);
    await createLink(dir, 'ledger', { message: ['Entry:account=string,seq=integer'], fifo: true }, module);
  }
  const [esm, cjs] = await Promise.all([compile(esmDir), compile(cjsDir)]);
  expect(esm.output).toBe('');
  expect(cjs.output).toBe('');
  order = await loadCompiled<LinkModule>(esmDir, 'links/order/index.js', 'esm');
  ledger = await loadCompiled<LinkModule>(esmDir, 'links/ledger/index.js', 'esm');
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await server?.close();
  for (const dir of dirs) await removeProject(dir);
});

describe('generated code', () => {
  test('compiles under tsc --strict in ESM and CommonJS projects, and FIFO options are required by the types', async () => {
    // beforeAll compiled both projects with no diagnostics; now prove the FIFO types bite.
    await writeFile(
      path.join(esmDir, 'src', 'misuse.ts'),
      `import { LedgerPublisher } from './links/ledger/index.js';\n` +
        `const p = new LedgerPublisher({ queueUrl: 'x' });\n` +
        `void p.publish({ type: 'Entry', account: 'a', seq: 1 });\n` +
        `void p.publish({ type: 'Entry', account: 'a', seq: '1' }, { groupId: 'g' });\n` +
        `void new LedgerPublisher({ queueUrl: 'x', batchConcurrency: 2 });\n` +
        `void p.publish({ type: 'Entry', account: 'a', seq: 1 }, { groupId: 'g', delaySeconds: 5 });\n`,
    );
    const r = await compile(esmDir, ['--noEmit']);
    await writeFile(path.join(esmDir, 'src', 'misuse.ts'), 'export {};\n');
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/misuse\.ts\(3,[0-9]+\): error TS2554/); // options (groupId) missing
    expect(r.output).toMatch(/misuse\.ts\(4,[0-9]+\): error TS2322/); // seq must be a number
    // A FIFO publisher has no batchConcurrency (it sends one request at a time) and no per-message delay.
    expect(r.output).toMatch(/misuse\.ts\(5,[0-9]+\): error TS2353: .*'batchConcurrency'/);
    expect(r.output).toMatch(/misuse\.ts\(6,[0-9]+\): error TS2353: .*'delaySeconds'/);
  }, 60_000);

  test('CommonJS build publishes and consumes against the emulator', async () => {
    const cjs = await loadCompiled<LinkModule>(cjsDir, 'links/order/index.js', 'cjs');
    const queueUrl = await createQueue('cjs-order');
    await publisherOf(cjs, queueUrl).publish({ type: 'OrderCreated', orderId: 'c1', total: 3 });
    const seen: string[] = [];
    const consumer = consumerOf(cjs, {
      queueUrl,
      handlers: { OrderCreated: (m) => void seen.push(String(m.orderId)), OrderCancelled: () => undefined },
    });
    void consumer.start();
    await until(() => seen.length === 1, 10_000, 'the CJS consumer');
    await consumer.stop();
    expect(seen).toEqual(['c1']);
    expect(await depth(queueUrl)).toMatchObject({ visible: 0, inFlight: 0 });
  }, 30_000);
});

describe('standard queue', () => {
  test('10,000 messages published in batches are all handled once with concurrency, queue empty', async () => {
    const queueUrl = await createQueue('bulk');
    const total = 10_000;
    const entries = Array.from({ length: total }, (_, i) => ({
      message: { type: 'OrderCreated', orderId: `o-${i}`, total: i },
    }));
    const started = performance.now();
    const result = await publisherOf(order, queueUrl).publishBatch(entries);
    const publishMs = performance.now() - started;
    expect(result.failed).toEqual([]);
    expect(result.sent).toHaveLength(total);

    const handled = new Map<string, number>();
    let active = 0;
    let maxActive = 0;
    const consumer = consumerOf(order, {
      queueUrl,
      concurrency: 20,
      handlers: {
        OrderCreated: async (m) => {
          active++;
          maxActive = Math.max(maxActive, active);
          await new Promise((r) => setImmediate(r));
          handled.set(String(m.orderId), (handled.get(String(m.orderId)) ?? 0) + 1);
          active--;
        },
        OrderCancelled: () => undefined,
      },
    });
    const consumeStart = performance.now();
    void consumer.start();
    await until(() => handled.size === total, 60_000, 'all messages');
    await consumer.stop();
    const consumeMs = performance.now() - consumeStart;
    console.log(
      `[queue] 10k: publishBatch ${Math.round(publishMs)} ms (${Math.round(total / (publishMs / 1000))} msg/s), consume+delete ${Math.round(consumeMs)} ms (${Math.round(total / (consumeMs / 1000))} msg/s), max concurrent handlers ${maxActive}`,
    );
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(20);
    expect(await depth(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  }, 90_000);

  test('request id, traceparent and tracestate travel in message attributes into the handler context, across links', async () => {
    const queueUrl = await createQueue('context');
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const tracestate = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';
    // The context is set through the *ledger* link and the message published through the *order* link:
    // one request context per process, shared by every generated link.
    await ledger.runWithRequestContext({ requestId: 'req-42', traceparent, tracestate }, () =>
      publisherOf(order, queueUrl).publish({ type: 'OrderCancelled', orderId: 'x' }),
    );
    const raw = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }),
    );
    const attributes = raw.Messages?.[0]?.MessageAttributes;
    expect([
      attributes?.requestId?.StringValue,
      attributes?.traceparent?.StringValue,
      attributes?.tracestate?.StringValue,
    ]).toEqual(['req-42', traceparent, tracestate]);
    const seen: unknown[] = [];
    const consumer = consumerOf(order, {
      queueUrl,
      handlers: {
        OrderCreated: () => undefined,
        OrderCancelled: (_m, ctx) =>
          void seen.push({
            id: ctx.requestId,
            tp: ctx.traceparent,
            ts: ctx.tracestate,
            current: order.currentRequestContext(),
            viaLedger: ledger.currentRequestContext(),
          }),
      },
    });
    void consumer.start();
    await until(() => seen.length === 1, 10_000, 'the message');
    await consumer.stop();
    const restored = { requestId: 'req-42', traceparent, tracestate };
    expect(seen[0]).toEqual({ id: 'req-42', tp: traceparent, ts: tracestate, current: restored, viaLedger: restored });
  }, 30_000);

  test('oversized or invalid messages fail before any network call', async () => {
    // A client pointed at a closed port: any request would surface as a PublishError, not these.
    const dead = new SQSClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
    });
    const Ctor = order.OrderPublisher as new (o: object) => Publisher;
    const publisher = new Ctor({ client: dead, queueUrl: `${endpoint}/000000000000/none` });
    const big = { type: 'OrderCreated', orderId: 'x'.repeat(1_048_576), total: 1 };
    await expect(publisher.publish(big)).rejects.toMatchObject({ name: 'MessageTooLargeError', limit: 1_048_576 });
    await expect(
      publisher.publishBatch([{ message: { type: 'OrderCreated', orderId: 'ok', total: 1 } }, { message: big }]),
    ).rejects.toMatchObject({ name: 'MessageTooLargeError' });
    await expect(publisher.publish({ type: 'OrderCreated', orderId: 1, total: 1 })).rejects.toMatchObject({
      name: 'MessageValidationError',
      issues: [{ path: '/orderId', message: 'must be string' }],
    });
    await expect(publisher.publish({ type: 'OrderCreated', orderId: 'x', total: 1 })).rejects.toMatchObject({
      name: 'PublishError',
    });
    expect(order.SQS_MAX_PAYLOAD_BYTES).toBe(1_048_576);
    dead.destroy();
  }, 30_000);

  test('batches split by bytes: 3 messages of 400 KB go out in separate requests, all sent', async () => {
    const queueUrl = await createQueue('big-batches');
    const entries = [0, 1, 2].map((i) => ({
      message: { type: 'OrderCreated', orderId: `${i}${'y'.repeat(400_000)}`, total: i },
    }));
    const result = await publisherOf(order, queueUrl).publishBatch(entries);
    expect(result.failed).toEqual([]);
    expect(result.sent.map((s) => s.index)).toEqual([0, 1, 2]);
    expect((await depth(queueUrl)).visible).toBe(3);
  }, 30_000);

  test('a handler failing twice is redelivered and handled; poison and invalid messages land in the DLQ while others flow', async () => {
    const dlqUrl = await createQueue('orders-dlq');
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
    const queueUrl = await createQueue('orders-redrive', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
    });
    const publisher = publisherOf(order, queueUrl);
    await publisher.publishBatch([
      { message: { type: 'OrderCreated', orderId: 'flaky', total: 1 } },
      { message: { type: 'OrderCreated', orderId: 'poison', total: 1 } },
      ...Array.from({ length: 20 }, (_, i) => ({ message: { type: 'OrderCancelled', orderId: `ok-${i}` } })),
    ]);
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"type":"OrderCreated","orderId":7,"total":1}' }),
    );
    const attempts = new Map<string, number>();
    const ok = new Set<string>();
    const invalid: unknown[] = [];
    const failed: number[] = [];
    const consumer = consumerOf(order, {
      queueUrl,
      concurrency: 5,
      visibilityTimeoutSeconds: 1,
      retryDelaySeconds: () => 0,
      hooks: {
        invalid: (e: { reason: string; issues: unknown[] }) => void invalid.push(e),
        failed: (e: { receiveCount: number }) => void failed.push(e.receiveCount),
      },
      handlers: {
        OrderCreated: (m) => {
          const id = String(m.orderId);
          const n = (attempts.get(id) ?? 0) + 1;
          attempts.set(id, n);
          if (id === 'poison' || n <= 2) throw new Error(`boom ${id} #${n}`);
          ok.add(id);
        },
        OrderCancelled: (m) => void ok.add(String(m.orderId)),
      },
    });
    void consumer.start();
    await until(
      async () => ok.size === 21 && (await depth(dlqUrl)).visible === 2,
      20_000,
      'flaky handled and 2 messages dead-lettered',
    );
    await consumer.stop();
    expect(attempts.get('flaky')).toBe(3);
    expect(attempts.get('poison')).toBe(3);
    expect(invalid[0]).toMatchObject({ reason: 'schema', issues: [{ path: '/orderId', message: 'must be string' }] });
    expect(await depth(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect(dead.Messages!.map((m) => m.Body).sort()).toEqual([
      '{"type":"OrderCreated","orderId":"poison","total":1}',
      '{"type":"OrderCreated","orderId":7,"total":1}',
    ]);
  }, 40_000);

  test('a handler slower than the visibility timeout is not redelivered thanks to the heartbeat (and is without it)', async () => {
    const withBeat = await createQueue('slow-heartbeat');
    const without = await createQueue('slow-no-heartbeat');
    const calls = { withBeat: 0, without: 0 };
    const slow =
      (key: keyof typeof calls): Handler =>
      async () => {
        calls[key]++;
        await sleep(3500);
      };
    const run = async (queueUrl: string, key: keyof typeof calls, heartbeatIntervalSeconds: number) => {
      await publisherOf(order, queueUrl).publish({ type: 'OrderCancelled', orderId: key });
      const consumer = consumerOf(order, {
        queueUrl,
        concurrency: 2,
        visibilityTimeoutSeconds: 1,
        heartbeatIntervalSeconds,
        hooks: { error: () => undefined },
        handlers: { OrderCreated: () => undefined, OrderCancelled: slow(key) },
      });
      void consumer.start();
      await sleep(4200);
      await consumer.stop();
      return depth(queueUrl);
    };
    const [a] = await Promise.all([run(withBeat, 'withBeat', 0.3), run(without, 'without', 0)]);
    expect(calls.withBeat).toBe(1);
    expect(a).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(calls.without).toBeGreaterThan(1); // the control: without a heartbeat it comes back
  }, 30_000);

  test('stop() with messages in flight lets them finish and deletes them; nothing is processed twice', async () => {
    const queueUrl = await createQueue('graceful');
    await publisherOf(order, queueUrl).publishBatch(
      Array.from({ length: 20 }, (_, i) => ({ message: { type: 'OrderCancelled', orderId: `g-${i}` } })),
    );
    const started: string[] = [];
    const finished: string[] = [];
    const handlers = {
      OrderCreated: () => undefined,
      OrderCancelled: async (m: Record<string, unknown>) => {
        started.push(String(m.orderId));
        await sleep(600);
        finished.push(String(m.orderId));
      },
    };
    const first = consumerOf(order, { queueUrl, concurrency: 5, visibilityTimeoutSeconds: 30, handlers });
    void first.start();
    await until(() => started.length >= 5, 10_000, 'handlers in flight');
    expect(finished.length).toBe(0);
    await first.stop();
    const firstBatch = [...started];
    expect(finished.sort()).toEqual([...firstBatch].sort()); // every started handler finished
    // Deleted, not merely finished: what is left is visible again and not in flight.
    expect(await depth(queueUrl)).toEqual({ visible: 20 - firstBatch.length, inFlight: 0, delayed: 0 });
    const second = consumerOf(order, { queueUrl, concurrency: 10, handlers });
    void second.start();
    await until(() => finished.length === 20, 15_000, 'the rest');
    await second.stop();
    expect(new Set(started).size).toBe(20);
    expect(started).toHaveLength(20);
  }, 30_000);
});

describe('FIFO queue', () => {
  test('per-group order holds under concurrency across groups; deduplication is honoured', async () => {
    const queueUrl = await createQueue('ledger.fifo', { FifoQueue: 'true' });
    const publisher = publisherOf(ledger, queueUrl);
    const groups = ['a', 'b', 'c', 'd', 'e'];
    const perGroup = 12;
    const entries = [];
    for (let seq = 0; seq < perGroup; seq++)
      for (const g of groups)
        entries.push({ message: { type: 'Entry', account: g, seq }, groupId: g, deduplicationId: `${g}-${seq}` });
    expect((await publisher.publishBatch(entries)).failed).toEqual([]);
    // Repeats of already-sent deduplication IDs are accepted by SQS and dropped.
    await publisher.publish({ type: 'Entry', account: 'a', seq: 0 }, { groupId: 'a', deduplicationId: 'a-0' });
    await publisher.publishBatch([
      { message: { type: 'Entry', account: 'b', seq: 1 }, groupId: 'b', deduplicationId: 'b-1' },
    ]);

    const seen = new Map<string, number[]>();
    const active = new Map<string, number>();
    let overlapWithinGroup = false;
    let concurrentGroups = 0;
    const consumer = consumerOf(ledger, {
      queueUrl,
      concurrency: 5,
      handlers: {
        Entry: async (m, ctx) => {
          const g = String(m.account);
          expect(ctx.groupId).toBe(g);
          active.set(g, (active.get(g) ?? 0) + 1);
          if (active.get(g)! > 1) overlapWithinGroup = true;
          concurrentGroups = Math.max(concurrentGroups, [...active.values()].filter((n) => n > 0).length);
          await sleep(5 + Math.random() * 10);
          seen.set(g, [...(seen.get(g) ?? []), Number(m.seq)]);
          active.set(g, active.get(g)! - 1);
        },
      },
    });
    void consumer.start();
    await until(
      () => [...seen.values()].reduce((n, l) => n + l.length, 0) >= groups.length * perGroup,
      30_000,
      'all FIFO messages',
    );
    await sleep(300); // a duplicate, if delivered, would show up now
    await consumer.stop();
    for (const g of groups) expect(seen.get(g)).toEqual(Array.from({ length: perGroup }, (_, i) => i));
    expect(overlapWithinGroup).toBe(false);
    expect(concurrentGroups).toBeGreaterThan(1);
    expect(await depth(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  }, 45_000);

  test("publishBatch retries a request's failures before the next request, and stops a group after a final failure", async () => {
    // An injected client: entry 2 fails once (SQS-side), entry 13 is refused for good (sender fault).
    const requests: number[][] = [];
    const failedOnce = new Set<number>();
    const client = {
      send: async (command: { input: { Entries?: { Id?: string; MessageGroupId?: string }[] } }) => {
        const ids = (command.input.Entries ?? []).map((e) => Number(e.Id));
        requests.push(ids);
        const Successful: { Id: string; MessageId: string }[] = [];
        const Failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
        for (const id of ids) {
          if (id === 2 && !failedOnce.has(id)) {
            failedOnce.add(id);
            Failed.push({ Id: String(id), Code: 'InternalError', Message: 'try again', SenderFault: false });
          } else if (id === 13)
            Failed.push({ Id: String(id), Code: 'InvalidParameterValue', Message: 'refused', SenderFault: true });
          else Successful.push({ Id: String(id), MessageId: `m-${id}` });
        }
        return { Successful, Failed };
      },
    };
    const Ctor = ledger.LedgerPublisher as new (o: object) => Publisher;
    const publisher = new Ctor({ client, queueUrl: 'http://127.0.0.1:9/000000000000/ledger.fifo' });
    // Groups a (even indexes) and b (odd indexes), 15 each, interleaved: requests of 10 entries.
    const entries = Array.from({ length: 30 }, (_, i) => {
      const g = i % 2 === 0 ? 'a' : 'b';
      return {
        message: { type: 'Entry', account: g, seq: Math.floor(i / 2) },
        groupId: g,
        deduplicationId: `${g}-${i}`,
      };
    });
    const result = await publisher.publishBatch(entries);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    expect(requests).toEqual([
      range(0, 10),
      [2], // the retry goes out before anything after it
      range(10, 20),
      range(20, 30).filter((i) => i % 2 === 0), // group b stopped after 13 failed for good
    ]);
    expect(result.failed.map((f) => [f.index, f.code])).toEqual([
      [13, 'InvalidParameterValue'],
      ...[21, 23, 25, 27, 29].map((i) => [i, 'PrecedingEntryFailed']),
    ]);
    expect(result.sent.map((s) => s.index)).toEqual(range(0, 30).filter((i) => i !== 13 && !(i > 20 && i % 2 === 1)));
  }, 30_000);
});

describe('regeneration and bad input', () => {
  test('adding a message type keeps user handlers byte for byte, adds a stub; the handler of a removed type moves out of the typed literal (compiles) and back to its place when the type returns', async () => {
    const dir = await makeProject({ module: 'esm' });
    dirs.push(dir);
    const link: LinkConfig = await createLink(dir, 'shop', { message: ['ItemAdded:sku=string'] });
    const handlersPath = path.join(dir, 'src/links/shop/handlers.ts');
    const mine = (await readFile(handlersPath, 'utf8')).replace(
      /async ItemAdded\(message, context\) \{[\s\S]*?\n {2}\},/,
      "async ItemAdded(message) {\n    // my code — keep me\n    console.log('added', message.sku);\n  }",
    );
    await writeFile(handlersPath, mine);
    const contractPath = path.join(dir, 'asyncapi/shop.yaml');
    const doc = await readFile(contractPath, 'utf8');
    const added = doc.replace(
      '      ItemAdded:\n        $ref: "#/components/messages/ItemAdded"\n',
      '      ItemAdded:\n        $ref: "#/components/messages/ItemAdded"\n      ItemRemoved:\n        name: ItemRemoved\n        payload:\n          type: object\n          required: [sku]\n          properties:\n            sku: { type: string }\n',
    );
    expect(added).not.toBe(doc);
    await writeFile(contractPath, added);
    await generateLink(dir, link, 'esm');
    const merged = await readFile(handlersPath, 'utf8');
    expect(merged.startsWith(mine.slice(0, mine.lastIndexOf('\n};')))).toBe(true);
    expect(merged).toContain("console.log('added', message.sku);\n  },\n  async ItemRemoved(message, context) {");
    expect(await readFile(path.join(dir, 'src/links/shop/messages.ts'), 'utf8')).toContain(
      'export type ShopMessage = ItemAdded | ItemRemoved;',
    );
    const r = await compile(dir);
    expect(r.output).toBe('');
    // Generate again: nothing changes.
    await generateLink(dir, link, 'esm');
    expect(await readFile(handlersPath, 'utf8')).toBe(merged);
    // Remove ItemAdded from the contract: its handler, byte for byte, moves out of the typed `handlers`
    // into a marked const, and the project still compiles (before: TS2353 excess property).
    // (The operations name it too: a reference to a message that is gone does not resolve.)
    const withoutAdded = added
      .replace('      ItemAdded:\n        $ref: "#/components/messages/ItemAdded"\n', '')
      .replaceAll('      - $ref: "#/channels/shop/messages/ItemAdded"\n', '');
    await writeFile(contractPath, withoutAdded);
    await generateLink(dir, link, 'esm');
    const moved = await readFile(handlersPath, 'utf8');
    const userHandler =
      "  async ItemAdded(message) {\n    // my code — keep me\n    console.log('added', message.sku);\n  },\n";
    const handlersLiteral = moved.slice(moved.indexOf('export const handlers'), moved.indexOf('\n};\n') + 4);
    expect(handlersLiteral).not.toContain('ItemAdded');
    expect(handlersLiteral).toContain('async ItemRemoved(message, context) {');
    const removedConst = moved.slice(moved.indexOf('// create-service-link:'));
    expect(removedConst).toMatch(/^\/\/ create-service-link: .*no longer in asyncapi\/shop\.yaml/);
    expect(removedConst).toContain(
      `export const removedHandlers: Record<string, (message: any, context: import('./consumer.js').MessageContext) => unknown> = {\n${userHandler}};\n`,
    );
    // Everything above the marked const is the merged file minus that handler.
    expect(moved.slice(0, moved.indexOf('\n\n// create-service-link:')).trimEnd()).toBe(
      merged.replace(userHandler, '').trimEnd(),
    );
    expect((await compile(dir)).output).toBe('');
    // Generate again: nothing moves twice.
    await generateLink(dir, link, 'esm');
    expect(await readFile(handlersPath, 'utf8')).toBe(moved);
    // The type comes back: the handler returns into `handlers` unchanged, the marked const is gone.
    await writeFile(contractPath, added);
    await generateLink(dir, link, 'esm');
    const back = await readFile(handlersPath, 'utf8');
    expect(back).not.toContain('create-service-link:');
    expect(back).not.toContain('export const removedHandlers');
    // Where it was (before ItemRemoved, as in the contract), byte for byte.
    expect(back).toBe(merged);
    expect((await compile(dir)).output).toBe('');
  }, 60_000);

  test('index.ts usage comments line up for a long link name; the consumer has no two things called dispatch', async () => {
    const project = projectInfo('/nowhere', 'esm');
    const name = 'customer-order-fulfillment-events';
    const scaffolded = await scaffoldLink(spec, {
      name,
      options: { message: ['Shipped:id=string'], fifo: true },
      project,
      out: `src/links/${name}`,
    });
    const texts = new Map(scaffolded.files.map((f) => [f.path, f.content]));
    const link = {
      name,
      pattern: 'queue',
      contracts: scaffolded.contracts,
      out: `src/links/${name}`,
      options: scaffolded.options,
    };
    const files = await generateFiles(project, link, async (p) => texts.get(p));
    const content = (suffix: string) => files.find((f) => f.path.endsWith(suffix))!.content;
    const usage = content('/index.ts')
      .split('\n')
      .filter((l) => /^\/\/ {3}\S.*\S {2,}\/\/ /.test(l));
    expect(usage).toHaveLength(4);
    expect(new Set(usage.map((l) => l.lastIndexOf('// '))).size).toBe(1);
    expect(usage[0]).toContain('new CustomerOrderFulfillmentEventsPublisher();');
    const consumer = content('/consumer.ts');
    expect(consumer).not.toMatch(/\bdispatch\b/);
    expect(consumer).toContain('private schedule(messages: Message[]): void {');
    // Its long names break the signature, one parameter a line.
    expect(consumer).toContain('function callHandler(\n  handlers: CustomerOrderFulfillmentEventsHandlers,\n');
    // The request context comes from the shared runtime every link imports.
    expect(content('/context.ts')).toContain("Symbol.for('create-service-link.request-context')");
  });

  test('invalid documents fail with a ContractError carrying line and column', () => {
    const at = (text: string) => {
      try {
        readAsyncApi(text, 'asyncapi/bad.yaml');
      } catch (error) {
        expect(error).toBeInstanceOf(ContractError);
        const e = error as ContractError;
        return `${e.line}:${e.column} ${e.detail}`;
      }
      throw new Error('expected a ContractError');
    };
    expect(at('asyncapi: 2.6.0\nchannels: {}\n')).toMatch(
      /^1:1 the document needs an "info" mapping \(title, version\) \(an AsyncAPI 2.6.0 document, read as 3.0\)/,
    );
    expect(at('asyncapi: 1.2.0\nchannels: {}\n')).toMatch(/^1:11 unsupported AsyncAPI version "1.2.0"/);
    expect(
      at('asyncapi: 3.0.0\nchannels:\n  q:\n    messages:\n      A:\n        $ref: "#/components/messages/Nope"\n'),
    ).toMatch(/^6:15 "#\/components\/messages\/Nope" does not resolve/);
    expect(at('asyncapi: 3.0.0\nasyncapi: 3.0.0\n')).toMatch(/^2:1 invalid YAML: Map keys must be unique/);
    expect(at('asyncapi: 3.0.0\nchannels: {}\n')).toMatch(/^2:11 the document declares no channels/);
  });
});
