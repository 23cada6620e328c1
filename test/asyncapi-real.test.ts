// Real AsyncAPI documents (test/fixtures/asyncapi-real, from the AsyncAPI spec's examples; see the
// README there): each is read, its examples validate against the payloads as read, and each one the
// generator of this release accepts generates a link that compiles under the strictest flags.
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import AjvModule from 'ajv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readAsyncApi } from '../src/contracts/asyncapi.js';
import { compile, makeProject, removeProject } from './helpers/project.js';
import { generateLink, loadCompiled } from './fixtures/queue/harness.js';
import { CreateQueueCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import type { AddressInfo } from 'node:net';
import { strictestTsconfig } from './helpers/strictest.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'asyncapi-real');

/** Documents this release refuses, and why (Avro payloads: described in JSON Schema instead). */
const REFUSED: Record<string, RegExp> = {
  'adeo-kafka-request-reply.yml': /schema format "application\/vnd\.apache\.avro;version=1\.9\.0"/,
};

/** Examples a document gives that its own schema rejects: the validator must say so, not accept them. */
const INVALID_EXAMPLES: Record<string, RegExp> = {
  // The schema declares `pair` an array of strings; both examples send one string.
  'kraken-websocket-multiple-channels.yml SubscriptionStatus': /"instancePath":"\/pair".*"must be array"/,
  // The event payload is closed (additionalProperties: false) but the example sends is_ext_shared_channel.
  'slack-client.yml Event': /"additionalProperty":"is_ext_shared_channel"/,
};

let dir = '';
let files: string[] = [];
beforeAll(async () => {
  files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.yml')).sort();
  dir = await makeProject({
    files: {
      'tsconfig.json': strictestTsconfig(),
    },
  });
}, 60_000);
afterAll(() => removeProject(dir));

describe('real AsyncAPI documents', () => {
  test('every document is read, or refused with a clear error; their examples validate as read', async () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    const ajv = new AjvModule.default({ strict: false, validateFormats: false });
    let valid = 0;
    for (const file of files) {
      const text = await readFile(path.join(FIXTURES, file), 'utf8');
      if (file.startsWith('adeo')) {
        expect(() => readAsyncApi(text, file)).toThrow(REFUSED[file]!);
        continue;
      }
      const model = readAsyncApi(text, file);
      expect(model.messages.length, file).toBeGreaterThan(0);
      for (const m of model.messages)
        for (const example of m.examples) {
          const validate = ajv.compile({ ...m.schema, $defs: model.schemas });
          const invalid = INVALID_EXAMPLES[`${file} ${m.name}`];
          if (invalid) {
            expect(validate(example)).toBe(false);
            expect(JSON.stringify(validate.errors)).toMatch(invalid);
          } else {
            expect(validate(example), `${file} ${m.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
            valid++;
          }
        }
    }
    expect(valid).toBe(6);
  });

  test('the documents the generator accepts generate links that compile under the strictest flags', async () => {
    const generated: string[] = [];
    for (const file of files) {
      const name = file.replace(/\.yml$/, '').replace(/[^a-z0-9]+/g, '-');
      await mkdir(path.join(dir, 'asyncapi'), { recursive: true });
      await copyFile(path.join(FIXTURES, file), path.join(dir, 'asyncapi', file));
      const link = { name, pattern: 'queue', contracts: [`asyncapi/${file}`], out: `src/links/${name}`, options: {} };
      const run = generateLink(dir, link, 'esm', { noUnusedParameters: true });
      if (REFUSED[file]) await expect(run).rejects.toThrow(REFUSED[file]);
      else generated.push((await run) && file);
    }
    expect(generated.length).toBe(files.length - Object.keys(REFUSED).length);
    const result = await compile(dir);
    expect(result.output).toBe('');
  }, 240_000);
});

/**
 * Examples that, sent without the type attribute, another message of the document fits as well: the
 * identification rule (most declared properties, the first on a tie) names that one. With the attribute
 * they reach their own handler.
 */
const AMBIGUOUS_WITHOUT_TYPE: Record<string, string> = {
  // `{ envelope_id }` alone: `event` (declared first) declares envelope_id too.
  'slack-client acknowledge': 'event',
};

describe("the documents' own examples on the wire", () => {
  let server: Awaited<ReturnType<typeof buildApp>> | undefined;
  let sqs: SQSClient | undefined;
  afterAll(async () => {
    sqs?.destroy();
    await server?.close();
  });

  /** Each document's valid examples, by link name: [message type, payload]. */
  async function examplesByLink(): Promise<Map<string, [string, unknown][]>> {
    const out = new Map<string, [string, unknown][]>();
    for (const file of files.filter((f) => !REFUSED[f])) {
      const model = readAsyncApi(await readFile(path.join(FIXTURES, file), 'utf8'), file);
      const examples = model.messages.flatMap((m) =>
        INVALID_EXAMPLES[`${file} ${m.name}`] ? [] : m.examples.map((e): [string, unknown] => [m.value, e]),
      );
      if (examples.length > 0) out.set(file.replace(/\.yml$/, '').replace(/[^a-z0-9]+/g, '-'), examples);
    }
    return out;
  }

  test('publish(type, example) -> consume hands each handler exactly the example; a raw body without the attribute too', async () => {
    server = buildApp({ logger: false });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const endpoint = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
    const byLink = await examplesByLink();
    expect([...byLink.values()].flat().length).toBeGreaterThanOrEqual(2);
    for (const [link, examples] of byLink) {
      const mod = await loadCompiled<Record<string, unknown>>(dir, `links/${link}/index.js`, 'esm');
      const Publisher = exported(mod, 'Publisher') as new (
        o: object,
      ) => {
        publish(type: string, payload: unknown): Promise<unknown>;
      };
      const Consumer = exported(mod, 'Consumer') as new (
        o: object,
      ) => { start(): Promise<void>; stop(): Promise<void> };
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${link}-examples` }))).QueueUrl!;
      const got: [string, unknown][] = [];
      const handlers = new Proxy(
        {},
        { get: (_t, type: string) => (payload: unknown) => void got.push([type, payload]) },
      );
      const publisher = new Publisher({ client: sqs, queueUrl });
      for (const [type, payload] of examples) await publisher.publish(type, payload);
      // A producer this tool did not generate: the example alone, no type attribute.
      for (const [, payload] of examples)
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(payload) }));
      const invalid: unknown[] = [];
      const consumer = new Consumer({
        client: sqs,
        queueUrl,
        handlers,
        stopOnSignals: false,
        waitTimeSeconds: 1,
        hooks: { invalid: (e: unknown) => invalid.push(e) },
      });
      void consumer.start();
      for (let i = 0; i < 100 && got.length < 2 * examples.length; i++) await new Promise((r) => setTimeout(r, 50));
      await consumer.stop();
      expect(invalid, link).toEqual([]);
      const key = ([type, payload]: [string, unknown]) => `${type} ${JSON.stringify(payload)}`;
      const raw = examples.map(([type, payload]): [string, unknown] => [
        AMBIGUOUS_WITHOUT_TYPE[`${link} ${type}`] ?? type,
        payload,
      ]);
      expect(got.map(key).sort(), link).toEqual([...examples, ...raw].map(key).sort());
    }
  }, 60_000);
});

function exported(mod: Record<string, unknown>, suffix: string): unknown {
  return Object.entries(mod).find(
    ([k, v]) => k.endsWith(suffix) && !k.startsWith('start') && typeof v === 'function',
  )?.[1];
}
