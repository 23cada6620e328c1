// The HTTP runtime under the generated client: auth, request IDs, timeouts, retries and typed errors.
// It depends on nothing but Node. The default transport is node:http(s) with a keep-alive agent
// (measured faster than global fetch on loopback); pass `fetch` in the config to use your own.
// Namespace imports, not default imports: they compile in CommonJS projects without esModuleInterop too.
import * as http from 'node:http';
import * as https from 'node:https';
import { outgoingRequestContext } from './context.js';
import { type Call, chainFor, type Middleware, recordHeaders, through } from './middleware.js';

/** Returns the bearer token; may be async (e.g. read from a secrets manager and cached). */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

/** The subset of the WHATWG `fetch` the client uses; the global `fetch` fits. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export interface ClientConfig {
  /** Base URL, e.g. "http://127.0.0.1:8080/v1". Default: the link's environment variable. */
  baseUrl?: string | undefined;
  /**
   * Bearer token, or a (sync or async) provider called before each request. Default: the link's
   * token environment variables (`<NAME>_SERVICE_TOKEN`, else the shared one, e.g. `SERVICE_TOKEN`),
   * read on each request. `null` sends no Authorization header.
   */
  token?: string | TokenProvider | null | undefined;
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** Use this fetch instead of the built-in node:http transport (e.g. for mocks or proxies). */
  fetch?: FetchLike | undefined;
  /** Timeout of each attempt in milliseconds (0: none). Default: `<NAME>_SERVICE_TIMEOUT_MS`, else 10000. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, for idempotent methods. Default 2. */
  retries?: number | undefined;
  /** Also retry POST and PATCH (only when the service deduplicates them, e.g. by idempotency key). Default false. */
  retryNonIdempotent?: boolean | undefined;
  /** Exponential backoff: first delay and cap in milliseconds (full jitter). Default 100 and 5000. */
  backoffBaseMs?: number | undefined;
  backoffMaxMs?: number | undefined;
  /** A Retry-After longer than this is not waited for: the error is thrown. Default 30000. */
  maxRetryAfterMs?: number | undefined;
  /** Runs around each call of this client (after those of useMiddleware), retries included. */
  middleware?: readonly Middleware[] | undefined;
}

export interface CallOptions {
  /** Timeout of each attempt for this call, in milliseconds (0: none). */
  timeoutMs?: number | undefined;
  /** Cancels the call (also while waiting to retry). */
  signal?: AbortSignal | undefined;
  /** Retries for this call (0 disables). */
  retries?: number | undefined;
  /** Opt in to retries for this POST/PATCH call (only when the service handles duplicates). */
  retry?: boolean | undefined;
  /** Extra headers for this call. */
  headers?: Record<string, string> | undefined;
  /** Request ID for this call; default: the request context's, else a new UUID. */
  requestId?: string | undefined;
}

/**
 * Why a call failed: an HTTP status outside 2xx, no response in time, a cancelled call, a network
 * failure, an unparsable success body, or missing/invalid configuration (no base URL, no token, a bad
 * timeout variable), in which case nothing was sent.
 */
export type ServiceErrorCode = 'HTTP_STATUS' | 'TIMEOUT' | 'ABORTED' | 'NETWORK' | 'INVALID_RESPONSE' | 'CONFIG';

/** Every failed call throws this. `body` is the parsed error body (typed by the operation's declared errors). */
export class ServiceError<TBody = unknown> extends Error {
  override name = 'ServiceError';
  constructor(
    message: string,
    readonly code: ServiceErrorCode,
    /** HTTP status, or 0 when there was no response. */
    readonly status: number,
    /** Parsed JSON error body, or undefined when the body was empty or not JSON. */
    readonly body: TBody | undefined,
    /** The raw response text (empty when there was no response). */
    readonly rawBody: string,
    readonly requestId: string,
    readonly method: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Narrows an unknown error to this link's ServiceError, with the error body type of your operation. */
export function isServiceError<TBody = unknown>(error: unknown): error is ServiceError<TBody> {
  return error instanceof ServiceError;
}

export interface LinkDefaults {
  /** Link name, for error messages. */
  service: string;
  baseUrlEnv: string;
  /** Used when the environment variable is unset: the document's first absolute server URL. */
  defaultBaseUrl?: string;
  auth: 'bearer' | 'none';
  /** Token variables, first set wins: the link's own, then the shared one. */
  tokenEnvs: string[];
  /** Overrides the default timeout (10000 ms) when `timeoutMs` is not configured. */
  timeoutEnv: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export type QueryStyle = 'form' | 'spaceDelimited' | 'pipeDelimited' | 'deepObject';
export type ParamValue = unknown;

export interface QueryParam {
  name: string;
  value: ParamValue;
  style?: QueryStyle;
  explode?: boolean;
}

export interface RequestSpec {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH' | 'TRACE';
  /** Path with parameters already encoded (see `pathParam`). */
  path: string;
  /**
   * The path's template (`/pets/{petId}`) when values were put into it: spans are named by it
   * (`GET /pets/{petId}`, its `url.template`), not by each ID. Without it, `path` is the template. Like
   * `path`, it is relative to the client's base URL (a base path such as `/api/v2` is not in it).
   */
  route?: string | undefined;
  query?: QueryParam[];
  headers?: Record<string, ParamValue>;
  cookies?: Record<string, ParamValue>;
  body?: unknown;
  /** Media type of `body`: JSON types are serialised with JSON.stringify, form types as URL-encoded. */
  mediaType?: string;
  /** The operation's name for middleware and spans (the method name, as on the server); default `METHOD path`. */
  operation?: string | undefined;
  /** The Accept header: the media types the operation declares. Default `application/json`. */
  accept?: string;
  /**
   * How each declared 2xx status (or `2XX`) is read: `json` (a JSON body, else INVALID_RESPONSE), `text`
   * (the body as a string) or `none` (no content: resolves undefined). A 2xx not listed is read like the
   * listed ones (as JSON when any is). Default: every 2xx is JSON. `{}`: nothing declared, taken as it comes.
   */
  success?: Readonly<Record<string, SuccessBody>>;
}

export type SuccessBody = 'json' | 'text' | 'none';

interface WireResponse {
  status: number;
  header(name: string): string | undefined;
  text: string;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const RETRY_STATUS = new Set([429, 502, 503, 504]);

/** Encodes one path parameter (arrays and objects as simple-style comma lists). */
export function pathParam(value: ParamValue): string {
  if (Array.isArray(value)) return value.map((v) => encodeURIComponent(scalar(v))).join(',');
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.entries(value)
      .map(([k, v]) => `${encodeURIComponent(k)},${encodeURIComponent(scalar(v))}`)
      .join(',');
  }
  return encodeURIComponent(scalar(value));
}

function scalar(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function queryString(params: QueryParam[]): string {
  const parts: string[] = [];
  const add = (name: string, value: string) => parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  for (const { name, value, style = 'form', explode = style === 'form' || style === 'deepObject' } of params) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (explode) for (const item of value) add(name, scalar(item));
      else if (value.length)
        add(name, value.map(scalar).join(style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ','));
    } else if (typeof value === 'object' && !(value instanceof Date)) {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
      if (style === 'deepObject') for (const [k, v] of entries) add(`${name}[${k}]`, scalar(v));
      else if (explode) for (const [k, v] of entries) add(k, scalar(v));
      else add(name, entries.flatMap(([k, v]) => [k, scalar(v)]).join(','));
    } else add(name, scalar(value));
  }
  return parts.join('&');
}

function isJsonMediaType(mediaType: string | undefined): boolean {
  return !!mediaType && /^application\/(.+\+)?json\b/i.test(mediaType);
}

/** A peer's message from a JSON error body (`message`, `error`, `detail` or `title`), or its text, kept short. */
function peerMessage(body: unknown, text: string): string {
  if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const key of ['message', 'error', 'detail', 'title']) {
      if (typeof record[key] === 'string') return (record[key] as string).slice(0, 300);
    }
  }
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Milliseconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

type Fail = (message: string) => ServiceError<never>;
type FailWith = (
  message: string,
  code: ServiceErrorCode,
  status?: number,
  parsed?: unknown,
  text?: string,
  cause?: unknown,
) => ServiceError<never>;

/** How to read a 2xx: as declared for its status, else like the declared ones; undefined when nothing is declared. */
function successKind(declared: RequestSpec['success'], status: number): SuccessBody | undefined {
  if (declared === undefined) return 'json';
  const kind = declared[String(status)] ?? declared['2XX'];
  if (kind) return kind;
  const kinds = Object.values(declared);
  return kinds.includes('json') ? 'json' : kinds[0];
}

/**
 * The value a 2xx resolves to. A JSON operation never resolves something else typed as its model:
 * an HTML login page, an empty body or broken JSON is INVALID_RESPONSE. A body without a content type
 * is accepted when it parses.
 */
function successBody(response: WireResponse, kind: SuccessBody | undefined, fail: FailWith): unknown {
  const { status, text } = response;
  if (kind === 'none') return undefined;
  if (kind === 'text') return text;
  const contentType = response.header('content-type');
  if (kind === undefined) {
    if (!text) return undefined;
    if (!isJsonMediaType(contentType)) return text;
  } else if (!text) {
    throw fail(`returned an empty body (status ${status}), expected JSON`, 'INVALID_RESPONSE', status);
  } else if (contentType !== undefined && !isJsonMediaType(contentType)) {
    const what = contentType.split(';')[0]!.trim();
    throw fail(`returned ${what} (status ${status}), expected JSON`, 'INVALID_RESPONSE', status, undefined, text);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fail(`returned invalid JSON (status ${status})`, 'INVALID_RESPONSE', status, undefined, text, error);
  }
}

/** The parsed JSON of an error answer, or undefined when it is empty, not JSON or broken. */
function errorBody(response: WireResponse): unknown {
  if (!response.text || !isJsonMediaType(response.header('content-type'))) return undefined;
  try {
    return JSON.parse(response.text);
  } catch {
    return undefined;
  }
}

/** The middleware's view of a client call; `sent` holds the headers middleware set. */
function restClientCall(link: string, spec: RequestSpec, requestId: string): Call & { sent: Record<string, string> } {
  const sent: Record<string, string> = {};
  return {
    pattern: 'rest',
    side: 'client',
    kind: 'request',
    link,
    operation: spec.operation ?? `${spec.method} ${spec.path}`,
    requestId,
    headers: recordHeaders(sent),
    attributes: { 'http.request.method': spec.method, 'url.template': spec.route ?? spec.path },
    sent,
  };
}

export class Transport {
  private readonly agent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private baseUrl: string | undefined;

  constructor(
    private readonly config: ClientConfig,
    private readonly defaults: LinkDefaults,
  ) {
    // Keep-alive: reusing connections is most of the speed on service-to-service calls.
    this.agent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true });
  }

  // Configuration problems are ServiceErrors too (code CONFIG), so callers handle one error type.
  // Their messages name the variable or option, never its value.
  private resolveBaseUrl(fail: Fail): string {
    if (this.baseUrl) return this.baseUrl;
    const value = this.config.baseUrl || process.env[this.defaults.baseUrlEnv] || this.defaults.defaultBaseUrl;
    if (!value) throw fail(`no base URL: set ${this.defaults.baseUrlEnv} (e.g. http://127.0.0.1:8080) or pass baseUrl`);
    this.baseUrl = value.replace(/\/+$/, '');
    return this.baseUrl;
  }

  private async authorization(fail: Fail): Promise<string | undefined> {
    const { token } = this.config;
    if (token === null || (token === undefined && this.defaults.auth === 'none')) return undefined;
    let value: string | undefined;
    if (typeof token === 'function') value = await token();
    else if (typeof token === 'string') value = token;
    else value = this.defaults.tokenEnvs.map((name) => process.env[name]).find(Boolean);
    if (!value) {
      const where =
        typeof token === 'function'
          ? 'the token provider returned none'
          : `set ${this.defaults.tokenEnvs.join(' or ')}, pass token`;
      throw fail(`no service token: ${where} (or pass token: null to send none)`);
    }
    return `Bearer ${value}`;
  }

  private defaultTimeoutMs(fail: Fail): number {
    if (this.config.timeoutMs !== undefined) return this.config.timeoutMs;
    const text = process.env[this.defaults.timeoutEnv];
    if (text === undefined || text.trim() === '') return DEFAULT_TIMEOUT_MS;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0)
      throw fail(`${this.defaults.timeoutEnv} must be a number of milliseconds (0: no timeout)`);
    return value;
  }

  async request<TResult>(spec: RequestSpec, options: CallOptions = {}): Promise<TResult> {
    const chain = chainFor(this.config.middleware);
    if (!chain) return this.exchange<TResult>(spec, options, undefined);
    const requestId = options.requestId ?? outgoingRequestContext().requestId;
    const call = restClientCall(this.defaults.service, spec, requestId);
    // A middleware that skips next() fails the call: its caller never gets an undefined typed as TResult.
    const skipped = () =>
      new ServiceError<never>(
        `${this.defaults.service}: ${spec.method} ${spec.path}: a middleware did not call next(), ` +
          `so nothing was sent (request ${requestId})`,
        'ABORTED',
        0,
        undefined,
        '',
        requestId,
        spec.method,
        spec.path,
      );
    return through(chain, call, () => this.exchange<TResult>(spec, { ...options, requestId }, call), skipped);
  }

  /** One call, retries included; `call` (with middleware) gets the URL and status and adds its headers. */
  private async exchange<TResult>(
    spec: RequestSpec,
    options: CallOptions,
    call: (Call & { sent: Record<string, string> }) | undefined,
  ): Promise<TResult> {
    const context = outgoingRequestContext();
    const requestId = options.requestId ?? context.requestId;
    const method = spec.method;
    const query = spec.query?.length ? queryString(spec.query) : '';
    const target = `${spec.path}${query ? `?${query}` : ''}`;
    const config: Fail = (message) =>
      new ServiceError<never>(
        `${this.defaults.service}: ${method} ${target}: ${message} (request ${requestId})`,
        'CONFIG',
        0,
        undefined,
        '',
        requestId,
        method,
        target,
      );
    const url = `${this.resolveBaseUrl(config)}${target}`;
    if (call) call.attributes['url.full'] = url;

    const headers: Record<string, string> = { accept: spec.accept ?? 'application/json' };
    for (const [name, value] of Object.entries({ ...this.config.headers, ...spec.headers, ...options.headers })) {
      if (value !== undefined && value !== null)
        headers[name.toLowerCase()] = Array.isArray(value) ? value.map(scalar).join(',') : scalar(value);
    }
    if (spec.cookies) {
      const cookie = Object.entries(spec.cookies)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => `${k}=${encodeURIComponent(scalar(v))}`)
        .join('; ');
      if (cookie) headers['cookie'] = cookie;
    }
    headers['x-request-id'] = requestId;
    if (context.traceparent) headers['traceparent'] = context.traceparent;
    if (context.tracestate) headers['tracestate'] = context.tracestate;
    const authorization = await this.authorization(config);
    if (authorization) headers['authorization'] = authorization;
    // What middleware set wins: its traceparent, its credentials.
    if (call) Object.assign(headers, call.sent);

    let body: string | undefined;
    if (spec.body !== undefined) {
      const mediaType = spec.mediaType ?? 'application/json';
      headers['content-type'] = mediaType;
      if (isJsonMediaType(mediaType)) body = JSON.stringify(spec.body);
      else if (
        /^application\/x-www-form-urlencoded/i.test(mediaType) &&
        typeof spec.body === 'object' &&
        spec.body !== null
      )
        body = queryString(Object.entries(spec.body).map(([name, value]) => ({ name, value })));
      else body = typeof spec.body === 'string' ? spec.body : scalar(spec.body);
    }

    const mayRetry = IDEMPOTENT.has(method) || (options.retry ?? this.config.retryNonIdempotent ?? false);
    const retries = mayRetry ? Math.max(0, options.retries ?? this.config.retries ?? 2) : 0;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs(config);
    const fail = (message: string, code: ServiceErrorCode, status = 0, parsed?: unknown, text = '', cause?: unknown) =>
      new ServiceError<never>(
        `${this.defaults.service}: ${method} ${url} ${message} (request ${requestId})`,
        code,
        status,
        parsed as never,
        text,
        requestId,
        method,
        url,
        cause === undefined ? undefined : { cause },
      );

    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) throw fail('was aborted', 'ABORTED', 0, undefined, '', options.signal.reason);
      const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
      const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
      // With no timeout and no caller signal, a signal that never fires keeps FetchLike's contract.
      const signal = signals.length > 1 ? AbortSignal.any(signals) : (signals[0] ?? new AbortController().signal);
      let response: WireResponse;
      let failure: ServiceError<never>;
      try {
        response = await this.send(method, url, headers, body, signal);
        if (call) call.status = response.status;
      } catch (error) {
        if (options.signal?.aborted) throw fail('was aborted', 'ABORTED', 0, undefined, '', options.signal.reason);
        failure = timeout?.aborted
          ? fail(`timed out after ${timeoutMs} ms`, 'TIMEOUT', 0, undefined, '', error)
          : fail(`failed: ${(error as Error).message}`, 'NETWORK', 0, undefined, '', error);
        if (attempt >= retries) throw failure;
        await this.wait(this.backoff(attempt), options.signal, fail);
        continue;
      }

      if (response.status >= 200 && response.status < 300)
        return successBody(response, successKind(spec.success, response.status), fail) as TResult;

      const parsed = errorBody(response);
      const message = peerMessage(parsed, response.text);
      failure = fail(
        `failed with ${response.status}${message ? `: ${message}` : ''}`,
        'HTTP_STATUS',
        response.status,
        parsed,
        response.text,
      );
      if (attempt >= retries || !RETRY_STATUS.has(response.status)) throw failure;
      const delay = retryAfterMs(response.header('retry-after'));
      if (delay !== undefined && delay > (this.config.maxRetryAfterMs ?? 30_000)) throw failure;
      await this.wait(delay ?? this.backoff(attempt), options.signal, fail);
    }
  }

  /** Full-jitter exponential backoff: a random delay up to base * 2^attempt, capped. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.config.backoffMaxMs ?? 5_000, (this.config.backoffBaseMs ?? 100) * 2 ** attempt);
    return Math.random() * cap;
  }

  private async wait(ms: number, signal: AbortSignal | undefined, fail: FailWith): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (reason) {
      throw fail('was aborted while waiting to retry', 'ABORTED', 0, undefined, '', reason);
    }
  }

  private async send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<WireResponse> {
    if (this.config.fetch) {
      // Leave `body` out rather than set it to undefined: under exactOptionalPropertyTypes the global
      // fetch's RequestInit does not take an explicit undefined.
      const init: Parameters<FetchLike>[1] = { method, headers, signal };
      if (body !== undefined) init.body = body;
      const res = await this.config.fetch(url, init);
      const text = await res.text();
      return { status: res.status, header: (name) => res.headers.get(name) ?? undefined, text };
    }
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    if (body !== undefined) headers = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    return new Promise<WireResponse>((resolve, reject) => {
      const request = (secure ? https : http).request(
        target,
        { method, headers, agent: secure ? this.httpsAgent : this.agent, signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              header: (name) => {
                const value = res.headers[name.toLowerCase()];
                return Array.isArray(value) ? value.join(', ') : value;
              },
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}
