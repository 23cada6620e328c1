// The queue pattern through the built CLI: create, compile, add a message type + generate (handlers
// kept), a broken document exits 1 with its location and writes nothing, missing flags exit 2.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compile, makeProject, removeProject, runCli, snapshot } from './helpers/project.js';

let dir: string;
beforeAll(async () => {
  dir = await makeProject({ module: 'cjs' });
});
afterAll(async () => {
  await removeProject(dir);
});

test('queue link through the CLI: create, regenerate after adding a type, broken document, missing flag', async () => {
  const missing = await runCli(['queue', 'order', '--yes', '--no-install'], dir);
  expect(missing.exitCode).toBe(2);
  expect(missing.stderr).toContain('--message');

  const created = await runCli(['queue', 'order', '--message', 'OrderCreated:orderId=string,total=number', '--fifo', '--yes', '--no-install'], dir);
  expect(created.stderr).toBe('');
  expect(created.exitCode).toBe(0);
  const manifest = JSON.parse(await readFile(path.join(dir, 'service-link.json'), 'utf8'));
  expect(manifest.links.order.options).toEqual({ broker: 'sqs', queueUrlEnv: 'ORDER_QUEUE_URL', fifo: true });
  expect(await compile(dir)).toEqual({ ok: true, output: '' });

  // The user writes a handler, then adds a message type to the document and regenerates.
  const handlersPath = path.join(dir, 'src/links/order/handlers.ts');
  const mine = (await readFile(handlersPath, 'utf8')).replace(/throw new Error\([^\n]*\n/, "console.log('mine', message.orderId, context.groupId);\n");
  await writeFile(handlersPath, mine);
  const docPath = path.join(dir, 'asyncapi/order.yaml');
  const doc = await readFile(docPath, 'utf8');
  expect(doc).toContain('address: order.fifo');
  const edited = doc.replace(
    '      OrderCreated:\n        $ref: "#/components/messages/OrderCreated"\n',
    '      OrderCreated:\n        $ref: "#/components/messages/OrderCreated"\n      OrderShipped:\n        payload:\n          type: object\n          properties:\n            carrier: { type: string, enum: [ups, dhl] }\n',
  );
  expect(edited).not.toBe(doc);
  await writeFile(docPath, edited);
  const regenerated = await runCli(['generate'], dir);
  expect(regenerated.stderr).toBe('');
  expect(regenerated.exitCode).toBe(0);
  const merged = await readFile(handlersPath, 'utf8');
  expect(merged.slice(0, mine.lastIndexOf('};'))).toBe(mine.slice(0, mine.lastIndexOf('};')));
  expect(merged).toContain('async OrderShipped(message, context) {');
  expect(await readFile(path.join(dir, 'src/links/order/messages.ts'), 'utf8')).toContain('carrier?: "ups" | "dhl";');
  expect(await compile(dir)).toEqual({ ok: true, output: '' });

  // A payload that is not an object: exit 1 with file:line:column, nothing written.
  await writeFile(docPath, edited.replace('          type: object\n          properties:\n            carrier', '          type: array\n          properties:\n            carrier'));
  const snap = await snapshot(dir);
  const broken = await runCli(['generate'], dir);
  expect(broken.exitCode).toBe(1);
  expect(broken.stderr).toMatch(/asyncapi\/order\.yaml:\d+:\d+: the payload of "OrderShipped" must be an object schema/);
  const after = await snapshot(dir);
  after.delete('dist/');
  expect([...after.keys()].filter((k) => after.get(k) !== snap.get(k))).toEqual([]);
}, 90_000);
