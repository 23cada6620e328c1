// AsyncAPI (queue) rules: the queue itself (address, standard vs FIFO), the property that identifies a
// body sent without its type attribute, and each message paired by its type (the `type` attribute it
// travels with), payloads through the schema comparison.
import type { JsonSchema, QueueMessageModel, QueueContractModel as ReadModel } from '../contracts/asyncapi.js';
import {
  identifyingProperty,
  queueLink,
  type QueueLinkModel as QueueContractModel,
} from '../contracts/asyncapi-queue.js';
import { diffSchema, type SchemaDiffContext, type SchemaSide } from './schema.js';
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
    diffHeaders({ before: sb, after: sa, direction: 'message', file, changes, done }, m, n, push);
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

/** Each channel (its queue or topic): matched by key, else by address; then how types are told apart. */
function diffQueue(
  before: QueueContractModel,
  after: QueueContractModel,
  push: (c: Omit<ContractChange, 'file'>) => void,
): void {
  const pairs = pairChannels(before.channels, after.channels);
  for (const [was, now] of pairs) {
    if (!now) {
      push({
        severity: 'wire-breaking',
        rule: 'CHANNEL_REMOVED',
        subject: `queue ${was.address}`,
        reason: `channel "${was.key}" is gone: deployed producers still send to ${was.address}, and nothing consumes it`,
        fix: 'keep the channel until no producer sends on it, then drain and delete its queue',
      });
      continue;
    }
    diffChannel(was, now, pairs.length > 1 || after.channels.length > 1, push);
  }
  diffPlaces(pairs, after.channels, push);
  for (const now of after.channels)
    if (!pairs.some(([, paired]) => paired === now))
      push({
        severity: 'safe',
        rule: 'CHANNEL_ADDED',
        subject: `queue ${now.address}`,
        reason: `a new channel "${now.key}": create its queue (or topic) and deploy its consumers before its producers`,
      });
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

type Channel = QueueContractModel['channels'][number];

/** Each channel of `before` with its channel of `after`: the same key, else (a renamed key) the same address. */
function pairChannels(before: Channel[], after: Channel[]): [Channel, Channel | undefined][] {
  // One channel each side: the same queue whatever its key (a one-channel link's names do not use it).
  if (before.length === 1 && after.length === 1) return [[before[0]!, after[0]]];
  const taken = new Set<Channel>();
  const byKey = before.map((c) => after.find((n) => n.key === c.key));
  for (const n of byKey) if (n) taken.add(n);
  return before.map((c, i) => {
    const found =
      byKey[i] ?? after.find((n) => !taken.has(n) && !before.some((b) => b.key === n.key) && n.address === c.address);
    if (found) taken.add(found);
    return [c, found];
  });
}

/** One channel in both versions: its queue's type and address, its key (the generated API's names). */
function diffChannel(
  was: Channel,
  now: Channel,
  several: boolean,
  push: (c: Omit<ContractChange, 'file'>) => void,
): void {
  if (was.fifo !== now.fifo) {
    push({
      severity: 'wire-breaking',
      rule: 'QUEUE_TYPE_CHANGED',
      subject: `queue ${was.address}`,
      reason:
        `${was.fifo ? 'FIFO became standard' : 'standard became FIFO'}: SQS cannot convert a queue ` +
        '(FIFO names end in ".fifo"), so this is a different queue and deployed peers keep using the old one',
      fix:
        `create the new queue (${now.address}), move consumers then producers to it, ` +
        `drain and delete ${was.address}`,
    });
  } else if (was.address !== now.address) {
    push({
      severity: 'wire-breaking',
      rule: 'QUEUE_ADDRESS_CHANGED',
      subject: `queue ${was.address}`,
      reason: `now ${now.address}: deployed producers and consumers still use the old queue`,
      fix: 'move consumers first, then producers, then drain the old queue',
    });
  }
  if (several && was.key !== now.key)
    push({
      severity: 'source-breaking',
      rule: 'CHANNEL_RENAMED',
      subject: `channel ${was.key}`,
      reason: `now "${now.key}" on the same queue: the generated publisher and consumer of a link with several channels are named after it`,
    });
}

/** A message on another channel than before: deployed producers send it where the new consumers no longer read. */
function diffPlaces(
  pairs: [Channel, Channel | undefined][],
  after: Channel[],
  push: (c: Omit<ContractChange, 'file'>) => void,
): void {
  for (const [was, paired] of pairs) {
    if (!paired) continue;
    for (const value of was.messages) {
      if (paired.messages.includes(value)) continue;
      const now = after.find((c) => c.messages.includes(value));
      if (!now) continue; // removed: MESSAGE_REMOVED says so
      push({
        severity: 'wire-breaking',
        rule: 'MESSAGE_MOVED',
        subject: `message ${value}`,
        reason: `now on ${now.address}, was on ${was.address}: deployed producers still send it there, and its consumers now read ${now.address}`,
        fix: `keep "${value}" on ${was.address} until no producer sends it there`,
      });
    }
  }
}

type HeaderView = { props: Record<string, unknown>; required: Set<string> };

function headerView(message: QueueMessageModel): HeaderView {
  const h = message.headers ?? {};
  const props =
    typeof h.properties === 'object' && h.properties !== null ? (h.properties as Record<string, unknown>) : {};
  return { props, required: new Set(Array.isArray(h.required) ? h.required.map(String) : []) };
}

/**
 * A message's headers (its typed message attributes). Both ends are deployed separately: a header the
 * new consumers require is missing from old publishers' messages (wire), one they no longer declare is
 * gone from the generated `context.headers` type that handlers read (source); a type change goes
 * through the schema comparison of a queue message (narrowing breaks queued messages).
 */
function diffHeaders(
  ctx: SchemaDiffContext,
  was: QueueMessageModel,
  now: QueueMessageModel,
  push: (c: Omit<ContractChange, 'file'>) => void,
): void {
  const b = headerView(was);
  const a = headerView(now);
  const at = (name: string) => `message ${now.name} header ${name}`;
  for (const name of Object.keys(b.props)) {
    if (Object.hasOwn(a.props, name)) continue;
    if (b.required.has(name))
      push({
        severity: 'wire-breaking',
        rule: 'REQUIRED_HEADER_REMOVED',
        subject: at(name),
        reason: 'consumers still deployed require it, and new publishers no longer send it',
        fix: 'make it optional first, then remove it once every consumer is deployed',
      });
    else
      push({
        severity: 'source-breaking',
        rule: 'HEADER_REMOVED',
        subject: at(name),
        reason: 'handlers that read it from context.headers no longer compile',
      });
  }
  for (const name of Object.keys(a.props)) {
    const added = !Object.hasOwn(b.props, name);
    if (a.required.has(name) && (added || !b.required.has(name)))
      push({
        severity: 'wire-breaking',
        rule: added ? 'REQUIRED_HEADER_ADDED' : 'HEADER_BECAME_REQUIRED',
        subject: at(name),
        reason: 'deployed publishers do not send it: the new consumers reject their messages (dead-letter queue)',
        fix: 'add it optional, make it required once every publisher sends it',
      });
    else if (added || (b.required.has(name) && !a.required.has(name)))
      push({
        severity: 'safe',
        rule: added ? 'HEADER_ADDED' : 'HEADER_BECAME_OPTIONAL',
        subject: at(name),
        reason: 'optional: messages without it still validate (deploy consumers before publishers)',
      });
    if (added) continue;
    diffSchema(
      ctx,
      at(name),
      { value: b.props[name], key: `#/h/${was.value}/${name}` },
      { value: a.props[name], key: `#/h/${now.value}/${name}` },
    );
  }
}
