#!/usr/bin/env node
// Queue throughput: messages per second through publish -> consume -> delete, the generated
// publisher/consumer pair against sqs-producer + sqs-consumer (from bench/node_modules) with the same
// no-op handler, on the same fauxqs SQS emulator started in-process on 127.0.0.1. Run after `npm run build`.
//   N=5000 RUNS=3 node bench/queue.bench.mjs
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { execFileSync } from 'node:child_process';
import { buildApp } from 'fauxqs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.N ?? 5000);
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = 10;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (s) => process.stdout.write(`${s}\n`);

function loadPeers() {
  const requireBench = createRequire(path.join(root, 'bench', 'package.json'));
  try {
    return { Consumer: requireBench('sqs-consumer').Consumer, Producer: requireBench('sqs-producer').Producer };
  } catch {
    log('(sqs-consumer / sqs-producer not in bench/node_modules: `cd bench && npm install` to compare)');
    return undefined;
  }
}

async function generatedPair() {
  const dir = await mkdtemp(path.join(tmpdir(), 'csl-bench-queue-'));
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'bench-queue', private: true, type: 'module' }),
  );
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        types: ['node'],
        outDir: 'dist',
        rootDir: 'src',
      },
      include: ['src'],
    }),
  );
  await mkdir(path.join(dir, 'src'));
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  execFileSync(
    'node',
    [
      path.join(root, 'bin', 'create-service-link.js'),
      'queue',
      'bench',
      '--message',
      'Tick:id=string,n=integer',
      '--yes',
      '--no-install',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  execFileSync('node', [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { stdio: 'inherit' });
  return { dir, mod: await import(pathToFileURL(path.join(dir, 'dist', 'links', 'bench', 'index.js')).href) };
}

const server = buildApp({ logger: false });
await server.listen({ host: '127.0.0.1', port: 0 });
const endpoint = `http://127.0.0.1:${server.server.address().port}`;
const region = 'us-east-1';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const sqs = new SQSClient({ endpoint, region, credentials });
Object.assign(process.env, {
  AWS_REGION: region,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  SQS_ENDPOINT: endpoint,
});

async function freshQueue(name) {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
}
async function empty(queueUrl) {
  const a = (
    await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    )
  ).Attributes;
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) === 0;
}
async function waitFor(condition) {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 5));
}

const messages = Array.from({ length: N }, (_, i) => ({ type: 'Tick', id: `m-${i}`, n: i }));

async function runOurs(mod, run) {
  const queueUrl = await freshQueue(`ours-${run}`);
  // The generated code builds its own client (SQS_ENDPOINT, region and credentials from the environment).
  const started = performance.now();
  const result = await new mod.BenchPublisher({ queueUrl }).publishBatch(messages.map((message) => ({ message })));
  if (result.failed.length) throw new Error(`${result.failed.length} failed`);
  const published = performance.now();
  let handled = 0;
  const consumer = new mod.BenchConsumer({
    queueUrl,
    concurrency: CONCURRENCY,
    waitTimeSeconds: 1,
    stopOnSignals: false,
    handlers: { Tick: async () => void handled++ },
  });
  void consumer.start();
  await waitFor(async () => handled >= N && (await empty(queueUrl)));
  const done = performance.now();
  await consumer.stop();
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  return { publishMs: published - started, totalMs: done - started };
}

async function runPeers({ Consumer, Producer }, run) {
  const queueUrl = await freshQueue(`peers-${run}`);
  const client = new SQSClient({ endpoint, region, credentials });
  const started = performance.now();
  const producer = Producer.create({ queueUrl, sqs: client, batchSize: 10 });
  await producer.send(messages.map((m) => ({ id: m.id, body: JSON.stringify(m) })));
  const published = performance.now();
  let handled = 0;
  const consumer = Consumer.create({
    queueUrl,
    sqs: client,
    batchSize: 10,
    waitTimeSeconds: 1,
    handleMessage: async (message) => {
      JSON.parse(message.Body); // same work as ours minus schema validation
      handled++;
      return message;
    },
  });
  let finished = false;
  consumer.on('error', (e) => finished || log(`sqs-consumer error: ${e.message}`));
  consumer.start();
  await waitFor(async () => handled >= N && (await empty(queueUrl)));
  const done = performance.now();
  finished = true;
  const stopped = new Promise((resolve) => consumer.once('stopped', resolve));
  consumer.stop({ abort: false });
  await stopped;
  client.destroy();
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  return { publishMs: published - started, totalMs: done - started };
}

try {
  const peers = loadPeers();
  const { dir, mod } = await generatedPair();
  const rows = { 'generated (create-service-link)': [], ...(peers ? { 'sqs-producer + sqs-consumer': [] } : {}) };
  for (let run = 0; run < RUNS; run++) {
    // Alternate who goes first so warm-up and machine noise do not favour one side.
    const order = run % 2 === 0 ? ['ours', 'peers'] : ['peers', 'ours'];
    for (const who of order) {
      if (who === 'ours') rows['generated (create-service-link)'].push(await runOurs(mod, run));
      else if (peers) rows['sqs-producer + sqs-consumer'].push(await runPeers(peers, run));
    }
  }
  log(
    `\nQueue: ${N} messages publish -> consume -> delete on fauxqs (in-process, 127.0.0.1), median of ${RUNS}, consumer concurrency ${CONCURRENCY} / batch 10`,
  );
  log('  pair                              publish msg/s   end-to-end msg/s');
  for (const [name, results] of Object.entries(rows)) {
    const pub = N / (median(results.map((r) => r.publishMs)) / 1000);
    const total = N / (median(results.map((r) => r.totalMs)) / 1000);
    log(`  ${name.padEnd(34)}${String(Math.round(pub)).padStart(13)}${String(Math.round(total)).padStart(19)}`);
  }
  await rm(dir, { recursive: true, force: true });
} finally {
  sqs.destroy();
  await server.close();
}
