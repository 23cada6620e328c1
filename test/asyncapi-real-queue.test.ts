// Messages from producers this tool did not generate: a raw SendMessage of a payload as a real
// AsyncAPI document describes it, with and without the `type` attribute, reaches the right handler
// of a link generated from that document, on fauxqs (an SQS emulator) on 127.0.0.1.
import { CreateQueueCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { copyFile, mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateLink, loadCompiled } from './fixtures/queue/harness.js';
import { compile, makeProject, removeProject } from './helpers/project.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'asyncapi-real');

type Handler = (message: Record<string, unknown>) => void;
type ConsumerClass = new (options: object) => { start(): Promise<void>; stop(): Promise<void> };

let server: Awaited<ReturnType<typeof buildApp>>;
let sqs: SQSClient;
let dir = '';

beforeAll(async () => {
  server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  dir = await makeProject({ module: 'esm' });
  await mkdir(path.join(dir, 'asyncapi'));
  for (const [name, file] of [
    ['lights', 'streetlights-kafka.yml'],
    ['signup', 'simple-2.6.yml'],
  ]) {
    await copyFile(path.join(FIXTURES, file), path.join(dir, 'asyncapi', file));
    const link = { name, pattern: 'queue', contracts: [`asyncapi/${file}`], out: `src/links/${name}`, options: {} };
    await generateLink(dir, link, 'esm');
  }
  expect((await compile(dir)).output).toBe('');
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await server?.close();
  if (dir) await removeProject(dir);
});

/** Sends raw bodies to a new queue and returns, per body, the handler that received it. */
async function deliver(link: string, sends: { body: object; type?: string }[]): Promise<string[]> {
  const mod = await loadCompiled<Record<string, unknown>>(dir, `links/${link}/index.js`, 'esm');
  const Consumer = Object.entries(mod).find(([k]) => k.endsWith('Consumer') && !k.startsWith('start'))![1];
  const types = mod[Object.keys(mod).find((k) => k.endsWith('_MESSAGE_TYPES'))!] as string[];
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${link}-raw` }))).QueueUrl!;
  const got = new Map<string, string>();
  const handlers = Object.fromEntries(
    types.map((t): [string, Handler] => [t, (m) => void got.set(JSON.stringify({ ...m, type: undefined }), t)]),
  );
  for (const { body, type } of sends)
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(body),
        ...(type ? { MessageAttributes: { type: { DataType: 'String', StringValue: type } } } : {}),
      }),
    );
  const consumer = new (Consumer as ConsumerClass)({
    client: sqs,
    queueUrl,
    handlers,
    stopOnSignals: false,
    waitTimeSeconds: 1,
  });
  void consumer.start();
  for (let i = 0; i < 100 && got.size < sends.length; i++) await new Promise((r) => setTimeout(r, 50));
  await consumer.stop();
  return sends.map(({ body }) => got.get(JSON.stringify({ ...body, type: undefined })) ?? 'none');
}

describe('raw messages from other producers', () => {
  test('without the type attribute, the schema that fits best names the handler; with it, the attribute', async () => {
    const sentAt = '2026-01-01T00:00:00Z';
    const handled = await deliver('lights', [
      { body: { command: 'on', sentAt } },
      { body: { percentage: 40, sentAt } },
      { body: { lumens: 3, sentAt } },
      { body: { sentAt }, type: 'dimLight' },
    ]);
    expect(handled).toEqual(['turnOnOff', 'dimLight', 'lightMeasured', 'dimLight']);
  }, 30_000);

  test('a 2.x document with one message: every body is that message', async () => {
    const handled = await deliver('signup', [{ body: { displayName: 'Ada', email: 'ada@example.com' } }]);
    expect(handled).toEqual(['UserSignedUp']);
  }, 30_000);
});
