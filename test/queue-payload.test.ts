// Large payloads through S3 (runtime/large-payload.ts) on fauxqs: a 5 MiB body goes to S3 and the queue
// carries the extended-client pointer; the receiving side gets the body back and deletes the object by
// its retention policy. Also the limits from the environment and the pointers that can never be followed.
import { HeadObjectCommand, CreateBucketCommand, S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  LargePayloads,
  PAYLOAD_SIZE_ATTRIBUTE,
  PayloadFetchError,
  largePayloadsFromEnv,
} from '../runtime/large-payload.js';
import { MessageTooLargeError, SQS_MAX_PAYLOAD_BYTES } from '../runtime/sqs.js';

/** SNS's limit (runtime/sns.ts SNS_MESSAGE_LIMIT_BYTES): a publisher to a topic passes it. */
const SNS_MAX_PAYLOAD_BYTES = 262_144;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let server: Awaited<ReturnType<typeof buildApp>>;
let sqs: SQSClient;
let s3: S3Client;
let queueUrl = '';

beforeAll(async () => {
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  s3 = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'payloads' }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'large' }))).QueueUrl!;
});

afterAll(async () => {
  sqs?.destroy();
  s3?.destroy();
  await server?.close();
});

async function exists(key: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket: 'payloads', Key: key })).then(
    () => true,
    () => false,
  );
}

describe('the extended-client pattern on fauxqs', () => {
  test('a 5 MiB body goes through S3 and comes back byte for byte; retention delete removes the object', async () => {
    const store = new LargePayloads({
      bucket: 'payloads',
      limitBytes: SQS_MAX_PAYLOAD_BYTES,
      client: s3,
      keyPrefix: 'orders',
    });
    const payload = { orderId: 'o-1', blob: 'é'.repeat((5 * 1024 * 1024) / 2) }; // 5 MiB of UTF-8
    const body = JSON.stringify(payload);
    const type = { DataType: 'String', StringValue: 'OrderCreated' };
    const sent = await store.offload('OrderCreated', body, { type });
    expect(sent.pointer?.key).toMatch(/^orders\/[0-9a-f-]{36}$/);
    expect(sent.body.length).toBeLessThan(200);
    // The type stays an attribute (SNS filter policies see it), beside the pointer's size marker.
    expect(sent.attributes).toEqual({
      type,
      [PAYLOAD_SIZE_ATTRIBUTE]: { DataType: 'Number', StringValue: String(Buffer.byteLength(body)) },
    });
    expect(JSON.parse(sent.body)).toEqual([
      'software.amazon.payloadoffloading.PayloadS3Pointer',
      { s3BucketName: 'payloads', s3Key: sent.pointer?.key },
    ]);
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: sent.body, MessageAttributes: sent.attributes }),
    );

    const [m] =
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'] }))).Messages ??
      [];
    const received = await new LargePayloads({ limitBytes: SQS_MAX_PAYLOAD_BYTES, client: s3 }).resolve(
      m?.Body ?? '',
      m?.MessageAttributes,
    );
    expect(received.body).toBe(body);
    expect(received.pointer).toEqual(sent.pointer);
    expect(await exists(sent.pointer!.key)).toBe(true);
    await store.discard(received.pointer!);
    expect(await exists(sent.pointer!.key)).toBe(false);
  }, 30_000);

  test('a message within the limit is sent as it is; attributes count toward the limit', async () => {
    const store = new LargePayloads({ bucket: 'payloads', limitBytes: 2048, client: s3 });
    const body = 'x'.repeat(2000);
    expect(await store.offload('T', body, {})).toEqual({ body, attributes: {} });
    const big = await store.offload('T', body, { note: { DataType: 'String', StringValue: 'y'.repeat(100) } });
    expect(big.pointer).toBeDefined();
    const plain = await store.resolve(body, { type: { DataType: 'String', StringValue: 'T' } });
    expect(plain).toEqual({ body });
  });

  test('without a bucket an oversized message is refused before anything is sent, naming the variable to set', async () => {
    process.env['SHOP_PAYLOAD_LIMIT_BYTES'] = '';
    delete process.env['SHOP_PAYLOAD_BUCKET'];
    const store = largePayloadsFromEnv('SHOP', SNS_MAX_PAYLOAD_BYTES, 'shop').withClient(s3);
    expect(store.limitBytes).toBe(SNS_MAX_PAYLOAD_BYTES);
    const error = await store
      .offload('OrderCreated', 'x'.repeat(SNS_MAX_PAYLOAD_BYTES + 1), {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect((error as Error).message).toContain('set SHOP_PAYLOAD_BUCKET to store large payloads in S3');
  });

  test('the limit comes from the environment, within the transport limit', () => {
    process.env['SHOP_PAYLOAD_BUCKET'] = 'payloads';
    process.env['SHOP_PAYLOAD_LIMIT_BYTES'] = '262144';
    expect(largePayloadsFromEnv('SHOP', SQS_MAX_PAYLOAD_BYTES, 'shop').limitBytes).toBe(262_144);
    process.env['SHOP_PAYLOAD_LIMIT_BYTES'] = String(SQS_MAX_PAYLOAD_BYTES + 1);
    expect(() => largePayloadsFromEnv('SHOP', SQS_MAX_PAYLOAD_BYTES, 'shop')).toThrow(
      'SHOP_PAYLOAD_LIMIT_BYTES="1048577": a whole number of bytes from 1024 to 1048576',
    );
    delete process.env['SHOP_PAYLOAD_LIMIT_BYTES'];
    delete process.env['SHOP_PAYLOAD_BUCKET'];
  });

  test('a pointer written by an older extended client (SQSLargePayloadSize) is read; a gone object or a bad pointer is permanent', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'payloads', Key: 'legacy/1', Body: '{"orderId":"o-2"}' }));
    const store = new LargePayloads({ limitBytes: SQS_MAX_PAYLOAD_BYTES, client: s3 });
    const pointer = (key: string) =>
      JSON.stringify(['software.amazon.payloadoffloading.PayloadS3Pointer', { s3BucketName: 'payloads', s3Key: key }]);
    const legacy = { SQSLargePayloadSize: { DataType: 'Number', StringValue: '17' } };
    expect((await store.resolve(pointer('legacy/1'), legacy)).body).toBe('{"orderId":"o-2"}');
    const gone = await store.resolve(pointer('legacy/none'), legacy).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(PayloadFetchError);
    expect((gone as PayloadFetchError).permanent).toBe(true);
    expect((gone as Error).message).toContain('s3://payloads/legacy/none');
    const bad = await store.resolve('{"orderId":"o-3"}', legacy).catch((e: unknown) => e);
    expect((bad as PayloadFetchError).permanent).toBe(true);
  });
});
