#!/usr/bin/env node
// Fan-out soak (not a timed test): N messages published by the generated fan-out publisher reach three
// consuming services. The topology is what a user gets: a publishing link and three consumer-only links
// (`--fan-out --role consumer`), each from its own AsyncAPI document naming the types it handles, their
// CloudFormation files as `generate` wrote them, applied on fauxqs by `create-service-link setup-local`
// (topic, a queue + DLQ per service, raw subscriptions with a filter policy on `type`). Each service runs
// its generated consumer in its own process with the idempotency hook (a store shared by all processes,
// as Redis or DynamoDB would be).
// 5% of messages fail their first handler call in each service, 1% always fail (poison: they must end in
// the service's DLQ, after the file's maxReceiveCount), 2% of successful deletes are "lost" (dropped before
// they reach SQS, so the message comes back after its handler succeeded: the hook must catch it), and one
// service's consumer is stopped with SIGTERM a third of the way through and replaced.
// Prints per service: lost, processed twice after success, redeliveries after success caught by the hook,
// poison in the DLQ; and messages/s of each phase (publish; consume before the SIGTERM, while the service
// is down and after its replacement started).
//   npm run build && node bench/queue-fanout-soak.mjs
//   N=2000 CSL_ROOT=/path/to/another/checkout node bench/queue-fanout-soak.mjs
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { execFile, execFileSync, fork } from 'node:child_process';
import { promisify } from 'node:util';
import { buildApp } from 'fauxqs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cslRoot = path.resolve(process.env.CSL_ROOT ?? root);
const N = Number(process.env.N ?? 10_000);
const DRAIN_LIMIT_MS = Number(process.env.DRAIN_LIMIT_S ?? 300) * 1000;
const VISIBILITY = 5; // asked on receive: short, so lost deletes come back within the soak
const TYPES = ['OrderCreated', 'OrderPaid', 'OrderShipped'];
/** Each consuming service and the types its document receives (its filter policy). */
const SERVICES = { billing: ['OrderCreated', 'OrderPaid'], shipping: ['OrderPaid', 'OrderShipped'], audit: TYPES };
const log = (s) => process.stdout.write(`${s}\n`);

// A consumer process: the generated consumer, the idempotency hook keyed by the payload's `id`, over a store
// kept by the soak (IPC: atomic like Redis SET NX), and an SQS client that drops 2% of delete entries.
const CHILD = `
import { DeleteMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
const mod = await import(process.env.SOAK_LINK);
const Consumer = Object.entries(mod).find(([k]) => k.endsWith('Consumer') && !k.startsWith('start'))[1];
const service = process.env.SOAK_SERVICE;
const send = (event) => process.send({ ...event, s: service });
let next = 0;
const waiting = new Map();
process.on('message', (reply) => { waiting.get(reply.n)?.(reply.result); waiting.delete(reply.n); });
const call = (op, key, seconds) =>
  new Promise((resolve) => { const n = next++; waiting.set(n, resolve); process.send({ op, n, key: service + ':' + key, seconds }); });
const store = {
  claim: (key, lease) => call('claim', key, lease),
  complete: (key, ttl) => call('complete', key, ttl),
  release: (key) => call('release', key),
};
const client = new SQSClient({ endpoint: process.env.SQS_ENDPOINT });
const realSend = client.send.bind(client);
const lost = (handle) => [...handle].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 100 < 2;
client.send = async (command, options) => {
  if (!(command instanceof DeleteMessageBatchCommand)) return realSend(command, options);
  const dropped = command.input.Entries.filter((e) => lost(e.ReceiptHandle));
  const kept = command.input.Entries.filter((e) => !lost(e.ReceiptHandle));
  const out = kept.length ? await realSend(new DeleteMessageBatchCommand({ ...command.input, Entries: kept }), options)
    : { Successful: [], Failed: [] };
  return { ...out, Successful: [...(out.Successful ?? []), ...dropped.map((e) => ({ Id: e.Id }))] };
};
const handler = async (message, context) => {
  send({ e: 'start', id: message.id, n: context.receiveCount });
  await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 3));
  if (message.plan === 'poison' || (message.plan === 'flaky' && context.receiveCount === 1)) {
    send({ e: 'fail', id: message.id });
    throw new Error('planned failure');
  }
  send({ e: 'done', id: message.id });
};
const consumer = new Consumer({
  client,
  queueUrl: process.env.SOAK_QUEUE_URL,
  visibilityTimeoutSeconds: ${VISIBILITY},
  retryDelaySeconds: () => 0,
  handlers: new Proxy({}, { get: () => handler }),
  idempotency: { store, key: (message) => message.id },
  hooks: {
    duplicate: (event) => send({ e: 'dup', mid: event.messageId }),
    invalid: (event) => send({ e: 'invalid', mid: event.messageId, reason: event.reason }),
    error: (error, operation) => console.error(\`[\${service} \${process.pid}] \${operation}: \${error.message}\`),
  },
});
await consumer.start();
process.exit(0);
`;

/** A one-channel AsyncAPI document on the `orders-events` topic: `types`, sent or received. */
function asyncapi(title, types, action) {
  const payload =
    '{ type: object, required: [id, plan], properties: { id: { type: string }, plan: { type: string } } }';
  return [
    'asyncapi: 3.0.0',
    `info: { title: ${title}, version: 1.0.0 }`,
    'channels:',
    '  events:',
    '    address: orders-events',
    '    messages:',
    ...types.map((t) => `      ${t}: { name: ${t}, payload: ${payload} }`),
    'operations:',
    `  ${action}: { action: ${action}, channel: { $ref: '#/channels/events' } }`,
    '',
  ].join('\n');
}

async function generateProject(endpoint) {
  const dir = await mkdtemp(path.join(tmpdir(), 'csl-fanout-soak-'));
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'fanout-soak', private: true, type: 'module' }),
  );
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
  await mkdir(path.join(dir, 'asyncapi'));
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const cli = path.join(cslRoot, 'bin', 'create-service-link.js');
  const run = (args) =>
    execFileSync('node', [cli, ...args, '--cwd', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  // The publishing service's link, and one consumer-only link per consuming service.
  await writeFile(path.join(dir, 'asyncapi/orders.yaml'), asyncapi('orders', TYPES, 'send'));
  run([
    'queue',
    'orders',
    '--asyncapi',
    'asyncapi/orders.yaml',
    '--fan-out',
    '--role',
    'publisher',
    '--yes',
    '--no-install',
  ]);
  for (const [service, types] of Object.entries(SERVICES)) {
    const file = `asyncapi/${service}.yaml`;
    await writeFile(path.join(dir, file), asyncapi(service, types, 'receive'));
    run(['queue', service, '--asyncapi', file, '--fan-out', '--role', 'consumer', '--yes', '--no-install']);
  }
  execFileSync('node', [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { stdio: 'inherit' });
  await writeFile(path.join(dir, 'consumer.mjs'), CHILD);
  // The links' infrastructure files as generate wrote them, applied by link name.
  // Not execFileSync: fauxqs runs in this process and must answer setup-local meanwhile.
  const setup = ['setup-local', 'orders', ...Object.keys(SERVICES), '--endpoint', endpoint, '--cwd', dir];
  const { stdout: out } = await promisify(execFile)('node', [cli, ...setup], { cwd: dir });
  const env = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const receives = (await readFile(path.join(dir, 'infra/billing.cloudformation.yaml'), 'utf8')).match(
    /maxReceiveCount: (\d+)/,
  )?.[1];
  return { dir, env, maxReceives: Number(receives) };
}

/** A service's queue URL: the variable its generated consumer reads (`BILLING_QUEUE_URL`). */
const queueUrlOf = (env, service) => env[`${service.toUpperCase()}_QUEUE_URL`];

/** The DLQ of a queue, from the redrive policy the infrastructure file gave it. */
async function dlqOf(sqs, queueUrl) {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
  const arn = JSON.parse(out.Attributes.RedrivePolicy).deadLetterTargetArn;
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: arn.split(':').pop() }))).QueueUrl;
}

/** A deterministic spread over 0-99, so plans are the same on every run. */
function spread(i) {
  let x = Math.imul(i + 1, 2654435761);
  x ^= x >>> 15;
  x = Math.imul(x, 2246822519);
  x ^= x >>> 13;
  return (x >>> 0) % 100;
}

function plan(total) {
  return Array.from({ length: total }, (_, i) => {
    const r = spread(i);
    return { id: `m${i}`, type: TYPES[i % TYPES.length], plan: r < 5 ? 'flaky' : r === 5 ? 'poison' : 'ok' };
  });
}

/** The shared idempotency store, answering the consumers' IPC calls (one Map: claims are atomic). */
class SharedStore {
  entries = new Map();
  answer(op, key, seconds) {
    const now = Date.now();
    const entry = this.entries.get(key);
    if (op === 'claim') {
      if (entry && entry.expiresAt > now) return entry.state;
      this.entries.set(key, { state: 'in-progress', expiresAt: now + 1000 * seconds });
      return 'claimed';
    }
    if (op === 'complete') this.entries.set(key, { state: 'done', expiresAt: now + 1000 * seconds });
    else if (op === 'release' && entry?.state === 'in-progress') this.entries.delete(key);
    return undefined;
  }
}

class Stats {
  done = new Map(); // service:id -> times the effect ran
  dups = new Map(); // service -> duplicates caught by the hook
  firstDone = new Map(); // service -> time of its last first success
  firstTimes = []; // time of every first success, all services
  record(event) {
    const k = `${event.s}:${event.id}`;
    if (event.e === 'done') {
      const n = (this.done.get(k) ?? 0) + 1;
      this.done.set(k, n);
      if (n === 1) this.firstTimes.push(performance.now());
      this.firstDone.set(event.s, performance.now());
    } else if (event.e === 'dup') this.dups.set(event.s, (this.dups.get(event.s) ?? 0) + 1);
  }
  doneIn(service) {
    let n = 0;
    for (const k of this.done.keys()) if (k.startsWith(`${service}:`)) n++;
    return n;
  }
}

function startConsumer(ctx, service) {
  const child = fork(path.join(ctx.dir, 'consumer.mjs'), [], {
    env: {
      ...process.env,
      ...ctx.env,
      AWS_ACCESS_KEY_ID: 'soak',
      AWS_SECRET_ACCESS_KEY: 'soak',
      SOAK_LINK: path.join(ctx.dir, 'dist', 'links', service, 'index.js'),
      SOAK_QUEUE_URL: queueUrlOf(ctx.env, service),
      SOAK_SERVICE: service,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (m) => {
    if (m.op) child.send({ n: m.n, result: ctx.store.answer(m.op, m.key, m.seconds) });
    else ctx.stats.record(m);
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, exited };
}

/** Through the generated fan-out publisher (the topic ARN and SNS endpoint from setup-local's environment). */
async function publishAll(ctx, messages) {
  Object.assign(process.env, ctx.env, { AWS_ACCESS_KEY_ID: 'soak', AWS_SECRET_ACCESS_KEY: 'soak' });
  const { OrdersPublisher } = await import(pathToFileURL(path.join(ctx.dir, 'dist/links/orders/index.js')).href);
  const publisher = new OrdersPublisher();
  const entries = messages.map((m) => ({ type: m.type, payload: { id: m.id, plan: m.plan } }));
  for (let i = 0; i < entries.length; i += 1000) {
    const out = await publisher.publishBatch(entries.slice(i, i + 1000));
    if (out.failed.length) throw new Error(`publish failed: ${out.failed[0].code} ${out.failed[0].reason}`);
  }
}

async function dlqIds(sqs, dlq) {
  const ids = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return ids;
    ids.push(...out.Messages.map((m) => JSON.parse(m.Body).id));
    const Entries = out.Messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlq, Entries }));
  }
}

async function depth(sqs, queueUrl) {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes.ApproximateNumberOfMessages) + Number(out.Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

const server = buildApp({ logger: false });
await server.listen({ host: '127.0.0.1', port: 0 });
const endpoint = `http://127.0.0.1:${server.server.address().port}`;
const clientConfig = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' } };
const sqs = new SQSClient(clientConfig);
let dir;
try {
  log(`fan-out soak on fauxqs: ${N} messages, 3 consuming services, links generated by ${cslRoot}`);
  const project = await generateProject(endpoint);
  if (process.env.SOAK_DEBUG) log(`generated ${JSON.stringify(project.env)}`);
  dir = project.dir;
  const ctx = { ...project, store: new SharedStore(), stats: new Stats() };
  const messages = plan(N);
  const wanted = (service) =>
    messages.filter((m) => SERVICES[service].length === 0 || SERVICES[service].includes(m.type));

  const t0 = performance.now();
  await publishAll(ctx, messages);
  const publishMs = performance.now() - t0;
  if (process.env.SOAK_DEBUG) log(`published in ${Math.round(publishMs)} ms`);

  const started = performance.now();
  const consumers = Object.keys(SERVICES).map((s) => ({ s, ...startConsumer(ctx, s) }));
  const billingTarget = wanted('billing').filter((m) => m.plan !== 'poison').length;
  while (ctx.stats.doneIn('billing') < billingTarget / 3) {
    if (performance.now() - started > DRAIN_LIMIT_MS) throw new Error('the consumers made no progress');
    await new Promise((r) => setTimeout(r, 10));
  }
  const sigtermAt = performance.now() - started;
  const stopped = consumers.find((c) => c.s === 'billing');
  stopped.child.kill('SIGTERM');
  await stopped.exited;
  const restartedAt = performance.now() - started;
  consumers.push({ s: 'billing', ...startConsumer(ctx, 'billing') });

  const report = {};
  for (;;) {
    const pending = [];
    for (const s of Object.keys(SERVICES)) {
      const target = wanted(s).filter((m) => m.plan !== 'poison').length;
      const queued = await depth(sqs, queueUrlOf(ctx.env, s));
      if (ctx.stats.doneIn(s) < target || queued > 0) pending.push(s);
    }
    if (pending.length === 0 || performance.now() - started > DRAIN_LIMIT_MS) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const drainMs = performance.now() - started;
  for (const c of consumers.slice(3)) c.child.kill('SIGTERM');
  for (const c of consumers.slice(0, 3)) if (c.s !== 'billing') c.child.kill('SIGTERM');
  await Promise.all(consumers.map((c) => c.exited));

  log(
    `  topology: the links' generated infrastructure files, applied by setup-local (maxReceiveCount ${project.maxReceives})`,
  );
  log(`  publish to the topic              ${Math.round(N / (publishMs / 1000))} msg/s (${N} messages)`);
  log(
    `  billing consumer: SIGTERM at ${(sigtermAt / 1000).toFixed(1)} s, exited and replaced at ${(restartedAt / 1000).toFixed(1)} s`,
  );
  // Messages handled (first successes, all services) per phase of the consume.
  const lastDone = Math.max(...ctx.stats.firstTimes) - started;
  const phases = [
    ['before the SIGTERM', 0, sigtermAt],
    ['SIGTERM to replacement', sigtermAt, restartedAt],
    ['after the replacement', restartedAt, lastDone],
  ];
  for (const [name, from, to] of phases) {
    const n = ctx.stats.firstTimes.filter((t) => t - started > from && t - started <= to).length;
    const rate = to > from ? Math.round(n / ((to - from) / 1000)) : 0;
    log(`  consume, ${name.padEnd(24)} ${rate} msg/s (${n} handled in ${((to - from) / 1000).toFixed(1)} s)`);
  }
  for (const s of Object.keys(SERVICES)) {
    const mine = wanted(s);
    const handleable = mine.filter((m) => m.plan !== 'poison');
    const poison = mine.filter((m) => m.plan === 'poison').map((m) => m.id);
    const lost = handleable.filter((m) => !ctx.stats.done.has(`${s}:${m.id}`)).length;
    let twice = 0;
    for (const [k, n] of ctx.stats.done) if (k.startsWith(`${s}:`) && n > 1) twice++;
    const dlq = await dlqOf(sqs, queueUrlOf(ctx.env, s));
    const dead = new Set(await dlqIds(sqs, dlq));
    const deadPoison = poison.filter((id) => dead.has(id)).length;
    const elapsed = ((ctx.stats.firstDone.get(s) ?? performance.now()) - started) / 1000;
    report[s] = { lost, twice, deadPoison };
    log(`\n  ${s} (${SERVICES[s].length ? SERVICES[s].join(', ') : 'every type'}): ${mine.length} messages`);
    log(`    lost                             ${lost}`);
    log(`    processed twice after success    ${twice}`);
    log(`    redeliveries caught by the hook  ${ctx.stats.dups.get(s) ?? 0}`);
    log(
      `    poison in the DLQ                ${deadPoison}/${poison.length}, other messages in the DLQ ${dead.size - deadPoison}`,
    );
    log(
      `    consume                          ${Math.round(handleable.length / elapsed)} msg/s (all handled after ${elapsed.toFixed(1)} s)`,
    );
  }
  log(`\n  drained after                    ${(drainMs / 1000).toFixed(1)} s`);
  const bad = Object.values(report).some((r) => r.lost || r.twice);
  if (bad) process.exitCode = 1;
} finally {
  sqs.destroy();
  await server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}
