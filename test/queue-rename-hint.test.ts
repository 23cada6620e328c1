// The rename hint of a queue link (a type removed and one added with the same payload schema is named as
// a likely rename) where the payloads name their type in a property other than `type`: a discriminator
// like `kind` differs between any two types, so the payload hash leaves out the document's identifying
// property, whatever it is called. Generate runs over in-memory files (no disk, no compiler): fast.
import { describe, expect, it } from 'vitest';
import { generateContext } from '../src/core/engine.js';
import type { LinkConfig, LinkState, ProjectInfo } from '../src/core/types.js';
import { PATTERNS } from '../src/patterns/index.js';

const project: ProjectInfo = {
  root: '/nowhere',
  packageManager: 'npm',
  moduleSystem: 'esm',
  importSuffix: '.js',
  srcDir: 'src',
};
const link: LinkConfig = {
  name: 'shop',
  pattern: 'queue',
  contracts: ['asyncapi/shop.yaml'],
  out: 'src/links/shop',
  options: {},
};
const HANDLERS = 'src/links/shop/handlers.ts';

/** Payloads `{ <property>: <type>, id }`, the property pinned per type (and declared the discriminator, or not). */
function asyncapi(types: string[], property: string, discriminator: boolean): string {
  const messages = types.map((t) =>
    [
      `      ${t}:`,
      `        name: ${t}`,
      '        payload:',
      '          type: object',
      ...(discriminator ? [`          discriminator: ${property}`] : []),
      `          required: [${property}, id]`,
      '          properties:',
      `            ${property}: { type: string, const: ${t} }`,
      '            id: { type: string }',
    ].join('\n'),
  );
  return `asyncapi: 3.0.0\ninfo:\n  title: shop\n  version: 1.0.0\nchannels:\n  shop:\n    address: shop\n    messages:\n${messages.join('\n')}\n`;
}

/** One generate over `files`, user files merged as the commit would; returns the notes it printed. */
async function generate(files: Map<string, string>, state: { last?: LinkState }): Promise<string[]> {
  const notes: string[] = [];
  const ctx = generateContext({
    project,
    link,
    runtimeDir: 'src/links/_runtime',
    previousState: state.last,
    read: async (f) => files.get(f),
    note: (text) => notes.push(text),
  });
  const result = await (await PATTERNS.queue!.load()).generate(ctx);
  for (const file of result.files) {
    const existing = files.get(file.path);
    const merged = file.kind === 'user' && existing !== undefined ? await file.merge?.(existing) : undefined;
    files.set(file.path, merged ?? (file.kind === 'user' && existing !== undefined ? existing : file.content));
  }
  state.last = result.state;
  return notes;
}

describe('queue rename hint: the identifying property is left out of the payload hash', () => {
  for (const [property, discriminator] of [
    ['kind', true],
    ['event', false],
  ] as const)
    it(`payloads naming their type in "${property}" (${discriminator ? 'the discriminator' : 'a pinned property'})`, async () => {
      const files = new Map([['asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold'], property, discriminator)]]);
      const state: { last?: LinkState } = {};
      await generate(files, state);
      files.set(
        HANDLERS,
        files
          .get(HANDLERS)!
          .replace(
            /async ItemSold\(message, context\) \{[^]*?\n {2}\},/,
            'async ItemSold(message) {\n    console.log(message.id);\n  },',
          ),
      );
      files.set('asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemPurchased'], property, discriminator));
      expect(await generate(files, state)).toEqual([
        expect.stringContaining('run `create-service-link generate --rename ItemSold=ItemPurchased`'),
      ]);
    });

  it('a changed payload is no rename: no hint', async () => {
    const files = new Map([['asyncapi/shop.yaml', asyncapi(['ItemAdded', 'ItemSold'], 'kind', true)]]);
    const state: { last?: LinkState } = {};
    await generate(files, state);
    files.set(
      HANDLERS,
      files.get(HANDLERS)!.replace(/(async ItemSold\(message, context\) \{\n)/, '$1    console.log(message.id);\n'),
    );
    const changed = asyncapi(['ItemAdded', 'ItemPurchased'], 'kind', true).replace(
      /(ItemPurchased }\n {12}id: \{ type: )string/,
      '$1integer',
    );
    expect(changed).toContain('id: { type: integer }');
    expect((await generate(files.set('asyncapi/shop.yaml', changed), state)).join('\n')).not.toContain('--rename');
  });
});
