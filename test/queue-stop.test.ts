// The queue consumer's stop and its messages that can never be handled, end to end on fauxqs (127.0.0.1):
// a SIGTERM right after a long poll was answered strands nothing, a FIFO group's unstarted messages go back
// in order, the stop deadline holds with a handler that never ends, and invalid or unhandleable messages
// reach the dead-letter queue long before their visibility timeout would have expired.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { execa, type ResultPromise } from 'execa';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compile, makeProject, removeProject } from './helpers/project.js';
import { createLink, loadCompiled } from './fixtures/queue/harness.js';

interface Consumer {
  start(): Promise<void>;
  stop(): Promise<void>;
}
interface StoppedEvent {
  durationMs: number;
  released: string[];
  unfinished: string[];
}
type LinkModule = Record<string, unknown>;

let server: Awaited<ReturnType<typeof buildApp>>;
let endpoint = '';
let sqs: SQSClient;
let dir = '';
let order: LinkModule;
let ledger: LinkModule;

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

function consumerOf(mod: LinkModule, options: Record<string, unknown>): Consumer {
  const Ctor = Object.entries(mod).find(([k]) => k.endsWith('Consumer') && !k.startsWith('start'))![1] as new (
    o: object,
  ) => Consumer;
  return new Ctor({ client: sqs, stopOnSignals: false, waitTimeSeconds: 1, ...options });
}
async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}
async function queueArn(queueUrl: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return out.Attributes!.QueueArn!;
}
async function depth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const a = out.Attributes ?? {};
  return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible) };
}
async function send(queueUrl: string, bodies: string[], groupId?: string): Promise<void> {
  const Entries = bodies.map((MessageBody, i) => ({
    Id: String(i),
    MessageBody,
    ...(groupId ? { MessageGroupId: groupId, MessageDeduplicationId: `${groupId}-${i}-${MessageBody}` } : {}),
  }));
  const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
  expect(out.Failed ?? []).toEqual([]);
}
async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * An HTTP proxy in front of fauxqs that, once armed, holds the first ReceiveMessage answer carrying messages
 * until told to deliver it: the test can then stop the consumer while that answer is on its way.
 */
class HoldingProxy {
  readonly server: Server;
  private polled: (() => void)[] = [];
  private armed: ((ids: string[]) => void) | undefined;
  private deliver: (() => void) | undefined;

  constructor(private readonly target: URL) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.forward(req.method ?? 'POST', req.url ?? '/', req.headers, chunks, res));
    });
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  /** Resolves when the next ReceiveMessage request reaches the proxy. */
  nextPoll(): Promise<void> {
    return new Promise((resolve) => this.polled.push(resolve));
  }
  /** Resolves with the message IDs of the next answer carrying messages, which is held until release(). */
  hold(): Promise<string[]> {
    return new Promise((resolve) => (this.armed = resolve));
  }
  release(): void {
    this.deliver?.();
  }

  private async forward(
    method: string,
    url: string,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer[],
    res: import('node:http').ServerResponse,
  ): Promise<void> {
    const isReceive = headers['x-amz-target'] === 'AmazonSQS.ReceiveMessage';
    if (isReceive) for (const wake of this.polled.splice(0)) wake();
    const answer = await new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>(
      (resolve, reject) => {
        const upstream = request(new URL(url, this.target), { method, headers }, (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () =>
            resolve({
              status: up.statusCode ?? 500,
              headers: up.headers as Record<string, string>,
              body: Buffer.concat(parts),
            }),
          );
        });
        upstream.on('error', reject);
        upstream.end(Buffer.concat(body));
      },
    );
    const messages = isReceive ? (JSON.parse(answer.body.toString()) as { Messages?: { MessageId: string }[] }) : {};
    if (this.armed && messages.Messages?.length) {
      const notify = this.armed;
      this.armed = undefined;
      const delivered = new Promise<void>((resolve) => (this.deliver = resolve));
      notify(messages.Messages.map((m) => m.MessageId));
      await delivered;
    }
    if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
  }
}

/** A consumer in its own process (the SIGTERM is real), talking to SQS through the proxy; JSON lines out. */
const CHILD = `
import { SQSClient } from '@aws-sdk/client-sqs';
const mod = await import(process.env.LINK_MODULE);
const Consumer = Object.entries(mod).find(([k]) => k.endsWith('Consumer') && !k.startsWith('start'))[1];
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const client = new SQSClient({ endpoint: process.env.PROXY, region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
let sigterm;
const signalled = new Promise((resolve) => (sigterm = resolve));
const handler = async (message, context) => {
  out({ started: message, receiveCount: context.receiveCount });
  if (process.env.BLOCK_FIRST === '1' && message.seq === 0) await signalled;
  out({ handled: message });
};
const handlers = new Proxy({}, { get: () => handler });
const consumer = new Consumer({ client, queueUrl: process.env.QUEUE_URL, handlers,
  hooks: { stopped: (event) => out({ stopped: event }) } });
const running = consumer.start();
// Registered after the consumer's own listener, so it runs once the consumer has begun to stop.
process.on('SIGTERM', () => { out({ sigterm: true }); sigterm(); });
await running;
client.destroy();
out({ exit: true });
`;

function stoppedEvent(lines: Record<string, unknown>[]): StoppedEvent {
  const line = lines.find((l) => 'stopped' in l);
  if (!line) throw new Error('the consumer reported no stopped event');
  return line.stopped as StoppedEvent;
}

interface ChildRun {
  process: ResultPromise;
  lines: Record<string, unknown>[];
  seen(key: string): Promise<void>;
}
function startChild(proxy: HoldingProxy, link: string, queueUrl: string, env: Record<string, string> = {}): ChildRun {
  const child = execa('node', [path.join(dir, 'child.mjs')], {
    cwd: dir,
    env: { ...env, LINK_MODULE: path.join(dir, 'dist/links', link, 'index.js'), PROXY: proxy.url, QUEUE_URL: queueUrl },
    reject: false,
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: () => void }[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => w.key in line)) w.resolve();
    }
  });
  const seen = (key: string) =>
    lines.some((l) => key in l) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ key, resolve }));
  return { process: child, lines, seen };
}

beforeAll(async () => {
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  dir = await makeProject({ module: 'esm' });
  await createLink(dir, 'order', { message: ['OrderCreated:orderId=string', 'OrderCancelled:orderId=string'] });
  await createLink(dir, 'ledger', { message: ['Entry:account=string,seq=integer'], fifo: true });
  expect((await compile(dir)).output).toBe('');
  await writeFile(path.join(dir, 'child.mjs'), CHILD);
  order = await loadCompiled<LinkModule>(dir, 'links/order/index.js', 'esm');
  ledger = await loadCompiled<LinkModule>(dir, 'links/ledger/index.js', 'esm');
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await server?.close();
  if (dir) await removeProject(dir);
});

/** SIGTERM to a child whose long poll has just been answered (the answer held by the proxy meanwhile). */
async function sigtermWhileAnswered(link: string, queueUrl: string, publish: () => Promise<void>) {
  const proxy = new HoldingProxy(new URL(endpoint));
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  try {
    const polling = proxy.nextPoll();
    const child = startChild(proxy, link, queueUrl);
    await polling;
    const held = proxy.hold();
    await publish();
    const answered = await held;
    child.process.kill('SIGTERM');
    await child.seen('sigterm'); // the consumer has been told to stop; only now does the answer arrive
    proxy.release();
    const result = await child.process;
    return { answered, result, lines: child.lines };
  } finally {
    await new Promise((resolve) => proxy.server.close(resolve));
  }
}

describe('graceful stop', () => {
  test('SIGTERM right after a long poll was answered: the answer is handed back, the next consumer gets every message at once, each received once more', async () => {
    const queueUrl = await createQueue('stop-standard'); // default visibility timeout: 30 s
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const run = await sigtermWhileAnswered('order', queueUrl, () =>
      send(
        queueUrl,
        ids.map((orderId) => JSON.stringify({ type: 'OrderCreated', orderId })),
      ),
    );
    expect(run.result.stderr).not.toMatch(/consumer\] \w+ failed/); // no receive, release or delete failed
    expect(run.result.exitCode).toBe(0);
    expect(run.lines.filter((l) => 'started' in l)).toEqual([]);
    // Nothing left in flight: the held answer's messages are visible again, none waits out 30 s.
    expect(await depth(queueUrl)).toEqual({ visible: ids.length, inFlight: 0 });
    const stopped = stoppedEvent(run.lines);
    expect([...stopped.released].sort()).toEqual([...run.answered].sort());
    expect(stopped.unfinished).toEqual([]);

    const counts = new Map<string, number>();
    const next = consumerOf(order, {
      queueUrl,
      handlers: {
        OrderCreated: (m: Record<string, unknown>, ctx: { receiveCount: number }) =>
          void counts.set(String(m.orderId), ctx.receiveCount),
        OrderCancelled: () => undefined,
      },
    });
    void next.start();
    // Well inside the 30 s visibility timeout a stranded message would wait out.
    await until(() => counts.size === ids.length, 10_000, 'every message at the next consumer');
    await next.stop();
    // fauxqs counts every receive: the stopped consumer's one, then this one. No receive more.
    expect(Math.max(...counts.values())).toBe(2);
    expect([...counts.values()].filter((n) => n === 2)).toHaveLength(run.answered.length);
    expect(await depth(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  }, 60_000);

  test('FIFO: the answer of the poll in flight goes back and each group is then handled in order', async () => {
    const queueUrl = await createQueue('stop-ledger.fifo', { FifoQueue: 'true' });
    const bodies = (g: string, n: number) =>
      Array.from({ length: n }, (_, seq) => JSON.stringify({ type: 'Entry', account: g, seq }));
    const run = await sigtermWhileAnswered('ledger', queueUrl, async () => {
      await send(queueUrl, bodies('a', 4), 'a');
      await send(queueUrl, bodies('b', 3), 'b');
    });
    expect(run.result.exitCode).toBe(0);
    expect(run.lines.filter((l) => 'started' in l)).toEqual([]);
    expect(await depth(queueUrl)).toEqual({ visible: 7, inFlight: 0 });

    const seen = new Map<string, number[]>();
    const next = consumerOf(ledger, {
      queueUrl,
      handlers: {
        Entry: (m: Record<string, unknown>) =>
          void seen.set(String(m.account), [...(seen.get(String(m.account)) ?? []), Number(m.seq)]),
      },
    });
    void next.start();
    await until(() => (seen.get('a')?.length ?? 0) + (seen.get('b')?.length ?? 0) === 7, 10_000, 'both groups');
    await next.stop();
    expect(seen.get('a')).toEqual([0, 1, 2, 3]);
    expect(seen.get('b')).toEqual([0, 1, 2]);
  }, 60_000);

  test('FIFO: a handler running at SIGTERM finishes and is deleted; nothing after it in its group starts, the rest comes next, in order', async () => {
    const queueUrl = await createQueue('stop-unstarted.fifo', { FifoQueue: 'true' });
    const proxy = new HoldingProxy(new URL(endpoint));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    // Sent first, so the child's first receive gets the whole group.
    await send(
      queueUrl,
      [0, 1, 2, 3].map((seq) => JSON.stringify({ type: 'Entry', account: 'g', seq })),
      'g',
    );
    const child = startChild(proxy, 'ledger', queueUrl, { BLOCK_FIRST: '1' });
    await child.seen('started'); // seq 0 runs, blocked until the child sees SIGTERM
    child.process.kill('SIGTERM');
    const result = await child.process;
    await new Promise((resolve) => proxy.server.close(resolve));
    expect(result.exitCode).toBe(0);
    const started = child.lines.filter((l) => 'started' in l).map((l) => (l.started as { seq: number }).seq);
    const handled = child.lines.filter((l) => 'handled' in l).map((l) => (l.handled as { seq: number }).seq);
    expect({ started, handled }).toEqual({ started: [0], handled: [0] });
    // fauxqs hands out one message of a group at a time: seq 1 came in the poll answered once seq 0 was
    // deleted, during the stop, and went straight back.
    expect(stoppedEvent(child.lines).released).toHaveLength(1);
    expect(await depth(queueUrl)).toEqual({ visible: 3, inFlight: 0 });

    const seen: [number, number][] = [];
    const next = consumerOf(ledger, {
      queueUrl,
      handlers: { Entry: (m: Record<string, unknown>, ctx) => void seen.push([Number(m.seq), ctx.receiveCount]) },
    });
    void next.start();
    await until(() => seen.length === 3, 10_000, 'the rest of the group');
    await next.stop();
    expect(seen).toEqual([
      [1, 2],
      [2, 1],
      [3, 1],
    ]);
  }, 60_000);

  test('FIFO: messages of a group received together but not started at the stop go back at once, newest first', async () => {
    // SQS hands out several messages of one group in a receive (fauxqs one at a time): an injected client.
    const calls: { op: string; handles: string[] }[] = [];
    let answered = false;
    const client = {
      send: async (
        command: { constructor: { name: string }; input: Record<string, unknown> },
        options?: { abortSignal?: AbortSignal },
      ) => {
        const op = command.constructor.name.replace(/Command$/, '');
        const entries = (command.input.Entries ?? []) as { ReceiptHandle: string }[];
        calls.push({ op, handles: entries.map((e) => e.ReceiptHandle) });
        if (op !== 'ReceiveMessage') return { Failed: [] };
        if (answered) {
          await new Promise<void>((resolve) => options?.abortSignal?.addEventListener('abort', () => resolve()));
          return {};
        }
        answered = true;
        const Messages = [0, 1, 2, 3].map((seq) => ({
          MessageId: `m${seq}`,
          ReceiptHandle: `h${seq}`,
          Body: JSON.stringify({ type: 'Entry', account: 'g', seq }),
          Attributes: { ApproximateReceiveCount: '1', MessageGroupId: 'g' },
        }));
        return { Messages };
      },
    };
    let release = (): void => undefined;
    const handled: number[] = [];
    let stopped: StoppedEvent | undefined;
    const consumer = consumerOf(ledger, {
      client,
      queueUrl: 'http://127.0.0.1:9/000000000000/fake.fifo',
      stopTimeoutSeconds: 6,
      hooks: { stopped: (e: StoppedEvent) => void (stopped = e) },
      handlers: {
        Entry: async (m: Record<string, unknown>) => {
          if (m.seq === 0) await new Promise<void>((resolve) => (release = resolve));
          handled.push(Number(m.seq));
        },
      },
    });
    void consumer.start();
    await until(() => calls.filter((c) => c.op === 'ReceiveMessage').length === 2, 10_000, 'the second poll');
    const stopping = consumer.stop();
    release();
    await stopping;
    expect(handled).toEqual([0]);
    expect(calls.filter((c) => c.op !== 'ReceiveMessage')).toEqual([
      { op: 'ChangeMessageVisibilityBatch', handles: ['h3', 'h2', 'h1'] },
      { op: 'DeleteMessageBatch', handles: ['h0'] },
    ]);
    expect(stopped?.released).toEqual(['m3', 'm2', 'm1']);
  }, 30_000);

  test('a handler that never ends: stop() still resolves at its deadline and reports the message unfinished', async () => {
    const queueUrl = await createQueue('stop-deadline');
    await send(queueUrl, [JSON.stringify({ type: 'OrderCreated', orderId: 'stuck' })]);
    let stopped: StoppedEvent | undefined;
    let started = false;
    const consumer = consumerOf(order, {
      queueUrl,
      stopTimeoutSeconds: 4,
      hooks: { stopped: (e: StoppedEvent) => void (stopped = e) },
      handlers: {
        OrderCreated: () => {
          started = true;
          return new Promise(() => undefined);
        },
        OrderCancelled: () => undefined,
      },
    });
    void consumer.start();
    await until(() => started, 10_000, 'the handler');
    await consumer.stop();
    expect(stopped?.unfinished).toHaveLength(1);
    expect(stopped?.released).toEqual([]);
  }, 30_000);
});

describe('messages that can never be handled', () => {
  test('an invalid body, an unknown type and a type without handler reach the DLQ long before a 30 s visibility timeout; the invalid hook fires on each receive', async () => {
    const dlqUrl = await createQueue('never-dlq');
    const queueUrl = await createQueue('never', {
      VisibilityTimeout: '30',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(dlqUrl), maxReceiveCount: 3 }),
    });
    const bad = [
      '{not json',
      JSON.stringify({ type: 'Nope' }),
      JSON.stringify({ type: 'OrderCancelled', orderId: 'x' }),
    ];
    await send(queueUrl, [...bad, JSON.stringify({ type: 'OrderCreated', orderId: 'ok' })]);
    const reasons: string[] = [];
    const ok: string[] = [];
    // A plain object without OrderCancelled, as JavaScript code or a stale build could pass.
    const handlers = { OrderCreated: (m: Record<string, unknown>) => void ok.push(String(m.orderId)) };
    const consumer = consumerOf(order, {
      queueUrl,
      handlers,
      hooks: { invalid: (e: { reason: string }) => void reasons.push(e.reason) },
    });
    void consumer.start();
    await until(async () => (await depth(dlqUrl)).visible === 3, 10_000, 'three messages in the DLQ');
    await consumer.stop();
    expect(ok).toEqual(['ok']);
    expect(reasons.sort()).toEqual([
      ...Array(3).fill('json'),
      ...Array(3).fill('no-handler'),
      ...Array(3).fill('unknown-type'),
    ]);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect(dead.Messages!.map((m) => m.Body).sort()).toEqual([...bad].sort());
    expect(await depth(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  }, 30_000);

  test('FIFO: an invalid body is dead-lettered in seconds and the message after it in its group is not handled before', async () => {
    const dlqUrl = await createQueue('never-dlq.fifo', { FifoQueue: 'true' });
    const queueUrl = await createQueue('never.fifo', {
      FifoQueue: 'true',
      VisibilityTimeout: '30',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(dlqUrl), maxReceiveCount: 3 }),
    });
    const entry = (seq: number) => JSON.stringify({ type: 'Entry', account: 'g', seq });
    await send(queueUrl, [entry(0), '{"type":"Entry","account":"g","seq":"one"}', entry(2), entry(3)], 'g');
    const events: string[] = [];
    const consumer = consumerOf(ledger, {
      queueUrl,
      hooks: { invalid: (e: { reason: string }) => void events.push(e.reason) },
      handlers: { Entry: (m: Record<string, unknown>) => void events.push(`seq ${m.seq}`) },
    });
    void consumer.start();
    await until(() => events.includes('seq 3'), 10_000, 'the group past its invalid message');
    await consumer.stop();
    expect(events).toEqual(['seq 0', 'schema', 'schema', 'schema', 'seq 2', 'seq 3']);
    expect(await depth(dlqUrl)).toEqual({ visible: 1, inFlight: 0 });
  }, 30_000);
});
