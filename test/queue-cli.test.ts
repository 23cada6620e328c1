// The queue pattern through the built CLI: create, compile, add a message type + generate (handlers
// kept), a broken document exits 1 with its location and writes nothing, missing flags exit 2.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { execa } from 'execa';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLI, TOOL_ROOT, compile, makeProject, removeProject, runCli, snapshot } from './helpers/project.js';

/** `generate` through the built CLI, recording every module the process resolves. */
async function tracedGenerate(dir: string): Promise<{ exitCode: number; stderr: string; loaded: string; ms: number }> {
  const trace = path.join(dir, '.trace');
  const started = performance.now();
  const r = await execa(
    'node',
    ['--import', path.join(TOOL_ROOT, 'test/fixtures/trace-imports.mjs'), CLI, 'generate'],
    {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      env: { NO_COLOR: '1', CSL_TRACE_FILE: trace },
    },
  );
  const ms = performance.now() - started;
  const loaded = await readFile(trace, 'utf8');
  await rm(trace);
  return { exitCode: r.exitCode ?? -1, stderr: r.stderr, loaded, ms };
}

let dir: string;
const dirs: string[] = [];
beforeAll(async () => {
  dir = await makeProject({ module: 'cjs' });
});
afterAll(async () => {
  await Promise.all([dir, ...dirs].map(removeProject));
});

test('queue link through the CLI: create, regenerate after adding a type, broken document, missing flag', async () => {
  const missing = await runCli(['queue', 'order', '--yes', '--no-install'], dir);
  expect(missing.exitCode).toBe(2);
  expect(missing.stderr).toContain('--message');

  const created = await runCli(
    ['queue', 'order', '--message', 'OrderCreated:orderId=string,total=number', '--fifo', '--yes', '--no-install'],
    dir,
  );
  expect(created.stderr).toBe('');
  expect(created.exitCode).toBe(0);
  const manifest = JSON.parse(await readFile(path.join(dir, 'service-link.json'), 'utf8'));
  expect(manifest.links.order.options).toEqual({ broker: 'sqs', queueUrlEnv: 'ORDER_QUEUE_URL', fifo: true });
  expect(await compile(dir)).toEqual({ ok: true, output: '' });

  // The user writes a handler; `generate` with nothing to merge leaves it alone without loading ts-morph.
  const handlersPath = path.join(dir, 'src/links/order/handlers.ts');
  const mine = (await readFile(handlersPath, 'utf8')).replace(
    /throw new Error\([^\n]*\n/,
    "console.log('mine', message.orderId, context.groupId);\n",
  );
  await writeFile(handlersPath, mine);
  const noop = await tracedGenerate(dir);
  expect(noop.stderr).toBe('');
  expect(noop.exitCode).toBe(0);
  expect(noop.loaded).toContain('/patterns/queue/generate.js');
  expect(noop.loaded).not.toContain('ts-morph');
  expect(noop.loaded).not.toContain('/patterns/queue/merge.js');
  expect(noop.loaded).not.toContain('/codegen/reconcile.js');
  expect(await readFile(handlersPath, 'utf8')).toBe(mine);
  console.log(`[queue] no-op generate through the CLI: ${Math.round(noop.ms)} ms`);

  // Then adds a message type to the document and regenerates: now the merge (and ts-morph) is due.
  const docPath = path.join(dir, 'asyncapi/order.yaml');
  const doc = await readFile(docPath, 'utf8');
  expect(doc).toContain('address: order.fifo');
  const edited = doc.replace(
    '      OrderCreated:\n        $ref: "#/components/messages/OrderCreated"\n',
    '      OrderCreated:\n        $ref: "#/components/messages/OrderCreated"\n      OrderShipped:\n        payload:\n          type: object\n          properties:\n            carrier: { type: string, enum: [ups, dhl] }\n',
  );
  expect(edited).not.toBe(doc);
  await writeFile(docPath, edited);
  const regenerated = await tracedGenerate(dir);
  expect(regenerated.stderr).toBe('');
  expect(regenerated.exitCode).toBe(0);
  expect(regenerated.loaded).toContain('ts-morph');
  const merged = await readFile(handlersPath, 'utf8');
  expect(merged.slice(0, mine.lastIndexOf('};'))).toBe(mine.slice(0, mine.lastIndexOf('};')));
  expect(merged).toContain('async OrderShipped(message, context) {');
  expect(await readFile(path.join(dir, 'src/links/order/messages.ts'), 'utf8')).toContain(
    "carrier?: 'ups' | 'dhl' | undefined;",
  );
  expect(await compile(dir)).toEqual({ ok: true, output: '' });

  // A payload whose $ref does not resolve: exit 1 with file:line:column, nothing written.
  await writeFile(
    docPath,
    edited.replace('carrier: { type: string, enum: [ups, dhl] }', "carrier: { $ref: '#/components/schemas/Nope' }"),
  );
  const snap = await snapshot(dir);
  const broken = await runCli(['generate'], dir);
  expect(broken.exitCode).toBe(1);
  expect(broken.stderr).toMatch(/asyncapi\/order\.yaml:\d+:\d+: "#\/components\/schemas\/Nope" does not resolve/);
  const after = await snapshot(dir);
  after.delete('dist/');
  expect([...after.keys()].filter((k) => after.get(k) !== snap.get(k))).toEqual([]);
}, 90_000);

test('message types may be named like the link API (aliased in index.ts, namespaced in the consumer); only names messages.ts itself uses are refused', async () => {
  const dir = await makeProject();
  dirs.push(dir);
  // Every one of these is a name the publisher, consumer, settings or runtime export or import.
  const api = [
    'PublishOptions',
    'MessageContext',
    'ConsumerOptions',
    'OrderPublisher',
    'OrderConsumer',
    'QueueConfigError',
    'Message',
    'SQSClient',
    'Sleep',
  ];
  const r = await runCli(
    ['queue', 'order', ...api.flatMap((n) => ['--message', `${n}:id=string`]), '--yes', '--no-install'],
    dir,
  );
  expect(r.exitCode, r.stderr).toBe(0);
  await writeFile(
    path.join(dir, 'src/use.ts'),
    "import { OrderPublisher, PublishOptionsMessage, type PublishOptions } from './links/order/index.js';\n" +
      'export const options: PublishOptions = { delaySeconds: 1 };\n' +
      "export const message: PublishOptionsMessage = { type: 'PublishOptions', id: 'x' };\n" +
      'export const publisher = OrderPublisher;\n',
  );
  expect((await compile(dir)).output).toBe('');
  const index = await readFile(path.join(dir, 'src/links/order/index.ts'), 'utf8');
  expect(index).toContain('PublishOptions as PublishOptionsMessage');

  // A message named like a type messages.ts declares or uses takes the suffix `Message`: never refused.
  const names = ['ValidationIssue', 'ParseResult', 'OrderMessage', 'Record'];
  const other = await makeProject();
  dirs.push(other);
  const flags = names.flatMap((name) => ['--message', `${name}:id=string`]);
  const renamed = await runCli(['queue', 'order', ...flags, '--yes', '--no-install'], other);
  expect(renamed.exitCode, renamed.stderr).toBe(0);
  const messages = await readFile(path.join(other, 'src/links/order/messages.ts'), 'utf8');
  for (const name of names) expect(messages).toContain(`export type ${name}Message = {`);
  expect((await compile(other)).output).toBe('');
}, 120_000);
