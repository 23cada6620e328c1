// Regeneration you can trust, end to end (issue 11), for the queue: a scripted sequence of AsyncAPI edits
// in a temp project, each followed by `generate`, `tsc`, a run of a small program against fauxqs (SQS on
// 127.0.0.1), and `generate --check`. After every step the lines the user wrote are all still in their
// files. The first and last steps run the real CLI and tsc processes; the others run the same code in
// this process (test/helpers/in-process.ts). The gRPC sequence is in regen-e2e-grpc.test.ts.
import { buildApp } from 'fauxqs';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, removeProject, runCli, snapshot } from './helpers/project.js';
import { UserProject } from './helpers/user-project.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await removeProject(dir);
});

// The body is exactly the payload: the type travels beside it (publish(type, payload)).
const QUEUE_PROBE = `import { ShopPublisher, startShopConsumer, type ShopMessage, type ShopMessageType } from './links/shop/index.js';
import { seen } from './seen.js';

const messages = JSON.parse(process.argv[2] ?? '[]') as ({ type: ShopMessageType } & Record<string, unknown>)[];
const publisher = new ShopPublisher();
for (const { type, ...payload } of messages) await publisher.publish(type, payload as ShopMessage);
const consumer = startShopConsumer({ waitTimeSeconds: 1, stopOnSignals: false });
const deadline = Date.now() + 10_000;
while (seen.length < messages.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
await consumer.stop();
console.log(JSON.stringify([...seen].sort()));
`;

type Fields = Record<string, string>;

function asyncapi(messages: Record<string, Fields>): string {
  const lines = [
    'asyncapi: 3.0.0',
    'info:',
    '  title: shop',
    '  version: 1.0.0',
    'channels:',
    '  shop:',
    '    address: shop',
    '    messages:',
  ];
  for (const [name, fields] of Object.entries(messages)) {
    lines.push(`      ${name}:`, `        name: ${name}`, '        payload:', '          type: object');
    lines.push(`          required: [${Object.keys(fields)[0]}]`, '          properties:');
    for (const [field, type] of Object.entries(fields)) lines.push(`            ${field}: { type: ${type} }`);
  }
  return `${lines.join('\n')}\n`;
}

describe('queue: a sequence of contract edits', () => {
  it('every step compiles, every handler of the user keeps handling its messages', async () => {
    const sqsServer = buildApp({ logger: false });
    await sqsServer.listen({ host: '127.0.0.1', port: 0 });
    try {
      const endpoint = `http://127.0.0.1:${(sqsServer.server.address() as AddressInfo).port}`;
      const sqs = new SQSClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 't', secretAccessKey: 't' },
      });
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shop' }));
      sqs.destroy();
      const env = {
        SQS_ENDPOINT: endpoint,
        SHOP_QUEUE_URL: QueueUrl!,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 't',
        AWS_SECRET_ACCESS_KEY: 't',
      };
      const dir = await makeProject({
        module: 'esm',
        files: { 'src/seen.ts': 'export const seen: string[] = [];\n', 'src/probe.ts': QUEUE_PROBE },
      });
      dirs.push(dir);
      const p = new UserProject(dir);
      const file = 'src/links/shop/handlers.ts';
      const contract: Record<string, Fields> = { ItemAdded: { sku: 'string' } };
      const save = async (next: Record<string, Fields>) => {
        await writeFile(path.join(dir, 'asyncapi/shop.yaml'), asyncapi(next));
      };
      await mkdir(path.join(dir, 'asyncapi'));
      await save(contract);
      const created = await runCli(['queue', 'shop', '--asyncapi', 'asyncapi/shop.yaml', '--yes', '--no-install'], dir);
      expect(created.exitCode, created.stderr).toBe(0);
      const stub = (type: string) => new RegExp(`(?<=async ${type}\\(message, context\\) \\{\\n)[^]*?(?=\\n  \\},)`);
      const handle = (type: string, field: string) =>
        `    void context;\n    seen.push(\`${type}:\${message.${field}}\`);`;

      // 1. The user writes ItemAdded (and imports what it uses).
      await p.edit(
        file,
        "import type { ShopHandlers } from './consumer.js';",
        "import type { ShopHandlers } from './consumer.js';\nimport { seen } from '../../seen.js';",
      );
      await p.edit(file, stub('ItemAdded'), handle('ItemAdded', 'sku'));
      await p.step([], 'cli');
      expect(await p.run('probe.js', [{ type: 'ItemAdded', sku: 'a' }], env)).toEqual(['ItemAdded:a']);

      // 2. A new message type: a stub, which the user fills in.
      await save({ ...contract, ItemSold: { sku: 'string', price: 'number' } });
      await p.step();
      await p.edit(file, stub('ItemSold'), handle('ItemSold', 'sku'));
      // 3. A third type, and a field added to the first.
      await save({
        ItemAdded: { sku: 'string', qty: 'integer' },
        ItemSold: { sku: 'string', price: 'number' },
        ItemShipped: { sku: 'string' },
      });
      await p.step();
      await p.edit(file, stub('ItemShipped'), handle('ItemShipped', 'sku'));
      await p.step();
      expect(
        await p.run(
          'probe.js',
          [
            { type: 'ItemAdded', sku: 'a', qty: 1 },
            { type: 'ItemSold', sku: 's' },
          ],
          env,
        ),
      ).toEqual(['ItemAdded:a', 'ItemSold:s']);

      // 4. ItemSold renamed ItemPurchased (same payload): named as a likely rename, then moved with --rename.
      const renamed = {
        ItemAdded: { sku: 'string', qty: 'integer' },
        ItemPurchased: { sku: 'string', price: 'number' },
        ItemShipped: { sku: 'string' },
      };
      await save(renamed);
      expect(await p.step()).toContain('generate --rename ItemSold=ItemPurchased');
      await p.step(['--rename', 'ItemSold=ItemPurchased']);
      const afterRename = await p.read(file);
      expect(afterRename).not.toContain('export const removedHandlers');
      expect(await p.run('probe.js', [{ type: 'ItemPurchased', sku: 'p' }], env)).toEqual(['ItemSold:p']);

      // 5. ItemAdded removed: its handler is parked, the project compiles; 6. back: in its place, byte for byte.
      const { ItemAdded: _gone, ...rest } = renamed;
      await save(rest);
      await p.step();
      expect(await p.read(file)).toContain('export const removedHandlers');
      expect(await p.run('probe.js', [{ type: 'ItemShipped', sku: 'x' }], env)).toEqual(['ItemShipped:x']);
      await save(renamed);
      await p.step();
      expect(await p.read(file)).toBe(afterRename);

      // 7. Mid-edit: the `handlers` object is not closed and a type is added: generate refuses, writes nothing.
      await writeFile(path.join(dir, file), afterRename.replace(/\n\};\n/, '\n'));
      await save({ ...renamed, ItemReturned: { sku: 'string' } });
      const before = await snapshot(dir);
      const refused = await runCli(['generate'], dir);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(/src\/links\/shop\/handlers\.ts:\d+:\d+: [^]*Nothing was written\./);
      expect(await snapshot(dir)).toEqual(before);
      await writeFile(path.join(dir, file), afterRename);
      await p.step();
      expect(
        await p.run(
          'probe.js',
          [
            { type: 'ItemAdded', sku: 'b', qty: 2 },
            { type: 'ItemShipped', sku: 'y' },
          ],
          env,
        ),
      ).toEqual(['ItemAdded:b', 'ItemShipped:y']);

      // 8. The user fills in ItemReturned.
      await p.edit(file, stub('ItemReturned'), handle('ItemReturned', 'sku'));
      await p.step();
      expect(await p.run('probe.js', [{ type: 'ItemReturned', sku: 'r' }], env)).toEqual(['ItemReturned:r']);

      // 9. ItemShipped gains an optional field, which the user's handler reads.
      const now: Record<string, Fields> = {
        ...renamed,
        ItemShipped: { sku: 'string', carrier: 'string' },
        ItemReturned: { sku: 'string' },
      };
      await save(now);
      await p.step();
      await p.rewrite(
        file,
        '    seen.push(`ItemShipped:${message.sku}`);',
        "    seen.push(`ItemShipped:${message.sku}:${message.carrier ?? ''}`);",
      );
      await p.step();
      expect(await p.run('probe.js', [{ type: 'ItemShipped', sku: 'z', carrier: 'ups' }], env)).toEqual([
        'ItemShipped:z:ups',
      ]);

      // 10. A type widened (qty integer -> number): safe, nothing for the user to do.
      await save(Object.assign(now, { ItemAdded: { sku: 'string', qty: 'number' } }));
      await p.step();
      expect(await p.run('probe.js', [{ type: 'ItemAdded', sku: 'w', qty: 1.5 }], env)).toEqual(['ItemAdded:w']);

      // 11. ItemReturned removed: its handler is parked, the others keep handling.
      const { ItemReturned: _returned, ...withoutReturned } = now;
      await save(withoutReturned);
      await p.step();
      expect(await p.read(file)).toContain('export const removedHandlers');

      // 12. ItemShipped renamed ItemDispatched: named as a likely rename; the user moves it a step later.
      const { ItemShipped: shipped, ...others } = withoutReturned;
      const dispatched = { ...others, ItemDispatched: shipped! };
      await save(dispatched);
      expect(await p.step()).toContain('generate --rename ItemShipped=ItemDispatched');
      expect(await p.run('probe.js', [{ type: 'ItemAdded', sku: 'q', qty: 1 }], env)).toEqual(['ItemAdded:q']);

      // 13. generate --rename, with no contract edit in the same run: the body moves to the new type.
      await p.step(['--rename', 'ItemShipped=ItemDispatched']);
      expect(await p.run('probe.js', [{ type: 'ItemDispatched', sku: 'd', carrier: 'dhl' }], env)).toEqual([
        'ItemShipped:d:dhl',
      ]);

      // 14. Mid-edit, the AsyncAPI document does not parse: exit 1 at file:line:col, nothing written.
      const contractFile = path.join(dir, 'asyncapi/shop.yaml');
      await writeFile(
        contractFile,
        asyncapi(dispatched).replace('    address: shop\n', '    address: shop\n   bad: [\n'),
      );
      const snap = await snapshot(dir);
      const broken = await runCli(['generate'], dir);
      expect(broken.exitCode).toBe(1);
      expect(broken.stderr).toMatch(/asyncapi\/shop\.yaml:\d+:\d+/);
      expect(await snapshot(dir)).toEqual(snap);
      await save(dispatched);
      await p.step();

      // 15. ItemReturned comes back: the user's handler is served again, nothing parked any more.
      await save({ ...dispatched, ItemReturned: { sku: 'string' } });
      await p.step([], 'cli');
      expect(await p.read(file)).not.toContain('export const removedHandlers');
      expect(
        await p.run(
          'probe.js',
          [
            { type: 'ItemReturned', sku: 'r2' },
            { type: 'ItemDispatched', sku: 'd2' },
          ],
          env,
        ),
      ).toEqual(['ItemReturned:r2', 'ItemShipped:d2:']);
    } finally {
      await sqsServer.close();
    }
  }, 600_000);
});
