// The renderer: templates precompiled by the build, rendered with Handlebars' strict and no-escape settings.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { render, type TemplateName } from '../src/codegen/render.js';
import { TOOL_ROOT } from './helpers/project.js';

test('output is code: values are not HTML-escaped', () => {
  const code = 'if (a < b && c > "d") { return `&${e}`; }';
  expect(
    render('grpc/messages.ts', {
      header: '// h',
      runtimeWire: '../_runtime/wire.js',
      runtimeJson: '../_runtime/json.js',
      sources: "a.proto, 'b'.proto",
      code,
    }),
  ).toContain(code);
});

test('strict: a name the view lacks is an error, not an empty string', () => {
  expect(() =>
    render('grpc/messages.ts', { header: '// h', runtimeWire: 'w', runtimeJson: 'j', sources: 's' }),
  ).toThrow(/"code" not defined/);
});

test('every template of templates/ is precompiled', async () => {
  const names: string[] = [];
  for (const pattern of await readdir(path.join(TOOL_ROOT, 'templates'))) {
    // Sub-folders too (templates/queue/brokers/sqs/).
    for (const file of await readdir(path.join(TOOL_ROOT, 'templates', pattern), { recursive: true })) {
      if (file.endsWith('.hbs'))
        names.push(
          `${pattern}/${file
            .split(path.sep)
            .join('/')
            .replace(/\.hbs$/, '')}`,
        );
    }
  }
  expect(names.length).toBeGreaterThan(8);
  expect(() => render('grpc/nope.ts' as TemplateName, {})).toThrow(/no template grpc\/nope\.ts/);
  // A template without its view fails strictly, which proves it is there.
  for (const name of names) expect(() => render(name as TemplateName, {}), name).toThrow(/not defined/);
});
