// Issue 16, gRPC: a generated server run as its own process (`node dist/links/work/server.js`) with
// health and reflection, read by `buf curl --reflect` and grpc-health-check's service definition;
// retries of idempotent RPCs; an unexpected handler error logged once; a SIGTERM drain with calls in
// flight, and one whose timeout cancels a call. One generated project for the whole file.
import * as grpc from '@grpc/grpc-js';
import { execa, type ResultPromise } from 'execa';
import { service as healthService } from 'grpc-health-check';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLink } from './fixtures/grpc/harness.js';
import { TOOL_ROOT, compile, makeProject, removeProject } from './helpers/project.js';

const BUF = path.join(TOOL_ROOT, 'node_modules', '.bin', 'buf');

const PROTO = `syntax = "proto3";
package prod.v1;
import "google/protobuf/timestamp.proto";

service WorkService {
  rpc Get(WorkRequest) returns (WorkResponse) { option idempotency_level = NO_SIDE_EFFECTS; }
  rpc Put(WorkRequest) returns (WorkResponse);
  rpc Slow(WorkRequest) returns (WorkResponse);
  rpc Boom(WorkRequest) returns (WorkResponse);
}

message WorkRequest {
  string id = 1;
  map<string, int32> tags = 2;
  uint32 wait_ms = 3;
}

message WorkResponse {
  string id = 1;
  uint32 attempt = 2;
  google.protobuf.Timestamp at = 3;
}
`;

// Ids starting with "flaky" fail twice with UNAVAILABLE, then succeed; `attempt` counts the tries.
const HANDLERS = `import { GrpcError, status, timestampNow, type CallContext } from './index.js';
import type * as $msg from './messages.js';
import type * as $service from './service.js';

const tries = new Map<string, number>();

function flaky(rpc: string, id: string): number {
  const attempt = (tries.get(\`\${rpc}:\${id}\`) ?? 0) + 1;
  tries.set(\`\${rpc}:\${id}\`, attempt);
  if (id.startsWith('flaky') && attempt <= 2) throw new GrpcError(status.UNAVAILABLE, 'try again');
  return attempt;
}

export class WorkServiceImpl implements $service.WorkServiceHandlers {
  async get(request: $msg.WorkRequest, _ctx: CallContext): Promise<$msg.WorkResponseInit> {
    return { id: request.id, attempt: flaky('get', request.id), at: timestampNow() };
  }

  async put(request: $msg.WorkRequest, _ctx: CallContext): Promise<$msg.WorkResponseInit> {
    return { id: request.id, attempt: flaky('put', request.id) };
  }

  async slow(request: $msg.WorkRequest, _ctx: CallContext): Promise<$msg.WorkResponseInit> {
    await new Promise((resolve) => setTimeout(resolve, request.waitMs));
    return { id: request.id, attempt: 1 };
  }

  async boom(_request: $msg.WorkRequest, _ctx: CallContext): Promise<$msg.WorkResponseInit> {
    throw new Error('db password is hunter2');
  }
}
`;

/* eslint-disable @typescript-eslint/no-explicit-any -- compiled JS of the temp project */
let dir: string;
let link: any;
let child: ResultPromise<{ all: true; reject: false }>;
let output = '';
let address: string;
let client: any;
const HealthClient = grpc.makeClientConstructor(healthService as grpc.ServiceDefinition, 'Health');
let health: grpc.Client & Record<string, any>;

beforeAll(async () => {
  dir = await makeProject({ module: 'esm', files: { 'protos/prod/v1/work.proto': PROTO } });
  await createLink(dir, 'work', { proto: ['protos/prod/v1/work.proto'], protoPath: ['protos'] });
  await writeFile(path.join(dir, 'src/links/work/handlers.ts'), HANDLERS);
  const r = await compile(dir);
  expect(r.output).toBe('');
  link = await import(pathToFileURL(path.join(dir, 'dist/links/work/index.js')).href);
  child = execa('node', ['dist/links/work/server.js'], {
    cwd: dir,
    all: true,
    reject: false,
    env: { WORK_SERVICE_LISTEN: '127.0.0.1:0', WORK_SERVICE_INSECURE: 'true', WORK_SERVICE_DRAIN_DELAY_MS: '1000' },
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.all.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on port (\d+)/.exec(output);
      if (m) resolve(m[1]!);
    });
    void child.then((r) => reject(new Error(`server exited: ${r.all}`)));
  });
  address = `127.0.0.1:${port}`;
  client = new link.WorkServiceClient({ address, insecure: true, timeoutMs: 5000 });
  health = new HealthClient(address, grpc.credentials.createInsecure()) as typeof health;
}, 120_000);

afterAll(async () => {
  client?.close();
  health?.close();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dir) await removeProject(dir);
});

function check(service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    health.check({ service }, (err: grpc.ServiceError | null, res: { status: string }) =>
      err ? reject(err) : resolve(res.status),
    ),
  );
}

async function buf(...args: string[]): Promise<string> {
  const r = await execa(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], { reject: false });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

describe('health and reflection, on by default', () => {
  it('buf curl --reflect lists the services and calls one', async () => {
    const methods = (await buf('--reflect', '--list-methods', `http://${address}`)).split('\n').sort();
    expect(methods).toContain('prod.v1.WorkService/Get');
    expect(methods).toContain('prod.v1.WorkService/Boom');
    expect(methods).toContain('grpc.health.v1.Health/Check');
    const body = JSON.stringify({ id: 'via-buf', tags: { a: 1 } });
    const answer = JSON.parse(await buf('--reflect', '-d', body, `http://${address}/prod.v1.WorkService/Get`));
    expect(answer).toMatchObject({ id: 'via-buf', attempt: 1 });
    expect(answer.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('the health service answers SERVING for the server and for each service', async () => {
    expect(await check('')).toBe('SERVING');
    expect(await check('prod.v1.WorkService')).toBe('SERVING');
  });

  it('both are switched off by startServer options', async () => {
    const { startServer } = await import(pathToFileURL(path.join(dir, 'dist/links/work/server.js')).href);
    const started = await startServer({ address: '127.0.0.1:0', insecure: true, health: false, reflection: false });
    const other = new HealthClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure()) as typeof health;
    try {
      const code = await new Promise((resolve) =>
        other.check({ service: '' }, (err: grpc.ServiceError) => resolve(err?.code)),
      );
      expect(code).toBe(grpc.status.UNIMPLEMENTED);
      const r = await execa(
        BUF,
        ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--list-methods', `http://127.0.0.1:${started.port}`],
        { reject: false },
      );
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/unimplemented/i);
    } finally {
      other.close();
      expect(await started.stop()).toBe('drained');
    }
  });
});

describe('drain timeout', () => {
  it('a call still running at the drain timeout is cancelled, and stop() says it forced', async () => {
    const { startServer } = await import(pathToFileURL(path.join(dir, 'dist/links/work/server.js')).href);
    process.env.WORK_SERVICE_DRAIN_TIMEOUT_MS = '200';
    const started = await startServer({ address: '127.0.0.1:0', insecure: true }).finally(
      () => delete process.env.WORK_SERVICE_DRAIN_TIMEOUT_MS,
    );
    const other = new link.WorkServiceClient({ address: `127.0.0.1:${started.port}`, insecure: true });
    try {
      const call = other.slow({ id: 'too-slow', waitMs: 5000 }).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await started.stop()).toBe('forced');
      const error = (await call) as { code: number };
      expect([grpc.status.CANCELLED, grpc.status.UNAVAILABLE]).toContain(error.code);
    } finally {
      other.close();
    }
  });
});

describe('retries', () => {
  it('an RPC marked idempotent succeeds after two UNAVAILABLE answers', async () => {
    expect(await client.get({ id: 'flaky-get' })).toMatchObject({ id: 'flaky-get', attempt: 3 });
  });

  it('an RPC not marked fails at once, and is not retried', async () => {
    await expect(client.put({ id: 'flaky-put' })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    // The server saw one try: the next one is its second, which still fails.
    await expect(client.put({ id: 'flaky-put' })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(await client.put({ id: 'flaky-put' })).toMatchObject({ attempt: 3 });
  });

  it('a call opted in with { idempotent: true } is retried', async () => {
    expect(await client.put({ id: 'flaky-opted' }, { idempotent: true })).toMatchObject({ attempt: 3 });
  });
});

describe('unexpected handler errors', () => {
  it('the client gets INTERNAL without the message; the server logs it once with request ID and method', async () => {
    const error = await client.boom({ id: 'b' }, { requestId: 'req-boom-1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: grpc.status.INTERNAL, details: 'internal error', requestId: 'req-boom-1' });
    expect(String(error.message)).not.toContain('hunter2');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = output.split('\n').filter((l) => l.includes('req-boom-1'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('/prod.v1.WorkService/Boom');
    expect(output).toContain('hunter2');
  });
});

describe('SIGTERM drain', () => {
  it('health turns NOT_SERVING, calls in flight all finish, then the process exits 0', async () => {
    const watch = health.watch({ service: 'prod.v1.WorkService' }) as grpc.ClientReadableStream<{ status: string }>;
    const statuses: string[] = [];
    watch.on('data', (m) => statuses.push(m.status));
    watch.on('error', () => {});
    await expect.poll(() => statuses).toEqual(['SERVING']);
    const inFlight = Array.from({ length: 8 }, (_, i) => client.slow({ id: `s${i}`, waitMs: 800 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    await expect.poll(() => statuses).toEqual(['SERVING', 'NOT_SERVING']);
    // A Watch stream is a call in flight too: the drain would wait for it until its timeout.
    watch.cancel();
    // Within the drain delay, Check says so too (a readiness probe takes the pod out of rotation).
    expect(await check('')).toBe('NOT_SERVING');
    const results = await Promise.allSettled(inFlight);
    expect(results.map((r) => r.status)).toEqual(Array(8).fill('fulfilled'));
    const ended = await child;
    expect(ended.exitCode).toBe(0);
  });
});
