// The load generator: N callers in a loop for a bounded time, latencies in a fixed buffer.
import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface PhaseResult {
  calls: number;
  errors: number;
  seconds: number;
  callsPerSecond: number;
  /** Latency samples in ms (first `calls` entries). */
  latencies: Float64Array;
  cpuMicrosPerCall: number;
  firstError?: string;
}

const MAX_SAMPLES = 2_000_000;

export async function runPhase(
  call: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  signal: AbortSignal,
): Promise<PhaseResult> {
  const latencies = new Float64Array(MAX_SAMPLES);
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + durationMs;
  const cpu = process.cpuUsage();
  const worker = async () => {
    while (!signal.aborted && calls < MAX_SAMPLES) {
      const t0 = performance.now();
      if (t0 >= deadline) return;
      try {
        await call();
        latencies[calls++] = performance.now() - t0;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        if (errors > 1000) return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    calls,
    errors,
    seconds,
    callsPerSecond: calls / seconds,
    latencies,
    cpuMicrosPerCall: calls ? (used.user + used.system) / calls : 0,
    firstError,
  };
}

/** A TCP relay in front of a server that counts the bytes both ways: bytes on the wire per call. */
export async function countingProxy(
  targetPort: number,
): Promise<{ port: number; bytes(): number; close(): Promise<void> }> {
  let total = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => (total += d.length));
    upstream.on('data', (d: Buffer) => (total += d.length));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    bytes: () => total,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
