#!/usr/bin/env node
// Queue soak (not a timed test): the generated consumer under failures and a SIGTERM mid-stream, on fauxqs
// in-process on 127.0.0.1. Two consumer processes (concurrency 10) drain a standard queue of N messages
// (5% fail their first attempt, 1% always fail, INVALID bodies that never parse); one is stopped with
// SIGTERM a third of the way through and replaced. Then the same on a FIFO queue over GROUPS groups.
// Prints, per phase: lost, processed twice after success, what reached the dead-letter queue, stranded
// messages (first handled with a receive count above 1 though no consumer failed or handed them back: a
// stop kept them until their visibility timeout), the stopped consumer's stop time, the drain time, msg/s.
//   npm run build && node bench/queue-soak.mjs
//   N=10000 INVALID=200 FIFO_N=2000 GROUPS=20 CSL_ROOT=/path/to/another/checkout node bench/queue-soak.mjs
// CSL_ROOT picks the create-service-link checkout (built) that generates the consumer: compare two branches.
// Phases are functions over one link (soakPhase); fan-out phases can be added the same way.
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteMessageBatchCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { execFileSync, fork } from 'node:child_process';
import { buildApp } from 'fauxqs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cslRoot = path.resolve(process.env.CSL_ROOT ?? root);
const N = Number(process.env.N ?? 10_000);
const INVALID = Number(process.env.INVALID ?? 200);
const FIFO_N = Number(process.env.FIFO_N ?? 2000);
const GROUPS = Number(process.env.GROUPS ?? 20);
const DRAIN_LIMIT_MS = Number(process.env.DRAIN_LIMIT_S ?? 300) * 1000;
const VISIBILITY = 30; // the consumer's default
const log = (s) => process.stdout.write(`${s}\n`);

// The consumer process: the generated consumer with default options (concurrency 10, visibility 30 s),
// reporting each event to the soak over IPC. `flaky` fails its first receive, `poison` every one.
const CHILD = `
const mod = await import(process.env.SOAK_LINK);
const Consumer = Object.entries(mod).find(([k]) => k.endsWith('Consumer') && !k.startsWith('start'))[1];
const send = (event) => process.send(event);
const consumer = new Consumer({
  queueUrl: process.env.SOAK_QUEUE_URL,
  retryDelaySeconds: () => 0,
  handlers: {
    async Job(message, context) {
      send({ e: 'start', id: message.id, mid: context.messageId, n: context.receiveCount, g: message.group, seq: message.seq });
      await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 4));
      if (message.plan === 'poison' || (message.plan === 'flaky' && context.receiveCount === 1)) {
        send({ e: 'fail', id: message.id });
        throw new Error('planned failure');
      }
      send({ e: 'done', id: message.id, g: message.group, seq: message.seq });
    },
  },
  hooks: {
    invalid: (event) => send({ e: 'invalid', mid: event.messageId }),
    stopped: (event) => send({ e: 'stopped', released: event.released, unfinished: event.unfinished }),
    error: (error, operation) => console.error(\`[consumer \${process.pid}] \${operation}: \${error.message}\`),
  },
});
await consumer.start();
process.exit(0);
`;

async function generateProject() {
  const dir = await mkdtemp(path.join(tmpdir(), 'csl-soak-'));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'soak', private: true, type: 'module' }));
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    outDir: 'dist',
    rootDir: 'src',
  };
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
  await mkdir(path.join(dir, 'src'));
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const cli = path.join(cslRoot, 'bin', 'create-service-link.js');
  const job = 'Job:id=string,plan=string,group=string,seq=integer';
  for (const args of [
    ['soak', '--message', job],
    ['soakfifo', '--message', job, '--fifo'],
  ])
    execFileSync('node', [cli, 'queue', ...args, '--yes', '--no-install'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  execFileSync('node', [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { stdio: 'inherit' });
  await writeFile(path.join(dir, 'consumer.mjs'), CHILD);
  return dir;
}

const server = buildApp({ logger: false });
await server.listen({ host: '127.0.0.1', port: 0 });
const endpoint = `http://127.0.0.1:${server.server.address().port}`;
const env = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'soak',
  AWS_SECRET_ACCESS_KEY: 'soak',
  SQS_ENDPOINT: endpoint,
};
const sqs = new SQSClient({
  endpoint,
  region: env.AWS_REGION,
  credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' },
});

async function attributes(queueUrl, names) {
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }))).Attributes;
}
async function queueDepth(queueUrl) {
  const a = await attributes(queueUrl, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
}
async function queuePair(name, fifo) {
  const suffix = fifo ? '.fifo' : '';
  const fifoAttr = fifo ? { FifoQueue: 'true' } : {};
  const create = async (n, extra) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: n + suffix, Attributes: { ...fifoAttr, ...extra } }))).QueueUrl;
  const dlq = await create(`${name}-dlq`, {});
  const arn = (await attributes(dlq, ['QueueArn'])).QueueArn;
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 });
  return { queueUrl: await create(name, { RedrivePolicy, VisibilityTimeout: String(VISIBILITY) }), dlq };
}

/** A deterministic spread over 0-99 (a 32-bit integer hash), so plans fall in every FIFO group. */
function spread(i) {
  let x = Math.imul(i + 1, 2654435761);
  x ^= x >>> 15;
  x = Math.imul(x, 2246822519);
  x ^= x >>> 13;
  return (x >>> 0) % 100;
}

/** The messages of a phase, in send order: about 5% flaky, 1% poison, `invalid` bodies spread among them. */
function plan(total, invalid, groups) {
  const bodies = [];
  const every = Math.max(1, Math.floor(total / Math.max(1, invalid)));
  for (let i = 0; i < total; i++) {
    const r = spread(i);
    const p = r < 5 ? 'flaky' : r === 5 ? 'poison' : 'ok';
    const group = groups ? `g${i % groups}` : 'none';
    bodies.push({
      group,
      body: JSON.stringify({ type: 'Job', id: `m${i}`, plan: p, group, seq: Math.floor(i / (groups || 1)) }),
      p,
    });
    const n = i / every;
    if (i % every === 0 && n < invalid) {
      // In the group of message i + n, so invalid bodies land in every FIFO group.
      const badGroup = groups ? `g${(i + n) % groups}` : 'none';
      bodies.push({ group: badGroup, body: `{"type":"Job","id":"bad${i}",`, p: 'invalid' });
    }
  }
  return bodies;
}

async function publish(queueUrl, bodies, fifo) {
  const batches = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  const sendBatch = async (batch, b) => {
    const Entries = batch.map((m, n) => ({
      Id: String(n),
      MessageBody: m.body,
      ...(fifo ? { MessageGroupId: m.group, MessageDeduplicationId: `d${b}-${n}` } : {}),
    }));
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
    if (out.Failed?.length) throw new Error(`publish failed: ${out.Failed[0].Code}`);
  };
  // FIFO: one request at a time keeps each group's order; standard: 10 requests in flight.
  const lanes = fifo ? 1 : 10;
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < batches.length) {
        const b = next++;
        await sendBatch(batches[b], b);
      }
    }),
  );
}

function startConsumer(dir, link, queueUrl, stats, name) {
  const child = fork(path.join(dir, 'consumer.mjs'), [], {
    env: {
      ...process.env,
      ...env,
      SOAK_LINK: path.join(dir, 'dist', 'links', link, 'index.js'),
      SOAK_QUEUE_URL: queueUrl,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (event) => stats.record(event, name));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, exited };
}

class Stats {
  starts = new Map(); // id -> first start event
  done = new Map(); // id -> times succeeded
  failedOnce = new Set();
  released = new Set(); // message IDs handed back by a stop
  order = new Map(); // group -> seqs in first-success order
  invalidEvents = 0;
  stopped = [];
  record(event, who) {
    if (event.e === 'start' && !this.starts.has(event.id)) this.starts.set(event.id, event);
    else if (event.e === 'fail') this.failedOnce.add(event.id);
    else if (event.e === 'done') {
      const n = (this.done.get(event.id) ?? 0) + 1;
      this.done.set(event.id, n);
      if (n === 1) this.order.set(event.g, [...(this.order.get(event.g) ?? []), event.seq]);
    } else if (event.e === 'invalid') this.invalidEvents++;
    else if (event.e === 'stopped') {
      for (const mid of event.released) this.released.add(mid);
      this.stopped.push({ who, ...event });
    }
  }
  stranded() {
    return [...this.starts.values()].filter((s) => s.n > 1 && !this.released.has(s.mid)).length;
  }
}

/** The dead-letter queue's bodies, read and deleted (a FIFO queue hands out one message per group at a time). */
async function deadLettered(dlq) {
  const bodies = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) break;
    bodies.push(...out.Messages.map((m) => m.Body));
    const Entries = out.Messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlq, Entries }));
  }
  return bodies;
}

/** One phase: publish, two consumers, SIGTERM one a third of the way through and replace it, drain. */
async function soakPhase(dir, { name, link, fifo, total, invalid, groups }) {
  const { queueUrl, dlq } = await queuePair(name, fifo);
  const bodies = plan(total, invalid, groups);
  const t0 = performance.now();
  await publish(queueUrl, bodies, fifo);
  const publishMs = performance.now() - t0;
  const stats = new Stats();
  const poison = bodies.filter((b) => b.p === 'poison').length;
  const handleable = bodies.filter((b) => b.p === 'ok' || b.p === 'flaky').length;
  const invalidCount = bodies.filter((b) => b.p === 'invalid').length;
  const started = performance.now();
  const consumers = [startConsumer(dir, link, queueUrl, stats, 'A'), startConsumer(dir, link, queueUrl, stats, 'B')];
  while (stats.done.size < handleable / 3) {
    if (performance.now() - started > DRAIN_LIMIT_MS) throw new Error(`${name}: consumers made no progress`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const sigterm = performance.now();
  consumers[0].child.kill('SIGTERM');
  consumers.push(startConsumer(dir, link, queueUrl, stats, 'C'));
  await consumers[0].exited;
  const stopMs = performance.now() - sigterm;
  let allHandledMs;
  let dlqCount = 0;
  let drained = false;
  while (performance.now() - started < DRAIN_LIMIT_MS) {
    if (allHandledMs === undefined && stats.done.size >= handleable) allHandledMs = performance.now() - started;
    if (allHandledMs !== undefined) {
      dlqCount = Number((await attributes(dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages);
      if (dlqCount >= poison + invalidCount && (await queueDepth(queueUrl)) === 0) {
        drained = true;
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const drainMs = performance.now() - started;
  for (const c of consumers.slice(1)) c.child.kill('SIGTERM');
  await Promise.all(consumers.map((c) => c.exited));
  const dead = await deadLettered(dlq);
  const lost = bodies
    .filter((b) => b.p !== 'invalid' && b.p !== 'poison')
    .filter((b) => !stats.done.has(JSON.parse(b.body).id)).length;
  const twice = [...stats.done.values()].filter((n) => n > 1).length;
  const outOfOrder = fifo
    ? [...stats.order.values()].filter((seqs) => seqs.some((s, i) => i > 0 && s < seqs[i - 1])).length
    : 0;
  const deadPoison = dead.filter((b) => b.includes('"plan":"poison"')).length;
  const deadInvalid = dead.filter((b) => b.startsWith('{"type":"Job","id":"bad')).length;
  const stop = stats.stopped.find((s) => s.who === 'A');
  log(
    `\n${name}: ${total} messages${fifo ? ` over ${groups} groups` : ''}, ${invalidCount} invalid bodies, ${poison} poison; consumer A stopped with SIGTERM at ${Math.round((sigterm - started) / 1000)} s`,
  );
  log(`  lost                             ${lost}`);
  log(`  processed twice after success    ${twice}`);
  if (fifo) log(`  groups out of order              ${outOfOrder}`);
  log(
    `  dead-lettered                    ${deadPoison}/${poison} poison, ${deadInvalid}/${invalidCount} invalid, ${dead.length - deadPoison - deadInvalid} other`,
  );
  log(`  stranded by the stop             ${stats.stranded()}`);
  log(
    `  handed back by the stop          ${stop ? stop.released.length : 'n/a (no stopped hook)'}${stop ? `, unfinished ${stop.unfinished.length}` : ''}`,
  );
  log(`  stop time of A (SIGTERM -> exit) ${Math.round(stopMs)} ms`);
  log(
    `  all handleable handled after     ${allHandledMs === undefined ? 'never' : `${(allHandledMs / 1000).toFixed(1)} s`}`,
  );
  log(
    `  drain time                       ${drained ? `${(drainMs / 1000).toFixed(1)} s` : `not drained in ${DRAIN_LIMIT_MS / 1000} s`}`,
  );
  log(
    `  msg/s                            publish ${Math.round(bodies.length / (publishMs / 1000))}, consume ${allHandledMs ? Math.round(handleable / (allHandledMs / 1000)) : '-'}`,
  );
}

let dir;
try {
  log(`queue soak on fauxqs, consumer generated by ${cslRoot}`);
  dir = await generateProject();
  await soakPhase(dir, { name: 'standard', link: 'soak', fifo: false, total: N, invalid: INVALID, groups: 0 });
  if (FIFO_N > 0)
    await soakPhase(dir, {
      name: 'fifo',
      link: 'soakfifo',
      fifo: true,
      total: FIFO_N,
      invalid: Math.round(FIFO_N / 100),
      groups: GROUPS,
    });
} finally {
  sqs.destroy();
  await server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}
