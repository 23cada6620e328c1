// The request context of the current async call chain: the request ID and the W3C trace headers that
// travel with every outgoing call (X-Request-ID over REST, x-request-id metadata over gRPC, the
// requestId attribute on SQS), so one request can be followed across services. Every link of a project
// imports this one module; the store also sits under a global symbol, so packages of a monorepo (each
// with its own runtime folder) and links of earlier releases (their own copy) share it in one process.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface RequestContext {
  /** Ties the logs of every service a request crosses together. */
  requestId: string;
  /** W3C trace context (https://www.w3.org/TR/trace-context/), passed through unchanged when present. */
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

const STORAGE_KEY = Symbol.for('create-service-link.request-context');
type GlobalWithContext = typeof globalThis & { [STORAGE_KEY]?: AsyncLocalStorage<RequestContext> };
const holder = globalThis as GlobalWithContext;
const storage: AsyncLocalStorage<RequestContext> = (holder[STORAGE_KEY] ??= new AsyncLocalStorage<RequestContext>());

// A request ID is a UUID whose last eight hex digits count up after a random prefix drawn at start (and
// drawn again when the count wraps), as hyperid does: unique, not secret, and 15 ns where randomUUID()
// took 90, a tenth of the REST router's own time for a small GET.
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
let idPrefix = randomUUID().slice(0, 28);
let idCount = 0;

/** A new request ID. */
export function newRequestId(): string {
  idCount = (idCount + 1) >>> 0;
  if (idCount === 0) idPrefix = randomUUID().slice(0, 28);
  const n = idCount;
  return idPrefix + HEX[n >>> 24]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}

/**
 * Runs `fn` with a request context: every call made inside it (also after `await`) carries this
 * request ID and trace context. A missing `requestId` is created.
 */
export function runWithRequestContext<R>(
  context: { [K in keyof RequestContext]?: RequestContext[K] | undefined },
  fn: () => R,
): R {
  const value: RequestContext = { requestId: context.requestId || newRequestId() };
  if (context.traceparent) value.traceparent = context.traceparent;
  if (context.tracestate) value.tracestate = context.tracestate;
  return storage.run(value, fn);
}

/** The context set by the nearest enclosing `runWithRequestContext`, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The context an outgoing call carries: the current one, or a fresh request ID that starts a new request. */
export function outgoingRequestContext(): RequestContext {
  return storage.getStore() ?? { requestId: newRequestId() };
}
