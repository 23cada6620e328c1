// SQS client, limits and errors shared by every queue link's publisher and consumer.
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Call, type CallHeaders, chainFor, type Middleware, through } from './middleware.js';

export type { Middleware } from './middleware.js';

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

/** How one header's value is written as message attribute text, and read back: by its schema's type. */
export type HeaderKind = 'string' | 'number' | 'boolean' | 'json';

/**
 * SQS (and SNS) take at most 10 message attributes; the runtime keeps 6 for its own (type, requestId,
 * traceparent, tracestate, the large-payload size, and one spare), so a message's headers travel one
 * attribute each up to this many.
 */
export const MAX_HEADER_ATTRIBUTES = 4;

/** The attribute holding a message's headers as one JSON object when they do not travel one by one. */
export const HEADERS_ATTRIBUTE = 'headers';

/** How one message type's headers travel (generated into messages.ts from the document). */
export interface HeaderCodec {
  /** The headers the schema names, with their kinds. */
  headers: readonly (readonly [name: string, kind: HeaderKind])[];
  /**
   * All headers as JSON in the `headers` attribute: there are more than MAX_HEADER_ATTRIBUTES, a name
   * is not a valid attribute name (or is one the runtime uses), or the schema names none (headers of
   * any name). A message with an empty header value goes packed too (SQS refuses empty values).
   */
  packed: boolean;
  /** Where the correlation ID is: a header, or a JSON pointer's segments into the payload. */
  correlationId?: { in: 'header' | 'payload'; path: readonly string[] } | undefined;
}

/** A header as a message attribute: a String, or a Number (SNS filter policies compare those numerically). */
export interface HeaderAttribute {
  DataType: 'String' | 'Number';
  StringValue: string;
}

/** Message attributes as received (the SDK's type, reduced to what headers need). */
export type ReceivedAttributes = Readonly<Record<string, { StringValue?: string | undefined }>>;

/** The headers as message attributes; headers left undefined are not sent. */
export function encodeHeaders(
  codec: HeaderCodec,
  headers: Readonly<Record<string, unknown>>,
): Record<string, HeaderAttribute> {
  // SQS refuses an empty attribute value: a message with an empty header sends its headers packed.
  if (codec.packed || Object.values(headers).some((v) => v === '')) {
    const defined = Object.entries(headers).filter(([, v]) => v !== undefined);
    if (defined.length === 0) return {};
    return { [HEADERS_ATTRIBUTE]: { DataType: 'String', StringValue: JSON.stringify(Object.fromEntries(defined)) } };
  }
  const attributes: Record<string, HeaderAttribute> = {};
  for (const [name, kind] of codec.headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (kind === 'number') attributes[name] = { DataType: 'Number', StringValue: String(value) };
    else if (kind === 'string') attributes[name] = { DataType: 'String', StringValue: String(value) };
    else
      attributes[name] = {
        DataType: 'String',
        StringValue: kind === 'boolean' ? String(value) : JSON.stringify(value),
      };
  }
  return attributes;
}

/**
 * The headers of a received message, by the kinds of its schema whatever data type the producer chose
 * (a producer of another tool may send a number as a String). Text that does not read as its kind is
 * left as text, for the headers' validator to reject.
 */
export function decodeHeaders(codec: HeaderCodec, attributes: ReceivedAttributes | undefined): unknown {
  const packed = attributes?.[HEADERS_ATTRIBUTE]?.StringValue;
  if (codec.packed || packed !== undefined) return packed === undefined ? {} : parseJson(packed);
  const headers: Record<string, unknown> = {};
  for (const [name, kind] of codec.headers) {
    const text = attributes?.[name]?.StringValue;
    if (text !== undefined) headers[name] = decodeHeader(kind, text);
  }
  return headers;
}

function decodeHeader(kind: HeaderKind, text: string): unknown {
  if (kind === 'string') return text;
  if (kind === 'number') return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  if (kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return parseJson(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The headers with a header-located correlation ID of type string filled with a new UUID when left out. */
export function withCorrelationId(
  codec: HeaderCodec,
  headers: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const at = codec.correlationId;
  const name = at?.in === 'header' && at.path.length === 1 ? at.path[0]! : undefined;
  if (name === undefined || headers[name] !== undefined) return headers;
  const kind = codec.headers.find(([header]) => header === name)?.[1];
  return kind === 'string' ? { ...headers, [name]: randomUUID() } : headers;
}

/** The message's correlation ID, from its header or payload, as text; undefined when it has none. */
export function correlationIdOf(codec: HeaderCodec, payload: unknown, headers: unknown): string | undefined {
  const at = codec.correlationId;
  if (!at) return undefined;
  let value: unknown = at.in === 'header' ? headers : payload;
  for (const key of at.path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

// ---- middleware (see middleware.ts): a publish and a consume are calls of the `queue` pattern ----

/** A message attribute as SQS and SNS both take it. */
type Attribute = { DataType: string | undefined; StringValue?: string | undefined };

/** What a publisher or consumer tells its middleware: the link, where messages go, its own middleware. */
export interface QueueCalls {
  link: string;
  /** The queue or topic name (the last part of its URL or ARN). */
  destination: string;
  system: 'aws_sqs' | 'aws_sns';
  middleware: readonly Middleware[] | undefined;
}

/** A publisher's or consumer's QueueCalls; `target` is its queue URL or topic ARN. */
export function queueCalls(link: string, target: string, middleware: readonly Middleware[] | undefined): QueueCalls {
  const sns = target.startsWith('arn:') && target.includes(':sns:');
  const destination = target.split(sns ? ':' : '/').pop() ?? target;
  return { link, destination, system: sns ? 'aws_sns' : 'aws_sqs', middleware };
}

/** CallHeaders over message attributes: what middleware sets travels as a String attribute. */
function attributeHeaders(attributes: Record<string, Attribute>): CallHeaders {
  return {
    get: (name) => attributes[name]?.StringValue,
    set: (name, value) => {
      attributes[name] = { DataType: 'String', StringValue: value };
    },
  };
}

function queueCall(
  q: QueueCalls,
  side: Call['side'],
  type: string,
  requestId: string,
  attributes: Record<string, Attribute>,
  kind = side === 'client' ? 'publish' : 'consume',
): Call {
  const operation = side === 'client' ? 'send' : 'process';
  return {
    pattern: 'queue',
    side,
    kind,
    link: q.link,
    operation: type,
    requestId,
    headers: attributeHeaders(attributes),
    attributes: {
      'messaging.system': q.system,
      'messaging.destination.name': q.destination,
      'messaging.operation.type': operation,
      'messaging.operation.name': operation,
    },
  };
}

/** The middleware run of one publish, or undefined when there is no middleware. */
export function publishCall(
  q: QueueCalls,
  type: string,
  requestId: string,
  attributes: Record<string, Attribute>,
): { chain: Middleware; call: Call } | undefined {
  const chain = chainFor(q.middleware);
  return chain && { chain, call: queueCall(q, 'client', type, requestId, attributes) };
}

/** Sends through the publish's middleware (which may still set attributes); the message ID goes on the call. */
export async function sent<R extends { MessageId?: string | undefined }>(
  run: { chain: Middleware; call: Call } | undefined,
  send: () => Promise<R>,
): Promise<R> {
  if (!run) return send();
  const skipped = () => new Error(`a middleware did not call next(): ${run.call.operation} was not published`);
  return through(run.chain, run.call, send, skipped, (outcome) => {
    if ('value' in outcome && outcome.value.MessageId)
      run.call.attributes['messaging.message.id'] = outcome.value.MessageId;
  });
}

/** Runs a batch publish through the middleware: one call (kind `publish-batch`, its message types as operation). */
export async function sentBatch<R>(
  q: QueueCalls,
  types: readonly string[],
  requestId: string,
  attributes: Record<string, Attribute>,
  send: () => Promise<R>,
): Promise<R> {
  const chain = chainFor(q.middleware);
  if (!chain) return send();
  const call = queueCall(q, 'client', [...new Set(types)].join(','), requestId, attributes, 'publish-batch');
  call.attributes['messaging.batch.message_count'] = types.length;
  return through(
    chain,
    call,
    send,
    () => new Error(`a middleware did not call next(): the batch of ${types.length} was not published`),
  );
}

/** Runs a consumed message's handler through the middleware; its headers are the message's attributes. */
export async function consumed<R>(
  q: QueueCalls,
  message: { MessageId?: string | undefined; MessageAttributes?: Record<string, Attribute> | undefined },
  type: string,
  requestId: string,
  handle: () => Promise<R>,
): Promise<R> {
  const chain = chainFor(q.middleware);
  if (!chain) return handle();
  const call = queueCall(q, 'server', type, requestId, (message.MessageAttributes ??= {}));
  if (message.MessageId) call.attributes['messaging.message.id'] = message.MessageId;
  return through(
    chain,
    call,
    handle,
    () => new Error(`a middleware did not call next(): the ${type} handler did not run`),
  );
}
