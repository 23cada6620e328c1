// Regeneration on a real document (issue 17): the AsyncAPI spec's streetlights example (four channels,
// a header from a message trait) is generated as a consumer in a project under the strictest flags, the
// user writes every handler (reading the header), then the document gains a header, a message and a
// channel. After each `generate` the project compiles, `generate --check` passes and every line the
// user wrote is still there; the new header is typed in the handler that reads it. The last step runs
// the real CLI and tsc processes, the others the same code in this process (test/helpers/in-process.ts).
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, removeProject } from './helpers/project.js';
import { UserProject } from './helpers/user-project.js';
import { strictestTsconfig } from './helpers/strictest.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'asyncapi-real', 'streetlights-kafka.yml');
const CONTRACT = 'asyncapi/streetlights.yml';
const HANDLERS = 'src/links/lights/handlers.ts';

let dir = '';
afterAll(async () => {
  if (dir) await removeProject(dir);
});

/** A handler stub of the tool (under noUnusedParameters its payload parameter is `_message`). */
const stub = (type: string) => new RegExp(`(?<=async ${type}\\(_?message, context\\) \\{\\n)[^]*?(?=\\n  \\},)`);
const signature = (type: string) => new RegExp(`async ${type}\\(_message, context\\) \\{`);

/** The document with `edit` applied to its YAML (comments and layout kept). */
async function editContract(edit: (doc: ReturnType<typeof parseDocument>) => void): Promise<void> {
  const file = path.join(dir, CONTRACT);
  const doc = parseDocument(await readFile(file, 'utf8'));
  edit(doc);
  await writeFile(file, doc.toString());
}

describe('regeneration on a real AsyncAPI document', () => {
  it('a header, a message and a channel added: every handler line kept, the project compiles', async () => {
    dir = await makeProject({
      files: { 'tsconfig.json': strictestTsconfig() },
    });
    await mkdir(path.join(dir, 'asyncapi'));
    await copyFile(FIXTURE, path.join(dir, CONTRACT));
    const p = new UserProject(dir);
    const created = await p.cli([
      'queue',
      'lights',
      '--asyncapi',
      CONTRACT,
      '--role',
      'consumer',
      '--yes',
      '--no-install',
    ]);
    expect(created.exitCode, created.stderr).toBe(0);

    // 1. The user writes every handler; they read the header the trait gives each message.
    await p.edit(
      HANDLERS,
      "import type { LightsHandlers } from './consumer.js';",
      ["import type { LightsHandlers } from './consumer.js';", 'const log: string[] = [];'].join('\n'),
    );
    for (const [type, field] of [
      ['lightMeasured', 'lumens'],
      ['turnOnOff', 'command'],
      ['dimLight', 'percentage'],
    ] as const) {
      await p.edit(HANDLERS, signature(type), `async ${type}(message, context) {`);
      await p.edit(
        HANDLERS,
        stub(type),
        `    const level: number = context.headers['my-app-header'] ?? 0;\n    log.push(\`${type}:\${message.${field}}:\${level}\`);`,
      );
    }
    await p.step();

    // 2. A header (on the shared trait), a message (on an existing channel) and a channel, all at once.
    await editContract((doc) => {
      doc.setIn(
        ['components', 'messageTraits', 'commonHeaders', 'headers', 'properties', 'x-site'],
        doc.createNode({ type: 'string' }),
      );
      doc.setIn(
        ['components', 'messages', 'lightFailed'],
        doc.createNode({
          name: 'lightFailed',
          traits: [{ $ref: '#/components/messageTraits/commonHeaders' }],
          payload: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } },
        }),
      );
      doc.setIn(
        ['channels', 'lightingMeasured', 'messages', 'lightFailed'],
        doc.createNode({ $ref: '#/components/messages/lightFailed' }),
      );
      // The receive operation names its messages: the new one joins it (else no handler is wanted).
      doc.addIn(
        ['operations', 'receiveLightMeasurement', 'messages'],
        doc.createNode({ $ref: '#/channels/lightingMeasured/messages/lightFailed' }),
      );
      doc.setIn(
        ['channels', 'lightsReset'],
        doc.createNode({
          address: 'smartylighting.streetlights.1.0.action.{streetlightId}.reset',
          messages: {
            resetLight: {
              name: 'resetLight',
              headers: { type: 'object', required: ['operator'], properties: { operator: { type: 'string' } } },
              payload: { type: 'object', properties: { at: { type: 'string' } } },
            },
          },
        }),
      );
    });
    await p.step();
    const merged = await p.read(HANDLERS);
    expect(merged).toMatch(stub('lightFailed'));
    expect(merged).toMatch(stub('resetLight'));

    // 3. The user writes the new handlers, reading the new headers: typed, so this compiles (strictest).
    await p.edit(HANDLERS, signature('lightFailed'), 'async lightFailed(message, context) {');
    await p.edit(
      HANDLERS,
      stub('lightFailed'),
      "    const site: string = context.headers['x-site'] ?? 'unknown';\n    log.push(`lightFailed:${message.reason}:${site}`);",
    );
    await p.edit(
      HANDLERS,
      stub('resetLight'),
      '    const operator: string = context.headers.operator;\n    log.push(`resetLight:${operator}`);',
    );
    await p.step([], 'cli');
    // The consumers of the new channel and of the grown one are there, and read the new header.
    const consumer = await p.read('src/links/lights/lights-reset-consumer.ts');
    expect(consumer).toContain('export class LightsLightsResetConsumer');
    expect(await p.read('src/links/lights/messages.ts')).toContain("['x-site', 'string']");
  }, 300_000);
});
