// The OpenAPI and AsyncAPI rules of the contract evolution guard, one edit at a time, each against
// the unedited contract. (The proto wire verdicts are measured against buf in breaking-buf.test.ts;
// here, what buf's WIRE category does not decide: source-breaking vs safe.)
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffAsyncApi } from '../src/breaking/asyncapi.js';
import { diffOpenApi } from '../src/breaking/openapi.js';
import { protoModel } from '../src/breaking/proto-model.js';
import { diffProtoModels } from '../src/breaking/proto.js';
import type { ContractChange } from '../src/breaking/types.js';
import { readAsyncApi } from '../src/contracts/asyncapi.js';
import { OpenApiDocuments } from '../src/contracts/openapi.js';
import { loadProtos } from '../src/contracts/proto.js';

const OPENAPI = `openapi: 3.0.3
info: { title: Users, version: 1.0.0 }
paths:
  /users/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      operationId: getUser
      parameters:
        - { name: fields, in: query, schema: { type: string } }
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/User' }
  /users:
    post:
      operationId: createUser
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/NewUser' }
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: { $ref: '#/components/schemas/User' }
components:
  schemas:
    User:
      type: object
      required: [id, name]
      properties:
        id: { type: string }
        name: { type: string }
        age: { type: integer }
        role: { type: string, enum: [admin, user] }
    NewUser:
      type: object
      required: [name]
      properties:
        name: { type: string }
        age: { type: number }
        role: { type: string, enum: [admin, user] }
`;

async function openapi(text: string) {
  return OpenApiDocuments.load('openapi/users.yaml', async () => text);
}

async function openapiChanges(edit: (t: string) => string): Promise<ContractChange[]> {
  const after = edit(OPENAPI);
  expect(after, 'the edit must change the contract').not.toBe(OPENAPI);
  return diffOpenApi(await openapi(OPENAPI), await openapi(after));
}

const only = (changes: ContractChange[]) => changes.map((c) => `${c.severity} ${c.rule} ${c.subject}`);

describe('OpenAPI rules', () => {
  it('finds nothing between identical documents', async () => {
    expect(diffOpenApi(await openapi(OPENAPI), await openapi(OPENAPI))).toEqual([]);
  });

  const cases: [string, (t: string) => string, string[]][] = [
    [
      'a removed operation is wire-breaking',
      (t) => t.replace(/ {2}\/users:\n {4}post:[\s\S]*?(?=components:)/, ''),
      ['wire-breaking OPERATION_REMOVED POST /users'],
    ],
    [
      'a changed method is wire-breaking (paired by operationId)',
      (t) => t.replace('    post:\n      operationId: createUser', '    put:\n      operationId: createUser'),
      ['wire-breaking OPERATION_MOVED POST /users (createUser)'],
    ],
    [
      'a changed path is wire-breaking',
      (t) => t.replace('  /users:\n', '  /people:\n'),
      ['wire-breaking OPERATION_MOVED POST /users (createUser)'],
    ],
    [
      'a renamed path parameter is not a change on the wire',
      (t) => t.replace(/\{id\}/, '{userId}').replace('name: id, in: path', 'name: userId, in: path'),
      [],
    ],
    [
      'a removed parameter is wire-breaking',
      (t) => t.replace('        - { name: fields, in: query, schema: { type: string } }\n', ''),
      ['wire-breaking PARAMETER_REMOVED GET /users/{id} parameter query fields'],
    ],
    [
      'a new required parameter is wire-breaking, an optional one safe',
      (t) =>
        t.replace(
          '        - { name: fields, in: query, schema: { type: string } }\n',
          '        - { name: fields, in: query, schema: { type: string } }\n        - { name: tenant, in: header, required: true, schema: { type: string } }\n        - { name: page, in: query, schema: { type: integer } }\n',
        ),
      [
        'wire-breaking REQUIRED_PARAMETER_ADDED GET /users/{id} parameter header tenant',
        'safe PARAMETER_ADDED GET /users/{id} parameter query page',
      ],
    ],
    [
      'an optional parameter becoming required is wire-breaking',
      (t) => t.replace('name: fields, in: query,', 'name: fields, in: query, required: true,'),
      ['wire-breaking PARAMETER_BECAME_REQUIRED GET /users/{id} parameter query fields'],
    ],
    [
      'a new required body property is wire-breaking',
      (t) =>
        t
          .replace('      required: [name]\n', '      required: [name, email]\n')
          .replace(
            '        age: { type: number }\n',
            '        age: { type: number }\n        email: { type: string }\n',
          ),
      ['wire-breaking REQUIRED_PROPERTY_ADDED schema NewUser.email'],
    ],
    [
      'a narrowed request type is wire-breaking (number -> integer)',
      (t) => t.replace('age: { type: number }', 'age: { type: integer }'),
      ['wire-breaking TYPE_NARROWED schema NewUser.age'],
    ],
    [
      'a narrowed request enum is wire-breaking',
      (t) =>
        t.replace(
          /(NewUser:[\s\S]*?)role: \{ type: string, enum: \[admin, user\] \}/,
          '$1role: { type: string, enum: [user] }',
        ),
      ['wire-breaking TYPE_NARROWED schema NewUser.role'],
    ],
    [
      'a removed response property is wire-breaking, reported once for the named schema',
      (t) => t.replace('        age: { type: integer }\n', ''),
      ['wire-breaking RESPONSE_PROPERTY_REMOVED schema User.age'],
    ],
    [
      'a widened response enum is wire-breaking',
      (t) =>
        t.replace('role: { type: string, enum: [admin, user] }', 'role: { type: string, enum: [admin, user, guest] }'),
      ['wire-breaking RESPONSE_TYPE_WIDENED schema User.role'],
    ],
    [
      'a response property that may now be missing is wire-breaking',
      (t) => t.replace('      required: [id, name]\n', '      required: [id]\n'),
      ['wire-breaking RESPONSE_PROPERTY_BECAME_OPTIONAL schema User.name'],
    ],
    [
      'a new operation and a new optional body property are safe',
      (t) =>
        t
          .replace(
            'components:\n',
            '  /health:\n    get:\n      operationId: health\n      responses:\n        "200": { description: ok }\ncomponents:\n',
          )
          .replace(
            '        age: { type: number }\n',
            '        age: { type: number }\n        nick: { type: string }\n',
          ),
      ['safe PROPERTY_ADDED schema NewUser.nick', 'safe OPERATION_ADDED GET /health'],
    ],
  ];
  for (const [title, edit, expected] of cases) {
    it(title, async () => {
      expect(only(await openapiChanges(edit)).sort()).toEqual([...expected].sort());
    });
  }
});

const ASYNCAPI = `asyncapi: 3.0.0
info: { title: Orders, version: 1.0.0 }
channels:
  orders:
    address: orders
    messages:
      OrderCreated:
        payload: { $ref: '#/components/schemas/OrderCreated' }
      OrderCancelled:
        payload:
          type: object
          required: [orderId]
          properties:
            orderId: { type: string }
            reason: { type: string }
components:
  schemas:
    OrderCreated:
      type: object
      required: [orderId, total]
      properties:
        orderId: { type: string }
        total: { type: number }
        note: { type: string }
        priority: { type: string, enum: [low, high] }
`;

function asyncChanges(edit: (t: string) => string): ContractChange[] {
  const after = edit(ASYNCAPI);
  expect(after, 'the edit must change the contract').not.toBe(ASYNCAPI);
  return diffAsyncApi(readAsyncApi(ASYNCAPI, 'asyncapi/orders.yaml'), readAsyncApi(after, 'asyncapi/orders.yaml'));
}

describe('AsyncAPI rules', () => {
  it('finds nothing between identical documents', () => {
    const m = readAsyncApi(ASYNCAPI, 'a.yaml');
    expect(diffAsyncApi(m, m)).toEqual([]);
  });

  const cases: [string, (t: string) => string, string[]][] = [
    [
      'standard -> FIFO is wire-breaking: SQS cannot convert a queue',
      (t) => t.replace('address: orders', 'address: orders.fifo'),
      ['wire-breaking QUEUE_TYPE_CHANGED queue orders'],
    ],
    [
      'a renamed queue is wire-breaking',
      (t) => t.replace('address: orders', 'address: orders-v2'),
      ['wire-breaking QUEUE_ADDRESS_CHANGED queue orders'],
    ],
    [
      'a removed message is wire-breaking (dead-letter queue)',
      (t) => t.replace(/ {6}OrderCancelled:[\s\S]*?(?=components:)/, ''),
      ['wire-breaking MESSAGE_REMOVED message OrderCancelled'],
    ],
    [
      'a new required field is wire-breaking',
      (t) => t.replace('required: [orderId, total]', 'required: [orderId, total, note]'),
      ['wire-breaking PROPERTY_BECAME_REQUIRED message OrderCreated.note'],
    ],
    [
      'a new required property is wire-breaking, a new optional one safe',
      (t) =>
        t
          .replace('          required: [orderId]\n', '          required: [orderId, by]\n')
          .replace(
            '            reason: { type: string }\n',
            '            reason: { type: string }\n            by: { type: string }\n            at: { type: string }\n',
          ),
      [
        'wire-breaking REQUIRED_PROPERTY_ADDED message OrderCancelled.by',
        'safe PROPERTY_ADDED message OrderCancelled.at',
      ],
    ],
    [
      'a narrowed type is wire-breaking (queued messages still carry the old values)',
      (t) => t.replace('total: { type: number }', 'total: { type: integer }'),
      ['wire-breaking TYPE_NARROWED message OrderCreated.total'],
    ],
    [
      'a narrowed enum is wire-breaking',
      (t) => t.replace('enum: [low, high]', 'enum: [high]'),
      ['wire-breaking TYPE_NARROWED message OrderCreated.priority'],
    ],
    [
      'a removed required property is wire-breaking, a removed optional one source-breaking',
      (t) =>
        t
          .replace('required: [orderId, total]', 'required: [orderId]')
          .replace('        total: { type: number }\n', '')
          .replace('        note: { type: string }\n', ''),
      [
        'wire-breaking MESSAGE_PROPERTY_REMOVED message OrderCreated.total',
        'source-breaking PROPERTY_REMOVED message OrderCreated.note',
      ],
    ],
    [
      'a new message and a widened enum are safe (deploy consumers first)',
      (t) =>
        t
          .replace('enum: [low, high]', 'enum: [low, high, urgent]')
          .replace(
            'components:\n',
            '      OrderShipped:\n        payload: { type: object, properties: { orderId: { type: string } } }\ncomponents:\n',
          ),
      ['safe TYPE_WIDENED message OrderCreated.priority', 'safe MESSAGE_ADDED message OrderShipped'],
    ],
  ];
  for (const [title, edit, expected] of cases) {
    it(title, () => {
      expect(only(asyncChanges(edit)).sort()).toEqual([...expected].sort());
    });
  }

  it('FIFO -> standard is wire-breaking as well', () => {
    const fifo = ASYNCAPI.replace('address: orders', 'address: orders.fifo');
    const changes = diffAsyncApi(readAsyncApi(fifo, 'a.yaml'), readAsyncApi(ASYNCAPI, 'a.yaml'));
    expect(only(changes)).toEqual(['wire-breaking QUEUE_TYPE_CHANGED queue orders.fifo']);
    expect(changes[0]!.reason).toMatch(/FIFO became standard: SQS cannot convert a queue/);
  });
});

const HEADERS = `asyncapi: 3.0.0
info: { title: Orders, version: 1.0.0 }
channels:
  orders:
    address: orders
    messages:
      OrderCreated:
        headers:
          type: object
          required: [tenant]
          properties:
            tenant: { type: string }
            priority: { type: string, enum: [low, high] }
            trace: { type: string }
        payload: { type: object, properties: { orderId: { type: string } } }
`;

describe('AsyncAPI rules: message headers (typed message attributes)', () => {
  function headerChanges(edit: (t: string) => string): string[] {
    const after = edit(HEADERS);
    expect(after, 'the edit must change the contract').not.toBe(HEADERS);
    return only(diffAsyncApi(readAsyncApi(HEADERS, 'o.yaml'), readAsyncApi(after, 'o.yaml'))).sort();
  }
  const cases: [string, (t: string) => string, string[]][] = [
    [
      'a required header added is wire-breaking (old publishers do not send it), an optional one safe',
      (t) =>
        t
          .replace('required: [tenant]', 'required: [tenant, region]')
          .replace(
            '            trace: { type: string }\n',
            '            trace: { type: string }\n            region: { type: string }\n            shard: { type: integer }\n',
          ),
      [
        'safe HEADER_ADDED message OrderCreated header shard',
        'wire-breaking REQUIRED_HEADER_ADDED message OrderCreated header region',
      ],
    ],
    [
      'an optional header made required is wire-breaking, a required one made optional safe',
      (t) => t.replace('required: [tenant]', 'required: [trace]'),
      [
        'safe HEADER_BECAME_OPTIONAL message OrderCreated header tenant',
        'wire-breaking HEADER_BECAME_REQUIRED message OrderCreated header trace',
      ],
    ],
    [
      'a header removed is source-breaking (handlers read it), a required one wire-breaking',
      (t) =>
        t
          .replace('          required: [tenant]\n', '')
          .replace('            tenant: { type: string }\n', '')
          .replace('            trace: { type: string }\n', ''),
      [
        'source-breaking HEADER_REMOVED message OrderCreated header trace',
        'wire-breaking REQUIRED_HEADER_REMOVED message OrderCreated header tenant',
      ],
    ],
    [
      'a header type narrowed is wire-breaking, widened safe',
      (t) =>
        t
          .replace('enum: [low, high]', 'enum: [high]')
          .replace('trace: { type: string }', 'trace: { type: [string, number] }'),
      [
        'safe TYPE_WIDENED message OrderCreated header trace',
        'wire-breaking TYPE_NARROWED message OrderCreated header priority',
      ],
    ],
  ];
  for (const [title, edit, expected] of cases) {
    it(title, () => {
      expect(headerChanges(edit)).toEqual([...expected].sort());
    });
  }
  it('headers added to a message that had none: the required one is wire-breaking', () => {
    const none = HEADERS.replace(/ {8}headers:[\s\S]*?(?= {8}payload:)/, '');
    expect(none).not.toBe(HEADERS);
    expect(only(diffAsyncApi(readAsyncApi(none, 'o.yaml'), readAsyncApi(HEADERS, 'o.yaml'))).sort()).toEqual([
      'safe HEADER_ADDED message OrderCreated header priority',
      'safe HEADER_ADDED message OrderCreated header trace',
      'wire-breaking REQUIRED_HEADER_ADDED message OrderCreated header tenant',
    ]);
  });
});

const MULTI = path.resolve(import.meta.dirname, 'fixtures/queue/multi-channel.yaml');

describe('AsyncAPI rules: every channel of a document with several', () => {
  async function channelChanges(edit: (t: string) => string): Promise<string[]> {
    const before = await readFile(MULTI, 'utf8');
    const after = edit(before);
    expect(after, 'the edit must change the contract').not.toBe(before);
    return only(diffAsyncApi(readAsyncApi(before, 'shop.yaml'), readAsyncApi(after, 'shop.yaml'))).sort();
  }
  const heartbeats = / {2}heartbeats:\n[\s\S]*?(?=operations:)/;
  const cases: [string, (t: string) => string, string[]][] = [
    [
      'a renamed queue on the second channel is wire-breaking',
      (t) => t.replace('address: shop-payments.fifo', 'address: shop-payments-v2.fifo'),
      ['wire-breaking QUEUE_ADDRESS_CHANGED queue shop-payments.fifo'],
    ],
    [
      'the third channel turned FIFO is wire-breaking',
      (t) => t.replace('address: shop-heartbeats', 'address: shop-heartbeats.fifo'),
      ['wire-breaking QUEUE_TYPE_CHANGED queue shop-heartbeats'],
    ],
    [
      'a removed channel is wire-breaking, with its messages',
      (t) => t.replace(heartbeats, '').replace(/ {2}beat:\n[\s\S]*$/, ''),
      ['wire-breaking CHANNEL_REMOVED queue shop-heartbeats', 'wire-breaking MESSAGE_REMOVED message Heartbeat'],
    ],
    [
      'an added channel is safe (its consumers deployed first)',
      (t) =>
        t.replace(
          'operations:',
          '  refunds:\n    address: shop-refunds\n    messages:\n      RefundIssued:\n        payload: { type: object, properties: { orderId: { type: string } } }\noperations:',
        ),
      ['safe CHANNEL_ADDED queue shop-refunds', 'safe MESSAGE_ADDED message RefundIssued'],
    ],
    [
      'a channel key renamed on the same queue is source-breaking (the API is named after it)',
      (t) => t.replace('  payments:\n', '  billing:\n').replace("'#/channels/payments'", "'#/channels/billing'"),
      ['source-breaking CHANNEL_RENAMED channel payments'],
    ],
    [
      'a message moved to another channel is wire-breaking',
      (t) => {
        const cancelled = / {6}OrderCancelled:\n[\s\S]*?(?= {2}payments:)/.exec(t)![0];
        return t
          .replace(cancelled, '')
          .replace('  heartbeats:\n    address: shop-heartbeats\n    messages:\n', (m) => m + cancelled);
      },
      ['wire-breaking MESSAGE_MOVED message order.cancelled'],
    ],
  ];
  for (const [title, edit, expected] of cases)
    it(title, async () => {
      expect(await channelChanges(edit)).toEqual([...expected].sort());
    });

  it('one channel each side is the same queue whatever its key', () => {
    const renamed = ASYNCAPI.replace('channels:\n  orders:', 'channels:\n  order-events:');
    expect(diffAsyncApi(readAsyncApi(ASYNCAPI, 'a.yaml'), readAsyncApi(renamed, 'a.yaml'))).toEqual([]);
  });
});

const CORPUS = path.resolve(import.meta.dirname, 'fixtures/breaking/proto');

async function protoChanges(pair: string): Promise<string[]> {
  const load = async (side: string) => {
    const dir = path.join(CORPUS, pair, side);
    const read = (f: string) => readFile(path.join(dir, f), 'utf8').catch(() => undefined);
    return protoModel(await loadProtos(['contract.proto'], ['.'], { read }, dir));
  };
  return only(diffProtoModels(await load('before'), await load('after'))).sort();
}

describe('proto rules: source-breaking and safe', () => {
  const cases: [string, string[]][] = [
    ['identical', []],
    ['field-renamed', ['source-breaking FIELD_SAME_NAME field shop.v1.Item.count (2)']],
    ['int32-to-uint32', ['safe FIELD_SAME_TYPE field shop.v1.Item.count (2)']],
    ['int32-to-int64', ['source-breaking FIELD_SAME_TYPE field shop.v1.Item.count (2)']],
    ['field-deleted-number-reserved', ['source-breaking FIELD_NO_DELETE field shop.v1.Item.count (2)']],
    ['enum-value-renamed', ['source-breaking ENUM_VALUE_SAME_NAME enum value shop.v1.Kind.KIND_FOOD (2)']],
    ['message-deleted-unused', ['source-breaking MESSAGE_NO_DELETE message shop.v1.Unused']],
    ['enum-deleted-unused', ['source-breaking ENUM_NO_DELETE enum shop.v1.Colour']],
    ['field-added', ['safe FIELD_ADDED field shop.v1.Item.colour (15)']],
    ['rpc-added', ['safe RPC_ADDED rpc shop.v1.ItemService.DeleteItem']],
    [
      'service-renamed',
      [
        'safe SERVICE_ADDED service shop.v1.CatalogService',
        'wire-breaking SERVICE_NO_DELETE service shop.v1.ItemService',
      ],
    ],
    ['package-renamed', ['wire-breaking FILE_SAME_PACKAGE package of contract.proto']],
  ];
  for (const [pair, expected] of cases) {
    it(pair, async () => {
      expect(await protoChanges(pair)).toEqual([...expected].sort());
    });
  }

  it('a renamed service is named as a rename, with its fix', async () => {
    const dir = path.join(CORPUS, 'service-renamed');
    const read = (side: string) => (f: string) => readFile(path.join(dir, side, f), 'utf8').catch(() => undefined);
    const model = async (side: string) =>
      protoModel(await loadProtos(['contract.proto'], ['.'], { read: read(side) }, path.join(dir, side)));
    const [change] = diffProtoModels(await model('before'), await model('after')).filter((c) => c.severity !== 'safe');
    expect(change?.reason).toMatch(
      /^renamed to shop\.v1\.CatalogService: deployed callers of \/shop\.v1\.ItemService\/\* get UNIMPLEMENTED/,
    );
    expect(change?.fix).toBe('keep service shop.v1.ItemService (both names can be served)');
  });
});
