// `create-service-link bench` end to end: real servers in a child process, real calls, nothing left behind.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeProject, removeProject, runCli } from './helpers/project.js';

const PROTO = `syntax = "proto3";
package shop.v1;
// An order line.
message Item {
  string sku = 1;
  int64 quantity = 2;
  double price = 3;
  repeated string tags = 4;
  map<string, string> attributes = 5;
}
message Order {
  string id = 1;
  repeated Item items = 2;
  bool paid = 3;
}
service Shop {
  rpc GetOrder(Item) returns (Order);
}
`;

const FAST = ['--duration', '0.2', '--rounds', '2', '--concurrency', '1,4', '--payload', 'small', '--json'];

interface Side {
  callsPerSecond: { median: number };
  latencyMs: { p50: number; p99: number };
  cpuMicrosPerCall: { median: number };
  errors: number;
}
interface Report {
  message: string;
  levels: { concurrency: number; rest: Side; grpc: Side; grpcOverRest: { median: number } }[];
  bytesPerCall: { rest: number; grpc: number };
  payload: { jsonBytes: number; protobufBytes: number };
  advice: string;
  serverPid: number;
  workDir: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function expectFigures(r: Report): void {
  expect(r.levels.map((l) => l.concurrency)).toEqual([1, 4]);
  for (const l of r.levels) {
    for (const side of [l.rest, l.grpc]) {
      expect(side.callsPerSecond.median).toBeGreaterThan(0);
      expect(side.latencyMs.p50).toBeGreaterThan(0);
      expect(side.latencyMs.p99).toBeGreaterThanOrEqual(side.latencyMs.p50);
      expect(side.cpuMicrosPerCall.median).toBeGreaterThan(0);
      expect(side.errors).toBe(0);
    }
    expect(l.grpcOverRest.median).toBeGreaterThan(0);
  }
  expect(r.bytesPerCall.rest).toBeGreaterThan(0);
  expect(r.bytesPerCall.grpc).toBeGreaterThan(0);
  expect(r.advice).toMatch(/gRPC|REST/);
  // Nothing left behind: the server process is gone, the temp folder removed.
  expect(alive(r.serverPid)).toBe(false);
  expect(existsSync(r.workDir)).toBe(false);
}

let dir: string;
beforeAll(async () => {
  dir = await makeProject({ files: { 'proto/shop.proto': PROTO } });
});
afterAll(async () => {
  await removeProject(dir);
});

describe('bench', () => {
  it('measures REST and gRPC on a message from a .proto file', async () => {
    const r = await runCli(['bench', '--proto', 'proto/shop.proto', ...FAST], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.message).toBe('shop.v1.Order'); // the response of the first unary RPC
    expectFigures(report);
    expect(report.payload.protobufBytes).toBeLessThan(report.payload.jsonBytes);
  });

  it('measures a REST link from its OpenAPI document, and prints a table with advice', async () => {
    expect(
      (
        await runCli(
          ['rest', 'user', '--resource', 'users:id=string,email=string,age=integer', '--yes', '--no-install'],
          dir,
        )
      ).exitCode,
    ).toBe(0);
    const r = await runCli(['bench', 'user', ...FAST], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expectFigures(JSON.parse(r.stdout) as Report);
    const table = await runCli(['bench', 'user', ...FAST.filter((f) => f !== '--json')], dir);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^1\s+REST\s+[\d,]+ \(/m);
    expect(table.stdout).toMatch(/^4\s+gRPC\/REST\s+\d+\.\d+x/m);
    expect(table.stdout.trim().split('\n').pop()).toMatch(/gRPC is|REST is/);
  });

  it('measures a queue link: publish -> consume -> delete and end-to-end latency on the local emulator', async () => {
    const made = await runCli(
      ['queue', 'order', '--message', 'OrderCreated:orderId=string,total=number', '--yes', '--no-install'],
      dir,
    );
    expect(made.exitCode, made.stderr).toBe(0);
    const r = await runCli(['bench', 'order', '--messages', '60', '--rounds', '1', '--json'], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      messages: number;
      publishPerSecond: { median: number };
      endToEndPerSecond: { median: number };
      latencyMs: { p50: number; p99: number };
      workDir: string;
    };
    expect(report.messages).toBe(60);
    expect(report.publishPerSecond.median).toBeGreaterThan(0);
    expect(report.endToEndPerSecond.median).toBeGreaterThan(0);
    expect(report.endToEndPerSecond.median).toBeLessThanOrEqual(report.publishPerSecond.median);
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
    expect(existsSync(report.workDir)).toBe(false);
  });

  it('without anything to measure: exit 2 with examples', async () => {
    const r = await runCli(['bench', '--proto', 'proto/missing.proto'], dir);
    expect(r.exitCode).toBe(2);
    const none = await runCli(['bench'], dir);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/--proto FILE/);
  });

  it('Ctrl-C stops the servers and removes the temp folder', async () => {
    const before = new Set((await readdir(tmpdir())).filter((f) => f.startsWith('csl-bench-')));
    const child = execa(
      'node',
      [CLI, 'bench', '--proto', 'proto/shop.proto', '--duration', '30', '--concurrency', '1'],
      {
        cwd: dir,
        reject: false,
        env: { NO_COLOR: '1' },
      },
    );
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    for (let i = 0; i < 300 && !/round 1/.test(err); i++) await new Promise((r) => setTimeout(r, 100));
    expect(err).toMatch(/round 1/);
    const servers = (await execa('pgrep', ['-f', 'bench/server-process.js'], { reject: false })).stdout
      .split('\n')
      .filter(Boolean);
    expect(servers.length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    for (const pid of servers) expect(alive(Number(pid))).toBe(false);
    const after = (await readdir(tmpdir())).filter((f) => f.startsWith('csl-bench-') && !before.has(f));
    expect(after).toEqual([]);
  });
});
