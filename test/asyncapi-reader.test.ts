// The AsyncAPI reader on documents as people write them: several channels and operations, 2.x,
// names that are not identifiers, non-object payloads, bindings it cannot honour, Avro.
import { describe, expect, test } from 'vitest';
import { readAsyncApi } from '../src/contracts/asyncapi.js';
import { ContractError } from '../src/errors.js';

function error(text: string): string {
  try {
    readAsyncApi(text, 'api.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ContractError);
    const c = e as ContractError;
    return `${c.line}:${c.column} ${c.detail}${c.hint ? ` | ${c.hint}` : ''}`;
  }
  throw new Error('expected a ContractError');
}

const SEVERAL = `asyncapi: 3.0.0
info: { title: Shop, version: 1.0.0 }
channels:
  orders:
    address: orders.fifo
    messages:
      created: { $ref: '#/components/messages/created' }
      order.cancelled:
        payload: { type: object, properties: { kind: { const: cancelled } } }
  audit:
    messages:
      created: { $ref: '#/components/messages/created' }
      heartbeat:
        payload: { type: string }
      batch:
        payload: { type: array, items: { $ref: '#/components/schemas/Line' } }
      either:
        payload:
          oneOf: [{ type: number }, { $ref: '#/components/schemas/Line' }]
    bindings:
      kafka: { topic: audit }
operations:
  publishOrder:
    action: send
    channel: { $ref: '#/channels/orders' }
    messages: [{ $ref: '#/channels/orders/messages/created' }]
  readAudit:
    action: receive
    channel: { $ref: '#/channels/audit' }
components:
  messages:
    created:
      name: order-created
      examples:
        - payload: { kind: created, id: a1 }
      payload: { type: object, properties: { kind: { const: created }, id: { type: string } } }
  schemas:
    Line: { type: object, properties: { sku: { type: string } } }
`;

describe('AsyncAPI reader', () => {
  test('several channels and operations: one message per declaration, names made identifiers', () => {
    const model = readAsyncApi(SEVERAL, 'api.yaml');
    expect(model.channels.map((c) => [c.key, c.address, c.fifo, c.messages])).toEqual([
      ['orders', 'orders.fifo', true, ['order-created', 'order.cancelled']],
      ['audit', 'audit', false, ['order-created', 'heartbeat', 'batch', 'either']],
    ]);
    expect(model.messages.map((m) => [m.name, m.value])).toEqual([
      ['OrderCreated', 'order-created'],
      ['OrderCancelled', 'order.cancelled'],
      ['Heartbeat', 'heartbeat'],
      ['Batch', 'batch'],
      ['Either', 'either'],
    ]);
    const ops = model.channels.flatMap((c) => c.operations.map((o) => [c.key, o.key, o.action, o.messages]));
    expect(ops).toEqual([
      ['orders', 'publishOrder', 'send', ['order-created']],
      ['audit', 'readAudit', 'receive', ['order-created', 'heartbeat', 'batch', 'either']],
    ]);
    // Payloads exactly as written: nothing injected, refs rewritten into the document's named schemas.
    expect(model.messages[2]!.schema).toEqual({ type: 'string' });
    expect(model.messages[3]!.schema).toEqual({ type: 'array', items: { $ref: '#/$defs/Line' } });
    expect(model.messages[4]!.schema).toEqual({ oneOf: [{ type: 'number' }, { $ref: '#/$defs/Line' }] });
    expect(model.messages[0]!.examples).toEqual([{ kind: 'created', id: 'a1' }]);
    expect(model.warnings).toEqual(['kafka bindings are ignored (this link is SQS): channels.audit.bindings']);
    expect(model.identification).toEqual({ kind: 'validation' });
  });

  test('clashing names get a number; a key the converter wrote names the message after its channel', () => {
    const model = readAsyncApi(
      `asyncapi: 3.0.0
info: { title: T, version: '1' }
channels:
  q:
    messages:
      a: { name: user signed-up, payload: { type: object } }
      b: { name: UserSignedUp, payload: { type: object } }
      c: { name: 2fa, payload: { type: object } }
      publish.message: { payload: { type: object } }
`,
      'api.yaml',
    );
    expect(model.messages.map((m) => m.name)).toEqual(['UserSignedUp', 'UserSignedUp2', 'Message2fa', 'QMessage']);
  });

  test('a discriminator, then a pinned property, then validation tell bodies apart', () => {
    const doc = (a: string, b: string) =>
      `asyncapi: 3.0.0\ninfo: { title: T, version: '1' }\nchannels:\n  q:\n    messages:\n` +
      `      A: { payload: ${a} }\n      B: { payload: ${b} }\n`;
    const pinned = (v: string) => `{ type: object, properties: { kind: { enum: [${v}] } } }`;
    expect(readAsyncApi(doc(pinned('a'), pinned('b')), 'x').identification).toEqual({
      kind: 'property',
      property: 'kind',
      values: { a: 'A', b: 'B' },
    });
    const disc = '{ type: object, discriminator: type, properties: { type: { type: string } } }';
    expect(readAsyncApi(doc(disc, disc), 'x').identification).toEqual({
      kind: 'discriminator',
      property: 'type',
      values: { A: 'A', B: 'B' },
    });
    // A value two messages share cannot tell them apart.
    expect(readAsyncApi(doc(pinned('a'), pinned('a')), 'x').identification).toEqual({ kind: 'validation' });
  });

  test('AsyncAPI 2.x is converted in memory; its errors point into the 2.x file and say it is 2.x', () => {
    const v2 = `asyncapi: 2.6.0
info: { title: T, version: '1' }
channels:
  user/signedup:
    subscribe:
      message:
        name: UserSignedUp
        payload:
          $ref: '#/components/schemas/Missing'
`;
    expect(error(v2)).toBe(
      '9:17 "#/components/schemas/Missing" does not resolve (an AsyncAPI 2.6.0 document, read as 3.0)',
    );
    const model = readAsyncApi(v2.replace("$ref: '#/components/schemas/Missing'", 'type: string'), 'api.yaml');
    expect(model.asyncapi).toBe('2.6.0');
    expect(model.channels.map((c) => [c.address, c.messages, c.operations.map((o) => o.action)])).toEqual([
      ['user/signedup', ['UserSignedUp'], ['send']],
    ]);
  });

  test('an Avro payload is refused naming the message, the format and a workaround', () => {
    expect(
      error(`asyncapi: 3.0.0
info: { title: T, version: '1' }
channels:
  q:
    messages:
      Priced:
        payload:
          schemaFormat: application/vnd.apache.avro;version=1.9.0
          schema: { type: record, name: Priced, fields: [] }
`),
    ).toBe(
      '8:25 the payload of message "Priced" is in schema format "application/vnd.apache.avro;version=1.9.0", ' +
        'which this tool does not read | describe the payload in JSON Schema (e.g. converted with ' +
        'avro-to-json-schema) and keep the .avsc beside it',
    );
  });
});

describe('headers, correlation IDs and traits', () => {
  const doc = (message: string) => `asyncapi: 3.0.0
info: { title: T, version: 1.0.0 }
channels:
  c:
    messages:
      m: { $ref: '#/components/messages/m' }
components:
  messages:
    m:
${message
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
  messageTraits:
    first:
      summary: from the first trait
      headers: { type: object, properties: { a: { type: string }, b: { type: integer } } }
    second:
      summary: from the second trait
      description: from the second trait
      headers: { type: object, properties: { b: { type: number, minimum: 0 } } }
`;

  test('traits merge in order, the message wins; mappings merge key by key', () => {
    const model = readAsyncApi(
      doc(`traits: [{ $ref: '#/components/messageTraits/first' }, { $ref: '#/components/messageTraits/second' }]
description: the message's own
headers: { type: object, required: [a] }
payload: { type: object }`),
      'api.yaml',
    );
    const m = model.messages[0]!;
    expect(m.summary).toBe('from the second trait');
    expect(m.description).toBe("the message's own");
    expect(m.headers).toEqual({
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'string' }, b: { type: 'number', minimum: 0 } },
    });
  });

  test('correlation IDs: header or payload locations; a header the headers do not declare is a warning', () => {
    const header = readAsyncApi(
      doc(`headers: { type: object, properties: { cid: { type: string } } }
correlationId: { location: '$message.header#/cid' }
payload: { type: object }`),
      'api.yaml',
    );
    expect(header.messages[0]!.correlationId).toEqual({ in: 'header', path: ['cid'] });
    const payload = readAsyncApi(
      doc("correlationId: { location: '$message.payload#/meta/id' }\npayload: { type: object }"),
      'api.yaml',
    );
    expect(payload.messages[0]!.correlationId).toEqual({ in: 'payload', path: ['meta', 'id'] });
    const undeclared = readAsyncApi(
      doc("correlationId: { location: '$message.header#/nope' }\npayload: { type: object }"),
      'api.yaml',
    );
    expect(undeclared.messages[0]!.correlationId).toBeUndefined();
    expect(undeclared.warnings).toEqual([
      'the correlationId of message "m" is in header "nope", which its headers do not declare: ignored',
    ]);
  });

  test('bad headers and correlation locations are errors at their line', () => {
    expect(error(doc("correlationId: { location: 'header.cid' }\npayload: { type: object }"))).toBe(
      '10:34 the correlationId of message "m" needs a location such as $message.header#/correlationId or $message.payload#/id',
    );
    expect(error(doc('headers: { type: string }\npayload: { type: object }'))).toBe(
      '10:16 the headers of message "m" must be a schema of type object (one property per header)',
    );
  });
});
