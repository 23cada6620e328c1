// Real AsyncAPI documents (test/fixtures/asyncapi-real, from the AsyncAPI spec's examples; see the
// README there): each is read, its examples validate against the payloads as read, and each one the
// generator of this release accepts generates a link that compiles under the strictest flags.
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import AjvModule from 'ajv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readAsyncApi } from '../src/contracts/asyncapi.js';
import { compile, makeProject, removeProject } from './helpers/project.js';
import { generateLink } from './fixtures/queue/harness.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'asyncapi-real');
const STRICTEST = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noPropertyAccessFromIndexSignature: true,
  noUncheckedIndexedAccess: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  verbatimModuleSyntax: true,
};

/** Documents this release refuses, and why (Avro payloads: described in JSON Schema instead). */
const REFUSED: Record<string, RegExp> = {
  'adeo-kafka-request-reply.yml': /schema format "application\/vnd\.apache\.avro;version=1\.9\.0"/,
};

/** Examples a document gives that its own schema rejects: the validator must say so, not accept them. */
const INVALID_EXAMPLES: Record<string, RegExp> = {
  // The schema declares `pair` an array of strings; both examples send one string.
  'kraken-websocket-multiple-channels.yml SubscriptionStatus': /"instancePath":"\/pair".*"must be array"/,
};

let dir = '';
let files: string[] = [];
beforeAll(async () => {
  files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.yml')).sort();
  dir = await makeProject({
    files: {
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          ...STRICTEST,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          skipLibCheck: true,
          types: ['node'],
          outDir: 'dist',
          rootDir: 'src',
          lib: ['ES2023'],
        },
        include: ['src'],
      }),
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
    expect(valid).toBe(2);
  });

  test('the documents the generator accepts generate links that compile under the strictest flags', async () => {
    const generated: string[] = [];
    for (const file of files) {
      const name = file.replace(/\.yml$/, '').replace(/[^a-z0-9]+/g, '-');
      await mkdir(path.join(dir, 'asyncapi'), { recursive: true });
      await copyFile(path.join(FIXTURES, file), path.join(dir, 'asyncapi', file));
      const link = { name, pattern: 'queue', contracts: [`asyncapi/${file}`], out: `src/links/${name}`, options: {} };
      const run = generateLink(dir, link, 'esm');
      if (REFUSED[file]) await expect(run).rejects.toThrow(REFUSED[file]);
      else generated.push((await run) && file);
    }
    expect(generated.length).toBe(files.length - Object.keys(REFUSED).length);
    const result = await compile(dir);
    expect(result.output).toBe('');
  }, 240_000);
});
