// The queue pattern's generator: AsyncAPI document -> PlannedFile[] (loaded lazily by spec.load()).
import { ContractError } from '../../errors.js';
import { readAsyncApi } from '../../contracts/asyncapi.js';
import {
  identifyingProperty,
  linkedOnly,
  queueLink,
  type QueueLinkModel as QueueContractModel,
} from '../../contracts/asyncapi-queue.js';
import { constantCase, isReservedWord, pascalCase, propertyKey } from '../../util/names.js';
import {
  exportedNames,
  indexExports,
  sharedRuntimeExports,
  typeNamesIn,
  type IndexModule,
} from '../../codegen/imports.js';
import { REMOVED_CONST, handlerStub } from './stubs.js';
import { brokerOf, type BrokerCode, type ChannelView, type MessageView, type QueueView } from './brokers/index.js';
import {
  channelNames,
  channelViews,
  channelsApi,
  consumedMessages,
  fanOutView,
  type ChannelNames,
} from './channels.js';
import { render } from '../../codegen/render.js';
import { GENERATED_HEADER, jsDoc, stringLiteral } from '../../util/text.js';
import type { GenerateContext, GenerateResult, PlannedFile } from '../types.js';
import { publishesToSns, queueUrlEnvOf, roleOf, topicArnEnvOf } from './link-options.js';
import { isMarker } from '../../codegen/markers.js';
import {
  PAYLOADS_KEY,
  REMOVED_KEY,
  markedInText,
  mergeDue,
  recordEntries,
  recordOf,
  removedFromState,
  removedState,
  resolveRenames,
  sectionOf,
  type Previous,
} from '../../codegen/members.js';
import { payloadHash, upgradeLegacyStubs } from './stubs.js';
import { validatorsSource } from './validators.js';
import { messagesApi, messagesSource, usesAmong } from './messages-source.js';
import { fanOutInfra } from './infra/from-link.js';
import { queueTopology } from './topology.js';

/**
 * Type names a contract type may not take: messages.ts's own (the union, ValidationIssue, ...) and the
 * built-in types its code uses (Record, Error), read from the text it renders. The other modules name the
 * contract's types through a namespace or an alias, so only this one shares their scope.
 */
function reservedTypeNames(model: QueueContractModel, names: QueueNames): Set<string> {
  // The API names the messages' own types too: rendered with placeholders, only its own names are left.
  const placeholders = {
    ...model,
    messages: model.messages.map((m, i) => ({ ...m, name: `__m${i}`, value: `__v${i}` })),
  };
  return new Set([names.unionName, ...typeNamesIn(messagesApi(placeholders, names))]);
}

function access(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${stringLiteral(key)}]`;
}

export interface QueueNames {
  pascal: string;
  unionName: string;
  queueUrlEnv: string;
  fifo: boolean;
}

export function namesFor(model: QueueContractModel, linkName: string, options: Record<string, unknown>): QueueNames {
  const pascal = pascalCase(linkName);
  return {
    pascal,
    unionName: `${pascal}Message`,
    queueUrlEnv: queueUrlEnvOf(linkName, options),
    fifo: model.fifo || options.fifo === true,
  };
}

export function messageViews(model: QueueContractModel, stubPrefix = ''): MessageView[] {
  return model.messages.map((m) => {
    const typeName = m.name;
    const handlerKey = propertyKey(m.value);
    return {
      typeName,
      value: m.value,
      literal: stringLiteral(m.value),
      handlerKey,
      access: access(m.value),
      doc: jsDoc([m.title, m.summary, m.description].filter(Boolean).join('\n\n'), '  '),
      stub: handlerStub(typeName, handlerKey, stubPrefix),
    };
  });
}

/**
 * The model with each message type named clear of `reserved` and of the language's words: a clash takes
 * the suffix `Message` (then a number), never an error.
 */
function clearOfReserved(model: QueueContractModel, reserved: ReadonlySet<string>): QueueContractModel {
  const taken = new Set(model.messages.map((m) => m.name));
  const messages = model.messages.map((m) => {
    if (!isReservedWord(m.name) && !reserved.has(m.name)) return m;
    let name = `${m.name}Message`;
    for (let n = 2; taken.has(name) || reserved.has(name); n++) name = `${m.name}Message${n}`;
    taken.add(name);
    return { ...m, name };
  });
  return { ...model, messages };
}

function declaresProperty(schema: Record<string, unknown>, name: string): boolean {
  const properties = schema.properties;
  return typeof properties === 'object' && properties !== null && name in properties;
}

/** Releases before the manifest kept state: the message types from the MESSAGE_TYPES constant of messages.ts. */
export function previousMessageTypes(messagesTs: string | undefined): string[] | undefined {
  const m = messagesTs
    ? /^export const [A-Z0-9_]*_MESSAGE_TYPES: readonly \w+\[\] = (\[.*\]);$/m.exec(messagesTs)
    : null;
  if (!m) return undefined;
  try {
    const parsed: unknown = JSON.parse(m[1]!);
    return Array.isArray(parsed) && parsed.every((v) => typeof v === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when merging cannot change the handlers file, decided without ts-morph: `handlers` has a
 * handler for each message type of last time and no other is due (mergeDue), and no marker of an
 * earlier release is left inside it. When unsure it answers false, which only costs the full merge.
 */
export function handlersUpToDate(
  existing: string,
  messages: readonly { value: string }[],
  previous: Previous,
): boolean {
  // A `removed` marker inside `handlers` is an earlier release's (this one parks the handler instead): it goes.
  if ((sectionOf(existing, { object: 'handlers' }) ?? '').split('\n').some((line) => isMarker(line, 'removed')))
    return false;
  return !mergeDue(existing, [{ ref: { object: 'handlers' }, wanted: messages.map((m) => m.value), previous }]);
}

/**
 * index.ts's exports: the link's API by name (read from its rendered modules), the runtime's part of
 * it, then the contract's message types, where one named like the API (a message called
 * PublishOptions) gets an alias.
 */
function indexSource(
  modules: Record<string, string>,
  brokerFiles: string[],
  broker: BrokerCode,
  ctx: GenerateContext,
): string {
  const own = (file: string): IndexModule => ({
    from: `./${file.replace(/\.ts$/, '')}${ctx.project.importSuffix}`,
    names: exportedNames(modules[file]!),
  });
  return indexExports([
    ...brokerFiles.map(own),
    ...sharedRuntimeExports(ctx.runtime('context'), ctx.runtime('middleware')),
    { from: ctx.runtime(broker.runtimeModule), names: new Map(broker.runtimeExports) },
    ...(broker.moreRuntimeExports?.(ctx.link.options) ?? []).map((m) => ({
      from: ctx.runtime(m.module),
      names: new Map(m.names),
    })),
    { ...own('messages.ts'), aliasSuffix: () => 'Message', star: true },
  ]).trimEnd();
}

/** The usage lines at the top of index.ts, their comments aligned whatever the link's name. */
function usageComment(names: QueueNames, sides = { publish: true, consume: true }, topicArnEnv?: string): string {
  const sendsTo = topicArnEnv ? `topic ARN from ${topicArnEnv}` : `queue URL from ${names.queueUrlEnv}`;
  const publisher: [string, string][] = [
    [`const publisher = new ${names.pascal}Publisher();`, sendsTo],
    [`await publisher.publish(type, payload${names.fifo ? ', { groupId }' : ''});`, 'the body is exactly the payload'],
  ];
  const consumer: [string, string][] = [
    [`const consumer = start${names.pascal}Consumer();`, 'handlers from ./handlers'],
    ['await consumer.stop();', 'drains in-flight handlers'],
  ];
  const lines = [...(sides.publish ? publisher : []), ...(sides.consume ? consumer : [])];
  const width = Math.max(...lines.map(([code]) => code.length)) + 2;
  return lines.map(([code, note]) => (note ? `//   ${code.padEnd(width)}// ${note}` : `//   ${code}`)).join('\n');
}

/** The message types of the last generate: from service-link.json, or (links of earlier releases) messages.ts. */
async function previousTypes(ctx: GenerateContext, out: string): Promise<string[] | undefined> {
  if (ctx.previousState) return ctx.previousState.messageTypes;
  const file = `${out}/messages.ts`;
  return previousMessageTypes((await ctx.exists(file)) ? await ctx.readFile(file) : undefined);
}

/**
 * What the last generate recorded about `handlers`: its message types then (handlers the tool stubbed
 * or adopted) and the handlers it parked for types that had left. Links of earlier releases lack the
 * parked record: the `removedHandlers` const and old per-handler markers say which those are; a link
 * without any record of its types trusts the handlers that are there.
 */
async function previousHandlers(ctx: GenerateContext, out: string, wanted: string[]): Promise<Previous> {
  const types = await previousTypes(ctx, out);
  const live = new Set(types ?? wanted);
  const removed = removedFromState(ctx.previousState, 'handlers');
  if (removed) return { live, removed };
  const file = `${out}/handlers.ts`;
  const text = (await ctx.exists(file)) ? await ctx.readFile(file) : '';
  const marked = markedInText(text, { object: 'handlers' }, (line) => isMarker(line, 'removed'));
  return { live, removed: new Set([...marked, ...markedInText(text, { object: REMOVED_CONST }, () => false, true)]) };
}

/**
 * What the templates get, and the message types the user's handlers.ts has handlers for: every type of a
 * one-channel link; with several channels, those of the channels it consumes (each has its own views).
 */
function linkView(
  model: QueueContractModel,
  names: QueueNames,
  views: MessageView[],
  ctx: GenerateContext,
): { data: QueueView & { usage: string }; handled: MessageView[]; channels: ChannelView[] | undefined } {
  const { link, project } = ctx;
  const base: QueueView = {
    header: GENERATED_HEADER,
    linkName: link.name,
    contract: link.contracts[0]!,
    pascal: names.pascal,
    unionName: names.unionName,
    fifo: names.fifo,
    importSuffix: project.importSuffix,
    queueUrlEnv: names.queueUrlEnv,
    queueUrlEnvLiteral: stringLiteral(names.queueUrlEnv),
    linkNameLiteral: stringLiteral(link.name),
    runtimeContext: ctx.runtime('context'),
    selfIdentifying: model.selfIdentifying,
    messages: views,
    api: '',
    fnParse: 'parseMessage',
    fnValidate: 'validateMessage',
    fnIsType: 'isMessageType',
    fnTypeOf: 'messageTypeOf',
    messagesModule: 'messages',
    settingsModule: 'sqs',
    queueUrlFn: 'queueUrl',
    constPrefix: '',
    ...fanOutView(publishesToSns(link.options), topicArnEnvOf(link.name), 'topicArn'),
    publish: roleOf(link.options) !== 'consumer',
    consume: roleOf(link.options) !== 'publisher',
  };
  if (model.channels.length < 2) {
    const data = { ...base, usage: usageComment(names, base, base.fanOut ? topicArnEnvOf(link.name) : undefined) };
    return { data, handled: base.consume ? views : [], channels: undefined };
  }
  const named = channelNames(model, names.pascal, constantCase(link.name));
  const channels = channelViews(base, named);
  const handled = consumedMessages(views, channels);
  return { data: { ...base, messages: handled, channels, usage: channelsUsage(channels, named) }, handled, channels };
}

/** The usage lines of index.ts for a link with several channels: one publisher and one consumer. */
function channelsUsage(channels: readonly ChannelView[], names: readonly ChannelNames[]): string {
  const at = channels.findIndex((c) => c.publish);
  const publisher = channels[at];
  const consumer = channels.find((c) => c.consume);
  const sendsTo = publisher?.fanOut
    ? `topic ARN from ${names[at]?.topicArnEnv}`
    : `queue URL from ${publisher?.queueUrlEnv}`;
  const lines = [
    ...(publisher
      ? [
          `//   const publisher = new ${publisher.pascal}Publisher();  // ${sendsTo}`,
          `//   await publisher.publish(type, payload${publisher.fifo ? ', { groupId }' : ''});`,
        ]
      : []),
    ...(consumer ? [`//   const consumer = start${consumer.pascal}Consumer();  // handlers from ./handlers`] : []),
  ];
  return lines.join('\n');
}

export async function generate(ctx: GenerateContext): Promise<GenerateResult> {
  const { link, project } = ctx;
  const contract = link.contracts[0];
  if (!contract) throw new ContractError(link.name, 'the queue link has no AsyncAPI document');
  const read = linkedOnly(queueLink(readAsyncApi(await ctx.readFile(contract), contract), roleOf(link.options)));
  const names = namesFor(read, link.name, link.options);
  const reserved = reservedTypeNames(read, names);
  const model = clearOfReserved(read, reserved);
  const stubPrefix = project.noUnusedParameters ? '_' : '';
  const views = messageViews(model, stubPrefix);
  // Stubs of earlier releases read `message.type`, which no longer compiles where the payload has none.
  const withoutTypeProperty = views.filter((_v, i) => !declaresProperty(model.messages[i]!.schema, 'type'));
  const suffix = project.importSuffix;
  const broker = await brokerOf(link.options).load();
  const { data, handled, channels } = linkView(model, names, views, ctx);
  const out = link.out.replace(/\/+$/, '');
  const wanted = handled.map((m) => m.value);
  const previous = await previousHandlers(ctx, out, wanted);
  const renames = resolveRenames(ctx.renames, [['handlers', previous, wanted]], undefined, ctx.renameApplies);
  // Hashed without the property naming the type (`type`, or the document's discriminator such as
  // `kind`), which differs between any two types: a renamed type then hashes as it did.
  const identifying = identifyingProperty(model) ?? 'type';
  const payloads = {
    last: recordOf(ctx.previousState, PAYLOADS_KEY),
    now: new Map(
      model.messages.filter((m) => wanted.includes(m.value)).map((m) => [m.value, payloadHash(m.schema, identifying)]),
    ),
  };
  const handlersPath = `${out}/handlers.ts`;
  const brokerFiles = broker.files(data, ctx);
  const modules: Record<string, string> = {
    'messages.ts': messagesSource(
      model,
      names,
      suffix,
      reserved,
      ctx.runtime('sqs'),
      channels && channelsApi(names.unionName, channels, usesAmong(model)),
    ),
    'validators.ts': validatorsSource(model),
    ...brokerFiles,
  };
  const index = render('queue/index.ts', {
    ...data,
    exports: indexSource(modules, Object.keys(brokerFiles), broker, ctx),
  });
  const files: PlannedFile[] = [
    ...Object.entries(modules).map(
      ([name, content]): PlannedFile => ({ kind: 'generated', path: `${out}/${name}`, content }),
    ),
    { kind: 'generated', path: `${out}/index.ts`, content: index },
  ];
  if (data.channels ? data.channels.some((c) => c.consume) : data.consume)
    files.push({
      kind: 'user',
      path: handlersPath,
      content: render('queue/handlers.ts', data),
      merge: async (text) => {
        const existing = upgradeLegacyStubs(text, withoutTypeProperty, stubPrefix);
        // Most regenerations change nothing here; ts-morph (and the TypeScript compiler under it) takes
        // longer to load than the whole rest of `generate`, so load it only when a merge is due.
        if (!renames.length && handlersUpToDate(existing, handled, previous)) return existing;
        const { mergeHandlers } = await import('./merge.js');
        return mergeHandlers(existing, {
          file: handlersPath,
          messages: handled,
          previous,
          contract,
          importSuffix: suffix,
          stubPrefix,
          renames,
          payloads,
          note: ctx.note,
        });
      },
    });
  // The message types (their handlers), and the handlers parked for types that left, so the next
  // generate knows which handlers are the tool's without reading them back from any file; the payload
  // schemas, hashed, to name a removed type and an added one with the same payload as a likely rename.
  // A fan-out link's infrastructure file (topics, queues, subscriptions), the user's once written.
  const infra = await fanOutInfra(ctx, queueTopology(read, link.name, link.options), contract);
  if (infra) files.push(infra.file);
  const removed = removedState(ctx.previousState, [['handlers', previous, wanted]], renames);
  const kept = new Map([...payloads.last].filter(([type]) => removed.includes(`handlers.${type}`)));
  return {
    files,
    state: {
      messageTypes: wanted,
      [REMOVED_KEY]: removed,
      [PAYLOADS_KEY]: recordEntries(new Map([...kept, ...payloads.now])),
      ...infra?.state,
    },
  };
}
