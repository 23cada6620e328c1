// A generated queue link with --large-payloads and the idempotency hook, compiled under the strictest
// flags and run on fauxqs: a 5 MiB payload goes publisher -> S3 + SQS pointer -> consumer -> handler, and
// its object is deleted once the message is (or kept, by policy); a message redelivered after its handler
// succeeded is deleted without running the handler again. A link without --large-payloads has no S3 import.
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spec } from '../src/patterns/queue/spec.js';
import { createLink, loadCompiled } from './fixtures/queue/harness.js';
import { compile, makeProject, removeProject } from './helpers/project.js';

const STRICTEST = [
  '--exactOptionalPropertyTypes',
  '--noUncheckedIndexedAccess',
  '--noPropertyAccessFromIndexSignature',
  '--noUnusedLocals',
  '--noImplicitReturns',
  '--noImplicitOverride',
  '--noFallthroughCasesInSwitch',
  '--verbatimModuleSyntax',
  '--isolatedModules',
];

type Handler = (payload: Record<string, unknown>, context: Record<string, unknown>) => Promise<void> | void;
interface Consumer {
  start(): Promise<void>;
  stop(): Promise<void>;
}
type Ctor<T> = new (options: Record<string, unknown>) => T;
interface LinkModule {
  MediaPublisher: Ctor<{ publish(message: Record<string, unknown>): Promise<{ messageId: string }> }>;
  MediaConsumer: Ctor<Consumer>;
  LargePayloads: Ctor<unknown>;
  MemoryIdempotencyStore: new () => unknown;
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let server: Awaited<ReturnType<typeof buildApp>>;
let endpoint = '';
let sqs: SQSClient;
let s3: S3Client;
let dir = '';
let media: LinkModule;

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
async function objects(): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: 'media-payloads' }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}
/** Runs a consumer until `done`, then stops it. */
async function consume(options: Record<string, unknown>, done: () => boolean): Promise<void> {
  const consumer = new media.MediaConsumer({ client: sqs, stopOnSignals: false, waitTimeSeconds: 1, ...options });
  const running = consumer.start();
  try {
    await until(done, 'the handler');
  } finally {
    await consumer.stop();
    await running;
  }
}

beforeAll(async () => {
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  s3 = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'media-payloads' }));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    S3_ENDPOINT: endpoint,
    MEDIA_PAYLOAD_BUCKET: 'media-payloads',
  });
  dir = await makeProject({ module: 'esm' });
  await createLink(dir, 'media', { message: ['Uploaded:id=string,data=string'], largePayloads: true });
  await createLink(dir, 'plain', { message: ['Job:id=string'] });
  expect((await compile(dir, STRICTEST)).output).toBe('');
  media = await loadCompiled<LinkModule>(dir, 'links/media/index.js', 'esm');
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  s3?.destroy();
  await server?.close();
  if (dir) await removeProject(dir);
  for (const k of ['S3_ENDPOINT', 'MEDIA_PAYLOAD_BUCKET']) delete process.env[k];
});

describe('large payloads, generated', () => {
  test('S3 only where used: the plain link imports nothing of it and needs no @aws-sdk/client-s3', async () => {
    for (const file of await readdir(path.join(dir, 'src/links/plain')))
      expect(await readFile(path.join(dir, 'src/links/plain', file), 'utf8'), file).not.toMatch(
        /client-s3|large-payload/,
      );
    const deps = spec.runtimeDependencies as (o: Record<string, unknown>) => string[];
    expect(deps({ broker: 'sqs', largePayloads: false })).toEqual(['@aws-sdk/client-sqs']);
    expect(deps({ broker: 'sqs', largePayloads: true })).toEqual(['@aws-sdk/client-sqs', '@aws-sdk/client-s3']);
    expect(await readFile(path.join(dir, 'src/links/media/consumer.ts'), 'utf8')).toContain(
      "from '../_runtime/large-payload.js'",
    );
  });

  test('a 5 MiB payload: publisher -> S3 + pointer -> consumer -> handler; the object goes once the message is deleted', async () => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'media-large' }))).QueueUrl!;
    const data = 'é'.repeat((5 * 1024 * 1024) / 2);
    // The publisher takes bucket, limit and S3 endpoint from the environment.
    await new media.MediaPublisher({ client: sqs, queueUrl }).publish({ type: 'Uploaded', id: 'u-1', data });
    expect(await objects()).toHaveLength(1);
    const seen: { id: unknown; bytes: number; marker: unknown }[] = [];
    const handler: Handler = (payload, context) => {
      const attributes = context['attributes'] as Record<string, string>;
      seen.push({
        id: payload['id'],
        bytes: Buffer.byteLength(String(payload['data'])),
        marker: attributes['ExtendedPayloadSize'],
      });
    };
    const largePayloads = new media.LargePayloads({ limitBytes: 1_048_576, client: s3 });
    await consume({ queueUrl, handlers: { Uploaded: handler }, largePayloads }, () => seen.length > 0);
    expect(seen).toEqual([{ id: 'u-1', bytes: 5 * 1024 * 1024, marker: expect.stringMatching(/^\d+$/) }]);
    await until(async () => (await objects()).length === 0, 'the S3 object to be deleted');
  }, 60_000);

  test('retention keep leaves the object (fan-out: other queues point at it); a gone object dead-letters the message', async () => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'media-keep' }))).QueueUrl!;
    const publisher = new media.MediaPublisher({ client: sqs, queueUrl });
    await publisher.publish({ type: 'Uploaded', id: 'u-2', data: 'x'.repeat(1_100_000) });
    const [key] = await objects();
    const largePayloads = new media.LargePayloads({ limitBytes: 1_048_576, client: s3 });
    let handled = 0;
    await consume(
      { queueUrl, handlers: { Uploaded: () => void handled++ }, largePayloads, payloadRetention: 'keep' },
      () => handled > 0,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(await s3.send(new HeadObjectCommand({ Bucket: 'media-payloads', Key: key })).then(() => true)).toBe(true);

    // The object deleted behind the consumer's back: the message can never be handled.
    await publisher.publish({ type: 'Uploaded', id: 'u-3', data: 'y'.repeat(1_100_000) });
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    for (const k of await objects()) await s3.send(new DeleteObjectCommand({ Bucket: 'media-payloads', Key: k }));
    const invalid: { reason: string }[] = [];
    await consume(
      {
        queueUrl,
        handlers: { Uploaded: () => undefined },
        largePayloads,
        hooks: { invalid: (e: { reason: string }) => void invalid.push(e) },
      },
      () => invalid.length > 0,
    );
    expect(invalid[0]?.reason).toBe('payload');
  }, 60_000);
});

describe('idempotency, generated', () => {
  test('a message redelivered after its handler succeeded (its delete lost) is not processed twice', async () => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'media-once' }))).QueueUrl!;
    await new media.MediaPublisher({ client: sqs, queueUrl }).publish({ type: 'Uploaded', id: 'u-9', data: 'small' });
    // The first delete never reaches SQS: the message comes back after its visibility timeout.
    let lostDeletes = 1;
    const lossy = new SQSClient({ endpoint, region: 'us-east-1', credentials });
    const send = lossy.send.bind(lossy) as (command: unknown) => Promise<unknown>;
    lossy.send = ((command: unknown) => {
      if (command instanceof DeleteMessageBatchCommand && lostDeletes-- > 0)
        return Promise.resolve({ Successful: command.input.Entries?.map((e) => ({ Id: e.Id })), Failed: [] });
      return send(command);
    }) as typeof lossy.send;
    const effects: unknown[] = [];
    const duplicates: { key: string }[] = [];
    const received: number[] = [];
    const store = new media.MemoryIdempotencyStore();
    const consumer = new media.MediaConsumer({
      client: lossy,
      queueUrl,
      stopOnSignals: false,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 1,
      handlers: { Uploaded: (payload: Record<string, unknown>) => void effects.push(payload['id']) },
      idempotency: { store, key: (payload: Record<string, unknown>) => `media:${String(payload['id'])}` },
      largePayloads: new media.LargePayloads({ limitBytes: 1_048_576, client: s3 }),
      hooks: {
        received: (e: { receiveCount: number }) => void received.push(e.receiveCount),
        duplicate: (e: { key: string }) => void duplicates.push(e),
      },
    });
    const running = consumer.start();
    try {
      await until(() => duplicates.length > 0, 'the redelivery');
      const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
      await until(async () => {
        const a = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return (
          a.Attributes?.ApproximateNumberOfMessages === '0' &&
          a.Attributes?.ApproximateNumberOfMessagesNotVisible === '0'
        );
      }, 'the duplicate to be deleted');
    } finally {
      await consumer.stop();
      await running;
      lossy.destroy();
    }
    expect(received).toEqual([1, 2]);
    expect(effects).toEqual(['u-9']);
    expect(duplicates).toEqual([expect.objectContaining({ key: 'media:u-9' })]);
  }, 60_000);
});
