// Real calls on 127.0.0.1: the generated client against a server built from the generated server
// side (all four RPC kinds, deadlines, cancellation, metadata, status codes), wire interop with
// @grpc/proto-loader both ways, and a randomized codec differential test against protobufjs.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { cp, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, makeProject, removeProject } from './helpers/project.js';
import { createLink } from './fixtures/grpc/harness.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'grpc');
const SHOP = path.join(FIXTURES, 'kitchen', 'acme', 'shop.proto');

/* eslint-disable @typescript-eslint/no-explicit-any -- compiled JS of the temp project */
let dir: string;
let link: any;
let handlers: any;
let server: grpc.Server;
let port: number;
let client: any;

beforeAll(async () => {
  dir = await makeProject({ module: 'esm' });
  await cp(path.join(FIXTURES, 'kitchen'), path.join(dir, 'protos'), { recursive: true });
  await createLink(dir, 'shop', { proto: ['protos/acme/shop.proto'], protoPath: ['protos'] });
  await copyFile(path.join(FIXTURES, 'shop-handlers.ts.txt'), path.join(dir, 'src/links/shop/handlers.ts'));
  const r = await compile(dir);
  expect(r.output).toBe('');
  const base = path.join(dir, 'dist/links/shop');
  link = await import(pathToFileURL(path.join(base, 'index.js')).href);
  handlers = await import(pathToFileURL(path.join(base, 'handlers.js')).href);
  const { startServer } = await import(pathToFileURL(path.join(base, 'server.js')).href);
  ({ server, port } = await startServer({ address: '127.0.0.1:0', insecure: true }));
  client = new link.OrderServiceClient({
    address: `127.0.0.1:${port}`,
    insecure: true,
    token: 'secret',
    timeoutMs: 5000,
  });
});

afterAll(async () => {
  client?.close();
  await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()));
  if (dir) await removeProject(dir);
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('generated client <-> generated server', () => {
  it('unary: typed values survive the wire (bigint, Timestamp, Duration, Struct, oneof, maps)', async () => {
    const order = await client.getOrder({ id: 'o1', readMask: ['id', 'lines'] });
    expect(order.id).toBe('o1');
    expect(order.status).toBe(link.Order_Status.SHIPPED);
    expect(order.priority).toBe(9007199254740993n);
    expect(order.big).toBe(-9223372036854775808n);
    expect(order.createdAt).toEqual({ seconds: 1704164645n, nanos: 678_000_001 });
    expect(link.timestampToDate(order.createdAt)).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)));
    expect(order.ttl).toEqual({ seconds: 1n, nanos: 500_250_000 });
    expect(link.durationToMillis(order.ttl)).toBeCloseTo(1500.25, 9);
    expect(order.coupon).toBe('');
    expect(order.gift).toBeUndefined();
    expect(order.attributes).toEqual({ a: 1, b: [true, null, 'x'], c: { d: 'e' } });
    expect(order.payment).toEqual({ $case: 'cash', cash: { currencyCode: 'EUR', units: 12n, nanos: 500_000_000 } });
    expect(order.labels).toEqual({ env: 'test', __proto__x: 'y' });
    expect([...order.linesById.keys()]).toEqual([9223372036854775807n]);
    expect(order.mask).toEqual(['id', 'lines']);
    expect(order.tags).toEqual([]);
  });

  it('sends x-request-id from the request context, traceparent and the bearer token', async () => {
    const { runWithRequestContext } = link;
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const order = await runWithRequestContext({ requestId: 'req-42', traceparent: tp }, () =>
      client.getOrder({ id: 'x' }),
    );
    expect(order.note).toBe('req-42');
    expect(handlers.seen.lastRequestId).toBe('req-42');
    expect(handlers.seen.lastAuth).toBe('Bearer secret');
    expect(handlers.seen.lastTraceparent).toBe(tp);
    const fresh = await client.getOrder({ id: 'y' });
    expect(fresh.note).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('one request context per process: set through this link, visible under the global symbol, carried with tracestate', async () => {
    const { runWithRequestContext, currentRequestContext } = link;
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const key = Symbol.for('create-service-link.request-context');
    const order = await runWithRequestContext(
      { requestId: 'shared-7', traceparent: tp, tracestate: 'vendor=abc' },
      async () => {
        // Any other link's module reads the same storage through this symbol.
        const storage = (globalThis as any)[key];
        expect(storage.getStore()).toBe(currentRequestContext());
        expect(storage.getStore()).toEqual({ requestId: 'shared-7', traceparent: tp, tracestate: 'vendor=abc' });
        return client.getOrder({ id: 'ctx' });
      },
    );
    expect(order.note).toBe('shared-7');
    expect(handlers.seen.lastTracestate).toBe('vendor=abc');
    // The server runs the handler inside the caller's context, tracestate included.
    expect(handlers.seen.lastContext).toEqual({ requestId: 'shared-7', traceparent: tp, tracestate: 'vendor=abc' });
  });

  it('status codes reach the client as a typed error with details and request id', async () => {
    const err = await client.getOrder({ id: 'missing' }, { requestId: 'r-404' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(link.GrpcError);
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    expect(err.details).toBe('order missing not found');
    expect(err.requestId).toBe('r-404');
    // Unexpected errors become INTERNAL without leaking the message.
    const boom = await client.getOrder({ id: 'boom' }).catch((e: unknown) => e);
    expect(boom.code).toBe(grpc.status.INTERNAL);
    expect(boom.details).not.toContain('hunter2');
  });

  it('deadlines: the default and a per-call one end in DEADLINE_EXCEEDED', async () => {
    const started = Date.now();
    const err = await client.getOrder({ id: 'slow' }, { deadline: 150 }).catch((e: unknown) => e);
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2000);
    const t0 = Date.now();
    const perCall = await client.getOrder({ id: 'slow' }, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(perCall.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - t0).toBeLessThan(2000); // the client default here is 5000
    const short = new link.OrderServiceClient({ address: `127.0.0.1:${port}`, insecure: true, timeoutMs: 100 });
    const err2 = await short.getOrder({ id: 'slow' }).catch((e: unknown) => e);
    short.close();
    expect(err2.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it('cancellation with an AbortSignal reaches the server', async () => {
    const controller = new AbortController();
    const pending = client
      .getOrder({ id: 'slow' }, { signal: controller.signal, requestId: 'cancel-me' })
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    const err = await pending;
    expect(err.code).toBe(grpc.status.CANCELLED);
    await new Promise((r) => setTimeout(r, 100));
    expect(handlers.seen.cancelledIds).toContain('cancel-me');
  });

  it('server streaming is an AsyncIterable; an error mid-stream keeps its code', async () => {
    const orders = await collect(client.listOrders({ limit: 3 }, { requestId: 'stream-1' }));
    expect(orders.map((o: any) => o.id)).toEqual(['o0', 'o1', 'o2']);
    expect(orders[1].packedIds).toEqual([1n, -1n]);
    expect(orders[0].tags).toEqual(['stream-1']);
    const got: string[] = [];
    const err = await (async () => {
      for await (const o of client.listOrders({ limit: 5, failWith: 'stock changed' })) got.push(o.id);
    })().catch((e: unknown) => e);
    expect(got).toEqual(['o0', 'o1']);
    expect(err.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(err.details).toBe('stock changed');
  });

  it('client streaming takes an AsyncIterable and resolves', async () => {
    async function* orders() {
      for (let i = 0; i < 4; i++)
        yield { id: `u${i}`, payment: { $case: 'cash' as const, cash: { units: BigInt(i + 1) } } };
    }
    const result = await client.uploadOrders(orders(), { requestId: 'up-1' });
    expect(result).toEqual({ count: 4, totalUnits: 10n, requestId: 'up-1' });
  });

  it('bidi streaming takes and returns async iterables', async () => {
    const replies = await collect(client.chat([{ id: 'a' }, { id: 'b' }, { id: 'c', note: 'hi' }]));
    expect(replies.map((o: any) => [o.id, o.status, o.note])).toEqual([
      ['re:a', 1, undefined],
      ['re:b', 1, undefined],
      ['re:c', 1, 'hi'],
    ]);
  });

  it('Empty and reserved-word field names round-trip', async () => {
    expect(await client.ping({})).toEqual({});
    const kw = { class: 'c', delete: 'd', constructor: 'k', function: 'f', await: 7, prototype: 'p' };
    expect(await client.echo(kw)).toEqual(kw);
  });
});

describe('wire interop with @grpc/proto-loader (a peer nobody here wrote)', () => {
  const loaderOptions = {
    keepCase: false,
    longs: String,
    enums: Number,
    defaults: false,
    oneofs: true,
    includeDirs: [path.join(FIXTURES, 'kitchen')],
  };

  it('a proto-loader client calls our generated server', async () => {
    const def = protoLoader.loadSync(SHOP, loaderOptions);
    const pkg = grpc.loadPackageDefinition(def) as any;
    const dyn = new pkg.acme.shop.v1.OrderService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('x-request-id', 'dyn-1');
    const order: any = await new Promise((resolve, reject) =>
      dyn.getOrder({ id: 'p1' }, md, (err: unknown, v: unknown) => (err ? reject(err) : resolve(v))),
    );
    expect(order.id).toBe('p1');
    expect(order.note).toBe('dyn-1');
    expect(order.priority).toBe('9007199254740993');
    expect(order.cash).toEqual({ currencyCode: 'EUR', units: '12', nanos: 500000000 });
    expect(order.createdAt).toEqual({ seconds: '1704164645', nanos: 678000001 });
    // (proto-loader keys 64-bit map entries by protobufjs's 8-byte hash string, so only the value is checked)
    expect(Object.values(order.linesById)).toEqual([{ sku: 'max', quantity: 1 }]);
    const err: any = await new Promise((resolve) => dyn.getOrder({ id: 'missing' }, (e: unknown) => resolve(e)));
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    dyn.close();
  });

  it('our generated client calls a proto-loader server', async () => {
    const def = protoLoader.loadSync(SHOP, loaderOptions);
    const pkg = grpc.loadPackageDefinition(def) as any;
    const peer = new grpc.Server();
    let seenMeta: grpc.Metadata | undefined;
    peer.addService(pkg.acme.shop.v1.OrderService.service, {
      getOrder(call: any, cb: any) {
        seenMeta = call.metadata;
        cb(null, {
          id: call.request.id,
          priority: '-5',
          packedIds: ['1', '9007199254740993'],
          labels: { k: 'v' },
          cardToken: 'tok',
          createdAt: { seconds: '10', nanos: 5000000 },
        });
      },
      listOrders(call: any) {
        for (let i = 0; i < call.request.limit; i++) call.write({ id: `d${i}` });
        call.end();
      },
      uploadOrders(call: any, cb: any) {
        let n = 0;
        call.on('data', () => n++);
        call.on('end', () => cb(null, { count: n }));
      },
      chat(call: any) {
        call.on('data', (o: any) => call.write({ id: o.id.toUpperCase() }));
        call.on('end', () => call.end());
      },
      ping(_call: any, cb: any) {
        cb({ code: grpc.status.PERMISSION_DENIED, details: 'nope' });
      },
      echo(call: any, cb: any) {
        cb(null, call.request);
      },
    });
    const peerPort = await new Promise<number>((resolve, reject) =>
      peer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    const c = new link.OrderServiceClient({ address: `127.0.0.1:${peerPort}`, insecure: true, token: 't0k' });
    try {
      const o = await c.getOrder({ id: 'z' }, { requestId: 'to-peer' });
      expect(o).toMatchObject({ id: 'z', priority: -5n, packedIds: [1n, 9007199254740993n], labels: { k: 'v' } });
      expect(o.payment).toEqual({ $case: 'cardToken', cardToken: 'tok' });
      expect(o.createdAt).toEqual({ seconds: 10n, nanos: 5_000_000 });
      expect(seenMeta?.get('x-request-id')).toEqual(['to-peer']);
      expect(seenMeta?.get('authorization')).toEqual(['Bearer t0k']);
      expect((await collect(c.listOrders({ limit: 2 }))).map((x: any) => x.id)).toEqual(['d0', 'd1']);
      expect(await c.uploadOrders([{ id: '1' }, { id: '2' }])).toMatchObject({ count: 2 });
      expect((await collect(c.chat([{ id: 'q' }]))).map((x: any) => x.id)).toEqual(['Q']);
      const err = await c.ping({}).catch((e: unknown) => e);
      expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(err.details).toBe('nope');
    } finally {
      c.close();
      peer.forceShutdown();
    }
  });
});

describe('codec differential against protobufjs reflection', () => {
  // Random messages built from the reflection types (every field kind); both directions:
  // protobufjs bytes -> our decode -> our encode -> protobufjs decode must give the same message.
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const str = (): string =>
    Array.from({ length: int(0, 6) }, () =>
      String.fromCodePoint(int(0, 3) === 0 ? int(0x4e00, 0x4e80) : int(32, 126)),
    ).join('');
  const long = (signed: boolean): string => {
    const big = (BigInt(int(0, 0x7fffffff)) << 32n) | BigInt(int(0, 0xffffffff) >>> 0);
    const v = signed && rand() < 0.5 ? -big : big;
    return String(rand() < 0.3 ? BigInt(int(0, 300)) : v);
  };

  function scalar(type: string): unknown {
    switch (type) {
      case 'double':
        return rand() < 0.2 ? 0 : (rand() - 0.5) * 1e6;
      case 'float':
        return Math.fround((rand() - 0.5) * 1000);
      case 'int32':
      case 'sint32':
      case 'sfixed32':
        return int(-2147483648, 2147483647);
      case 'uint32':
      case 'fixed32':
        return int(0, 4294967295);
      case 'int64':
      case 'sint64':
      case 'sfixed64':
        return long(true);
      case 'uint64':
      case 'fixed64':
        return long(false);
      case 'bool':
        return rand() < 0.5;
      case 'string':
        return str();
      case 'bytes':
        return Buffer.from(Array.from({ length: int(0, 5) }, () => int(0, 255)));
    }
    throw new Error(type);
  }

  function jsonValue(depth: number): any {
    const k = int(0, depth > 1 ? 3 : 5);
    if (k === 0) return { nullValue: 0 };
    if (k === 1) return { numberValue: (rand() - 0.5) * 100 };
    if (k === 2) return { stringValue: str() };
    if (k === 3) return { boolValue: rand() < 0.5 };
    if (k === 4) return { listValue: { values: Array.from({ length: int(0, 3) }, () => jsonValue(depth + 1)) } };
    return {
      structValue: {
        fields: Object.fromEntries(Array.from({ length: int(0, 3) }, (_, i) => [`k${i}`, jsonValue(depth + 1)])),
      },
    };
  }

  function value(_f: protobuf.Field, type: string, resolved: protobuf.ReflectionObject | null, depth: number): unknown {
    if (resolved instanceof protobuf.Enum) {
      const vals = Object.values(resolved.values);
      return vals[int(0, vals.length - 1)];
    }
    if (resolved instanceof protobuf.Type) {
      const name = resolved.fullName;
      if (name === '.google.protobuf.Timestamp')
        return { seconds: String(int(-1e9, 4e9)), nanos: int(0, 999) * 1_000_000 };
      if (name === '.google.protobuf.Duration') {
        const s = int(-100000, 100000);
        return { seconds: String(s), nanos: (s < 0 ? -1 : 1) * int(0, 999999) * 1000 };
      }
      if (name === '.google.protobuf.Value') return jsonValue(depth);
      if (name === '.google.protobuf.Struct') return jsonValue(5).structValue ?? { fields: {} };
      return message(resolved, depth + 1);
    }
    return scalar(type);
  }

  function message(t: protobuf.Type, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (depth > 3) return out;
    for (const o of t.oneofsArray) {
      if (rand() < 0.3) continue;
      const f = o.fieldsArray[int(0, o.fieldsArray.length - 1)]!;
      out[f.name] = value(f, f.type, f.resolvedType, depth);
    }
    for (const f of t.fieldsArray) {
      if (f.partOf) continue;
      if (rand() < 0.2) continue;
      if (f.map) {
        const mf = f as unknown as protobuf.MapField;
        const entries: Record<string, unknown> = {};
        for (let i = 0; i < int(0, 3); i++) {
          const k = scalar(mf.keyType);
          entries[String(k)] = value(f, f.type, f.resolvedType, depth);
        }
        out[f.name] = entries;
      } else if (f.repeated)
        out[f.name] = Array.from({ length: int(0, 4) }, () => value(f, f.type, f.resolvedType, depth));
      else out[f.name] = value(f, f.type, f.resolvedType, depth);
    }
    return out;
  }

  it('200 random Orders (+ Scalars) agree both ways', async () => {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) =>
      target.startsWith('google/') ? target : path.join(FIXTURES, 'kitchen', target);
    await root.load('acme/shop.proto', { keepCase: true });
    root.resolveAll();
    const toObj = { longs: String, bytes: Array, defaults: false, enums: Number, oneofs: false };
    for (const [typeName, ours] of [
      ['acme.shop.v1.Order', link.Order],
      ['acme.shop.v1.Scalars', link.Scalars],
    ] as const) {
      const T = root.lookupType(typeName);
      for (let i = 0; i < 100; i++) {
        const obj = T.fromObject(message(T, 0));
        const theirs = T.encode(obj).finish();
        const decoded = ours.decode(theirs);
        const mine = ours.encode(decoded);
        expect(T.toObject(T.decode(mine), toObj)).toEqual(T.toObject(T.decode(theirs), toObj));
        expect(ours.decode(mine)).toEqual(decoded);
      }
    }
  });

  it('a known field that arrives with another wire type is skipped like an unknown one; packable fields take both encodings', () => {
    const w = protobuf.Writer.create();
    w.uint32((1 << 3) | 0).uint32(7); // id is a string: a varint here must not be read as its length
    w.uint32((2 << 3) | 2).bytes(Buffer.from('xy')); // status is an enum: length-delimited is skipped
    w.uint32((4 << 3) | 0).int64(5); // packed_ids, sent unpacked
    w.uint32((4 << 3) | 2)
      .fork()
      .int64(6)
      .int64(7)
      .ldelim(); // ... and packed
    w.uint32((5 << 3) | 2)
      .fork()
      .sint32(-1)
      .sint32(2)
      .ldelim(); // deltas is [packed = false], sent packed
    w.uint32((11 << 3) | 2).string('tok');
    const order = link.Order.decode(w.finish()) as Record<string, unknown>;
    expect(order).toMatchObject({
      id: '',
      status: 0,
      packedIds: [5n, 6n, 7n],
      deltas: [-1, 2],
      payment: { $case: 'cardToken', cardToken: 'tok' },
    });
  });
});
