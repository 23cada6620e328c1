// `create-service-link bench`: REST vs gRPC on the user's own message, measured on this machine.
// Same message, same concurrency, interleaved rounds (REST, gRPC, REST, gRPC...), medians with min-max,
// the ratio taken pair by pair; servers in a separate process; every loop bounded in count and time.
import { fork, type ChildProcess } from 'node:child_process';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import { countingProxy, runPhase, type PhaseResult } from './load.js';
import { fillMessage, payloadBytes } from './payload.js';
import { pairedRatios, percentileSorted, spread, type Spread } from './stats.js';
import type { GenerateStandalone } from '../patterns/types.js';
import { createWorkspace, type ProtoTarget } from './workspace.js';

export interface BenchOptions {
  payload: string;
  concurrency: number[];
  /** Seconds per measured phase. */
  duration: number;
  rounds: number;
  /** Live progress on stderr. */
  progress: (line: string) => void;
  signal: AbortSignal;
  /** The engine's generator (see GenerateStandalone). */
  generate: GenerateStandalone;
}

export interface SideSummary {
  callsPerSecond: Spread;
  latencyMs: { p50: number; p95: number; p99: number };
  cpuMicrosPerCall: Spread;
  errors: number;
}

export interface BenchReport {
  message: string;
  label: string;
  payload: { jsonBytes: number; protobufBytes: number };
  bytesPerCall: { rest: number; grpc: number };
  levels: { concurrency: number; rest: SideSummary; grpc: SideSummary; grpcOverRest: Spread }[];
  advice: string;
  serverPid: number;
  workDir: string;
}

type Exports = Record<string, unknown>;
const load = (file: string) => import(pathToFileURL(file).href) as Promise<Exports>;

function findExport<T>(mod: Exports, test: (key: string, value: unknown) => boolean, what: string): T {
  const hit = Object.entries(mod).find(([k, v]) => test(k, v));
  if (!hit) throw new Error(`generated code has no ${what}`);
  return hit[1] as T;
}

function summarize(results: PhaseResult[]): SideSummary {
  const total = results.reduce((n, r) => n + r.calls, 0);
  const pooled = new Float64Array(total);
  let at = 0;
  for (const r of results) {
    pooled.set(r.latencies.subarray(0, r.calls), at);
    at += r.calls;
  }
  pooled.sort();
  return {
    callsPerSecond: spread(results.map((r) => r.callsPerSecond)),
    latencyMs: {
      p50: percentileSorted(pooled, 50),
      p95: percentileSorted(pooled, 95),
      p99: percentileSorted(pooled, 99),
    },
    cpuMicrosPerCall: spread(results.map((r) => r.cpuMicrosPerCall)),
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}

export function advise(levels: BenchReport['levels']): string {
  if (levels.length === 0) return 'No figures.';
  const top = levels[levels.length - 1]!;
  const r = top.grpcOverRest.median;
  const at = `at ${top.concurrency} concurrent caller${top.concurrency > 1 ? 's' : ''}`;
  const x = `${r.toFixed(2)}x`;
  if (!(r >= 1)) return `REST is as fast or faster here (gRPC ${x} ${at}): stay with REST.`;
  if (r < 1.5) return `gRPC is ${x} here ${at}: not worth the coupling unless you need streaming.`;
  if (r < 3)
    return `gRPC is ${x} here ${at}: worth it if this call is on a hot path; otherwise REST keeps the services loosely coupled.`;
  return `gRPC is ${x} here ${at}: a clear win for this high-volume call.`;
}

async function startServers(workDir: string): Promise<{ child: ChildProcess; grpcPort: number; httpPort: number }> {
  const script = fileURLToPath(new URL('./server-process.js', import.meta.url));
  const child = fork(script, [workDir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ports = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench servers did not start within 20 s')), 20_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as { grpcPort: number; httpPort: number });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench servers exited (${code}) before starting`));
    });
  });
  return { child, ...ports };
}

async function stopServers(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

export async function runBench(target: ProtoTarget & { label: string }, options: BenchOptions): Promise<BenchReport> {
  if (options.concurrency.some((c) => !Number.isInteger(c) || c < 1 || c > 1024))
    throw new UsageError('--concurrency: whole numbers from 1 to 1024, e.g. 1,16,64');
  if (!(options.duration > 0 && options.duration <= 600))
    throw new UsageError('--duration: seconds per phase, more than 0 and at most 600');
  if (!Number.isInteger(options.rounds) || options.rounds < 1 || options.rounds > 50)
    throw new UsageError('--rounds: 1 to 50');
  const target_bytes = payloadBytes(options.payload);

  options.progress('generating the gRPC and REST versions of the call');
  const ws = await createWorkspace(target, options.generate);
  let child: ChildProcess | undefined;
  const clients: { close?(): void }[] = [];
  try {
    const object = fillMessage(ws.type, target_bytes);
    const protoBytes = ws.type.encode(ws.type.fromObject(object)).finish();
    const json = ws.type.toObject(ws.type.fromObject(object), {
      longs: String,
      enums: String,
      bytes: String,
      json: true,
    });
    const jsonBytes = Buffer.byteLength(JSON.stringify(json));

    const grpcIndex = await load(path.join(ws.dir, 'js', 'grpc', 'index.js'));
    const typeName = ws.type.name;
    const codec = findExport<{ decode(b: Uint8Array): unknown }>(
      grpcIndex,
      (k, v) =>
        (k === typeName || k.endsWith(`_${typeName}`)) && typeof (v as { decode?: unknown })?.decode === 'function',
      `codec for ${target.message}`,
    );
    const grpcRequest = codec.decode(protoBytes);
    const GrpcClient = findExport<new (o: object) => { call(r: unknown): Promise<unknown>; close(): void }>(
      grpcIndex,
      (k) => k === 'BenchServiceClient',
      'BenchServiceClient',
    );
    const restModule = await load(path.join(ws.dir, 'js', 'rest', 'client.js'));
    const RestClient = findExport<new (o: object) => { call(body: unknown): Promise<unknown> }>(
      restModule,
      (k, v) => k.endsWith('Client') && typeof v === 'function',
      'REST client class',
    );

    options.progress('starting the servers (separate process)');
    const servers = await startServers(ws.dir);
    child = servers.child;
    const grpcClient = new GrpcClient({ address: `127.0.0.1:${servers.grpcPort}`, insecure: true });
    clients.push(grpcClient);
    const restClient = new RestClient({ baseUrl: `http://127.0.0.1:${servers.httpPort}` });
    const sides = {
      rest: () => restClient.call(json),
      grpc: () => grpcClient.call(grpcRequest),
    };
    // A failing side would be measured as fast: check both round-trip first.
    const echoed = (await restClient.call(json)) as unknown;
    if (JSON.stringify(echoed) !== JSON.stringify(json)) throw new Error('REST echo does not match the message sent');
    await grpcClient.call(grpcRequest);

    // Bytes on the wire: a counting relay, 100 sequential calls each (connection set-up included).
    options.progress('measuring bytes on the wire');
    const wire = { rest: 0, grpc: 0 };
    {
      const p1 = await countingProxy(servers.httpPort);
      const viaRest = new RestClient({ baseUrl: `http://127.0.0.1:${p1.port}` });
      for (let i = 0; i < 100; i++) await viaRest.call(json);
      wire.rest = p1.bytes() / 100;
      await p1.close();
      const p2 = await countingProxy(servers.grpcPort);
      const viaGrpc = new GrpcClient({ address: `127.0.0.1:${p2.port}`, insecure: true });
      for (let i = 0; i < 100; i++) await viaGrpc.call(grpcRequest);
      viaGrpc.close();
      wire.grpc = p2.bytes() / 100;
      await p2.close();
    }

    const ms = options.duration * 1000;
    const levels: BenchReport['levels'] = [];
    for (const c of options.concurrency) {
      if (options.signal.aborted) break;
      options.progress(`warm-up, ${c} caller${c > 1 ? 's' : ''}`);
      await runPhase(sides.rest, c, Math.min(ms, 1000) / 2, options.signal);
      await runPhase(sides.grpc, c, Math.min(ms, 1000) / 2, options.signal);
      const rest: PhaseResult[] = [];
      const grpc: PhaseResult[] = [];
      for (let round = 1; round <= options.rounds && !options.signal.aborted; round++) {
        for (const side of ['rest', 'grpc'] as const) {
          options.progress(
            `${side === 'rest' ? 'REST' : 'gRPC'}, ${c} caller${c > 1 ? 's' : ''}, round ${round}/${options.rounds}`,
          );
          const r = await runPhase(sides[side], c, ms, options.signal);
          if (r.errors && !r.calls) throw new Error(`${side} calls fail: ${r.firstError}`);
          (side === 'rest' ? rest : grpc).push(r);
        }
      }
      levels.push({
        concurrency: c,
        rest: summarize(rest),
        grpc: summarize(grpc),
        grpcOverRest: pairedRatios(
          rest.map((r) => r.callsPerSecond),
          grpc.map((r) => r.callsPerSecond),
        ),
      });
    }
    return {
      message: target.message,
      label: target.label,
      payload: { jsonBytes, protobufBytes: protoBytes.length },
      bytesPerCall: wire,
      levels,
      advice: advise(levels),
      serverPid: child.pid ?? -1,
      workDir: ws.dir,
    };
  } finally {
    for (const c of clients) c.close?.();
    if (child) await stopServers(child);
    await ws.remove();
  }
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '-';

export function formatReport(r: BenchReport): string {
  const rows: string[][] = [
    [
      'callers',
      'pattern',
      'calls/s median (min-max)',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'bytes/call',
      'client CPU µs/call',
    ],
  ];
  for (const l of r.levels) {
    for (const [name, s, bytes] of [
      ['REST', l.rest, r.bytesPerCall.rest],
      ['gRPC', l.grpc, r.bytesPerCall.grpc],
    ] as const) {
      rows.push([
        String(l.concurrency),
        name,
        `${fmt(s.callsPerSecond.median)} (${fmt(s.callsPerSecond.min)}-${fmt(s.callsPerSecond.max)})${s.errors ? ` ${s.errors} errors` : ''}`,
        fmt(s.latencyMs.p50, 2),
        fmt(s.latencyMs.p95, 2),
        fmt(s.latencyMs.p99, 2),
        fmt(bytes),
        fmt(s.cpuMicrosPerCall.median),
      ]);
    }
    rows.push([
      String(l.concurrency),
      'gRPC/REST',
      `${l.grpcOverRest.median.toFixed(2)}x (${l.grpcOverRest.min.toFixed(2)}-${l.grpcOverRest.max.toFixed(2)}x)`,
      '',
      '',
      '',
      '',
      '',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const table = rows
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  return [
    `Message ${r.message} from ${r.label}: ${fmt(r.payload.jsonBytes)} bytes as JSON, ${fmt(r.payload.protobufBytes)} as protobuf.`,
    '',
    table,
    '',
    r.advice,
  ].join('\n');
}

/** Writes the proto derived from an OpenAPI operation to a temp file the workspace can import. */
export async function protoFile(text: string): Promise<{ file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'csl-bench-api-'));
  const file = path.join(dir, 'api.proto');
  await writeFile(file, text);
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}
