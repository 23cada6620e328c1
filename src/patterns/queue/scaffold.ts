// Writes a new AsyncAPI 3.0 document from --message flags. Loaded lazily by spec.scaffold (uses yaml).
import { stringify } from 'yaml';
import type { MessageSpec } from './options.js';

function fieldSchema(type: string, array: boolean): Record<string, unknown> {
  const item = { type };
  return array ? { type: 'array', items: item } : item;
}

/** AsyncAPI 3.0: one channel (the queue), one message per type, JSON Schema payloads with a `type` discriminator. */
export function asyncApiDocument(name: string, messages: MessageSpec[], fifo: boolean): string {
  const address = fifo ? `${name}.fifo` : name;
  const componentMessages: Record<string, unknown> = {};
  const channelMessages: Record<string, unknown> = {};
  for (const m of messages) {
    const properties: Record<string, unknown> = { type: { type: 'string', const: m.name } };
    for (const f of m.fields) properties[f.name] = fieldSchema(f.type, f.array);
    componentMessages[m.name] = {
      name: m.name,
      contentType: 'application/json',
      payload: {
        type: 'object',
        required: ['type', ...m.fields.filter((f) => !f.optional).map((f) => f.name)],
        properties,
      },
    };
    channelMessages[m.name] = { $ref: `#/components/messages/${m.name}` };
  }
  // The operations name no `messages`: each covers all the channel's, so a message added to the channel
  // is sent and received (a list would have to name it too).
  const document = {
    asyncapi: '3.0.0',
    info: {
      title: `${name} queue`,
      version: '1.0.0',
      description:
        'Messages on this queue. Add or change a message type here, then run `npx create-service-link generate`.',
    },
    channels: {
      [name]: {
        address,
        messages: channelMessages,
        bindings: { sqs: { queue: { name: address, fifoQueue: fifo } } },
      },
    },
    operations: {
      [`send${name.replace(/(^|-)(\w)/g, (_s, _d, c: string) => c.toUpperCase())}`]: {
        action: 'send',
        channel: { $ref: `#/channels/${name}` },
      },
      [`receive${name.replace(/(^|-)(\w)/g, (_s, _d, c: string) => c.toUpperCase())}`]: {
        action: 'receive',
        channel: { $ref: `#/channels/${name}` },
      },
    },
    components: { messages: componentMessages },
  };
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}
