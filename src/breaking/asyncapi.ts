// AsyncAPI (queue) rules: the queue itself (address, standard vs FIFO), the property that identifies a
// body sent without its type attribute, and each message paired by its type (the `type` attribute it
// travels with), payloads through the schema comparison.
import type { JsonSchema, QueueContractModel as ReadModel } from '../contracts/asyncapi.js';
import { queueLink, type QueueLinkModel as QueueContractModel } from '../contracts/asyncapi-queue.js';
import { diffSchema, type SchemaSide } from './schema.js';
import type { ContractChange } from './types.js';

/** Payload schemas are self-contained: `$ref`s point at `#/$defs/X` of the contract's named schemas. */
function side(model: QueueContractModel): SchemaSide {
  return {
    deref(node) {
      let current = node;
      for (let i = 0; i < 32; i++) {
        const ref = (current.value as JsonSchema | undefined)?.$ref;
        if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return current;
        const name = ref.slice('#/$defs/'.length);
        current = { value: model.schemas[name], key: `#/$defs/${name}` };
      }
      return current;
    },
    child(node, ...path) {
      let value: unknown = node.value;
      for (const p of path) value = (value as Record<string, unknown> | undefined)?.[p];
      return { value, key: `${node.key}/${path.join('/')}` };
    },
  };
}

/** Every change between two versions of a queue contract, each classified. */
export function diffAsyncApi(read: ReadModel, readAfter: ReadModel): ContractChange[] {
  const before = queueLink(read);
  const after = queueLink(readAfter);
  const file = after.file;
  const changes: ContractChange[] = [];
  const push = (c: Omit<ContractChange, 'file'>) => changes.push({ ...c, file });
  diffQueue(before, after, push);
  const done = new Set<string>();
  const sb = side(before);
  const sa = side(after);
  for (const m of before.messages) {
    const n = after.messages.find((x) => x.value === m.value);
    if (!n) {
      push({
        severity: 'wire-breaking',
        rule: 'MESSAGE_REMOVED',
        subject: `message ${m.name}`,
        reason:
          `deployed producers still publish "${m.value}"; ` +
          'the consumer rejects it and SQS moves it to the dead-letter queue',
        fix: 'keep the message until no producer publishes it',
      });
      continue;
    }
    if (n.name !== m.name)
      push({
        severity: 'source-breaking',
        rule: 'MESSAGE_RENAMED',
        subject: `message ${m.name}`,
        reason: `its type is now ${n.name} (the wire value "${m.value}" is unchanged)`,
      });
    diffSchema(
      { before: sb, after: sa, direction: 'message', file, changes, done },
      `message ${n.name}`,
      { value: m.schema, key: `#/m/${m.value}` },
      { value: n.schema, key: `#/m/${n.value}` },
    );
  }
  for (const n of after.messages)
    if (!before.messages.some((m) => m.value === n.value))
      push({
        severity: 'safe',
        rule: 'MESSAGE_ADDED',
        subject: `message ${n.name}`,
        reason: 'deploy consumers before producers, so no consumer meets it unknown',
      });
  return changes;
}

/** The queue itself: its address, standard vs FIFO, and how message types are told apart. */
function diffQueue(
  before: QueueContractModel,
  after: QueueContractModel,
  push: (c: Omit<ContractChange, 'file'>) => void,
): void {
  if (before.fifo !== after.fifo) {
    push({
      severity: 'wire-breaking',
      rule: 'QUEUE_TYPE_CHANGED',
      subject: `queue ${before.address}`,
      reason:
        `${before.fifo ? 'FIFO became standard' : 'standard became FIFO'}: SQS cannot convert a queue ` +
        '(FIFO names end in ".fifo"), so this is a different queue and deployed peers keep using the old one',
      fix:
        `create the new queue (${after.address}), move consumers then producers to it, ` +
        `drain and delete ${before.address}`,
    });
  } else if (before.address !== after.address) {
    push({
      severity: 'wire-breaking',
      rule: 'QUEUE_ADDRESS_CHANGED',
      subject: `queue ${before.address}`,
      reason: `now ${after.address}: deployed producers and consumers still use the old queue`,
      fix: 'move consumers first, then producers, then drain the old queue',
    });
  }
  const was = identifyingProperty(before);
  const now = identifyingProperty(after);
  if (was !== undefined && was !== now) {
    push({
      severity: 'wire-breaking',
      rule: 'DISCRIMINATOR_CHANGED',
      subject: `discriminator "${was}"`,
      reason:
        `${now === undefined ? 'gone' : `now "${now}"`}: consumers can no longer tell apart the queued ` +
        'messages of producers that send no `type` attribute',
      fix: `keep "${was}"`,
    });
  }
}

/** The payload property that names a body's type when it comes without the `type` attribute. */
function identifyingProperty(model: QueueContractModel): string | undefined {
  const id = model.identification;
  return id.kind === 'discriminator' || id.kind === 'property' ? id.property : undefined;
}
