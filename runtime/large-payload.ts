// Large payloads (the extended-client pattern): a message over the queue's size limit is stored in S3 and
// the queue carries a pointer instead; the consumer fetches the body back before validating it. The pointer
// is the one AWS's extended clients (Java, Python; SQS and SNS) write, so their consumers read ours and
// ours read theirs: the body `["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":...,
// "s3Key":...}]` and the Number attribute `ExtendedPayloadSize` (the stored body's bytes). Only links that
// use large payloads import this module, so only they need @aws-sdk/client-s3.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { MessageTooLargeError, QueueConfigError, describeAwsError, sqsMessageBytes } from './sqs.js';

/** The attribute marking a pointer message, with the stored body's size in bytes. */
export const PAYLOAD_SIZE_ATTRIBUTE = 'ExtendedPayloadSize';
/** What earlier extended clients wrote instead; still read. */
const LEGACY_SIZE_ATTRIBUTE = 'SQSLargePayloadSize';
const POINTER_CLASS = 'software.amazon.payloadoffloading.PayloadS3Pointer';

/** Endpoint override for a local emulator (fauxqs, LocalStack): path-style requests are used with it. */
export const S3_ENDPOINT_ENV = 'S3_ENDPOINT';

/** Where an offloaded body is. */
export interface PayloadPointer {
  bucket: string;
  key: string;
}

/** A message attribute as SQS and SNS both take it. */
export interface AttributeValue {
  DataType?: string | undefined;
  StringValue?: string | undefined;
}

/** The attribute marking a pointer: assignable to both SDKs' attribute types. */
export interface SizeAttribute {
  DataType: string;
  StringValue: string;
}

/**
 * What the consumer does with the S3 object once its message is handled:
 * - `delete`: delete it after the message is deleted from the queue (a point-to-point queue: nobody else
 *   reads it). It is kept when the handler fails (the redelivery needs it) and when the message is
 *   dead-lettered (the DLQ's copy still points at it).
 * - `keep`: never delete it; an S3 lifecycle rule expires it (the infrastructure file writes one). For
 *   fan-out, where every subscribed queue carries a pointer to the same object.
 */
export type PayloadRetention = 'delete' | 'keep';

export interface LargePayloadOptions {
  /** The bucket new payloads go to. Without it, an oversized message throws MessageTooLargeError. */
  bucket?: string | undefined;
  /** Messages (body + attributes) above this many bytes are offloaded. */
  limitBytes: number;
  client?: S3Client | undefined;
  /** Prefix of the object keys, e.g. the link name: `orders/` + a UUID. */
  keyPrefix?: string | undefined;
}

/** A pointer could not be followed. `permanent`: it never will (malformed, object gone): dead-letter it. */
export class PayloadFetchError extends Error {
  override name = 'PayloadFetchError';
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

let sharedClient: S3Client | undefined;

/** One S3 client per process; honours S3_ENDPOINT (path-style, as emulators on 127.0.0.1 need). */
export function defaultS3Client(): S3Client {
  if (!sharedClient) {
    const endpoint = process.env[S3_ENDPOINT_ENV];
    sharedClient = new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
  }
  return sharedClient;
}

/**
 * The settings of link `envPrefix` (`ORDERS`) from the environment: `<PREFIX>_PAYLOAD_BUCKET` (the
 * bucket; unset: no offloading) and `<PREFIX>_PAYLOAD_LIMIT_BYTES` (default and maximum: `transportLimit`,
 * SQS_MAX_PAYLOAD_BYTES or SNS_MESSAGE_LIMIT_BYTES; set it lower, e.g. 262144, for a peer that still has the old 256 KiB limit).
 */
export function largePayloadsFromEnv(envPrefix: string, transportLimit: number, keyPrefix: string): LargePayloads {
  const bucketEnv = `${envPrefix}_PAYLOAD_BUCKET`;
  const limitEnv = `${envPrefix}_PAYLOAD_LIMIT_BYTES`;
  const raw = process.env[limitEnv];
  const limit = raw === undefined || raw === '' ? transportLimit : Number(raw);
  if (!Number.isInteger(limit) || limit < 1024 || limit > transportLimit)
    throw new QueueConfigError(`${limitEnv}="${raw}": a whole number of bytes from 1024 to ${transportLimit}`);
  return new LargePayloads({ bucket: process.env[bucketEnv] || undefined, limitBytes: limit, keyPrefix }, bucketEnv);
}

export class LargePayloads {
  readonly limitBytes: number;
  private readonly bucket: string | undefined;
  private readonly keyPrefix: string;
  private client: S3Client | undefined;

  /** `bucketEnv` names the variable to set in MessageTooLargeError's hint. */
  constructor(
    options: LargePayloadOptions,
    private readonly bucketEnv = 'the payload bucket',
  ) {
    this.bucket = options.bucket;
    this.limitBytes = options.limitBytes;
    this.keyPrefix = options.keyPrefix ? `${options.keyPrefix.replace(/\/+$/, '')}/` : '';
    this.client = options.client;
  }

  /** Uses this S3 client instead of the default one (tests, custom credentials). */
  withClient(client: S3Client | undefined): this {
    if (client) this.client = client;
    return this;
  }

  /**
   * The body and attributes to send: unchanged when they fit, else a pointer to the body stored in S3
   * (the attributes stay on the message, so filter policies still see `type`).
   */
  async offload<V extends AttributeValue>(
    messageType: string,
    body: string,
    attributes: Record<string, V>,
  ): Promise<{ body: string; attributes: Record<string, V | SizeAttribute>; pointer?: PayloadPointer }> {
    const bytes = sqsMessageBytes(body, attributes);
    if (bytes <= this.limitBytes) return { body, attributes };
    if (!this.bucket) {
      const error = new MessageTooLargeError(messageType, bytes, this.limitBytes);
      error.message += `; set ${this.bucketEnv} to store large payloads in S3`;
      throw error;
    }
    const pointer = { bucket: this.bucket, key: `${this.keyPrefix}${randomUUID()}` };
    await this.s3().send(
      new PutObjectCommand({ Bucket: pointer.bucket, Key: pointer.key, Body: body, ContentType: 'application/json' }),
    );
    const size: SizeAttribute = { DataType: 'Number', StringValue: String(Buffer.byteLength(body, 'utf8')) };
    const pointerBody = JSON.stringify([POINTER_CLASS, { s3BucketName: pointer.bucket, s3Key: pointer.key }]);
    return { body: pointerBody, attributes: { ...attributes, [PAYLOAD_SIZE_ATTRIBUTE]: size }, pointer };
  }

  /** The message's real body: fetched from S3 when it is a pointer (marked by its size attribute). */
  async resolve(
    body: string,
    attributes: Record<string, AttributeValue> | undefined,
  ): Promise<{ body: string; pointer?: PayloadPointer }> {
    if (!isPointerMessage(attributes)) return { body };
    const pointer = parsePointer(body);
    try {
      const out = await this.s3().send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
      return { body: (await out.Body?.transformToString('utf8')) ?? '', pointer };
    } catch (error) {
      const aws = describeAwsError(error);
      const gone = aws.code === 'NoSuchKey' || aws.code === 'NoSuchBucket' || aws.status === 404;
      const where = `s3://${pointer.bucket}/${pointer.key}`;
      throw new PayloadFetchError(`large payload ${where} not fetched: ${aws.code}: ${aws.message}`, gone, {
        cause: error,
      });
    }
  }

  /** Deletes a stored body (retention `delete`, after its message left the queue). */
  async discard(pointer: PayloadPointer): Promise<void> {
    await this.s3().send(new DeleteObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
  }

  private s3(): S3Client {
    this.client ??= defaultS3Client();
    return this.client;
  }
}

/** Whether a received message is a pointer (either extended-client attribute name). */
export function isPointerMessage(attributes: Record<string, AttributeValue> | undefined): boolean {
  return attributes?.[PAYLOAD_SIZE_ATTRIBUTE] !== undefined || attributes?.[LEGACY_SIZE_ATTRIBUTE] !== undefined;
}

function parsePointer(body: string): PayloadPointer {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    value = undefined;
  }
  const ref = Array.isArray(value) && value[0] === POINTER_CLASS ? (value[1] as Record<string, unknown>) : undefined;
  const bucket = ref?.['s3BucketName'];
  const key = ref?.['s3Key'];
  if (typeof bucket !== 'string' || typeof key !== 'string' || !bucket || !key)
    throw new PayloadFetchError(`a message marked ${PAYLOAD_SIZE_ATTRIBUTE} holds no S3 pointer`, true);
  return { bucket, key };
}
