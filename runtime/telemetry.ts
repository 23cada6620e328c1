// OpenTelemetry spans for every call, publish and consume, when the project has @opentelemetry/api.
// The package is imported at run time, not named in an import statement: a project without it compiles
// and runs as before (the import fails once, quietly), and installing or removing it needs no `generate`.
// OTEL_SDK_DISABLED=true (OpenTelemetry's own switch) turns it off.
//
// Trace context travels as W3C `traceparent` (REST header, gRPC metadata, SQS/SNS message attribute)
// and, inside a process, in the request context (context.ts), so a handler's outgoing calls are
// children of its server span with no OpenTelemetry context manager registered.
import { currentRequestContext, runWithRequestContext } from './context.js';
import type { Call, Middleware } from './middleware.js';

/** The part of @opentelemetry/api used here (its own types are not visible where it is not installed). */
interface SpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
}
type Attributes = Record<string, string | number | boolean>;
interface Span {
  spanContext(): SpanContext;
  setAttributes(attributes: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error | string): void;
  isRecording(): boolean;
  end(): void;
}
interface Context {
  readonly __brand?: 'otel-context';
}
interface Api {
  trace: {
    getTracerProvider(): ProxyProvider;
    getTracer(name: string): {
      startSpan(
        name: string,
        options: { kind: number; attributes: Attributes; links?: { context: SpanContext }[] },
        context: Context,
      ): Span;
    };
    getActiveSpan(): Span | undefined;
    setSpan(context: Context, span: Span): Context;
    setSpanContext(context: Context, spanContext: SpanContext): Context;
    getSpanContext(context: Context): SpanContext | undefined;
  };
  context: { active(): Context; with<R>(context: Context, fn: () => R): R };
  ROOT_CONTEXT: Context;
  /** In every 1.x release; absent, every call is assumed traced. */
  ProxyTracerProvider?: new () => ProxyProvider;
}
/** The global tracer provider: a proxy whose delegate is the SDK's provider, or the API's no-op one. */
interface ProxyProvider {
  getDelegate?(): unknown;
}

const KIND = { CLIENT: 2, SERVER: 1, PRODUCER: 3, CONSUMER: 4 } as const;
const STATUS_ERROR = 2;
const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

let middleware: Middleware | undefined;
let pending: Promise<void> | undefined;
/** Whether an SDK has registered a tracer provider; asked per call, as one may register at any time. */
let sdkRegistered: () => boolean = () => true;

// A variable, not a literal: TypeScript would otherwise insist on the package's types being installed.
const PACKAGE = '@opentelemetry/api';
if (!/^(true|1)$/i.test(process.env['OTEL_SDK_DISABLED'] ?? '')) {
  pending = import(PACKAGE).then(
    (mod: { default?: Api } & Partial<Api>) => {
      // The CommonJS build seen from ESM may put it all under `default`.
      const api = mod.trace ? (mod as Api) : mod.default;
      if (api?.trace) {
        middleware = spans(api);
        sdkRegistered = registeredCheck(api);
      }
      pending = undefined;
    },
    () => {
      pending = undefined;
    },
  );
}

/** Settles once we know whether @opentelemetry/api is there; undefined once known. */
export function telemetryPending(): Promise<void> | undefined {
  return pending;
}

/**
 * The span middleware, when @opentelemetry/api is installed and an SDK has registered a tracer
 * provider. The API alone makes only no-op spans, so a call then skips the middleware altogether
 * (it was a quarter of a small REST request's server time).
 */
export function telemetryMiddleware(): Middleware | undefined {
  return middleware && sdkRegistered() ? middleware : undefined;
}

/** Compares the global provider's delegate with the API's own no-op provider (what a new proxy delegates to). */
function registeredCheck(otel: Api): () => boolean {
  if (!otel.ProxyTracerProvider) return () => true;
  const noop = new otel.ProxyTracerProvider().getDelegate?.();
  if (noop === undefined) return () => true;
  return () => {
    const provider = otel.trace.getTracerProvider();
    return (provider.getDelegate ? provider.getDelegate() : provider) !== noop;
  };
}

/** The W3C traceparent of a span context. */
export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A traceparent header as a remote span context, or undefined when it is absent or malformed. */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  const m = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16), isRemote: true };
}

function spans(otel: Api): Middleware {
  return async (call, next) => {
    // Asked per span, not once: the provider registered now (perhaps through another copy of the API,
    // or after trace.disable()) is the one whose tracer records; SDKs cache their tracers by name.
    const tracer = otel.trace.getTracer('create-service-link');
    const remote = call.side === 'server' ? parseTraceparent(call.headers.get('traceparent')) : undefined;
    const parent = call.side === 'server' ? withRemote(otel, otel.ROOT_CONTEXT, remote) : localParent(otel);
    const consume = call.pattern === 'queue' && call.side === 'server';
    const options = {
      kind: kindOf(call),
      attributes: attributesOf(call),
      ...(consume && remote ? { links: [{ context: remote }] } : {}),
    };
    const span = tracer.startSpan(spanName(call), options, parent);
    // No SDK registered (the API alone): the span is the parent's context passed through, which the
    // runtime's own traceparent handling does already; skip the rest.
    if (
      !span.isRecording() &&
      span.spanContext().spanId === (otel.trace.getSpanContext(parent)?.spanId ?? '0000000000000000')
    ) {
      span.end();
      return next();
    }
    const traceparent = valid(span.spanContext()) ? formatTraceparent(span.spanContext()) : undefined;
    if (traceparent && call.side === 'client') call.headers.set('traceparent', traceparent);
    try {
      const inner = (): Promise<void> => otel.context.with(otel.trace.setSpan(parent, span), next);
      // A served call's handler runs with this span as the parent of the calls it makes.
      await (call.side === 'server' && traceparent ? withTraceparent(traceparent, call, inner) : inner());
    } catch (error) {
      call.status ??= refusedStatus(call, error);
      if (failed(call)) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: STATUS_ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      throw error;
    } finally {
      span.setAttributes(endAttributes(call));
      // A 5xx reply returned rather than thrown is an error of the server too.
      if (call.pattern === 'rest' && call.side === 'server' && failed(call)) span.setStatus({ code: STATUS_ERROR });
      span.end();
    }
  };
}

/**
 * The status a call ends with when a middleware threw before it ran (an auth check refusing it): what
 * the runtime answers for that error (rest-server's sendError, grpc's toStatus).
 */
function refusedStatus(call: Call, error: unknown): number | undefined {
  const code = (error as { code?: unknown; status?: unknown } | null)?.[call.pattern === 'grpc' ? 'code' : 'status'];
  if (call.pattern === 'grpc') return typeof code === 'number' && code >= 0 && code <= 16 ? code : 13;
  if (call.pattern === 'rest' && call.side === 'server')
    return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
  return undefined;
}

/** gRPC codes that are the server's fault (the semantic conventions' list); the others are the caller's. */
const GRPC_SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

/**
 * Whether the span is an error: any failed client call or publish, a handler that threw; but a
 * server's 4xx reply or a gRPC status that blames the caller (NOT_FOUND...) is not the server's error.
 */
function failed(call: Call): boolean {
  if (call.side === 'client' || call.pattern === 'queue') return true;
  if (call.pattern === 'rest') return (call.status ?? 500) >= 500;
  return GRPC_SERVER_ERRORS.has(call.status ?? 13);
}

function valid(sc: SpanContext): boolean {
  return !/^0+$/.test(sc.traceId) && !/^0+$/.test(sc.spanId);
}

function withRemote(otel: Api, context: Context, remote: SpanContext | undefined): Context {
  return remote ? otel.trace.setSpanContext(context, remote) : context;
}

/** A client call's parent: the active OpenTelemetry span when there is one, else the request context's. */
function localParent(otel: Api): Context {
  if (otel.trace.getActiveSpan()) return otel.context.active();
  return withRemote(otel, otel.ROOT_CONTEXT, parseTraceparent(currentRequestContext()?.traceparent));
}

function withTraceparent<R>(traceparent: string, call: Call, fn: () => R): R {
  const tracestate = currentRequestContext()?.tracestate;
  return runWithRequestContext({ requestId: call.requestId, traceparent, tracestate }, fn);
}

function kindOf(call: Call): number {
  if (call.pattern === 'queue') return call.side === 'client' ? KIND.PRODUCER : KIND.CONSUMER;
  return call.side === 'client' ? KIND.CLIENT : KIND.SERVER;
}

/** Semantic-convention span names: `GET /pets/{id}`, `user.v1.Users/GetUser`, `send orders`, `process orders`. */
function spanName(call: Call): string {
  const a = call.attributes;
  if (call.pattern === 'grpc') return call.operation.replace(/^\//, '');
  if (call.pattern === 'queue')
    return `${a['messaging.operation.name'] ?? call.kind} ${a['messaging.destination.name'] ?? call.link}`;
  // A served request by its route, a call made by its URL template: `GET /pets/{petId}` on both sides.
  const route = a['http.route'] ?? a['url.template'];
  return route === undefined ? `${a['http.request.method'] ?? 'HTTP'}` : `${a['http.request.method']} ${route}`;
}

function attributesOf(call: Call): Attributes {
  return { ...call.attributes, 'request.id': call.requestId };
}

function endAttributes(call: Call): Attributes {
  const out: Attributes = { ...call.attributes };
  if (call.status !== undefined) {
    if (call.pattern === 'grpc') out['rpc.grpc.status_code'] = call.status;
    else if (call.pattern === 'rest') out['http.response.status_code'] = call.status;
  }
  const error = call.error as { name?: unknown } | undefined;
  if (error !== undefined && failed(call)) out['error.type'] = typeof error?.name === 'string' ? error.name : 'Error';
  return out;
}
