// The HTTP server runtime under a generated REST router: route matching, parameter parsing, body
// limits, validation (validators are Ajv standalone functions generated at build time), RFC 9457
// problem responses, the request context and graceful shutdown. It depends on nothing but Node, and
// the router is a plain `(req, res)` handler, so it mounts in Express, Fastify or Hono's node adapter.
import * as http from 'node:http';
import { newRequestId, runWithRequestContext } from './context.js';
import { type Call, chainFor, type Middleware, through } from './middleware.js';

/** One error of an Ajv standalone validator (the fields the router reads). */
export interface ValidationError {
  instancePath: string;
  keyword: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

/** An Ajv standalone validator: true when `data` is valid, else `errors` says why. */
export type Validator = ((data: unknown) => boolean) & { errors?: ValidationError[] | null | undefined };

export type ParamLocation = 'path' | 'query' | 'header' | 'cookie';

export interface ParamSpec {
  /** The name on the wire. */
  name: string;
  /** The property of the handler's `params`. */
  key: string;
  in: ParamLocation;
  /** Array parameters: repeated (`explode`, form default) or comma-separated. */
  array?: 'explode' | 'comma' | undefined;
}

/** What a handler returns: a declared status, its body, and extra headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Readonly<Record<string, string>> | undefined;
}

/** What a handler gets besides its input. */
export interface HandlerContext {
  /**
   * The request ID (X-Request-ID, else a new UUID-shaped one: a random per-process prefix and a counter,
   * unique but not unguessable); also in the request context for outgoing calls.
   */
  requestId: string;
  /** The raw request, e.g. for headers the document does not declare. */
  request: http.IncomingMessage;
  /** Aborted when the client goes away before the reply is sent. */
  signal: AbortSignal;
  /**
   * Who called, by security scheme: for each scheme of the requirement the request satisfied, what its
   * `verify` hook returned (or the credential itself when the scheme has no hook). Empty when the
   * operation requires nothing.
   */
  auth: Readonly<Record<string, unknown>>;
}

/** A security scheme of the document the router checks: an Authorization scheme or an API key. */
export type SchemeSpec =
  | { type: 'http'; scheme: string }
  | { type: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string };

/**
 * Your check of a credential (a bearer token, an API key): return who it is (any value but
 * undefined, null or false) or one of those for 401; throw HttpError(403, ...) to refuse with 403.
 */
export type Verifier = (
  credential: string,
  ctx: { scheme: string; requestId: string; request: http.IncomingMessage },
) => unknown;

export type Verifiers = Readonly<Record<string, Verifier | undefined>>;

export interface RouteSpec<H> {
  operation: string;
  method: string;
  path: string;
  params: readonly ParamSpec[];
  validateParams?: Validator | undefined;
  body?: { required: boolean; json: boolean; validate?: Validator | undefined } | undefined;
  /** Credentials required: any one list of scheme names, each of them present (and verified). */
  security?: readonly (readonly string[])[] | undefined;
  /** Media type per declared status (`default` for the rest); application/json when not listed. */
  mediaTypes?: Readonly<Record<string, string>> | undefined;
  /** Calls the handler; `input` passed validation, so the generated code may narrow it to the operation's Input. */
  invoke(handlers: H, input: { params: unknown; body: unknown }, info: HandlerContext): Promise<Reply>;
}

export interface RouterOptions<V extends Verifiers = Verifiers> {
  /** Largest request body accepted, in bytes (413 above). Default 1 MiB. */
  bodyLimit?: number | undefined;
  /** Your verification per security scheme; a scheme without one accepts any credential (with a warning). */
  verify?: V | undefined;
  /** Where unexpected errors go, once each. Default: one JSON line on stderr. */
  logError?: ((error: unknown, fields: { requestId: string; operation: string }) => void) | undefined;
  /**
   * Run each request in the shared request context (default true), so the handler's outgoing calls
   * carry its X-Request-ID and traceparent and `currentRequestContext()` reads them. On Node 20 and 22
   * that context (AsyncLocalStorage) costs every promise of the process a hook, about a tenth of a small
   * request's time: a service that makes no outgoing calls may turn it off. `ctx.requestId` and the
   * X-Request-ID answer stay.
   */
  requestContext?: boolean | undefined;
  /** Runs around each handler (after those of useMiddleware), once its request is routed, authorized and valid. */
  middleware?: readonly Middleware[] | undefined;
  /** The name middleware and spans see as the call's link. Default `rest`. */
  link?: string | undefined;
}

/** Throw this from a handler for a problem response with this status; `detail` is sent to the caller. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    detail: string,
    /** Extra members of the problem body (RFC 9457 extensions). */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
  }
}

/** An RFC 9457 problem body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export function problem(status: number, detail?: string, extensions: Record<string, unknown> = {}): Problem {
  const body: Problem = { type: 'about:blank', title: http.STATUS_CODES[status] ?? 'Error', status };
  if (detail !== undefined) body.detail = detail;
  return { ...body, ...extensions };
}

/** How a reply of one status is sent: its Content-Type header and whether the body is JSON. */
interface MediaType {
  header: string;
  json: boolean;
}

interface CompiledRoute<H> {
  spec: RouteSpec<H>;
  /** Literal segments, a whole-segment path parameter, or a template such as `{provider}.json`. */
  segments: { literal?: string; param?: string; template?: { pattern: RegExp; names: string[] } }[];
  /** Literal characters, for the order of matching: /pets/mine before /pets/{id}, /list.json before /{name}.json. */
  statics: number;
  /** Whether the route reads the query string (a query parameter, or an API key sent in the query). */
  query: boolean;
  cookies: boolean;
  /** The media type of each declared status; `fallback` for the others. */
  media: ReadonlyMap<number, MediaType>;
  fallback: MediaType;
}

/**
 * The routes by method: those without path parameters by exact path (one map lookup for most
 * requests), the others in matching order; `all` for the 405 answer.
 */
interface RouteTable<H> {
  exact: ReadonlyMap<string, ReadonlyMap<string, CompiledRoute<H>>>;
  patterns: ReadonlyMap<string, readonly CompiledRoute<H>[]>;
  all: readonly CompiledRoute<H>[];
}

/** What a router keeps between requests. */
interface Router<H> {
  table: RouteTable<H>;
  handlers: H;
  limit: number;
  logError: NonNullable<RouterOptions['logError']>;
  security: Security;
  middleware: readonly Middleware[] | undefined;
  link: string;
}

/** One request on its way through the router. */
interface Exchange<H> {
  router: Router<H>;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  route: CompiledRoute<H>;
  /** Path parameter values by name. */
  values: Readonly<Record<string, string>>;
  query: URLSearchParams;
  requestId: string;
  head: boolean;
}

/** The `(req, res)` handler serving `routes` with `handlers`. */
export function createRouter<H>(
  routes: readonly RouteSpec<H>[],
  handlers: H,
  options: RouterOptions = {},
  schemes: Readonly<Record<string, SchemeSpec>> = {},
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const security: Security = { schemes, verify: options.verify ?? {} };
  warnUnverified(routes, security);
  const router: Router<H> = {
    table: routeTable(routes.map((spec) => compileRoute(spec, schemes))),
    handlers,
    limit: options.bodyLimit ?? 1024 * 1024,
    logError: options.logError ?? defaultLogError,
    security,
    middleware: options.middleware,
    link: options.link ?? 'rest',
  };
  const withContext = options.requestContext !== false;
  return (req, res) => {
    const headers = req.headers;
    const id = headers['x-request-id'];
    // X-Request-ID, else a new one: in the request context, so outgoing calls of the handler carry it.
    const requestId = typeof id === 'string' && id && id.length <= 200 ? id : newRequestId();
    if (!withContext) {
      serve(router, req, res, requestId);
      return;
    }
    const context = {
      requestId,
      traceparent: single(headers['traceparent']),
      tracestate: single(headers['tracestate']),
    };
    runWithRequestContext(context, () => serve(router, req, res, requestId));
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function compileRoute<H>(spec: RouteSpec<H>, schemes: Readonly<Record<string, SchemeSpec>>): CompiledRoute<H> {
  const parts = spec.path.split('/').filter(Boolean);
  const segments = parts.map((s) => {
    const whole = /^\{([^{}]+)\}$/.exec(s);
    if (whole) return { param: whole[1]! };
    if (!/\{[^{}]+\}/.test(s)) return { literal: s };
    const names: string[] = [];
    const source = s
      .split(/(\{[^{}]+\})/)
      .map((piece) => {
        const m = /^\{([^{}]+)\}$/.exec(piece);
        if (!m) return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return '(.+?)';
      })
      .join('');
    return { template: { pattern: new RegExp(`^${source}$`), names } };
  });
  const statics = parts.reduce((n, s) => n + s.replace(/\{[^{}]+\}/g, '').length + 1, 0);
  const queryKey = (spec.security ?? []).flat().some((name) => {
    const scheme = schemes[name];
    return scheme?.type === 'apiKey' && scheme.in === 'query';
  });
  const media = new Map<number, MediaType>();
  for (const [status, type] of Object.entries(spec.mediaTypes ?? {}))
    if (/^\d{3}$/.test(status)) media.set(Number(status), mediaType(type));
  return {
    spec,
    segments,
    statics,
    query: queryKey || spec.params.some((p) => p.in === 'query'),
    cookies: spec.params.some((p) => p.in === 'cookie'),
    media,
    fallback: mediaType(spec.mediaTypes?.['default'] ?? 'application/json'),
  };
}

function mediaType(type: string): MediaType {
  const json = /json/i.test(type);
  return { header: json ? `${type}; charset=utf-8` : type, json };
}

function routeTable<H>(routes: CompiledRoute<H>[]): RouteTable<H> {
  const exact = new Map<string, Map<string, CompiledRoute<H>>>();
  const patterns = new Map<string, CompiledRoute<H>[]>();
  // The most literal segments first: /pets/mine wins over /pets/{id}.
  const all = [...routes].sort((a, b) => b.statics - a.statics);
  for (const route of all) {
    const { method } = route.spec;
    if (route.segments.every((s) => s.literal !== undefined)) {
      const byPath = exact.get(method) ?? new Map<string, CompiledRoute<H>>();
      const path = `/${route.segments.map((s) => s.literal).join('/')}`;
      if (!byPath.has(path)) byPath.set(path, route);
      exact.set(method, byPath);
    } else patterns.set(method, [...(patterns.get(method) ?? []), route]);
  }
  return { exact, patterns, all };
}

/** The path parameters when `route` has this path; `parts` starts with the empty segment before the first `/`. */
function matchPath<H>(route: CompiledRoute<H>, parts: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== parts.length - 1) return undefined;
  const values: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i]!;
    const part = parts[i + 1]!;
    if (segment.literal !== undefined) {
      if (segment.literal !== part) return undefined;
    } else if (segment.param !== undefined) {
      const value = decoded(part);
      if (value === undefined) return undefined;
      values[segment.param] = value;
    } else if (segment.template) {
      const captured = segment.template.pattern.exec(part);
      if (!captured) return undefined;
      for (const [j, name] of segment.template.names.entries()) {
        const value = decoded(captured[j + 1]!);
        if (value === undefined) return undefined;
        values[name] = value;
      }
    }
  }
  return values;
}

/** A percent-decoded path segment, or undefined when its escapes are malformed. */
function decoded(part: string): string | undefined {
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

interface Security {
  schemes: Readonly<Record<string, SchemeSpec>>;
  verify: Verifiers;
}

interface Found<H> {
  route: CompiledRoute<H>;
  values: Readonly<Record<string, string>>;
}

const NO_VALUES: Readonly<Record<string, string>> = Object.freeze({});

/** The route for this path and method (a HEAD falls back to the GET), most literal first. */
function findRoute<H>(table: RouteTable<H>, method: string, path: string): Found<H> | undefined {
  // Most requests: a path without parameters, as sent.
  const exact = table.exact.get(method)?.get(path);
  if (exact) return { route: exact, values: NO_VALUES };
  let parts = path.split('/');
  let normal = path;
  // Empty segments dropped (`/pets/` is `/pets`): only then is there a new path to look up exactly.
  if (parts[0] !== '' || parts.includes('', 1)) {
    parts = pathParts(path);
    normal = parts.length > 1 ? parts.join('/') : '/';
  }
  return lookup(table, method, normal, parts) ?? (method === 'HEAD' ? lookup(table, 'GET', normal, parts) : undefined);
}

function lookup<H>(table: RouteTable<H>, method: string, path: string, parts: readonly string[]): Found<H> | undefined {
  const route = table.exact.get(method)?.get(path);
  if (route) return { route, values: NO_VALUES };
  for (const candidate of table.patterns.get(method) ?? []) {
    const values = matchPath(candidate, parts);
    if (values) return { route: candidate, values };
  }
  return undefined;
}

/** The segments of a path after its leading empty one, as matchPath takes them; empty ones dropped. */
function pathParts(path: string): string[] {
  return ['', ...path.split('/').filter(Boolean)];
}

/**
 * The path and query string of a request target. An unusual one (absolute form, dot segments,
 * backslashes, a fragment, characters outside printable ASCII) goes through URL, which normalises it.
 */
function requestTarget(url: string): { path: string; search: string } {
  if (url.charCodeAt(0) !== 47 || UNUSUAL_TARGET.test(url)) {
    const parsed = new URL(url, 'http://localhost');
    return { path: parsed.pathname, search: parsed.search.slice(1) };
  }
  const at = url.indexOf('?');
  return at < 0 ? { path: url, search: '' } : { path: url.slice(0, at), search: url.slice(at + 1) };
}

const UNUSUAL_TARGET = /\/\.|%2e|\\|#|[^\x21-\x7e]/i;
const NO_QUERY = new URLSearchParams();
const NO_IDENTITIES: Readonly<Record<string, unknown>> = Object.freeze({});

function serve<H>(router: Router<H>, req: http.IncomingMessage, res: http.ServerResponse, requestId: string): void {
  const target = requestTarget(req.url ?? '/');
  const method = req.method ?? 'GET';
  const found = findRoute(router.table, method, target.path);
  if (!found) {
    sendMiss(res, router.table, pathParts(target.path), target.path, method, requestId);
    return;
  }
  const { route } = found;
  const query = route.query ? new URLSearchParams(target.search) : NO_QUERY;
  const x: Exchange<H> = { router, req, res, route, values: found.values, query, requestId, head: method === 'HEAD' };
  if (!route.spec.security?.length) {
    withCredentials(x, NO_IDENTITIES);
    return;
  }
  // Credentials first: a caller without them learns nothing of the operation's parameters.
  authorize(route.spec, router.security, req, query, requestId).then(
    (auth) =>
      'problem' in auth ? sendProblem(res, requestId, auth.problem, auth.headers) : withCredentials(x, auth.identities),
    (error: unknown) => fail(x, error),
  );
}

/** 404 when no route has this path, else 405 with the methods it has. */
function sendMiss<H>(
  res: http.ServerResponse,
  table: RouteTable<H>,
  parts: readonly string[],
  path: string,
  method: string,
  requestId: string,
): void {
  const allowed = new Set(table.all.filter((r) => matchPath(r, parts)).map((r) => r.spec.method));
  const allow = [...allowed].join(', ');
  if (!allowed.size) sendProblem(res, requestId, problem(404, `no route for ${path}`));
  else sendProblem(res, requestId, problem(405, `${method} is not allowed here; allowed: ${allow}`), { Allow: allow });
}

/** Parameters, then the body (read only when one is on the wire), then the handler. */
function withCredentials<H>(x: Exchange<H>, identities: Readonly<Record<string, unknown>>): void {
  try {
    const { spec } = x.route;
    const params = readParams(x.route, x.values, x.query, x.req);
    if (spec.validateParams && !spec.validateParams(params))
      sendProblem(
        x.res,
        x.requestId,
        invalid(spec.validateParams.errors, (key) => paramLabel(spec, key)),
      );
    else if (hasBody(x.req)) readBody(x, (body) => invoke(x, params, body, identities));
    else if (spec.body?.required) sendProblem(x.res, x.requestId, problem(400, 'the request body is required'));
    else invoke(x, params, undefined, identities);
  } catch (error) {
    fail(x, error);
  }
}

/** Calls the handler and sends its reply; what it throws or rejects with becomes a problem response. */
function invoke<H>(
  x: Exchange<H>,
  params: Record<string, unknown>,
  body: unknown,
  identities: Readonly<Record<string, unknown>>,
): void {
  let reply: Promise<Reply>;
  try {
    const info = new RequestInfo(x.requestId, x.req, x.res, identities);
    reply = Promise.resolve(handle(x.router, x.route.spec, { params, body }, info));
  } catch (error) {
    fail(x, error);
    return;
  }
  reply.then(
    (value) => {
      try {
        sendReply(x, value);
      } catch (error) {
        fail(x, error);
      }
    },
    (error: unknown) => fail(x, error),
  );
}

/** Runs the handler, through the middleware when there is any: next() settles with its reply or error. */
function handle<H>(
  router: Router<H>,
  spec: RouteSpec<H>,
  input: { params: unknown; body: unknown },
  info: HandlerContext,
): Promise<Reply> | Reply {
  const chain = chainFor(router.middleware);
  if (!chain) return spec.invoke(router.handlers, input, info);
  return viaMiddleware(chain, router.handlers, spec, input, info, router.link);
}

async function viaMiddleware<H>(
  chain: Middleware,
  handlers: H,
  spec: RouteSpec<H>,
  input: { params: unknown; body: unknown },
  info: HandlerContext,
  link: string,
): Promise<Reply> {
  const call = serverCall(spec, info, link);
  return through(
    chain,
    call,
    async () => spec.invoke(handlers, input, info),
    () => new HttpError(500, 'a middleware did not call next()'),
    (outcome) => {
      call.status = 'error' in outcome ? errorStatus(outcome.error) : outcome.value.status;
    },
  );
}

/** The middleware's view of a request served: its headers are the request's. */
function serverCall<H>(spec: RouteSpec<H>, info: HandlerContext, link: string): Call {
  const req = info.request;
  return {
    pattern: 'rest',
    side: 'server',
    kind: 'request',
    link,
    operation: spec.operation,
    requestId: info.requestId,
    headers: {
      get: (name) => single(req.headers[name.toLowerCase()]),
      set: (name, value) => {
        req.headers[name.toLowerCase()] = value;
      },
    },
    attributes: {
      'http.request.method': spec.method,
      'http.route': spec.path,
      'url.path': (req.url ?? '/').split('?')[0]!,
    },
  };
}

/** The status sendError answers for a handler's error. */
function errorStatus(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 499 ? status : 500;
}

function fail<H>(x: Exchange<H>, error: unknown): void {
  sendError(x.res, error, x.requestId, x.route.spec.operation, x.router.logError);
}

type Authorized =
  | { identities: Readonly<Record<string, unknown>> }
  | { problem: Problem; headers: Record<string, string> };

/**
 * The first alternative of the operation's `security` whose credentials are all present and pass
 * their `verify` hook, or a 401 naming what is missing (with WWW-Authenticate for http schemes).
 */
async function authorize<H>(
  spec: RouteSpec<H>,
  security: Security,
  req: http.IncomingMessage,
  query: URLSearchParams,
  requestId: string,
): Promise<Authorized> {
  if (!spec.security?.length) return { identities: {} };
  let refused: string | undefined;
  for (const names of spec.security) {
    const identities: Record<string, unknown> = {};
    for (const name of names) {
      const scheme = security.schemes[name];
      const credential = scheme && credentialOf(scheme, req, query);
      if (credential === undefined) break;
      const verify = security.verify[name];
      const identity = verify ? await verify(credential, { scheme: name, requestId, request: req }) : credential;
      if (identity === undefined || identity === null || identity === false) {
        refused ??= name;
        break;
      }
      identities[name] = identity;
    }
    if (Object.keys(identities).length === names.length) return { identities };
  }
  const challenges = [
    ...new Set(
      spec.security.flat().flatMap((name) => {
        const scheme = security.schemes[name];
        return scheme?.type === 'http' ? [scheme.scheme.replace(/^./, (c) => c.toUpperCase())] : [];
      }),
    ),
  ];
  const wanted = spec.security.map((names) => names.map((n) => describeScheme(n, security.schemes[n])).join(' and '));
  const detail = refused ? `the ${refused} credentials were refused` : `credentials required: ${wanted.join(', or ')}`;
  return {
    problem: problem(401, detail),
    headers: challenges.length ? { 'WWW-Authenticate': challenges.join(', ') } : {},
  };
}

/** The credential a scheme reads from the request, or undefined when it is absent. */
function credentialOf(scheme: SchemeSpec, req: http.IncomingMessage, query: URLSearchParams): string | undefined {
  let value: string | undefined;
  if (scheme.type === 'http') {
    const header = req.headers.authorization ?? '';
    const at = header.indexOf(' ');
    if (at > 0 && header.slice(0, at).toLowerCase() === scheme.scheme) value = header.slice(at + 1).trim();
  } else if (scheme.in === 'header') value = single(req.headers[scheme.name.toLowerCase()]);
  else if (scheme.in === 'query') value = query.get(scheme.name) ?? undefined;
  else value = parseCookies(req.headers.cookie)[scheme.name];
  return value ? value : undefined;
}

function describeScheme(name: string, scheme: SchemeSpec | undefined): string {
  if (!scheme) return name;
  if (scheme.type === 'http') return `${name} (Authorization: ${scheme.scheme})`;
  return `${name} (${scheme.in} ${scheme.name})`;
}

/** One line on stderr when a required scheme has no verify hook: any credential passes it. */
function warnUnverified<H>(routes: readonly RouteSpec<H>[], security: Security): void {
  const names = new Set(routes.flatMap((r) => (r.security ?? []).flat()));
  const unverified = [...names].filter((name) => !security.verify[name]);
  if (unverified.length)
    process.stderr.write(
      `rest router: no verify hook for ${unverified.join(', ')}: any credential is accepted; ` +
        `pass verify: { ${unverified[0]}: (credential) => ... } to check it\n`,
    );
}

/**
 * What a handler gets. `signal` is a getter: an AbortController (and a close listener) per request
 * cost more than the rest of a small request and most handlers never read it, so both are made on
 * first read (aborted at once when the client has already gone). A class rather than an object
 * literal with a getter, which V8 builds several times more slowly.
 */
class RequestInfo implements HandlerContext {
  #controller: AbortController | undefined;
  readonly #res: http.ServerResponse;

  constructor(
    readonly requestId: string,
    readonly request: http.IncomingMessage,
    res: http.ServerResponse,
    readonly auth: Readonly<Record<string, unknown>>,
  ) {
    this.#res = res;
  }

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    const res = this.#res;
    if (res.writableFinished) return controller.signal;
    if (res.destroyed || res.socket?.destroyed === true) controller.abort();
    else
      res.once('close', () => {
        if (!res.writableFinished) controller.abort();
      });
    return controller.signal;
  }
}

/** The wire values of an operation's parameters, by their `params` key (validation coerces the strings). */
function readParams<H>(
  route: CompiledRoute<H>,
  pathValues: Readonly<Record<string, string>>,
  query: URLSearchParams,
  req: http.IncomingMessage,
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const cookies = route.cookies ? parseCookies(req.headers.cookie) : {};
  for (const p of route.spec.params) {
    let value: string | string[] | undefined;
    if (p.in === 'path') value = pathValues[p.name];
    else if (p.in === 'query') value = p.array === 'explode' ? query.getAll(p.name) : (query.get(p.name) ?? undefined);
    else if (p.in === 'header') value = req.headers[p.name.toLowerCase()];
    else value = cookies[p.name];
    if (Array.isArray(value) && !value.length) value = undefined;
    if (typeof value === 'string' && p.array === 'comma') value = value.split(',');
    else if (typeof value === 'string' && p.array === 'explode') value = [value];
    if (value !== undefined) params[p.key] = value;
  }
  return params;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

function paramLabel<H>(spec: RouteSpec<H>, key: string): { name: string; in: string } {
  const p = spec.params.find((q) => q.key === key);
  return p ? { name: p.name, in: `${p.in} parameter` } : { name: key, in: 'parameter' };
}

/** A 400 problem naming the first invalid field. */
function invalid(
  errors: ValidationError[] | null | undefined,
  label: (key: string) => { name: string; in: string },
): Problem {
  const error = errors?.[0];
  if (!error) return problem(400, 'the request is invalid');
  const pointer = error.instancePath.split('/').slice(1);
  const missing = error.params['missingProperty'];
  if (typeof missing === 'string') pointer.push(missing);
  const [first = '', ...inner] = pointer;
  const where = label(first);
  const field = [where.name, ...inner].join('.');
  const reason = typeof missing === 'string' ? 'is required' : (error.message ?? 'is invalid');
  return problem(400, `${where.in} "${field}" ${reason}`, {
    errors: [{ in: where.in.split(' ')[0], name: field, pointer: `/${pointer.join('/')}`, reason }],
  });
}

/** Whether a body is on the wire: most GETs have none, and then there is nothing to read or wait for. */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

const tooLarge = (limit: number): Problem => problem(413, `the body is larger than ${limit} bytes`);

/** Reads, parses and validates the body, then calls `next` with it; a problem response instead when it fails. */
function readBody<H>(x: Exchange<H>, next: (body: unknown) => void): void {
  const { req, router } = x;
  if (Number(req.headers['content-length'] ?? 0) > router.limit) {
    req.resume();
    sendProblem(x.res, x.requestId, tooLarge(router.limit));
    return;
  }
  readRaw(
    req,
    router.limit,
    (raw) => {
      try {
        const body = raw === undefined ? { problem: tooLarge(router.limit) } : parseBody(x.route.spec, raw);
        if ('problem' in body) sendProblem(x.res, x.requestId, body.problem);
        else next(body.value);
      } catch (error) {
        fail(x, error);
      }
    },
    (error) => fail(x, error),
  );
}

/** The body's value (undefined when the operation takes none), or the problem to answer with. */
function parseBody<H>(spec: RouteSpec<H>, raw: Buffer): { value: unknown } | { problem: Problem } {
  if (!spec.body) return { value: undefined };
  const text = raw.toString('utf8');
  if (!text)
    return spec.body.required ? { problem: problem(400, 'the request body is required') } : { value: undefined };
  let value: unknown = text;
  if (spec.body.json) {
    try {
      value = JSON.parse(text);
    } catch {
      return { problem: problem(400, 'the request body is not valid JSON') };
    }
  }
  const validate = spec.body.validate;
  if (validate && !validate(value))
    return { problem: invalid(prefixed(validate.errors), () => ({ name: 'body', in: 'request body' })) };
  return { value };
}

/**
 * Calls `done` with the body, or with undefined once it passes `limit`. The rest is then drained, not
 * buffered; listeners rather than `for await`, whose early exit would destroy the socket before the 413
 * is sent, and rather than a promise, one fewer step per request.
 */
function readRaw(
  req: http.IncomingMessage,
  limit: number,
  done: (raw: Buffer | undefined) => void,
  failed: (error: unknown) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (size > limit) return;
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else {
      chunks.length = 0;
      done(undefined);
    }
  });
  req.once('end', () => {
    if (size <= limit) done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
  req.once('error', failed);
}

/** Body errors point below `body`, so the problem names e.g. `body.name`. */
function prefixed(errors: ValidationError[] | null | undefined): ValidationError[] | undefined {
  return errors?.map((e) => ({ ...e, instancePath: `/body${e.instancePath}` }));
}

/**
 * The handler's reply. Headers go in one writeHead (the list form, which Node checks and writes
 * without building a header map); headers set on `res` before the router (middleware) are kept.
 */
function sendReply<H>(x: Exchange<H>, reply: Reply): void {
  const headers = reply.headers
    ? replyHeaders(reply.headers, reply.body !== undefined, x.requestId)
    : ['X-Request-ID', x.requestId];
  if (reply.body === undefined) {
    x.res.writeHead(reply.status, headers);
    x.res.end();
    return;
  }
  const media = x.route.media.get(reply.status) ?? x.route.fallback;
  const text = media.json ? JSON.stringify(reply.body) : String(reply.body);
  headers.push('Content-Type', media.header, 'Content-Length', Buffer.byteLength(text));
  x.res.writeHead(reply.status, headers);
  x.res.end(x.head ? undefined : text);
}

/**
 * The handler's own headers in the list writeHead takes (which does not merge duplicates): its
 * X-Request-ID replaces ours; with a body, the document's Content-Type and the real Content-Length
 * replace its own.
 */
function replyHeaders(own: Readonly<Record<string, string>>, body: boolean, requestId: string): (string | number)[] {
  const headers: (string | number)[] = [];
  let id = true;
  for (const [name, value] of Object.entries(own)) {
    const lower = name.toLowerCase();
    if (body && (lower === 'content-type' || lower === 'content-length')) continue;
    if (lower === 'x-request-id') id = false;
    headers.push(name, value);
  }
  if (id) headers.push('X-Request-ID', requestId);
  return headers;
}

function sendProblem(
  res: http.ServerResponse,
  requestId: string,
  body: Problem,
  extra: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  const headers: (string | number)[] = ['X-Request-ID', requestId];
  for (const [name, value] of Object.entries(extra)) headers.push(name, value);
  headers.push('Content-Type', 'application/problem+json; charset=utf-8', 'Content-Length', Buffer.byteLength(text));
  // The rest of an oversized body is not worth reading: close the connection after the answer.
  if (body.status === 413) headers.push('Connection', 'close');
  res.writeHead(body.status, headers);
  res.end(text);
}

/** HttpError: its status and detail. Another error with a 4xx `status`: that status. Else 500, logged once. */
function sendError(
  res: http.ServerResponse,
  error: unknown,
  requestId: string,
  operation: string,
  logError: NonNullable<RouterOptions['logError']>,
): void {
  const status = (error as { status?: unknown } | null)?.status;
  if (error instanceof HttpError)
    sendProblem(res, requestId, problem(error.status, error.message, { ...error.extensions }));
  else if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 499)
    sendProblem(res, requestId, problem(status));
  else {
    logError(error, { requestId, operation });
    sendProblem(res, requestId, problem(500, `internal error; request ID ${requestId}`));
  }
}

function defaultLogError(error: unknown, fields: { requestId: string; operation: string }): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'request failed', ...fields, error: message })}\n`);
}

/** What `listen` answers itself for Kubernetes probes (GET or HEAD), before the handler sees the request. */
export const HEALTH_PATHS = { live: '/livez', ready: '/readyz' } as const;

export interface ListenOptions {
  /**
   * Answer HEALTH_PATHS: /livez 200 while the process serves, /readyz 200 until a drain begins, then
   * 503 (default true; false hands those paths to the handler like any other).
   */
  health?: boolean | undefined;
}

/** Servers a drain has begun on: their /readyz answers 503. */
const draining = new WeakSet<http.Server>();

/** Starts `handler` on `listen` (`PORT` or `HOST:PORT`, e.g. from `<NAME>_SERVICE_LISTEN`; port 0 picks one). */
export async function listen(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  address: string,
  options: ListenOptions = {},
): Promise<http.Server> {
  const m = /^(?:(.*):)?(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`the listen address must be PORT or HOST:PORT, not "${address}"`);
  const server: http.Server = http.createServer(options.health === false ? handler : withHealth(handler, () => server));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(m[2]), m[1]?.replace(/^\[(.*)\]$/, '$1') || undefined, () => resolve());
  });
  return server;
}

function withHealth(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  server: () => http.Server,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const { url } = req;
    if ((url !== HEALTH_PATHS.live && url !== HEALTH_PATHS.ready) || (req.method !== 'GET' && req.method !== 'HEAD'))
      return handler(req, res);
    const ok = url === HEALTH_PATHS.live || !draining.has(server());
    const text = ok ? 'ok\n' : 'draining\n';
    res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}

export interface DrainOptions {
  /** Milliseconds /readyz answers 503 while requests are still served, so balancers stop routing here (default 0). */
  delayMs?: number | undefined;
  /** Then milliseconds in-flight requests get to finish before their connections are closed (default 10000). */
  deadlineMs?: number | undefined;
}

/**
 * Graceful stop: /readyz answers 503, then (after `delayMs`) the server stops accepting, closes idle
 * keep-alive connections and lets in-flight requests finish; connections still open after
 * `deadlineMs` are closed. Resolves with how it ended.
 */
export async function drain(server: http.Server, options: DrainOptions = {}): Promise<'drained' | 'forced'> {
  draining.add(server);
  if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve('forced');
    }, options.deadlineMs ?? 10_000);
    server.close(() => {
      clearTimeout(timer);
      resolve('drained');
    });
    server.closeIdleConnections();
  });
}

/** drain() on SIGTERM/SIGINT, then exit (1 when connections had to be closed at the deadline). */
export function shutdownOnSignal(server: http.Server, deadlineMs = 10_000, delayMs = 0): void {
  const stop = (): void => {
    void drain(server, { deadlineMs, delayMs }).then((how) => process.exit(how === 'drained' ? 0 : 1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
