// One middleware shape across the three patterns, and OpenTelemetry spans when the project has
// @opentelemetry/api (issue 16). One generated project (a REST service, a gRPC link, a queue link),
// compiled once; its app.ts runs a REST server whose handler makes a gRPC call and publishes to SQS
// (fauxqs, started here), consumed by another handler, all on 127.0.0.1.
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { execa } from 'execa';
import { buildApp } from 'fauxqs';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './helpers/in-process.js';
import { compile, makeProject, removeProject } from './helpers/project.js';

// The user's code: one middleware for every pattern, the handlers, and the tracer provider a service
// would set up (here with the in-memory exporter of @opentelemetry/sdk-trace-base).
const APP = `import * as grpc from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Middleware, useMiddleware } from './links/_runtime/middleware.js';
import { HttpError, listen } from './links/_runtime/rest-server.js';
import { BillingClient, createBillingRouter, runWithRequestContext } from './links/billing/index.js';
import type * as T from './links/billing/types.js';
import { BillingImpl } from './links/billing/handlers.js';
import { OrdersConsumer, OrdersPublisher } from './links/orders/index.js';
import { GrpcError, status, UserServiceClient } from './links/user/index.js';
import { registerServices } from './links/user/register.js';

export const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

/** Written once, installed once, run by every link: sets a header on the way out, reads it on the way in. */
export const seen: string[] = [];
const tenant: Middleware = async (call, next) => {
  if (call.side === 'client') call.headers.set('x-tenant', 'acme');
  try {
    await next();
  } finally {
    const where = \`\${call.pattern} \${call.side} \${call.kind} \${call.link} \${call.operation}\`;
    seen.push(\`\${where} tenant=\${call.headers.get('x-tenant')} request=\${call.requestId} status=\${call.status}\`);
  }
};
const removeTenant = useMiddleware(tenant);

/** Test files share a worker process: put back the process-wide middleware and tracer provider. */
export function uninstall(): void {
  removeTenant();
  trace.disable();
}

/** A client's own middleware runs after the process's, for its calls only. */
export const own: string[] = [];
const mark: Middleware = async (call, next) => {
  own.push(call.operation);
  await next();
};

/** A server's own middleware: refuses calls without the key, before the handler runs. */
const requireKey: Middleware = async (call, next) => {
  if (call.headers.get('x-key') !== 'k1') {
    if (call.pattern === 'grpc') throw new GrpcError(status.UNAUTHENTICATED, 'no key');
    throw new HttpError(401, 'no key');
  }
  await next();
};
const withKey: Middleware = async (call, next) => {
  call.headers.set('x-key', 'k1');
  await next();
};

export let handled = 0;
const userHandlers = {
  async getUser(request: { id: string }) {
    handled++;
    if (request.id === 'boom') throw new Error('the database is down');
    return { id: request.id, name: 'Ada' };
  },
  async *listUsers() {
    yield { id: 'a', name: 'A' };
    yield { id: 'b', name: 'B' };
  },
  async record(requests: AsyncIterable<{ id: string }>) {
    const ids: string[] = [];
    for await (const request of requests) ids.push(request.id);
    return { id: ids.join(','), name: 'recorded' };
  },
  async *chat(requests: AsyncIterable<{ id: string }>) {
    for await (const request of requests) yield { id: request.id, name: 'echo' };
  },
};

async function grpcServer(middleware: Middleware[]): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  registerServices(server, { UserService: userHandlers }, { middleware });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { server, address: \`127.0.0.1:\${port}\` };
}

/** A GrpcError's code, a ServiceError's HTTP status. */
const codeOf = (error: unknown) => {
  const e = error as { code?: unknown; status?: number };
  return typeof e.code === 'number' ? e.code : e.status;
};

export async function start(queueUrl: string) {
  const open = await grpcServer([]);
  const guarded = await grpcServer([requireKey]);
  const users = new UserServiceClient({ address: open.address, insecure: true });
  const keyed = new UserServiceClient({ address: guarded.address, insecure: true, middleware: [withKey] });
  const unkeyed = new UserServiceClient({ address: guarded.address, insecure: true });
  const publisher = new OrdersPublisher({ queueUrl });
  let consumed: (value: { orderId: string; requestId: string }) => void = () => {};
  const batchConsumed: string[] = [];
  const delivered = new Promise<{ orderId: string; requestId: string }>((resolve) => (consumed = resolve));
  const consumer = new OrdersConsumer({
    queueUrl,
    waitTimeSeconds: 1,
    stopOnSignals: false,
    handlers: {
      OrderCreated: async (message, context) => {
        if (message.orderId === 'o1') consumed({ orderId: message.orderId, requestId: context.requestId });
        else batchConsumed.push(message.orderId);
      },
    },
  });
  void consumer.start();

  class Billing extends BillingImpl {
    override async getInvoice(input: T.GetInvoiceInput): Promise<T.GetInvoiceReply> {
      return { status: 200, body: { id: input.params.id, total: 1 } };
    }

    override async createInvoice(input: T.CreateInvoiceInput): Promise<T.CreateInvoiceReply> {
      const user = await users.getUser({ id: 'u1' });
      await publisher.publish({ type: 'OrderCreated', orderId: 'o1', total: input.body.total });
      return { status: 201, body: { id: user.name, total: input.body.total } };
    }
  }
  const http = await listen(createBillingRouter(new Billing()), '127.0.0.1:0');
  const baseUrl = \`http://127.0.0.1:\${(http.address() as { port: number }).port}\`;
  const client = new BillingClient({ baseUrl, token: null });
  const marked = new BillingClient({ baseUrl, token: null, middleware: [mark] });
  const guardedHttp = await listen(createBillingRouter(new Billing(), { middleware: [requireKey] }), '127.0.0.1:0');
  const guardedUrl = \`http://127.0.0.1:\${(guardedHttp.address() as { port: number }).port}\`;
  const keyedRest = new BillingClient({ baseUrl: guardedUrl, token: null, middleware: [withKey] });
  const unkeyedRest = new BillingClient({ baseUrl: guardedUrl, token: null, retries: 0 });
  return {
    order: (requestId: string) => runWithRequestContext({ requestId }, () => client.createInvoice({ total: 5 })),
    marked: () => marked.getInvoice({ id: 'i-1' }),
    batch: (requestId: string) =>
      runWithRequestContext({ requestId }, () =>
        publisher.publishBatch([
          { message: { type: 'OrderCreated', orderId: 'b1', total: 1 } },
          { message: { type: 'OrderCreated', orderId: 'b2', total: 2 } },
        ]),
      ),
    batchConsumed,
    stream: (requestId: string) =>
      runWithRequestContext({ requestId }, async () => {
        const ids: string[] = [];
        for await (const user of users.listUsers({ limit: 2 })) ids.push(user.id);
        ids.push((await users.record([{ id: 'c' }, { id: 'd' }])).id);
        for await (const answer of users.chat([{ id: 'e' }, { id: 'f' }])) ids.push(answer.id);
        return ids;
      }),
    boom: (requestId: string) =>
      runWithRequestContext({ requestId }, () => users.getUser({ id: 'boom' }).then(() => 'answered', codeOf)),
    guarded: () =>
      Promise.all([
        keyed.getUser({ id: 'u1' }).then((u) => u.name, codeOf),
        unkeyed.getUser({ id: 'u1' }).then((u) => u.name, codeOf),
        keyedRest.getInvoice({ id: 'i-2' }).then((i) => i.id, codeOf),
        unkeyedRest.getInvoice({ id: 'i-2' }).then((i) => i.id, codeOf),
      ]),
    delivered,
    async stop() {
      await consumer.stop();
      for (const client of [users, keyed, unkeyed]) client.close();
      for (const { server } of [open, guarded]) server.forceShutdown();
      for (const server of [http, guardedHttp]) {
        server.closeAllConnections();
        server.close();
      }
    },
  };
}
`;

interface App {
  exporter: { getFinishedSpans(): ReadableSpan[] };
  seen: string[];
  own: string[];
  handled: number;
  uninstall(): void;
  start(queueUrl: string): Promise<{
    order(requestId: string): Promise<unknown>;
    marked(): Promise<unknown>;
    batch(requestId: string): Promise<{ sent: unknown[]; failed: unknown[] }>;
    batchConsumed: string[];
    stream(requestId: string): Promise<string[]>;
    boom(requestId: string): Promise<unknown>;
    guarded(): Promise<unknown[]>;
    delivered: Promise<{ orderId: string; requestId: string }>;
    stop(): Promise<void>;
  }>;
}

let dir = '';
let fauxqs: Awaited<ReturnType<typeof buildApp>>;
let app: App;
let started: Awaited<ReturnType<App['start']>>;

beforeAll(async () => {
  fauxqs = buildApp({ logger: false });
  await fauxqs.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(fauxqs.server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    SQS_ENDPOINT: endpoint,
  });
  const sqs = new SQSClient({ endpoint });
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'orders-otel' }))).QueueUrl!;

  dir = await makeProject();
  const links = [
    ['rest', 'billing', '--resource', 'invoices:id=string,total=number', '--server', '--client', '--auth', 'none'],
    [
      'grpc',
      'user',
      ...['--rpc', 'GetUser:unary', '--rpc', 'ListUsers:server-stream'],
      ...['--rpc', 'Record:client-stream', '--rpc', 'Chat:bidi'],
    ],
    ['queue', 'orders', '--message', 'OrderCreated:orderId=string,total=number'],
  ];
  for (const args of links) {
    const r = await runCliInProcess([...args, '--yes', '--no-install'], dir);
    expect(r.exitCode, r.stderr).toBe(0);
  }
  await writeFile(path.join(dir, 'src/app.ts'), APP);
  expect(await compile(dir)).toEqual({ ok: true, output: '' });
  app = (await import(pathToFileURL(path.join(dir, 'dist/app.js')).href)) as App;
  started = await app.start(queueUrl);
}, 120_000);

afterAll(async () => {
  await started?.stop();
  app?.uninstall();
  await fauxqs?.close();
  if (dir) await removeProject(dir);
});

describe('one middleware for REST, gRPC and the queue', () => {
  it('a REST call whose handler calls gRPC and publishes, consumed by another handler: one middleware saw every side of each', async () => {
    await started.order('req-mw-1');
    expect(await started.delivered).toEqual({ orderId: 'o1', requestId: 'req-mw-1' });
    const calls = app.seen.filter((line) => line.includes('request=req-mw-1')).sort();
    expect(calls).toEqual([
      'grpc client unary user /user.v1.UserService/GetUser tenant=acme request=req-mw-1 status=0',
      'grpc server unary user /user.v1.UserService/GetUser tenant=acme request=req-mw-1 status=0',
      'queue client publish orders OrderCreated tenant=acme request=req-mw-1 status=undefined',
      'queue server consume orders OrderCreated tenant=acme request=req-mw-1 status=undefined',
      'rest client request billing createInvoice tenant=acme request=req-mw-1 status=201',
      'rest server request rest createInvoice tenant=acme request=req-mw-1 status=201',
    ]);
  });

  it("a client's own middleware runs for its calls only, after the process's", async () => {
    const before = app.own.length;
    await started.marked();
    expect(app.own.slice(before)).toEqual(['getInvoice']);
  });

  it('a batch publish is one call; what its middleware set reaches every message', async () => {
    const result = await started.batch('req-batch');
    expect([result.sent.length, result.failed.length]).toEqual([2, 0]);
    for (let i = 0; i < 200 && started.batchConsumed.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(started.batchConsumed.sort()).toEqual(['b1', 'b2']);
    expect(app.seen.filter((line) => line.includes('request=req-batch')).sort()).toEqual([
      'queue client publish-batch orders OrderCreated tenant=acme request=req-batch status=undefined',
      'queue server consume orders OrderCreated tenant=acme request=req-batch status=undefined',
      'queue server consume orders OrderCreated tenant=acme request=req-batch status=undefined',
    ]);
    const spans = await spansOf('req-batch', 3);
    const send = spans.find((s) => s.kind === 3)!;
    expect(send.attributes['messaging.batch.message_count']).toBe(2);
    expect(spans.filter((s) => s.kind === 4).map((s) => s.parentSpanContext?.spanId)).toEqual([
      send.spanContext().spanId,
      send.spanContext().spanId,
    ]);
  });

  it('gRPC streams (server, client, bidi) run through the middleware from their first message to their end', async () => {
    expect(await started.stream('req-stream')).toEqual(['a', 'b', 'c,d', 'e', 'f']);
    expect(app.seen.filter((line) => line.includes('request=req-stream')).sort()).toEqual([
      'grpc client bidi user /user.v1.UserService/Chat tenant=acme request=req-stream status=0',
      'grpc client client-stream user /user.v1.UserService/Record tenant=acme request=req-stream status=0',
      'grpc client server-stream user /user.v1.UserService/ListUsers tenant=acme request=req-stream status=0',
      'grpc server bidi user /user.v1.UserService/Chat tenant=acme request=req-stream status=0',
      'grpc server client-stream user /user.v1.UserService/Record tenant=acme request=req-stream status=0',
      'grpc server server-stream user /user.v1.UserService/ListUsers tenant=acme request=req-stream status=0',
    ]);
  });

  it("a server's own middleware refuses a call before its handler runs (gRPC UNAUTHENTICATED, REST 401)", async () => {
    const before = app.handled;
    expect(await started.guarded()).toEqual(['Ada', 16, 'i-2', 401]);
    expect(app.handled - before).toBe(1);
  });
});

/** The finished spans carrying this request ID, once there are `count` of them (spans end after their answer). */
async function spansOf(requestId: string, count: number): Promise<ReadableSpan[]> {
  const find = () => app.exporter.getFinishedSpans().filter((s) => s.attributes['request.id'] === requestId);
  for (let i = 0; i < 200 && find().length < count; i++) await new Promise((r) => setTimeout(r, 25));
  return find();
}

describe('OpenTelemetry', () => {
  it('one trace: REST client > REST server > (gRPC client > gRPC server, SQS send > SQS process, linked)', async () => {
    await started.order('req-otel-1');
    await started.delivered;
    // The consume span ends once the handler has returned.
    const all = await spansOf('req-otel-1', 6);
    const byName = (name: string, kind: number): ReadableSpan => {
      const span = all.find((s) => s.name === name && s.kind === kind);
      if (!span) throw new Error(`no ${name} span of kind ${kind}: ${all.map((s) => `${s.name}/${s.kind}`)}`);
      return span;
    };
    // SpanKind: SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4.
    const restClient = byName('POST /invoices', 2);
    const restServer = byName('POST /invoices', 1);
    const grpcClient = byName('user.v1.UserService/GetUser', 2);
    const grpcServer = byName('user.v1.UserService/GetUser', 1);
    const send = byName('send orders-otel', 3);
    const consume = byName('process orders-otel', 4);
    expect(all).toHaveLength(6);

    const trace = restClient.spanContext().traceId;
    for (const span of all) expect(span.spanContext().traceId, span.name).toBe(trace);
    const parent = (span: ReadableSpan) => span.parentSpanContext?.spanId;
    expect(parent(restClient)).toBeUndefined();
    expect(parent(restServer)).toBe(restClient.spanContext().spanId);
    expect(parent(grpcClient)).toBe(restServer.spanContext().spanId);
    expect(parent(grpcServer)).toBe(grpcClient.spanContext().spanId);
    expect(parent(send)).toBe(restServer.spanContext().spanId);
    expect(parent(consume)).toBe(send.spanContext().spanId);
    expect(consume.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);

    expect(restClient.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/invoices$/),
      'http.response.status_code': 201,
    });
    expect(restServer.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/invoices',
      'http.response.status_code': 201,
    });
    for (const span of [grpcClient, grpcServer])
      expect(span.attributes).toMatchObject({
        'rpc.system': 'grpc',
        'rpc.service': 'user.v1.UserService',
        'rpc.method': 'GetUser',
        'rpc.grpc.status_code': 0,
      });
    expect(send.attributes).toMatchObject({
      'messaging.system': 'aws_sqs',
      'messaging.destination.name': 'orders-otel',
      'messaging.operation.type': 'send',
      'messaging.message.id': expect.any(String),
    });
    expect(consume.attributes).toMatchObject({
      'messaging.system': 'aws_sqs',
      'messaging.destination.name': 'orders-otel',
      'messaging.operation.type': 'process',
      'messaging.message.id': send.attributes['messaging.message.id'],
    });
  });

  it("a handler that throws makes both gRPC spans errors (INTERNAL); a refused call is the caller's error only", async () => {
    expect(await started.boom('req-boom')).toBe(13);
    const boom = await spansOf('req-boom', 2);
    for (const span of boom) {
      expect(span.status.code, span.name).toBe(2);
      expect(span.attributes['rpc.grpc.status_code']).toBe(13);
    }
    const streamed = await spansOf('req-stream', 6);
    expect(streamed.map((s) => [s.name, s.kind, s.attributes['rpc.grpc.status_code']]).sort()).toEqual([
      ['user.v1.UserService/Chat', 1, 0],
      ['user.v1.UserService/Chat', 2, 0],
      ['user.v1.UserService/ListUsers', 1, 0],
      ['user.v1.UserService/ListUsers', 2, 0],
      ['user.v1.UserService/Record', 1, 0],
      ['user.v1.UserService/Record', 2, 0],
    ]);
    // The unkeyed gRPC call refused by the server's middleware: UNAUTHENTICATED is not the server's fault.
    const refused = app.exporter
      .getFinishedSpans()
      .filter((s) => s.kind === 1 && s.attributes['rpc.grpc.status_code'] === 16);
    expect(refused.map((s) => s.status.code)).toEqual([0]);
    const refusedRest = app.exporter
      .getFinishedSpans()
      .filter((s) => s.kind === 1 && s.attributes['http.response.status_code'] === 401);
    expect(refusedRest.map((s) => [s.name, s.status.code])).toEqual([['GET /invoices/{id}', 0]]);
    // Its client span is named by the path's template too, not by the invoice's ID.
    const refusedCall = app.exporter
      .getFinishedSpans()
      .filter((s) => s.kind === 2 && s.attributes['http.response.status_code'] === 401);
    expect(refusedCall.map((s) => [s.name, s.attributes['url.template'], s.attributes['url.full']])).toEqual([
      ['GET /invoices/{id}', '/invoices/{id}', expect.stringMatching(/\/invoices\/i-2$/)],
    ]);
  });

  it('without @opentelemetry/api the runtime loads nothing and adds no middleware', async () => {
    // The runtime folder alone, where no node_modules holds the package.
    const bare = await mkdtemp(path.join(tmpdir(), 'csl-bare-'));
    try {
      await writeFile(path.join(bare, 'package.json'), '{ "type": "module" }\n');
      await cp(path.join(dir, 'dist/links/_runtime'), path.join(bare, 'runtime'), { recursive: true });
      const script =
        "const t = await import('./runtime/telemetry.js'); const m = await import('./runtime/middleware.js');" +
        ' await t.telemetryPending(); console.log(JSON.stringify([t.telemetryMiddleware() === undefined, m.chainFor(undefined) === undefined]));';
      const r = await execa('node', ['--input-type=module', '-e', script], { cwd: bare, reject: false });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual([true, true]);
    } finally {
      await removeProject(bare);
    }
  });

  it('with the API alone a call runs no span middleware; from when an SDK registers, its spans reach that SDK', async () => {
    // A process of its own: this file's worker has an SDK registered already.
    const script = [
      "const t = await import('./dist/links/_runtime/telemetry.js');",
      "const m = await import('./dist/links/_runtime/middleware.js');",
      "const { trace } = await import('@opentelemetry/api');",
      "const sdk = await import('@opentelemetry/sdk-trace-base');",
      'await t.telemetryPending();',
      "const call = () => ({ pattern: 'rest', side: 'client', kind: 'request', link: 'l', operation: 'op',",
      "  requestId: 'r', headers: { get: () => undefined, set: () => {} }, attributes: { 'http.request.method': 'GET' } });",
      'const provider = () => { const exporter = new sdk.InMemorySpanExporter();',
      '  trace.setGlobalTracerProvider(new sdk.BasicTracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor(exporter)] }));',
      '  return exporter; };',
      'const before = m.chainFor(undefined);',
      'const first = provider();',
      'await m.chainFor(undefined)(call(), async () => {});',
      'trace.disable();',
      'const between = m.chainFor(undefined);',
      'const second = provider();',
      'await m.chainFor(undefined)(call(), async () => {});',
      'trace.disable();',
      'const spans = (e) => e.getFinishedSpans().map((s) => s.name);',
      'console.log(JSON.stringify([before === undefined, between === undefined, spans(first), spans(second)]));',
    ].join(' ');
    const r = await execa('node', ['--input-type=module', '-e', script], { cwd: dir, reject: false });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([true, true, ['GET'], ['GET']]);
  });
});

describe('REST server health for Kubernetes probes', () => {
  it('/livez and /readyz answer 200; once a drain begins /readyz answers 503 while requests are still served', async () => {
    type Server = import('node:http').Server;
    type Handler = (req: unknown, res: { end(text: string): void }) => void;
    const rt = (await import(pathToFileURL(path.join(dir, 'dist/links/_runtime/rest-server.js')).href)) as {
      listen(handler: Handler, address: string, options?: { health?: boolean }): Promise<Server>;
      drain(server: Server, options: { delayMs?: number }): Promise<string>;
    };
    const app: Handler = (_req, res) => res.end('app');
    const base = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (url: string) => {
      const r = await fetch(url);
      return [r.status, await r.text()];
    };
    const server = await rt.listen(app, '127.0.0.1:0');
    expect(await get(`${base(server)}/livez`)).toEqual([200, 'ok\n']);
    expect(await get(`${base(server)}/readyz`)).toEqual([200, 'ok\n']);
    const drained = rt.drain(server, { delayMs: 300 });
    expect(await get(`${base(server)}/readyz`)).toEqual([503, 'draining\n']);
    expect(await get(`${base(server)}/livez`)).toEqual([200, 'ok\n']);
    expect(await get(`${base(server)}/orders`)).toEqual([200, 'app']);
    expect(await drained).toBe('drained');

    // health: false leaves the paths to the handler.
    const plain = await rt.listen(app, '127.0.0.1:0', { health: false });
    expect(await get(`${base(plain)}/readyz`)).toEqual([200, 'app']);
    expect(await rt.drain(plain, {})).toBe('drained');
  });
});
