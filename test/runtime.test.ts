// The shared runtime: code every link needs is written once per project (src/links/_runtime) and every
// link of every pattern imports it. Also the upgrade from releases that copied it into each link.
// The first compile goes through compile() (a real `tsc` when it is the worker's first); the others run the
// same compiler in this process (test/helpers/in-process.ts).
import { execa } from 'execa';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileInProcess } from './helpers/in-process.js';
import { compile, makeProject, removeProject, runCli, snapshot } from './helpers/project.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map(removeProject));
});

async function project(files: Record<string, string> = {}): Promise<string> {
  const dir = await makeProject({ files });
  dirs.push(dir);
  return dir;
}

async function cli(dir: string, ...args: string[]): Promise<void> {
  const r = await runCli([...args, '--yes', '--no-install'], dir);
  expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(0);
}

// grpc-server.ts: the gRPC links' health, reflection and drain (issue 16).
const RUNTIME = [
  'context.ts',
  'grpc-server.ts',
  'grpc.ts',
  'idempotency.ts',
  'json.ts',
  'middleware.ts',
  'rest.ts',
  'sqs.ts',
  'telemetry.ts',
  'wire.ts',
];

describe('one runtime for every link', () => {
  it('two gRPC links, a REST and a queue link share one runtime folder; a request ID set through one link reaches the others', async () => {
    const dir = await project();
    await cli(dir, 'grpc', 'user', '--rpc', 'GetUser:unary');
    await cli(dir, 'grpc', 'admin', '--rpc', 'Ban:unary', '--rpc', 'Watch:server-stream');
    await cli(dir, 'rest', 'billing', '--resource', 'invoices:id=string,total=number', '--auth', 'none');
    await cli(dir, 'queue', 'orders', '--message', 'OrderCreated:orderId=string');

    expect((await readdir(path.join(dir, 'src/links/_runtime'))).sort()).toEqual(RUNTIME);
    for (const link of ['user', 'admin', 'billing', 'orders']) {
      const files = await readdir(path.join(dir, 'src/links', link));
      expect(
        files.filter((f) => /^(runtime|wire|request-context|context)\.ts$/.test(f)),
        link,
      ).toEqual([]);
    }
    const manifest = JSON.parse(await readFile(path.join(dir, 'service-link.json'), 'utf8'));
    expect(Object.keys(manifest.runtime.files).sort()).toEqual(RUNTIME.map((f) => `src/links/_runtime/${f}`));
    for (const entry of Object.values<{ files: Record<string, string> }>(manifest.links)) {
      expect(Object.keys(entry.files).some((f) => f.includes('_runtime'))).toBe(false);
    }

    // The request context of one link is the context of all: a REST call made inside a context set
    // through the gRPC link carries its request ID, and the queue link reads the same context.
    await writeFile(path.join(dir, 'src/check.ts'), CHECK);
    const built = await compile(dir);
    expect(built.output).toBe('');
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers['x-request-id']));
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await execa('node', ['dist/check.js'], { cwd: dir, env: { BILLING_SERVICE_URL: url }, reject: false });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ queue: 'req-42', grpcAdmin: 'req-42' });
      expect(seen).toEqual(['req-42']);
    } finally {
      server.close();
    }
  });
});

const CHECK = `import { runWithRequestContext } from './links/user/index.js';
import { outgoingRequestContext } from './links/admin/index.js';
import { BillingClient } from './links/billing/index.js';
import { currentRequestContext } from './links/orders/index.js';

await runWithRequestContext({ requestId: 'req-42' }, async () => {
  await new BillingClient().listInvoices();
  console.log(JSON.stringify({ queue: currentRequestContext()?.requestId, grpcAdmin: outgoingRequestContext().requestId }));
});
`;

describe('upgrade from a release that copied the runtime into each link (0.1.0)', () => {
  it('generate moves the project to the shared runtime: user files untouched, copies removed, everything compiles', async () => {
    const fixture = JSON.parse(
      await readFile(path.join(import.meta.dirname, 'fixtures/upgrade/v0.1.0-project.json'), 'utf8'),
    ) as Record<string, string>;
    const dir = await project();
    await rm(path.join(dir, 'src'), { recursive: true });
    // Files of the user's beyond the ones the tool created import old copies too.
    fixture['src/links/billing/extra.ts'] =
      "import { ServiceError } from './runtime.js';\nexport const E = ServiceError;\n";
    fixture['src/jobs.ts'] =
      "import { currentRequestContext } from './links/orders/context.js';\nexport const ctx = currentRequestContext;\n";
    for (const [file, content] of Object.entries(fixture)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    }
    const userFiles = [
      'src/links/billing/extra.ts',
      'src/jobs.ts',
      'src/links/user/handlers.ts',
      'src/links/user/server.ts',
      'src/links/orders/handlers.ts',
      'src/app.ts',
      'proto/user.proto',
      'openapi/billing.yaml',
      'asyncapi/orders.yaml',
    ];
    const before = await snapshot(dir);

    const r = await runCli(['generate'], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    const after = await snapshot(dir);
    for (const f of userFiles) expect(after.get(f), f).toBe(before.get(f));
    expect([...after.keys()].filter((f) => f.startsWith('src/links/_runtime/')).sort()).toEqual(
      ['', ...RUNTIME].map((f) => `src/links/_runtime/${f}`),
    );
    // Gone: every per-link copy, except those a file of the user's still imports (handlers.ts, server.ts,
    // extra.ts in a link folder, jobs.ts elsewhere).
    for (const gone of ['billing/request-context.ts', 'user/wire.ts', 'user/request-context.ts']) {
      expect(after.has(`src/links/${gone}`), gone).toBe(false);
    }
    expect(after.get('src/links/billing/runtime.ts')).toContain("export * from '../_runtime/rest.js';");
    expect(after.get('src/links/orders/context.ts')).toContain("export * from '../_runtime/context.js';");
    expect(after.get('src/links/user/runtime.ts')).toMatch(
      /^\/\/ Code generated by create-service-link\. DO NOT EDIT\.\n[\s\S]*export \* from '\.\.\/_runtime\/grpc\.js';\n$/,
    );
    expect(compileInProcess(dir).output).toBe('');
    expect((await runCli(['generate', '--check'], dir)).exitCode).toBe(0);

    // Once the user's imports point at the shared runtime, the re-export goes too.
    for (const f of ['src/links/user/handlers.ts', 'src/links/user/server.ts']) {
      const text = await readFile(path.join(dir, f), 'utf8');
      await writeFile(path.join(dir, f), text.replace("from './runtime.js'", "from '../_runtime/grpc.js'"));
    }
    expect((await runCli(['generate'], dir)).exitCode).toBe(0);
    const moved = await snapshot(dir);
    expect(moved.has('src/links/user/runtime.ts')).toBe(false);
    expect(moved.has('src/links/billing/runtime.ts')).toBe(true);
    expect(compileInProcess(dir).output).toBe('');
  });
});

describe('edges of the shared core', () => {
  it('an RPC named like a runtime helper (Unary, UnaryHandler) is no use of it: no unused import under noUnusedLocals', async () => {
    const dir = await project({
      'proto/z.proto':
        'syntax = "proto3";\npackage z.v1;\nmessage A { string id = 1; }\nservice Zs {\n  rpc Unary(stream A) returns (stream A);\n  rpc UnaryHandler(stream A) returns (stream A);\n}\n',
    });
    await cli(dir, 'grpc', 'z', '--proto', 'proto/z.proto');
    expect(compileInProcess(dir, ['--noUnusedLocals']).output).toBe('');
  });

  it('ESM through node10 resolution without esModuleInterop: the runtime imports protobufjs as a namespace', async () => {
    const dir = await project({
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'esnext',
          moduleResolution: 'node',
          strict: true,
          skipLibCheck: true,
          types: ['node'],
          noEmit: true,
        },
        include: ['src'],
      }),
    });
    await cli(dir, 'grpc', 'billing', '--rpc', 'GetBill:unary');
    expect(await readFile(path.join(dir, 'src/links/_runtime/wire.ts'), 'utf8')).toContain(
      "import * as $protobuf from 'protobufjs/minimal.js';",
    );
    expect(compileInProcess(dir).output).toBe('');
  });

  it('a link of a pattern this release does not know keeps the runtime it used; a folder outside the project is refused', async () => {
    const dir = await project();
    await cli(dir, 'rest', 'user', '--resource', 'users:id=string');
    await cli(dir, 'queue', 'orders', '--message', 'OrderCreated:orderId=string');
    const file = path.join(dir, 'service-link.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    manifest.links.orders.pattern = 'kafka';
    await writeFile(file, JSON.stringify(manifest));
    const r = await runCli(['generate', 'user', '--dry-run'], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/delete\s+src\/links\/_runtime/);

    manifest.links.orders.pattern = 'queue';
    manifest.links.orders.out = '../escaped';
    await writeFile(file, JSON.stringify(manifest));
    const before = await snapshot(dir);
    const refused = await runCli(['generate'], dir);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('links.orders.out must be a folder inside the project');
    expect(await snapshot(dir)).toEqual(before);
  });
});
