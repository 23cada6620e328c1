// The idempotency hook (runtime/idempotency.ts): a key claimed before the handler and completed after it,
// so a message SQS delivers again after its handler succeeded is not processed twice: on fauxqs, with a
// real redelivery (the delete "lost", the message handed back), and concurrently by two receivers.
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MemoryIdempotencyStore, runOnce } from '../runtime/idempotency.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let server: Awaited<ReturnType<typeof buildApp>>;
let sqs: SQSClient;

beforeAll(async () => {
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
});

afterAll(async () => {
  sqs?.destroy();
  await server?.close();
});

describe('runOnce with the in-memory store', () => {
  test('processed once; a repeat is a duplicate; a failure frees the key for the retry', async () => {
    const options = { store: new MemoryIdempotencyStore() };
    const effects: string[] = [];
    expect(await runOnce(options, 'k1', () => void effects.push('k1'))).toBe('processed');
    expect(await runOnce(options, 'k1', () => void effects.push('k1 again'))).toBe('duplicate');
    await expect(
      runOnce(options, 'k2', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await runOnce(options, 'k2', () => void effects.push('k2'))).toBe('processed');
    expect(effects).toEqual(['k1', 'k2']);
  });

  test('a key held by a running handler answers in-progress; an expired lease or record can be claimed again', async () => {
    const store = new MemoryIdempotencyStore();
    let finish: () => void = () => undefined;
    const running = runOnce({ store }, 'k', () => new Promise<void>((resolve) => (finish = resolve)));
    expect(await runOnce({ store }, 'k', () => undefined)).toBe('in-progress');
    finish();
    expect(await running).toBe('processed');
    expect(await store.claim('lease', 0)).toBe('claimed');
    expect(await store.claim('lease', 60)).toBe('claimed'); // a lease of 0 s has expired: the holder died
    await store.complete('short', 0);
    expect(await store.claim('short', 60)).toBe('claimed');
  });

  test('memory is bounded: beyond maxEntries the oldest records go first', async () => {
    const store = new MemoryIdempotencyStore(3);
    for (const k of ['a', 'b', 'c', 'd']) await store.complete(k, 60);
    expect(store.size).toBe(3);
    expect(await store.claim('a', 60)).toBe('claimed');
    expect(await store.claim('d', 60)).toBe('done');
  });
});

describe('redelivery on fauxqs', () => {
  async function receive(queueUrl: string) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    return out.Messages?.[0];
  }

  test('a message redelivered after its handler succeeded (the delete never reached SQS) is not processed twice', async () => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'idempotent' }))).QueueUrl!;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"orderId":"o-1"}' }));
    const options = { store: new MemoryIdempotencyStore() };
    const effects: string[] = [];
    const outcomes: string[] = [];
    for (let delivery = 1; delivery <= 2; delivery++) {
      const m = await receive(queueUrl);
      expect(m?.Attributes?.ApproximateReceiveCount).toBe(String(delivery));
      outcomes.push(await runOnce(options, m?.MessageId ?? '', () => void effects.push(m?.Body ?? '')));
      // The delete is lost: SQS hands the message out again.
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: m?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    expect(outcomes).toEqual(['processed', 'duplicate']);
    expect(effects).toEqual(['{"orderId":"o-1"}']);
  });

  test('keyed by the payload: the same order published twice (two message IDs) has one effect', async () => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'idempotent-payload' }))).QueueUrl!;
    for (let i = 0; i < 2; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"orderId":"o-7"}' }));
    const options = { store: new MemoryIdempotencyStore() };
    const effects: string[] = [];
    const ids = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const m = await receive(queueUrl);
      ids.add(m?.MessageId ?? '');
      const key = `order:${(JSON.parse(m?.Body ?? '{}') as { orderId: string }).orderId}`;
      await runOnce(options, key, () => void effects.push(key));
    }
    expect(ids.size).toBe(2);
    expect(effects).toEqual(['order:o-7']);
  });
});
