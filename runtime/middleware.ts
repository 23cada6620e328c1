// One middleware shape for every link: a REST call or request served, a gRPC call made or served, a
// queue message published or consumed all run through `(call, next) => Promise<void>`, so one logging,
// auth or metrics middleware is written once. Installed per client, server or consumer (its
// `middleware` option) or for the whole process (useMiddleware); OpenTelemetry spans are a built-in
// one, present only when the project has @opentelemetry/api (see telemetry.ts).
import { telemetryMiddleware, telemetryPending } from './telemetry.js';

export type CallPattern = 'rest' | 'grpc' | 'queue';

/** Headers of the call: HTTP headers, gRPC metadata or message attributes (names are case-insensitive). */
export interface CallHeaders {
  get(name: string): string | undefined;
  /** On a client call: sent with it. On a served call or consumed message: what the handler reads. */
  set(name: string, value: string): void;
}

/** What a middleware knows about one call. */
export interface Call {
  readonly pattern: CallPattern;
  /** `client`: a call made or a message published; `server`: a call served or a message consumed. */
  readonly side: 'client' | 'server';
  /**
   * REST `request`; gRPC `unary`, `server-stream`, `client-stream`, `bidi`; queue `publish`, `publish-batch`,
   * `consume`.
   */
  readonly kind: string;
  /** The link's name (a REST server's `link` router option). */
  readonly link: string;
  /** REST: the operation's method name, on both sides; gRPC: /package.Service/Method; queue: the message type. */
  readonly operation: string;
  readonly requestId: string;
  readonly headers: CallHeaders;
  /**
   * Facts of the call by their OpenTelemetry semantic-convention names (http.request.method, url.full,
   * http.route, rpc.service, rpc.method, messaging.destination.name, messaging.message.id ...).
   */
  readonly attributes: Record<string, string | number | boolean>;
  /** Once `next` has settled: the HTTP status or the gRPC status code, when there is one. */
  status?: number | undefined;
  /** Once `next` has settled: why the call failed (it also rejects `next`). */
  error?: unknown;
}

/** Runs around a call: code before `await next()` runs before it, code after once it has ended. */
export type Middleware = (call: Call, next: () => Promise<void>) => Promise<void>;

/** One middleware running `list` in order (the first is outermost). */
export function compose(list: readonly Middleware[]): Middleware {
  if (list.length === 1) return list[0]!;
  return (call, next) => {
    const step = (i: number): Promise<void> => (i < list.length ? list[i]!(call, () => step(i + 1)) : next());
    return step(0);
  };
}

const GLOBAL_KEY = Symbol.for('create-service-link.middleware');
type GlobalWithMiddleware = typeof globalThis & { [GLOBAL_KEY]?: { list: Middleware[]; version: number } };
// Under a global symbol, like the request context: every runtime copy of a process shares one list.
const shared = ((globalThis as GlobalWithMiddleware)[GLOBAL_KEY] ??= { list: [], version: 0 });

/** Installs middleware for every link of the process, after those already installed. Returns its removal. */
export function useMiddleware(...middleware: Middleware[]): () => void {
  shared.list.push(...middleware);
  shared.version++;
  return () => {
    shared.list = shared.list.filter((m) => !middleware.includes(m));
    shared.version++;
  };
}

const NONE: readonly Middleware[] = [];
const chains = new WeakMap<readonly Middleware[], { version: number; chain: Middleware | undefined }>();
let telemetrySeen: Middleware | undefined;

/**
 * The chain a call runs: telemetry (when loaded), the process's middleware, then `own` (the client's,
 * server's or consumer's option). Undefined when there is none, so a call without middleware pays
 * one lookup. Cached until useMiddleware changes the list.
 */
export function chainFor(own: readonly Middleware[] | undefined): Middleware | undefined {
  const pending = telemetryPending();
  if (pending) return (call, next) => pending.then(() => run(chainFor(own), call, next));
  const key = own ?? NONE;
  const telemetry = telemetryMiddleware();
  if (telemetry !== telemetrySeen) {
    telemetrySeen = telemetry;
    shared.version++;
  }
  const cached = chains.get(key);
  if (cached?.version === shared.version) return cached.chain;
  const list = [...(telemetry ? [telemetry] : []), ...shared.list, ...key];
  const chain = list.length ? compose(list) : undefined;
  chains.set(key, { version: shared.version, chain });
  return chain;
}

/** Runs `next` through `chain`, recording its outcome on `call` (the error also rejects). */
export async function run(chain: Middleware | undefined, call: Call, next: () => Promise<void>): Promise<void> {
  if (!chain) return next();
  return chain(call, async () => {
    try {
      await next();
    } catch (error) {
      call.error = error;
      throw error;
    }
  });
}

/**
 * `work` through `chain`, with its own outcome as the result: next() settles as `work` does, `settle`
 * records that outcome on the call (a status) before the middleware after `next()` reads it, and a
 * middleware can neither skip `work` (`skipped()` is thrown then) nor turn its failure into a success.
 */
export async function through<R>(
  chain: Middleware,
  call: Call,
  work: () => Promise<R>,
  skipped: () => unknown,
  settle?: (outcome: { value: R } | { error: unknown }) => void,
): Promise<R> {
  let outcome: { value: R } | { error: unknown } | undefined;
  await run(chain, call, async () => {
    try {
      outcome = { value: await work() };
    } catch (error) {
      outcome = { error };
      throw error;
    } finally {
      if (outcome) settle?.(outcome);
    }
  });
  if (!outcome) throw skipped();
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/** CallHeaders over a plain record with lower-case names (REST headers, a message's attribute strings). */
export function recordHeaders(record: Record<string, string>): CallHeaders {
  return {
    get: (name) => record[name.toLowerCase()],
    set: (name, value) => {
      record[name.toLowerCase()] = value;
    },
  };
}
