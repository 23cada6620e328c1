// Messages from producers this tool did not generate: a raw SendMessage of a payload as a real
// AsyncAPI document describes it, with and without the `type` attribute, reaches the right handler
// of a link generated from that document, on fauxqs (an SQS emulator) on 127.0.0.1. The streetlights
// document has four channels: the link is its consumer side (`--role consumer`), one consumer per channel.
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
  for (const [name, file, options] of [
    ['lights', 'streetlights-kafka.yml', { role: 'consumer' }],
    ['signup', 'simple-2.6.yml', {}],
  ] as const) {
    await copyFile(path.join(FIXTURES, file), path.join(dir, 'asyncapi', file));
    const link = { name, pattern: 'queue', contracts: [`asyncapi/${file}`], out: `src/links/${name}`, options };
    await generateLink(dir, link, 'esm');
  }
  expect((await compile(dir)).output).toBe('');
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await server?.close();
  if (dir) await removeProject(dir);
});

/** Sends raw bodies to a new queue read by `consumer` and returns, per body, the handler that received it. */
async function deliver(link: string, consumer: string, sends: { body: object; type?: string }[]): Promise<string[]> {
  const mod = await loadCompiled<Record<string, unknown>>(dir, `links/${link}/index.js`, 'esm');
  const Consumer = mod[consumer];
  const types = mod[Object.keys(mod).find((k) => k.endsWith('_MESSAGE_TYPES'))!] as string[];
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${consumer}-raw` }))).QueueUrl!;
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
  const running = new (Consumer as ConsumerClass)({
    client: sqs,
    queueUrl,
    handlers,
    stopOnSignals: false,
    waitTimeSeconds: 1,
  });
  void running.start();
  for (let i = 0; i < 100 && got.size < sends.length; i++) await new Promise((r) => setTimeout(r, 50));
  await running.stop();
  return sends.map(({ body }) => got.get(JSON.stringify({ ...body, type: undefined })) ?? 'none');
}

describe('raw messages from other producers', () => {
  test("each channel's consumer takes its bodies, with or without the type attribute", async () => {
    const sentAt = '2026-01-01T00:00:00Z';
    // turnOnOff travels on two channels (turn on, turn off): one handler, called by both consumers.
    expect(await deliver('lights', 'LightsLightTurnOnConsumer', [{ body: { command: 'on', sentAt } }])).toEqual([
      'turnOnOff',
    ]);
    expect(await deliver('lights', 'LightsLightTurnOffConsumer', [{ body: { command: 'off', sentAt } }])).toEqual([
      'turnOnOff',
    ]);
    expect(
      await deliver('lights', 'LightsLightsDimConsumer', [
        { body: { percentage: 40, sentAt } },
        { body: { sentAt, note: 'attribute' }, type: 'dimLight' },
      ]),
    ).toEqual(['dimLight', 'dimLight']);
    expect(await deliver('lights', 'LightsLightingMeasuredConsumer', [{ body: { lumens: 3, sentAt } }])).toEqual([
      'lightMeasured',
    ]);
  }, 30_000);

  test('a 2.x document with one message: every body is that message', async () => {
    const handled = await deliver('signup', 'SignupConsumer', [
      { body: { displayName: 'Ada', email: 'ada@example.com' } },
    ]);
    expect(handled).toEqual(['UserSignedUp']);
  }, 30_000);
});
