// `bench <queue-link>`: publish -> consume -> delete throughput and end-to-end latency of the link's own
// generated publisher/consumer, against a local SQS emulator (fauxqs) started in this process on 127.0.0.1.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import type { LinkConfig, ProjectInfo } from '../core/types.js';
import type { GenerateStandalone } from '../patterns/types.js';
import { percentileSorted, spread, type Spread } from './stats.js';
import { transpile } from './workspace.js';

export interface QueueReport {
  link: string;
  fifo: boolean;
  messageType: string;
  messages: number;
  publishPerSecond: Spread;
  endToEndPerSecond: Spread;
  latencyMs: { p50: number; p95: number; p99: number };
  workDir: string;
}

type Json = Record<string, unknown>;

/** A small valid instance of a JSON Schema (required and optional properties filled). */
export function sampleOf(schema: Json, defs: Record<string, Json>, depth = 0): unknown {
  if (typeof schema.$ref === 'string') return sampleOf(defs[schema.$ref.split('/').pop()!] ?? {}, defs, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  for (const k of ['allOf', 'oneOf', 'anyOf'] as const) {
    const variants = schema[k] as Json[] | undefined;
    if (variants?.length)
      return k === 'allOf'
        ? Object.assign({}, ...variants.map((v) => sampleOf(v, defs, depth + 1)))
        : sampleOf(variants[0]!, defs, depth + 1);
  }
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null');
  switch (type) {
    case 'string':
      return schema.format === 'date-time' ? new Date(0).toISOString() : 'sample-value';
    case 'integer':
      return typeof schema.minimum === 'number' ? schema.minimum : 7;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 42.5;
    case 'boolean':
      return true;
    case 'array':
      return depth > 4 ? [] : [sampleOf((schema.items ?? {}) as Json, defs, depth + 1)];
    default: {
      const out: Json = {};
      if (depth > 4) return out;
      for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, Json>))
        out[k] = sampleOf(v, defs, depth + 1);
      return out;
    }
  }
}

/** The ESM entry of package `id` installed for `root` (node_modules up the tree), or undefined. */
function resolveFrom(root: string, id: string): string | undefined {
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    const pkgFile = path.join(dir, 'node_modules', id, 'package.json');
    if (existsSync(pkgFile)) {
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: unknown; main?: string };
      let entry: unknown = pkg.exports;
      if (entry && typeof entry === 'object' && '.' in entry) entry = (entry as Record<string, unknown>)['.'];
      // Node's rule: the first condition in key order that applies to an ESM import.
      while (entry && typeof entry === 'object') {
        const conditions = Object.entries(entry as Record<string, unknown>);
        entry = conditions.find(([k]) => k === 'node' || k === 'import' || k === 'default')?.[1];
      }
      return path.join(path.dirname(pkgFile), typeof entry === 'string' ? entry : (pkg.main ?? 'index.js'));
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export async function runQueueBench(
  project: ProjectInfo,
  link: LinkConfig,
  options: {
    messages: number;
    rounds: number;
    progress: (line: string) => void;
    signal: AbortSignal;
    generate: GenerateStandalone;
  },
): Promise<QueueReport> {
  if (!resolveFrom(project.root, '@aws-sdk/client-sqs'))
    throw new UsageError(
      'bench for a queue link needs @aws-sdk/client-sqs installed in the project (npm install @aws-sdk/client-sqs)',
    );
  const fauxqsEntry =
    resolveFrom(project.root, 'fauxqs') ?? resolveFrom(fileURLToPath(new URL('.', import.meta.url)), 'fauxqs');
  if (!fauxqsEntry)
    throw new UsageError('bench for a queue link runs against a local SQS emulator: npm install -D fauxqs@1.9.2');

  const dir = await mkdtemp(path.join(tmpdir(), 'csl-bench-'));
  let app: { close(): Promise<unknown>; server: { address(): unknown } } | undefined;
  const envBefore = { ...process.env };
  try {
    options.progress('generating the queue link');
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    const modules = path.join(project.root, 'node_modules');
    if (existsSync(modules)) await symlink(modules, path.join(dir, 'node_modules'), 'dir');
    const files = await options.generate({
      project: { ...project, moduleSystem: 'esm', importSuffix: '.js' },
      link: { ...link, out: 'out' },
      runtimeDir: '_runtime',
      read: (file) => readFile(path.join(project.root, file), 'utf8').catch(() => undefined),
    });
    for (const f of files) {
      await mkdir(path.dirname(path.join(dir, 'src', f.path)), { recursive: true });
      await writeFile(path.join(dir, 'src', f.path), f.content);
    }
    await transpile(path.join(dir, 'src'), path.join(dir, 'js'));
    const mod = (await import(pathToFileURL(path.join(dir, 'js', 'out', 'index.js')).href)) as Record<string, unknown>;
    const find = (suffix: string) =>
      Object.entries(mod).find(([k, v]) => k.endsWith(suffix) && typeof v === 'function')?.[1];
    const Publisher = find('Publisher') as new (
      o: object,
    ) => {
      publish(type: string, payload: unknown, o?: object): Promise<unknown>;
      publishBatch(e: object[]): Promise<{ failed: unknown[] }>;
    };
    const Consumer = find('Consumer') as new (o: object) => { start(): Promise<void>; stop(): Promise<void> };
    if (!Publisher || !Consumer) throw new Error('generated queue code has no Publisher/Consumer class');

    const { readAsyncApi } = await import('../contracts/asyncapi.js');
    const { queueLink } = await import('../contracts/asyncapi-queue.js');
    const contract = link.contracts[0]!;
    const model = queueLink(readAsyncApi(await readFile(path.join(project.root, contract), 'utf8'), contract));
    const first = model.messages[0]!;
    const sample = sampleOf(first.schema, {
      ...model.schemas,
      ...((first.schema.$defs ?? {}) as Record<string, Json>),
    }) as Json;
    // A message type with required headers is published with sample headers too (else the publisher refuses it).
    const headers = first.headers ? { headers: sampleOf(first.headers, model.schemas as Record<string, Json>) } : {};
    const fifo = model.fifo || link.options.fifo === true;

    options.progress('starting the SQS emulator on 127.0.0.1');
    const { buildApp } = (await import(pathToFileURL(fauxqsEntry).href)) as {
      buildApp(o: object): typeof app & { listen(o: object): Promise<unknown> };
    };
    const server = buildApp({ logger: false })!;
    await server.listen({ host: '127.0.0.1', port: 0 });
    app = server;
    const port = (server.server.address() as { port: number }).port;
    Object.assign(process.env, {
      SQS_ENDPOINT: `http://127.0.0.1:${port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
    });
    const { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, DeleteQueueCommand } = await import(
      pathToFileURL(resolveFrom(project.root, '@aws-sdk/client-sqs')!).href
    );
    const sqs = new SQSClient({
      endpoint: process.env.SQS_ENDPOINT,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });

    const publishRates: number[] = [];
    const e2eRates: number[] = [];
    const latencies: number[] = [];
    for (let round = 1; round <= options.rounds && !options.signal.aborted; round++) {
      const name = `bench-${round}${fifo ? '.fifo' : ''}`;
      const queueUrl: string = (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: name,
            Attributes: fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {},
          }),
        )
      ).QueueUrl;
      const groupOpts = (i: number) => ({
        ...headers,
        ...(fifo ? { groupId: `g${i % 16}`, deduplicationId: `r${round}-m${i}` } : {}),
      });
      let handled = 0;
      const waiting = new Map<number, () => void>();
      const handler = async () => {
        handled++;
        for (const [, wake] of waiting) wake();
      };
      const handlers = Object.fromEntries(
        model.messages.map((m) => [m.name.charAt(0).toLowerCase() + m.name.slice(1), handler]),
      );
      const allHandlers = new Proxy(handlers, {
        get: (t, k) => (typeof k === 'string' ? (t[k] ?? handler) : undefined),
      });
      const publisher = new Publisher({ queueUrl });
      options.progress(`queue round ${round}/${options.rounds}: publishing ${options.messages} messages`);
      const t0 = performance.now();
      const result = await publisher.publishBatch(
        Array.from({ length: options.messages }, (_, i) => ({ type: first.value, payload: sample, ...groupOpts(i) })),
      );
      if (result.failed.length) throw new Error(`${result.failed.length} messages failed to publish`);
      const t1 = performance.now();
      options.progress(`queue round ${round}/${options.rounds}: consuming`);
      const consumer = new Consumer({
        queueUrl,
        concurrency: 10,
        waitTimeSeconds: 1,
        stopOnSignals: false,
        handlers: allHandlers,
      });
      void consumer.start();
      const limit = performance.now() + 120_000;
      const isEmpty = async () => {
        const a = (
          await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          )
        ).Attributes;
        return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) === 0;
      };
      while (!(handled >= options.messages && (await isEmpty()))) {
        if (performance.now() > limit || options.signal.aborted)
          throw new Error(`only ${handled} of ${options.messages} messages were consumed within 120 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const t2 = performance.now();
      publishRates.push(options.messages / ((t1 - t0) / 1000));
      e2eRates.push(options.messages / ((t2 - t0) / 1000));
      // End-to-end latency: one message at a time, publish until its handler runs (consumer long-polling).
      for (let i = 0; i < 20 && !options.signal.aborted; i++) {
        const before = handled;
        const start = performance.now();
        const seen = new Promise<void>((resolve) => waiting.set(i, () => handled > before && resolve()));
        await publisher.publish(first.value, sample, {
          ...headers,
          ...(fifo ? { groupId: 'latency', deduplicationId: `r${round}-l${i}` } : {}),
        });
        await Promise.race([seen, new Promise((r) => setTimeout(r, 10_000))]);
        waiting.delete(i);
        latencies.push(performance.now() - start);
      }
      await consumer.stop();
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    }
    sqs.destroy();
    const sorted = Float64Array.from(latencies).sort();
    return {
      link: link.name,
      fifo,
      messageType: first.name,
      messages: options.messages,
      publishPerSecond: spread(publishRates),
      endToEndPerSecond: spread(e2eRates),
      latencyMs: {
        p50: percentileSorted(sorted, 50),
        p95: percentileSorted(sorted, 95),
        p99: percentileSorted(sorted, 99),
      },
      workDir: dir,
    };
  } finally {
    for (const k of ['SQS_ENDPOINT', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      if (envBefore[k] === undefined) delete process.env[k];
      else process.env[k] = envBefore[k];
    }
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const n = (v: number, d = 0) =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-';

export function formatQueueReport(r: QueueReport): string {
  return [
    `Queue link ${r.link}${r.fifo ? ' (FIFO)' : ''}: ${n(r.messages)} ${r.messageType} messages per round through the generated publisher and consumer,`,
    'against the fauxqs SQS emulator on 127.0.0.1 (consumer concurrency 10, batches of 10).',
    '',
    `  publish                      ${n(r.publishPerSecond.median)} msg/s (${n(r.publishPerSecond.min)}-${n(r.publishPerSecond.max)})`,
    `  publish -> consume -> delete ${n(r.endToEndPerSecond.median)} msg/s (${n(r.endToEndPerSecond.min)}-${n(r.endToEndPerSecond.max)})`,
    `  end-to-end latency           p50 ${n(r.latencyMs.p50, 1)} ms, p95 ${n(r.latencyMs.p95, 1)} ms, p99 ${n(r.latencyMs.p99, 1)} ms`,
    '',
    'An emulator on loopback shows the code’s own cost; a real SQS queue adds tens of milliseconds per request.',
  ].join('\n');
}
