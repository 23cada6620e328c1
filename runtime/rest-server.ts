// The HTTP server runtime under a generated REST router: route matching, parameter parsing, body
// limits, validation (validators are Ajv standalone functions generated at build time), RFC 9457
// problem responses, the request context and graceful shutdown. It depends on nothing but Node, and
// the router is a plain `(req, res)` handler, so it mounts in Express, Fastify or Hono's node adapter.
import * as http from 'node:http';
import { currentRequestContext, runWithRequestContext } from './context.js';
import { type Call, chainFor, type Middleware, run } from './middleware.js';

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
  /** The request ID (X-Request-ID, else a new UUID); also in the request context for outgoing calls. */
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

interface CompiledRoute<H> {
  spec: RouteSpec<H>;
  /** Literal segments, a whole-segment path parameter, or a template such as `{provider}.json`. */
  segments: { literal?: string; param?: string; template?: { pattern: RegExp; names: string[] } }[];
  /** Literal characters, for the order of matching: /pets/mine before /pets/{id}, /list.json before /{name}.json. */
  statics: number;
}

/** The `(req, res)` handler serving `routes` with `handlers`. */
export function createRouter<H>(
  routes: readonly RouteSpec<H>[],
  handlers: H,
  options: RouterOptions = {},
  schemes: Readonly<Record<string, SchemeSpec>> = {},
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const compiled = routes
    .map((spec) => compileRoute(spec))
    // The most literal segments first: /pets/mine wins over /pets/{id}.
    .sort((a, b) => b.statics - a.statics);
  const limit = options.bodyLimit ?? 1024 * 1024;
  const logError = options.logError ?? defaultLogError;
  const security: Security = { schemes, verify: options.verify ?? {} };
  const wrap: Wrap = { middleware: options.middleware, link: options.link ?? 'rest' };
  warnUnverified(routes, security);
  return (req, res) => {
    const header = req.headers['x-request-id'];
    const context = {
      requestId: typeof header === 'string' && header.length <= 200 ? header : undefined,
      traceparent: single(req.headers['traceparent']),
      tracestate: single(req.headers['tracestate']),
    };
    runWithRequestContext(context, () => {
      void serve(compiled, handlers, req, res, { limit, logError, security, wrap });
    });
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function compileRoute<H>(spec: RouteSpec<H>): CompiledRoute<H> {
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
  return { spec, segments, statics };
}

function matchPath<H>(route: CompiledRoute<H>, parts: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== parts.length) return undefined;
  const values: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i]!;
    const part = parts[i]!;
    if (segment.literal !== undefined) {
      if (segment.literal !== part) return undefined;
      continue;
    }
    const captured = segment.template ? segment.template.pattern.exec(part)?.slice(1) : [part];
    if (!captured) return undefined;
    const names = segment.template?.names ?? [segment.param!];
    try {
      for (const [j, name] of names.entries()) values[name] = decodeURIComponent(captured[j]!);
    } catch {
      return undefined;
    }
  }
  return values;
}

interface Security {
  schemes: Readonly<Record<string, SchemeSpec>>;
  verify: Verifiers;
}

interface ServeOptions {
  limit: number;
  logError: NonNullable<RouterOptions['logError']>;
  security: Security;
  wrap: Wrap;
}

/** The route for this path and method (a HEAD falls back to the GET), most literal first. */
function findRoute<H>(
  routes: readonly CompiledRoute<H>[],
  parts: readonly string[],
  method: string,
): { route: CompiledRoute<H>; values: Record<string, string> } | undefined {
  let head: { route: CompiledRoute<H>; values: Record<string, string> } | undefined;
  for (const route of routes) {
    const own = route.spec.method === method;
    if (route.segments.length !== parts.length || !(own || (method === 'HEAD' && route.spec.method === 'GET')))
      continue;
    const values = matchPath(route, parts);
    if (!values) continue;
    if (own) return { route, values };
    head ??= { route, values };
  }
  return head;
}

async function serve<H>(
  routes: readonly CompiledRoute<H>[],
  handlers: H,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  { limit, logError, security, wrap }: ServeOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = (req.method ?? 'GET').toUpperCase();
  const found = findRoute(routes, parts, method);
  // Set by createRouter from X-Request-ID (or new), so outgoing calls of the handler carry the same ID.
  const requestId = currentRequestContext()?.requestId ?? '';
  res.setHeader('X-Request-ID', requestId);
  if (!found) {
    const matches = routes.filter((r) => matchPath(r, parts));
    if (!matches.length) return sendProblem(res, problem(404, `no route for ${url.pathname}`));
    const allow = [...new Set(matches.map((r) => r.spec.method))].join(', ');
    res.setHeader('Allow', allow);
    return sendProblem(res, problem(405, `${method} is not allowed here; allowed: ${allow}`));
  }
  const spec = found.route.spec;
  try {
    // Credentials first: a caller without them learns nothing of the operation's parameters.
    // Awaited only when there is something to wait for: each await of a small request costs.
    const auth = spec.security?.length ? await authorize(spec, security, req, url.searchParams, requestId) : OPEN;
    if ('problem' in auth) return sendProblem(res, auth.problem, auth.headers);
    const params = readParams(spec, found.values, url.searchParams, req);
    if (spec.validateParams && !spec.validateParams(params))
      return sendProblem(
        res,
        invalid(spec.validateParams.errors, (key) => paramLabel(spec, key)),
      );
    const body = hasBody(req) ? await readBody(spec, req, limit) : noBody(spec);
    if (body.problem) return sendProblem(res, body.problem);
    const info = handlerContext(requestId, req, res, auth.identities);
    const reply = await invoke(spec, handlers, { params, body: body.value }, info, wrap);
    sendReply(res, spec, reply, method === 'HEAD');
  } catch (error) {
    sendError(res, error, requestId, spec.operation, logError);
  }
}

/** The router's middleware option and link name. */
interface Wrap {
  middleware: readonly Middleware[] | undefined;
  link: string;
}

/** Runs the handler, through the middleware when there is any: next() settles with its reply or error. */
async function invoke<H>(
  spec: RouteSpec<H>,
  handlers: H,
  input: { params: unknown; body: unknown },
  info: HandlerContext,
  wrap: Wrap,
): Promise<Reply> {
  const chain = chainFor(wrap.middleware);
  if (!chain) return spec.invoke(handlers, input, info);
  const call = serverCall(spec, info, wrap.link);
  let outcome: { reply: Reply } | { error: unknown } | undefined;
  await run(chain, call, async () => {
    try {
      outcome = { reply: await spec.invoke(handlers, input, info) };
      call.status = outcome.reply.status;
    } catch (error) {
      outcome = { error };
      call.status = errorStatus(error);
      throw error;
    }
  });
  // A middleware may not turn the handler's error into a reply it does not have.
  if (!outcome) throw new HttpError(500, 'a middleware did not call next()');
  if ('error' in outcome) throw outcome.error;
  return outcome.reply;
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
 * What a handler gets, with `signal` as a getter: an AbortController costs more than the rest of a
 * small request and most handlers never read it, so it is made on first read (already aborted when
 * the client went away before).
 */
function handlerContext(
  requestId: string,
  request: http.IncomingMessage,
  res: http.ServerResponse,
  auth: Readonly<Record<string, unknown>>,
): HandlerContext {
  let controller: AbortController | undefined;
  let gone = false;
  res.once('close', () => {
    gone = !res.writableFinished;
    if (gone) controller?.abort();
  });
  return {
    requestId,
    request,
    auth,
    get signal(): AbortSignal {
      if (!controller) {
        controller = new AbortController();
        if (gone) controller.abort();
      }
      return controller.signal;
    },
  };
}

/** The wire values of an operation's parameters, by their `params` key (validation coerces the strings). */
function readParams<H>(
  spec: RouteSpec<H>,
  pathValues: Record<string, string>,
  query: URLSearchParams,
  req: http.IncomingMessage,
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const cookies = spec.params.some((p) => p.in === 'cookie') ? parseCookies(req.headers.cookie) : {};
  for (const p of spec.params) {
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

const OPEN: Authorized = { identities: {} };

/** Whether a body is on the wire: most GETs have none, and then there is nothing to read or wait for. */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function noBody<H>(spec: RouteSpec<H>): { value?: unknown; problem?: Problem } {
  return spec.body?.required ? { problem: problem(400, 'the request body is required') } : {};
}

async function readBody<H>(
  spec: RouteSpec<H>,
  req: http.IncomingMessage,
  limit: number,
): Promise<{ value?: unknown; problem?: Problem }> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return { problem: problem(413, `the body is larger than ${limit} bytes`) };
  }
  const raw = await readRaw(req, limit);
  if (raw === undefined) return { problem: problem(413, `the body is larger than ${limit} bytes`) };
  if (!spec.body) return {};
  const text = raw.toString('utf8');
  if (!text) return spec.body.required ? { problem: problem(400, 'the request body is required') } : {};
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
 * The body, or undefined once it passes `limit`. The rest is then drained, not buffered; a listener
 * rather than `for await`, whose early exit would destroy the socket before the 413 is sent.
 */
function readRaw(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        chunks.length = 0;
        resolve(undefined);
      }
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Body errors point below `body`, so the problem names e.g. `body.name`. */
function prefixed(errors: ValidationError[] | null | undefined): ValidationError[] | undefined {
  return errors?.map((e) => ({ ...e, instancePath: `/body${e.instancePath}` }));
}

function sendReply<H>(res: http.ServerResponse, spec: RouteSpec<H>, reply: Reply, head: boolean): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.statusCode = reply.status;
  if (reply.body === undefined) {
    res.end();
    return;
  }
  const type = spec.mediaTypes?.[String(reply.status)] ?? spec.mediaTypes?.['default'] ?? 'application/json';
  const text = /json/i.test(type) ? JSON.stringify(reply.body) : String(reply.body);
  res.setHeader('Content-Type', /json/i.test(type) ? `${type}; charset=utf-8` : type);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(head ? undefined : text);
}

function sendProblem(res: http.ServerResponse, body: Problem, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  // The rest of an oversized body is not worth reading: close the connection after the answer.
  if (body.status === 413) res.setHeader('Connection', 'close');
  const text = JSON.stringify(body);
  res.statusCode = body.status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
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
  if (error instanceof HttpError) sendProblem(res, problem(error.status, error.message, { ...error.extensions }));
  else if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 499)
    sendProblem(res, problem(status));
  else {
    logError(error, { requestId, operation });
    sendProblem(res, problem(500, `internal error; request ID ${requestId}`));
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
