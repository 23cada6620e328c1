// SQS client, limits and errors shared by every queue link's publisher and consumer.
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SQS's size limit in bytes, for one message AND for a whole batch request: body plus message
 * attribute names, types and values. AWS raised it from 256 KiB to 1 MiB in 2025.
 */
export const SQS_MAX_PAYLOAD_BYTES = 1_048_576;

/** Entries per SendMessageBatch / DeleteMessageBatch / ChangeMessageVisibilityBatch request. */
export const SQS_MAX_BATCH_ENTRIES = 10;

/**
 * Environment variable overriding the SQS endpoint, e.g. http://127.0.0.1:4566 for a local emulator.
 * Region and credentials always come from the AWS SDK's default chain (AWS_REGION, AWS_PROFILE, ...).
 */
export const SQS_ENDPOINT_ENV = 'SQS_ENDPOINT';

/** The queue is misconfigured (e.g. its URL is missing from the environment). */
export class QueueConfigError extends Error {
  override name = 'QueueConfigError';
}

/** The value of the environment variable `env`; QueueConfigError saying it must hold `what` when unset. */
export function requiredEnv(env: string, what: string): string {
  const value = process.env[env];
  if (!value) throw new QueueConfigError(`${env} is not set: it must hold the ${what}`);
  return value;
}

/** The queue URL held by the environment variable `env`; `queue` names the queue in the error. */
export function queueUrlFromEnv(env: string, queue: string): string {
  return requiredEnv(env, `URL of the ${queue} queue`);
}

let sharedClient: SQSClient | undefined;

/** One client per process (it pools connections); honours SQS_ENDPOINT. */
export function defaultSqsClient(): SQSClient {
  if (!sharedClient) {
    const endpoint = process.env[SQS_ENDPOINT_ENV];
    sharedClient = new SQSClient(endpoint ? { endpoint } : {});
  }
  return sharedClient;
}

/** A message does not match its schema; raised before anything is sent. */
export class MessageValidationError extends Error {
  override name = 'MessageValidationError';
  constructor(
    readonly messageType: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`invalid ${messageType} message: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`);
  }
}

/** A message is larger than SQS accepts; raised before anything is sent. */
export class MessageTooLargeError extends Error {
  override name = 'MessageTooLargeError';
  constructor(
    readonly messageType: string,
    readonly bytes: number,
    readonly limit: number = SQS_MAX_PAYLOAD_BYTES,
  ) {
    super(`${messageType} message is ${bytes} bytes, over the limit of ${limit} bytes (body + attributes)`);
  }
}

/** SQS refused or failed a send. Carries the AWS error code, HTTP status and the request ID that was sent. */
export class PublishError extends Error {
  override name = 'PublishError';
  constructor(
    message: string,
    readonly code: string,
    readonly requestId: string,
    readonly status?: number,
    readonly awsRequestId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** AWS error details, without ever touching credentials. */
export function describeAwsError(error: unknown): {
  code: string;
  message: string;
  status?: number | undefined;
  awsRequestId?: string | undefined;
} {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  return {
    code: e?.name ?? 'Error',
    message: e?.message ?? String(error),
    status: e?.$metadata?.httpStatusCode,
    awsRequestId: e?.$metadata?.requestId,
  };
}

/** UTF-8 size of a message as SQS counts it: body plus attribute names, data types and values. */
export function sqsMessageBytes(
  body: string,
  attributes: Record<string, { DataType?: string | undefined; StringValue?: string | undefined }>,
): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    bytes += Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return bytes;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
