// Response headers and trailers of successful calls, all four RPC kinds, against real peers on
// 127.0.0.1: our generated client against a @connectrpc/connect-node server (built by reflection from
// a descriptor `buf build` makes), and our generated server read by a plain grpc-js client.
import * as grpc from '@grpc/grpc-js';
import { createFileRegistry, fromBinary, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { execa } from 'execa';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLink } from './fixtures/grpc/harness.js';
import { TOOL_ROOT, compile, makeProject, removeProject } from './helpers/project.js';

const PROTO = `syntax = "proto3";
package meta.v1;
service EchoService {
  rpc Echo(EchoRequest) returns (EchoResponse);
  rpc Count(EchoRequest) returns (stream EchoResponse);
  rpc Collect(stream EchoRequest) returns (EchoResponse);
  rpc Chat(stream EchoRequest) returns (stream EchoResponse);
}
message EchoRequest { string text = 1; }
message EchoResponse { string text = 1; }
`;

// Our server: each RPC sets a header and a trailer named after it; text "fail" fails after setting them.
const HANDLERS = `import { GrpcError, status, type CallContext } from '../_runtime/grpc.js';
import type * as $msg from './messages.js';
import type * as $service from './service.js';

function mark(ctx: CallContext, rpc: string): void {
  ctx.responseMetadata.set('x-rpc', rpc);
  ctx.responseTrailers.set('x-done', \`\${rpc}-ok\`);
  ctx.responseTrailers.set('x-bin', Buffer.from([1, 2, 3]));
}

export class EchoServiceImpl implements $service.EchoServiceHandlers {
  async echo(request: $msg.EchoRequest, ctx: CallContext): Promise<$msg.EchoResponseInit> {
    mark(ctx, 'echo');
    if (request.text === 'fail') throw new GrpcError(status.FAILED_PRECONDITION, 'asked to fail');
    return { text: request.text };
  }

  async *count(request: $msg.EchoRequest, ctx: CallContext): AsyncGenerator<$msg.EchoResponseInit> {
    mark(ctx, 'count');
    for (let i = 0; i < 3; i++) yield { text: \`\${request.text}\${i}\` };
  }

  async collect(requests: AsyncIterable<$msg.EchoRequest>, ctx: CallContext): Promise<$msg.EchoResponseInit> {
    mark(ctx, 'collect');
    const texts: string[] = [];
    for await (const r of requests) texts.push(r.text);
    return { text: texts.join(',') };
  }

  async *chat(requests: AsyncIterable<$msg.EchoRequest>, ctx: CallContext): AsyncGenerator<$msg.EchoResponseInit> {
    mark(ctx, 'chat');
    for await (const r of requests) yield { text: r.text.toUpperCase() };
  }
}
`;

// Our client, compiled under strict with the project: what a user writes to read headers and trailers.
const PROGRAM = `import { EchoServiceClient, type CallOptions } from './links/echo/index.js';
import type { Metadata } from '@grpc/grpc-js';

export interface Seen {
  rpc: string;
  result: string;
  header: string | undefined;
  trailer: string | undefined;
  /** What the caller had seen when the promise settled / the loop ended: trailers must come first. */
  trailerBeforeEnd: boolean;
}

function first(m: Metadata, key: string): string | undefined {
  const v = m.get(key)[0];
  return v === undefined ? undefined : v.toString();
}

function recorder(rpc: string, header: string, trailer: string) {
  const seen: Seen = { rpc, result: '', header: undefined, trailer: undefined, trailerBeforeEnd: false };
  const options: CallOptions = {
    onHeader: (m) => (seen.header = first(m, header)),
    onTrailer: (m) => (seen.trailer = first(m, trailer)),
  };
  return { seen, options };
}

export async function callAll(address: string, header: string, trailer: string): Promise<Seen[]> {
  const client = new EchoServiceClient({ address, insecure: true, timeoutMs: 5000 });
  try {
    const out: Seen[] = [];
    const unary = recorder('echo', header, trailer);
    unary.seen.result = (await client.echo({ text: 'hi' }, unary.options)).text;
    unary.seen.trailerBeforeEnd = unary.seen.trailer !== undefined;
    out.push(unary.seen);

    const server = recorder('count', header, trailer);
    const counted: string[] = [];
    for await (const r of client.count({ text: 'n' }, server.options)) counted.push(r.text);
    server.seen.trailerBeforeEnd = server.seen.trailer !== undefined;
    server.seen.result = counted.join(',');
    out.push(server.seen);

    const clientStream = recorder('collect', header, trailer);
    clientStream.seen.result = (await client.collect([{ text: 'a' }, { text: 'b' }], clientStream.options)).text;
    clientStream.seen.trailerBeforeEnd = clientStream.seen.trailer !== undefined;
    out.push(clientStream.seen);

    const bidi = recorder('chat', header, trailer);
    const chatted: string[] = [];
    for await (const r of client.chat([{ text: 'x' }, { text: 'y' }], bidi.options)) chatted.push(r.text);
    bidi.seen.trailerBeforeEnd = bidi.seen.trailer !== undefined;
    bidi.seen.result = chatted.join(',');
    out.push(bidi.seen);
    return out;
  } finally {
    client.close();
  }
}

export interface Failed {
  headerCalled: boolean;
  seen: string | undefined;
  onError: string | undefined;
  headerInTrailers: string | undefined;
  code: number;
}

/** A unary call that fails: onTrailer still runs and GrpcError.metadata carries the same trailers. */
export async function failing(address: string, header: string, trailer: string): Promise<Failed> {
  const client = new EchoServiceClient({ address, insecure: true, timeoutMs: 5000 });
  let seen: string | undefined;
  let headerCalled = false;
  try {
    const onTrailer = (m: Metadata) => (seen = first(m, trailer));
    await client.echo({ text: 'fail' }, { onHeader: () => (headerCalled = true), onTrailer });
    throw new Error('the call should have failed');
  } catch (err) {
    const e = err as { code: number; metadata: Metadata };
    const headerInTrailers = first(e.metadata, header);
    return { headerCalled, seen, onError: first(e.metadata, trailer), headerInTrailers, code: e.code };
  } finally {
    client.close();
  }
}

/** A throwing onHeader ends a server stream's loop with that very error (and cancels the call). */
export async function throwingHeader(address: string): Promise<unknown> {
  const client = new EchoServiceClient({ address, insecure: true, timeoutMs: 5000 });
  const mine = new Error('mine');
  try {
    const seen: string[] = [];
    const onHeader = (): void => {
      throw mine;
    };
    for await (const r of client.count({ text: 'n' }, { onHeader })) seen.push(r.text);
    return \`ended normally after \${seen.length}\`;
  } catch (err) {
    return err === mine ? 'rejected with it' : err;
  } finally {
    client.close();
  }
}

/** A throwing onTrailer fails the call with that very error. */
export async function throwingTrailer(address: string): Promise<unknown> {
  const client = new EchoServiceClient({ address, insecure: true, timeoutMs: 5000 });
  const mine = new Error('mine');
  try {
    await client.echo({ text: 'hi' }, { onTrailer: () => { throw mine; } });
    return 'resolved';
  } catch (err) {
    return err === mine ? 'rejected with it' : err;
  } finally {
    client.close();
  }
}
`;

/* eslint-disable @typescript-eslint/no-explicit-any -- compiled JS of the temp project */
let dir: string;
let program: any;
let service: any;

beforeAll(async () => {
  dir = await makeProject({ module: 'esm', files: { 'protos/meta/v1/echo.proto': PROTO } });
  await createLink(dir, 'echo', { proto: ['protos/meta/v1/echo.proto'], protoPath: ['protos'] });
  await writeFile(path.join(dir, 'src/links/echo/handlers.ts'), HANDLERS);
  await writeFile(path.join(dir, 'src/use-metadata.ts'), PROGRAM);
  const r = await compile(dir);
  expect(r.output).toBe('');
  program = await import(pathToFileURL(path.join(dir, 'dist/use-metadata.js')).href);
  service = await import(pathToFileURL(path.join(dir, 'dist/links/echo/service.js')).href);
});

afterAll(async () => {
  if (dir) await removeProject(dir);
});

type Text = { text: string };

/** The same service on @connectrpc/connect-node, from the descriptor buf builds of the same .proto. */
async function connectServer(): Promise<{ address: string; close(): Promise<void> }> {
  const out = path.join(dir, 'echo.binpb');
  const buf = path.join(TOOL_ROOT, 'node_modules', '.bin', 'buf');
  await execa(buf, ['build', path.join(dir, 'protos'), '-o', out]);
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, await readFile(out)));
  const svc = registry.getService('meta.v1.EchoService') as DescService;
  const mark = (ctx: HandlerContext, rpc: string) => {
    ctx.responseHeader.set('x-connect-rpc', rpc);
    ctx.responseTrailer.set('x-connect-done', `${rpc}-ok`);
  };
  const routes = (router: ConnectRouter) =>
    router.service(svc, {
      async echo(req: Text, ctx: HandlerContext) {
        mark(ctx, 'echo');
        return { text: req.text };
      },
      async *count(req: Text, ctx: HandlerContext) {
        mark(ctx, 'count');
        for (let i = 0; i < 3; i++) yield { text: `${req.text}${i}` };
      },
      async collect(reqs: AsyncIterable<Text>, ctx: HandlerContext) {
        mark(ctx, 'collect');
        const texts: string[] = [];
        for await (const r of reqs) texts.push(r.text);
        return { text: texts.join(',') };
      },
      async *chat(reqs: AsyncIterable<Text>, ctx: HandlerContext) {
        mark(ctx, 'chat');
        for await (const r of reqs) yield { text: r.text.toUpperCase() };
      },
    } as never);
  const server = http2.createServer(connectNodeAdapter({ routes }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const EXPECTED_RESULTS = { echo: 'hi', count: 'n0,n1,n2', collect: 'a,b', chat: 'X,Y' };

describe('response headers and trailers of successful calls', () => {
  it('our client reads them from a @connectrpc/connect-node server, for all four kinds', async () => {
    const peer = await connectServer();
    try {
      const seen = await program.callAll(peer.address, 'x-connect-rpc', 'x-connect-done');
      expect(seen).toEqual(
        Object.entries(EXPECTED_RESULTS).map(([rpc, result]) => ({
          rpc,
          result,
          header: rpc,
          trailer: `${rpc}-ok`,
          trailerBeforeEnd: true,
        })),
      );
    } finally {
      await peer.close();
    }
  });

  it('our server sends the ones its handlers set; a plain grpc-js client reads them', async () => {
    const { startServer } = await import(pathToFileURL(path.join(dir, 'dist/links/echo/server.js')).href);
    const { server, port } = await startServer({ address: '127.0.0.1:0', insecure: true });
    const Client = grpc.makeGenericClientConstructor(service.EchoServiceDefinition, 'EchoService');
    const raw = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as any;
    /** Headers and trailers grpc-js reports on one call, once its status is in. */
    const observe = (call: any): Promise<{ header: unknown; trailer: unknown; bin: unknown; code: number }> => {
      let header: unknown;
      call.on('metadata', (m: grpc.Metadata) => (header = m.get('x-rpc')[0]));
      return new Promise((resolve) =>
        call.on('status', (s: grpc.StatusObject) =>
          resolve({ header, trailer: s.metadata.get('x-done')[0], bin: s.metadata.get('x-bin')[0], code: s.code }),
        ),
      );
    };
    try {
      const unary = observe(raw.echo({ text: 'hi' }, () => {}));
      const stream = raw.count({ text: 'n' });
      stream.on('data', () => {});
      const counted = observe(stream);
      const upload = raw.collect(() => {});
      const collected = observe(upload);
      upload.write({ text: 'a' });
      upload.end();
      const duplex = raw.chat();
      duplex.on('data', () => {});
      const chatted = observe(duplex);
      duplex.write({ text: 'x' });
      duplex.end();
      const results = await Promise.all([unary, counted, collected, chatted]);
      expect(results).toEqual(
        ['echo', 'count', 'collect', 'chat'].map((rpc) => ({
          header: rpc,
          trailer: `${rpc}-ok`,
          bin: Buffer.from([1, 2, 3]),
          code: grpc.status.OK,
        })),
      );

      // Our client against our server: the same through onHeader/onTrailer.
      const seen = await program.callAll(`127.0.0.1:${port}`, 'x-rpc', 'x-done');
      expect(seen.map((s: { header: string; trailer: string; trailerBeforeEnd: boolean }) => s)).toEqual(
        Object.entries(EXPECTED_RESULTS).map(([rpc, result]) => ({
          rpc,
          result,
          header: rpc,
          trailer: `${rpc}-ok`,
          trailerBeforeEnd: true,
        })),
      );
    } finally {
      raw.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
  });

  it('a failed call: what the handler set reaches onTrailer and GrpcError.metadata; a throwing onTrailer fails the call', async () => {
    const { startServer } = await import(pathToFileURL(path.join(dir, 'dist/links/echo/server.js')).href);
    const { server, port } = await startServer({ address: '127.0.0.1:0', insecure: true });
    try {
      const address = `127.0.0.1:${port}`;
      // A trailers-only answer: no onHeader; the header the handler set travels in the trailers.
      expect(await program.failing(address, 'x-rpc', 'x-done')).toEqual({
        headerCalled: false,
        seen: 'echo-ok',
        onError: 'echo-ok',
        headerInTrailers: 'echo',
        code: grpc.status.FAILED_PRECONDITION,
      });
      expect(await program.throwingTrailer(address)).toBe('rejected with it');
      expect(await program.throwingHeader(address)).toBe('rejected with it');
    } finally {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
  });
});
