// Line layout of generated code: lists, unions and comments built from contract names break at 120
// columns the way a formatter would, and templates pick a layout with {{#fit}}.
import { describe, expect, test } from 'vitest';
import { importLine } from '../src/codegen/imports.js';
import { commentLines, wrapList, wrapUnion } from '../src/codegen/layout.js';
import { render } from '../src/codegen/render.js';
import type { QueueView } from '../src/patterns/queue/brokers/types.js';

const long = (name: string): string => name.repeat(30);

describe('wrapList', () => {
  test('one line when it fits, counting the indent', () => {
    expect(wrapList('  ', 'f(', ['a: A', 'b?: B'], '): R {')).toBe('f(a: A, b?: B): R {');
  });

  test('one item a line with trailing commas when it would pass 120 columns', () => {
    const items = [`a: ${long('A')}`, `b: ${long('B')}`, `c: ${long('C')}`, `d: ${long('D')}`];
    expect(wrapList('  ', 'f(', items, '): R {')).toBe(`f(\n${items.map((i) => `    ${i},\n`).join('')}  ): R {`);
  });

  test('type argument lists: no comma after the last, no space kept inside braces', () => {
    expect(wrapList('', 'x<', [long('A'), long('B'), long('C'), long('D')], '>', false)).toMatch(/D,?\n>$/);
    expect(wrapList('', 'x<', [long('A'), long('B'), long('C'), long('D')], '>', false)).not.toMatch(/D,\n/);
    expect(importLine([long('a'), long('b'), long('c'), long('d'), long('e')], './m.js')).toMatch(
      /^import \{\n {2}a+,\n[\s\S]*\n\} from '\.\/m\.js';$/,
    );
  });
});

describe('wrapUnion and commentLines', () => {
  test('a long union puts each member on its own line after a leading |', () => {
    expect(wrapUnion('', 'export type U =', ['A', 'B'])).toBe('export type U = A | B;');
    const members = [long('A'), long('B'), long('C'), long('D')];
    expect(wrapUnion('  ', 'kind?:', members)).toBe(`kind?:\n${members.map((m) => `    | ${m}`).join('\n')};`);
  });

  test('comments fill lines up to 120 columns and never split a word', () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    const lines = commentLines(words.join(' '), '  ').split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(120);
      expect(line.startsWith('  // ')).toBe(true);
    }
    expect(lines.map((l) => l.slice(5)).join(' ')).toBe(words.join(' '));
    expect(commentLines('a\nb */ c')).toBe('// a b */ c');
  });
});

describe('{{#fit}} in templates', () => {
  const view = (pascal: string): QueueView & { runtimeSqs: string } => ({
    header: '// h',
    linkName: 'orders',
    linkNameLiteral: "'orders'",
    contract: 'asyncapi/orders.yaml',
    pascal,
    unionName: `${pascal}Message`,
    fifo: false,
    importSuffix: '.js',
    queueUrlEnv: 'ORDERS_QUEUE_URL',
    queueUrlEnvLiteral: "'ORDERS_QUEUE_URL'",
    discAccess: '.type',
    runtimeContext: '../_runtime/context.js',
    runtimeSqs: '../_runtime/sqs.js',
    messages: [],
  });

  // The consumer's view has many more fields; only those naming the link matter here, the rest are false.
  const full = (pascal: string) =>
    new Proxy({ ...view(pascal), api: '' } as unknown as Record<string, unknown>, {
      has: () => true,
      get: (target, key) => (typeof key === 'string' && !(key in target) ? false : Reflect.get(target, key)),
    });
  test('keeps the one-line layout while it fits, and breaks when names make it long', () => {
    const short = render('queue/brokers/sqs/consumer.ts', full('Job'));
    expect(short).toContain(
      'function callHandler(handlers: JobHandlers, envelope: JobMessageReceived, context: MessageContext): HandlerResult {',
    );
    const broken = render('queue/brokers/sqs/consumer.ts', full('VeryLongOrderEventsStream'));
    expect(broken).toContain(
      'function callHandler(\n  handlers: VeryLongOrderEventsStreamHandlers,\n  envelope: VeryLongOrderEventsStreamMessageReceived,\n',
    );
    expect(broken).not.toContain('function callHandler(handlers');
  });
});
