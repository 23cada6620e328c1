// Call plumbing shared by the generated clients and servers: promise and async-iterable calls over
// @grpc/grpc-js, metadata (request ID, traceparent/tracestate, bearer token), deadlines, typed errors.
import * as grpc from '@grpc/grpc-js';
import type { EventEmitter } from 'node:events';
import { currentRequestContext, newRequestId, runWithRequestContext } from './context.js';
import { type Call, type CallHeaders, chainFor, type Middleware, run as runMiddleware, through } from './middleware.js';

export const status = grpc.status;
export type Status = grpc.status;

/**
 * A failed call. On the client: the peer's status code, its message (`details`) and the request ID.
 * On the server: throw one with the code the client should see (other errors become INTERNAL).
 */
export class GrpcError extends Error {
  override name = 'GrpcError';
  readonly code: grpc.status;
  readonly details: string;
  readonly requestId: string | undefined;
  readonly metadata: grpc.Metadata;

  constructor(
    code: grpc.status,
    details: string,
    options: { requestId?: string | undefined; metadata?: grpc.Metadata | undefined; cause?: unknown } = {},
  ) {
    super(`${grpc.status[code] ?? code}: ${details}${options.requestId ? ` (request ${options.requestId})` : ''}`, {
      cause: options.cause,
    });
    this.code = code;
    this.details = details;
    this.requestId = options.requestId;
    this.metadata = options.metadata ?? new grpc.Metadata();
  }
}

export interface CallOptions {
  /** Absolute deadline, or milliseconds from now. Defaults to the client's timeoutMs; 0 or Infinity: none. */
  deadline?: Date | number | undefined;
  /** Milliseconds this call may take (like the REST links' option); `deadline` wins when both are given. */
  timeoutMs?: number | undefined;
  /** Cancels the call (the promise rejects / the iteration throws with CANCELLED). */
  signal?: AbortSignal | undefined;
  /** Extra metadata sent with the call. */
  metadata?: grpc.Metadata | Record<string, string> | undefined;
  /** Overrides the request ID taken from the request context. */
  requestId?: string | undefined;
  /**
   * Called with the response headers when they arrive, before the first message. Not called when the
   * server answers with trailers only (an error before any header).
   */
  onHeader?: ((headers: grpc.Metadata) => void) | undefined;
  /**
   * Called with the trailers when the call ends, before the promise settles or the iteration ends;
   * on failure too (then also on `GrpcError.metadata`). A callback that throws fails the call with
   * that error.
   */
  onTrailer?: ((trailers: grpc.Metadata) => void) | undefined;
  /**
   * Retry this unary call on UNAVAILABLE with backoff (RETRY_POLICY), as for an RPC the .proto marks
   * idempotent (those are retried without asking). Only for calls that are safe to repeat.
   */
  idempotent?: boolean | undefined;
}

export interface ConnectionOptions {
  /** host:port of the server. */
  address: string;
  /** Plaintext connection (local development only); TLS otherwise. */
  insecure: boolean;
  /** Bearer token sent as `authorization` metadata; never logged. */
  token?: string | undefined;
  /** Default deadline of each call in milliseconds (0: none). */
  timeoutMs: number;
  /** PEM root certificates for TLS; the system roots when absent. */
  rootCerts?: Buffer | undefined;
  channelOptions?: grpc.ChannelOptions | undefined;
  /** Runs around each call of this client (after those of useMiddleware). */
  middleware?: readonly Middleware[] | undefined;
  /** The link's name, as middleware and spans see it. */
  link?: string | undefined;
}

/** What a client (or `connectionOptions()`) takes: any setting left out or undefined comes from the environment. */
export type ConnectionOverrides = { [K in keyof ConnectionOptions]?: ConnectionOptions[K] | undefined };

/**
 * Channel settings every client starts from (its `channelOptions` win). A connection left quiet is
 * what load balancers and NAT drop without a word, and the next call then fails with 14 UNAVAILABLE:
 * the channel goes idle after a quiet minute (the next call opens a fresh connection), and a busy one
 * pings every 5 minutes (the least interval servers accept by default) to find a dead peer.
 */
export const CHANNEL_DEFAULTS: grpc.ChannelOptions = {
  'grpc.client_idle_timeout_ms': 60_000,
  'grpc.keepalive_time_ms': 300_000,
  'grpc.keepalive_timeout_ms': 20_000,
};

/** How idempotent calls are retried: on UNAVAILABLE only, with exponential backoff. */
export const RETRY_POLICY = {
  maxAttempts: 4,
  initialBackoff: '0.1s',
  maxBackoff: '2s',
  backoffMultiplier: 2,
  retryableStatusCodes: ['UNAVAILABLE'],
} as const;

/**
 * A `grpc.service_config` that retries the given RPCs of `service` (those the .proto marks with
 * `option idempotency_level`); grpc-js then retries them itself and never the others.
 */
export function retryServiceConfig(service: string, methods: readonly string[]): string {
  const name = methods.map((method) => ({ service, method }));
  return JSON.stringify({ methodConfig: [{ name, retryPolicy: RETRY_POLICY }] });
}

export function makeChannelClient(options: ConnectionOptions, serviceConfig?: string): grpc.Client {
  const credentials = options.insecure
    ? grpc.credentials.createInsecure()
    : grpc.credentials.createSsl(options.rootCerts ?? null);
  const channel: grpc.ChannelOptions = { ...CHANNEL_DEFAULTS };
  if (serviceConfig) channel['grpc.service_config'] = serviceConfig;
  return new grpc.Client(options.address, credentials, { ...channel, ...options.channelOptions });
}

/** The environment flag convention: "1", "true" or "yes" (any case) turn it on. */
export function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}

interface Prepared {
  metadata: grpc.Metadata;
  options: grpc.CallOptions;
  requestId: string;
}

// Runs on every call, so it allocates only what the call needs: one Metadata, no Date (grpc-js takes
// the deadline as epoch milliseconds), no lookups for headers that cannot be present.
function prepare(conn: ConnectionOptions, call: CallOptions): Prepared {
  const context = currentRequestContext();
  const requestId = call.requestId ?? context?.requestId ?? newRequestId();
  const metadata = new grpc.Metadata();
  const extra = call.metadata;
  if (extra instanceof grpc.Metadata) metadata.merge(extra);
  else if (extra) for (const key of Object.keys(extra)) metadata.set(key, extra[key]!);
  metadata.set('x-request-id', requestId);
  if (context?.traceparent && (!extra || !metadata.get('traceparent').length)) {
    metadata.set('traceparent', context.traceparent);
    // tracestate only means something beside the traceparent it came with.
    if (context.tracestate && (!extra || !metadata.get('tracestate').length))
      metadata.set('tracestate', context.tracestate);
  }
  if (conn.token && (!extra || !metadata.get('authorization').length))
    metadata.set('authorization', `Bearer ${conn.token}`);
  const deadline = call.deadline ?? call.timeoutMs ?? conn.timeoutMs;
  const options: grpc.CallOptions = {};
  if (deadline instanceof Date) options.deadline = deadline;
  else if (deadline > 0 && deadline !== Infinity) options.deadline = Date.now() + deadline;
  return { metadata, options, requestId };
}

function toError(err: unknown, requestId: string): GrpcError {
  if (err instanceof GrpcError) return err;
  const e = err as Partial<grpc.ServiceError> | undefined;
  if (e && typeof e.code === 'number') {
    return new GrpcError(e.code, e.details ?? e.message ?? '', { requestId, metadata: e.metadata, cause: err });
  }
  return new GrpcError(grpc.status.UNKNOWN, err instanceof Error ? err.message : String(err), {
    requestId,
    cause: err,
  });
}

/** Ties an AbortSignal to a call: aborting cancels it. Returns the cleanup. */
function bindSignal(signal: AbortSignal | undefined, call: { cancel(): void }): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    call.cancel();
    return () => {};
  }
  const onAbort = (): void => call.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** What every kind of client call has. */
type ClientCall = EventEmitter & { cancel(): void };

/**
 * The caller's onHeader/onTrailer on one call; created only when one is given (most calls pay nothing).
 * A callback that throws cancels the call and becomes its error, instead of escaping into grpc-js.
 */
class Hooks {
  thrown: { error: unknown } | undefined;
  /** Settles once the status (with the trailers) has arrived and onTrailer has run. */
  readonly ended: Promise<void>;

  static of(call: CallOptions, c: ClientCall): Hooks | undefined {
    return call.onHeader || call.onTrailer ? new Hooks(call, c) : undefined;
  }

  private constructor(call: CallOptions, c: ClientCall) {
    const { onHeader, onTrailer } = call;
    if (onHeader) c.once('metadata', (headers: grpc.Metadata) => this.#guard(c, () => onHeader(headers)));
    this.ended = new Promise<void>((resolve) =>
      c.once('status', (s: grpc.StatusObject) => {
        if (onTrailer) this.#guard(c, () => onTrailer(s.metadata));
        resolve();
      }),
    );
  }

  #guard(c: ClientCall, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.thrown ??= { error };
      c.cancel();
    }
  }
}

/**
 * The callback of a call with one response and the binding of its call object. Without hooks it
 * settles in the callback; with hooks once the trailers are in too (grpc-js emits 'status' right after
 * the callback), so onTrailer has run before the caller's `await` resumes.
 */
function oneResponse<Res>(
  requestId: string,
  call: CallOptions,
  resolve: (value: Res) => void,
  reject: (error: unknown) => void,
): { callback: grpc.requestCallback<Res>; bind(c: ClientCall): void } {
  let unbind = (): void => {};
  let hooks: Hooks | undefined;
  let outcome: (() => void) | undefined;
  let ended = false;
  const finish = (): void => {
    if (!outcome || (hooks && !ended)) return;
    if (hooks?.thrown) reject(hooks.thrown.error);
    else outcome();
  };
  const callback: grpc.requestCallback<Res> = (err, value) => {
    unbind();
    if (err) outcome = () => reject(toError(err, requestId));
    else if (value === undefined)
      outcome = () => reject(new GrpcError(grpc.status.INTERNAL, 'empty response', { requestId }));
    else outcome = () => resolve(value);
    finish();
  };
  const bind = (c: ClientCall): void => {
    unbind = bindSignal(call.signal, c);
    hooks = Hooks.of(call, c);
    void hooks?.ended.then(() => {
      ended = true;
      finish();
    });
  };
  return { callback, bind };
}

/** Yields a response stream's messages; with hooks, ends only after onTrailer has run. */
async function* responses<Res>(
  c: ClientCall & AsyncIterable<unknown>,
  p: Prepared,
  call: CallOptions,
): AsyncGenerator<Res, void, undefined> {
  const hooks = Hooks.of(call, c);
  const unbind = bindSignal(call.signal, c);
  try {
    for await (const value of c) yield value as Res;
    await hooks?.ended;
    if (hooks?.thrown) throw hooks.thrown.error;
  } catch (err) {
    await hooks?.ended;
    throw hooks?.thrown ? hooks.thrown.error : toError(err, p.requestId);
  } finally {
    unbind();
    // Leaving the loop early (break/return) cancels the call instead of leaking it.
    c.cancel();
  }
}

export interface Method<Req, Res> {
  path: string;
  serialize: (value: Req) => Buffer;
  deserialize: (bytes: Buffer) => Res;
  /** Marked idempotent in the .proto: the channel's service config retries it already. */
  idempotent?: boolean | undefined;
}

export function unary<Req, Res>(
  client: grpc.Client,
  conn: ConnectionOptions,
  m: Method<Req, Res>,
  request: Req,
  call: CallOptions = {},
): Promise<Res> {
  const p = prepare(conn, call);
  const once = (): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      const done = oneResponse(p.requestId, call, resolve, reject);
      done.bind(
        client.makeUnaryRequest(m.path, m.serialize, m.deserialize, request, p.metadata, p.options, done.callback),
      );
    });
  const exec = (): Promise<Res> => (call.idempotent && !m.idempotent ? retried(once, call) : once());
  const chain = chainFor(conn.middleware);
  return chain ? answered(chain, clientCall(conn, m, 'unary', p), exec) : exec();
}

/** A call opted in as idempotent: retried on UNAVAILABLE as RETRY_POLICY says, within its deadline. */
async function retried<Res>(once: () => Promise<Res>, call: CallOptions): Promise<Res> {
  let backoff = 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await once();
    } catch (err) {
      const again = err instanceof GrpcError && err.code === grpc.status.UNAVAILABLE;
      if (!again || attempt >= RETRY_POLICY.maxAttempts || call.signal?.aborted) throw err;
    }
    // Jittered like grpc-js's own retries, so many clients do not retry in step.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * backoff));
    backoff = Math.min(backoff * RETRY_POLICY.backoffMultiplier, 2000);
  }
}

export async function* serverStream<Req, Res>(
  client: grpc.Client,
  conn: ConnectionOptions,
  m: Method<Req, Res>,
  request: Req,
  call: CallOptions = {},
): AsyncGenerator<Res, void, undefined> {
  const p = prepare(conn, call);
  const open = (): AsyncGenerator<Res, void, undefined> =>
    responses<Res>(
      client.makeServerStreamRequest(m.path, m.serialize, m.deserialize, request, p.metadata, p.options),
      p,
      call,
    );
  const chain = chainFor(conn.middleware);
  yield* chain ? streamed(chain, clientCall(conn, m, 'server-stream', p), open) : open();
}

async function pump<T>(source: AsyncIterable<T> | Iterable<T>, sink: grpc.ClientWritableStream<T>): Promise<void> {
  try {
    for await (const item of source) {
      if (!sink.write(item)) await new Promise<void>((resolve) => sink.once('drain', resolve));
    }
    sink.end();
  } catch (err) {
    // A failing request source cancels the call; the caller sees CANCELLED with this cause.
    sink.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

export function clientStream<Req, Res>(
  client: grpc.Client,
  conn: ConnectionOptions,
  m: Method<Req, Res>,
  requests: AsyncIterable<Req> | Iterable<Req>,
  call: CallOptions = {},
): Promise<Res> {
  const p = prepare(conn, call);
  const exec = (): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      const done = oneResponse(p.requestId, call, resolve, reject);
      const c = client.makeClientStreamRequest(
        m.path,
        m.serialize,
        m.deserialize,
        p.metadata,
        p.options,
        done.callback,
      );
      done.bind(c);
      void pump(requests, c);
    });
  const chain = chainFor(conn.middleware);
  return chain ? answered(chain, clientCall(conn, m, 'client-stream', p), exec) : exec();
}

export async function* bidiStream<Req, Res>(
  client: grpc.Client,
  conn: ConnectionOptions,
  m: Method<Req, Res>,
  requests: AsyncIterable<Req> | Iterable<Req>,
  call: CallOptions = {},
): AsyncGenerator<Res, void, undefined> {
  const p = prepare(conn, call);
  const open = (): AsyncGenerator<Res, void, undefined> => {
    const c = client.makeBidiStreamRequest(m.path, m.serialize, m.deserialize, p.metadata, p.options);
    const stream = responses<Res>(c, p, call);
    void pump(requests, c);
    return stream;
  };
  const chain = chainFor(conn.middleware);
  yield* chain ? streamed(chain, clientCall(conn, m, 'bidi', p), open) : open();
}

// ---- middleware ----

/** CallHeaders over gRPC metadata (the first value of a key). */
function metadataHeaders(metadata: grpc.Metadata): CallHeaders {
  return {
    get: (name) => {
      const value = metadata.get(name)[0];
      return typeof value === 'string' ? value : undefined;
    },
    set: (name, value) => metadata.set(name, value),
  };
}

function grpcCall(
  side: Call['side'],
  kind: string,
  link: string,
  path: string,
  requestId: string,
  metadata: grpc.Metadata,
): Call {
  const [, service = '', method = ''] = /^\/([^/]*)\/(.*)$/.exec(path) ?? [];
  const attributes = { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method };
  return {
    pattern: 'grpc',
    side,
    kind,
    link,
    operation: path,
    requestId,
    headers: metadataHeaders(metadata),
    attributes,
  };
}

function clientCall<Req, Res>(conn: ConnectionOptions, m: Method<Req, Res>, kind: string, p: Prepared): Call {
  return grpcCall('client', kind, conn.link ?? '', m.path, p.requestId, p.metadata);
}

/** The status code an error ends a call with (no logging: toStatus logs). */
function codeOf(err: unknown): number {
  const code = (err as { code?: unknown } | undefined)?.code;
  // What toStatus answers for an error without a code.
  return typeof code === 'number' && code >= 0 && code <= 16 ? code : grpc.status.INTERNAL;
}

/** A call with one answer through the chain: next() settles with the call; the caller gets the call's own outcome. */
function answered<Res>(chain: Middleware, c: Call, exec: () => Promise<Res>): Promise<Res> {
  return through(
    chain,
    c,
    exec,
    () => skipped(c),
    (outcome) => {
      c.status = 'error' in outcome ? codeOf(outcome.error) : grpc.status.OK;
    },
  );
}

function skipped(c: Call): GrpcError {
  return new GrpcError(grpc.status.CANCELLED, 'a middleware did not call next()', { requestId: c.requestId });
}

/**
 * A response stream through the chain: next() settles when the stream ends (or the caller stops
 * reading), so a middleware's code after `await next()` sees the whole call.
 */
async function* streamed<Res>(
  chain: Middleware,
  c: Call,
  open: () => AsyncGenerator<Res, void, undefined>,
): AsyncGenerator<Res, void, undefined> {
  let finish: (error: { error: unknown } | undefined) => void = () => {};
  let opened: (stream: AsyncGenerator<Res, void, undefined>) => void = () => {};
  const stream = new Promise<AsyncGenerator<Res, void, undefined>>((resolve) => (opened = resolve));
  const done = runMiddleware(chain, c, () => {
    const ended = new Promise<void>((resolve, reject) => {
      finish = (failure) => (failure ? reject(failure.error) : resolve());
    });
    opened(open());
    return ended;
  });
  // A middleware that throws before next() (refusing the call) ends it with its error.
  const first = await Promise.race([stream, done.then(() => undefined)]);
  if (!first) throw skipped(c);
  let failure: { error: unknown } | undefined;
  try {
    yield* first;
    c.status = grpc.status.OK;
  } catch (error) {
    c.status = codeOf(error);
    failure = { error };
  } finally {
    finish(failure);
    await done;
  }
  if (failure) throw failure.error;
}

// ---- server side ----

/** What a handler knows about the call besides the request. */
export interface CallContext {
  /** The caller's request ID (x-request-id), or a new one. Outgoing calls in the handler reuse it. */
  requestId: string;
  metadata: grpc.Metadata;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
  deadline: grpc.Deadline;
  peer: string;
  /** Headers sent back before the first response message (set them before returning or the first yield). */
  responseMetadata: grpc.Metadata;
  /** Trailers sent with the final status, success or failure (set them before returning or ending the stream). */
  responseTrailers: grpc.Metadata;
}

/** What every kind of server call has (grpc-js does not export this type). */
type AnyCall = Pick<
  grpc.ServerUnaryCall<unknown, unknown>,
  'cancelled' | 'metadata' | 'getPeer' | 'getDeadline' | 'getPath'
> &
  EventEmitter;

/**
 * The CallContext of one server call. Everything a handler may never look at (the AbortSignal, the
 * deadline, the peer, response metadata) is created on first use: most handlers touch none of it, and
 * this runs on every call.
 */
class ServerCallContext implements CallContext {
  readonly requestId: string;
  readonly metadata: grpc.Metadata;
  readonly #call: AnyCall;
  #controller: AbortController | undefined;
  #responseMetadata: grpc.Metadata | undefined;
  #responseTrailers: grpc.Metadata | undefined;
  #headersSent = false;
  /** Set once the call has answered: a later 'cancelled' (the stream closing) is not a cancellation. */
  done = false;

  constructor(call: AnyCall) {
    this.#call = call;
    this.metadata = call.metadata;
    const header = call.metadata.get('x-request-id')[0];
    this.requestId = typeof header === 'string' && header ? header : newRequestId();
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#call.cancelled) controller.abort();
      else
        this.#call.once('cancelled', () => {
          if (!this.done) controller.abort();
        });
    }
    return this.#controller.signal;
  }

  get deadline(): grpc.Deadline {
    return this.#call.getDeadline();
  }

  get peer(): string {
    return this.#call.getPeer();
  }

  /** The RPC's path, /package.Service/Method. */
  get method(): string {
    return this.#call.getPath();
  }

  /** The client cancelled the call (or its deadline passed). */
  get cancelled(): boolean {
    return this.#call.cancelled;
  }

  get responseMetadata(): grpc.Metadata {
    return (this.#responseMetadata ??= new grpc.Metadata());
  }

  get responseTrailers(): grpc.Metadata {
    return (this.#responseTrailers ??= new grpc.Metadata());
  }

  /** The trailers the handler set, if any, without creating them. */
  get trailers(): grpc.Metadata | undefined {
    return this.#responseTrailers;
  }

  /** The headers the handler set that never went out (the call failed first), if any. */
  get unsentHeaders(): grpc.Metadata | undefined {
    return this.#headersSent ? undefined : this.#responseMetadata;
  }

  /** Sends the response metadata the handler set, if any (grpc-js sends empty headers otherwise). */
  sendHeaders(call: { sendMetadata(m: grpc.Metadata): void }): void {
    if (this.#responseMetadata) call.sendMetadata(this.#responseMetadata);
    this.#headersSent = true;
  }
}

/** Runs a handler inside the caller's request context, so calls it makes through any link carry it on. */
function run<T>(ctx: CallContext, call: AnyCall, fn: () => T): T {
  const tp = call.metadata.get('traceparent')[0];
  const ts = call.metadata.get('tracestate')[0];
  return runWithRequestContext(
    {
      requestId: ctx.requestId,
      traceparent: typeof tp === 'string' ? tp : undefined,
      tracestate: typeof ts === 'string' ? ts : undefined,
    },
    fn,
  );
}

/**
 * The request stream as an AsyncIterable. Plain `for await` over a Node stream destroys it when the
 * loop ends, which would also kill the response side of a bidi call.
 */
function requestsOf<Req>(
  call: grpc.ServerReadableStream<Req, unknown> | grpc.ServerDuplexStream<Req, unknown>,
): AsyncIterable<Req> {
  return { [Symbol.asyncIterator]: () => call.iterator({ destroyOnReturn: false }) };
}

/** A thrown error as the status the client sees: GrpcError (or any error with a numeric gRPC code) keeps its code. */
export function toStatus(err: unknown, ctx: CallContext): Partial<grpc.StatusObject> {
  const trailer = new grpc.Metadata();
  trailer.set('x-request-id', ctx.requestId);
  // What the handler set before failing goes out too, as grpc-go does: headers not sent yet travel in
  // the trailers-only answer, then its trailers, then the error's own metadata.
  if (ctx instanceof ServerCallContext) {
    if (ctx.unsentHeaders) trailer.merge(ctx.unsentHeaders);
    if (ctx.trailers) trailer.merge(ctx.trailers);
  } else trailer.merge(ctx.responseTrailers);
  if (err instanceof GrpcError) {
    trailer.merge(err.metadata);
    return { code: err.code, details: err.details, metadata: trailer };
  }
  const e = err as { code?: unknown; details?: unknown; message?: unknown } | undefined;
  if (e && typeof e.code === 'number' && e.code >= 0 && e.code <= 16) {
    return { code: e.code, details: String(e.details ?? e.message ?? ''), metadata: trailer };
  }
  // Unexpected errors: the client gets INTERNAL without our internals; the server's log gets them, once
  // (not for a call the client cancelled: the error is most likely that abort, and nobody waits for it).
  const server = ctx instanceof ServerCallContext ? ctx : undefined;
  if (!server?.cancelled)
    console.error(`${server?.method ?? 'a gRPC call'} failed (request ${ctx.requestId}), answering INTERNAL:`, err);
  return { code: grpc.status.INTERNAL, details: 'internal error', metadata: trailer };
}

/** What a served call's middleware and link name are (add<Service> and registerServices pass them). */
export interface ServeOptions {
  /** Runs around each call served (after those of useMiddleware). */
  middleware?: readonly Middleware[] | undefined;
  /** The link's name, as middleware and spans see it. */
  link?: string | undefined;
}

const REBIND = Symbol('create-service-link.serve-options');
type Rebindable = { [REBIND]?: (options: ServeOptions) => unknown };

/** A handler that `withServeOptions` can make again with other options. */
function rebindable<F extends object>(make: (options: ServeOptions) => F, options: ServeOptions): F {
  return Object.assign(make(options), { [REBIND]: make });
}

/** The implementation's handlers (made by the *Handler functions here) with these options. */
export function withServeOptions(
  implementation: grpc.UntypedServiceImplementation,
  link: string,
  options: ServeOptions,
): grpc.UntypedServiceImplementation {
  const settings = { link, ...options };
  const out: grpc.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    const make = (handler as Rebindable)[REBIND];
    out[name] = make ? (make(settings) as typeof handler) : handler;
  }
  return out;
}

/** Runs a served call's body through the middleware, when there is any. */
function served<T>(options: ServeOptions, ctx: ServerCallContext, kind: string, body: () => Promise<T>): Promise<T> {
  const chain = chainFor(options.middleware);
  if (!chain) return body();
  return answered(chain, grpcCall('server', kind, options.link ?? '', ctx.method, ctx.requestId, ctx.metadata), body);
}

/** Answers a unary or client-stream call with the handler's value or error. */
function answer<Res>(
  ctx: ServerCallContext,
  call: { sendMetadata(m: grpc.Metadata): void },
  callback: grpc.sendUnaryData<Res>,
  outcome: Promise<Res>,
): void {
  outcome.then(
    (value) => {
      ctx.done = true;
      ctx.sendHeaders(call);
      callback(null, value, ctx.trailers);
    },
    (err: unknown) => {
      ctx.done = true;
      callback(toStatus(err, ctx));
    },
  );
}

export function unaryHandler<Req, Res>(
  fn: (request: Req, ctx: CallContext) => Promise<Res>,
  options: ServeOptions = {},
): grpc.handleUnaryCall<Req, Res> {
  return rebindable(
    (o): grpc.handleUnaryCall<Req, Res> =>
      (call, callback) => {
        const ctx = new ServerCallContext(call);
        answer(
          ctx,
          call,
          callback,
          run(ctx, call, () => served(o, ctx, 'unary', () => fn(call.request, ctx))),
        );
      },
    options,
  );
}

/**
 * Writes a handler's response stream with backpressure, then ends it with the trailers or its error's
 * status; with `rethrow` (middleware waiting) the error is thrown on once answered.
 */
async function respond<Res>(
  ctx: ServerCallContext,
  call: grpc.ServerWritableStream<unknown, Res> | grpc.ServerDuplexStream<unknown, Res>,
  values: AsyncIterable<Res>,
  rethrow = false,
): Promise<void> {
  try {
    let first = true;
    for await (const value of values) {
      if (first) ctx.sendHeaders(call);
      first = false;
      if (call.cancelled) return;
      if (!call.write(value)) await new Promise<void>((resolve) => call.once('drain', resolve));
    }
    // A stream with no messages still sends the response metadata the handler set.
    if (first) ctx.sendHeaders(call);
    ctx.done = true;
    call.end(ctx.trailers);
  } catch (err) {
    ctx.done = true;
    // grpc-js turns an 'error' event with a code into the call's final status.
    call.emit('error', toStatus(err, ctx));
    if (rethrow) throw err;
  }
}

/** A response stream through the middleware; a middleware's own error (before next) still answers the call. */
function streamOut<Res>(
  o: ServeOptions,
  ctx: ServerCallContext,
  call: grpc.ServerWritableStream<unknown, Res> | grpc.ServerDuplexStream<unknown, Res>,
  kind: string,
  values: () => AsyncIterable<Res>,
): void {
  if (!chainFor(o.middleware)) {
    void run(ctx, call, () => respond(ctx, call, values()));
    return;
  }
  run(ctx, call, () => served(o, ctx, kind, () => respond(ctx, call, values(), true))).catch((err: unknown) => {
    if (ctx.done) return;
    ctx.done = true;
    call.emit('error', toStatus(err, ctx));
  });
}

export function serverStreamHandler<Req, Res>(
  fn: (request: Req, ctx: CallContext) => AsyncIterable<Res>,
  options: ServeOptions = {},
): grpc.handleServerStreamingCall<Req, Res> {
  return rebindable(
    (o): grpc.handleServerStreamingCall<Req, Res> =>
      (call) => {
        const ctx = new ServerCallContext(call);
        streamOut(o, ctx, call, 'server-stream', () => fn(call.request, ctx));
      },
    options,
  );
}

export function clientStreamHandler<Req, Res>(
  fn: (requests: AsyncIterable<Req>, ctx: CallContext) => Promise<Res>,
  options: ServeOptions = {},
): grpc.handleClientStreamingCall<Req, Res> {
  return rebindable(
    (o): grpc.handleClientStreamingCall<Req, Res> =>
      (call, callback) => {
        const ctx = new ServerCallContext(call);
        answer(
          ctx,
          call,
          callback,
          run(ctx, call, () => served(o, ctx, 'client-stream', () => fn(requestsOf(call), ctx))),
        );
      },
    options,
  );
}

export function bidiStreamHandler<Req, Res>(
  fn: (requests: AsyncIterable<Req>, ctx: CallContext) => AsyncIterable<Res>,
  options: ServeOptions = {},
): grpc.handleBidiStreamingCall<Req, Res> {
  return rebindable(
    (o): grpc.handleBidiStreamingCall<Req, Res> =>
      (call) => {
        const ctx = new ServerCallContext(call);
        streamOut(o, ctx, call, 'bidi', () => fn(requestsOf(call), ctx));
      },
    options,
  );
}
