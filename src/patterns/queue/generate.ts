// The queue pattern's generator: AsyncAPI document -> PlannedFile[] (loaded lazily by spec.load()).
import { ContractError } from '../../errors.js';
import { readAsyncApi } from '../../contracts/asyncapi.js';
import {
  discriminatedQueue,
  type DiscriminatedQueueModel as QueueContractModel,
} from '../../contracts/asyncapi-queue.js';
import { SchemaTypes, isSchemaObject, schemaDoc } from '../../codegen/schema-ts.js';
import { isReservedWord, pascalCase, propertyKey } from '../../util/names.js';
import {
  exportedNames,
  importLine,
  indexExports,
  typeNamesIn,
  type ExportKind,
  type IndexModule,
} from '../../codegen/imports.js';
import { commentLines, fits, wrapList, wrapUnion } from '../../codegen/layout.js';
import { REMOVED_CONST, handlerStub } from './stubs.js';
import { brokerOf, type BrokerCode, type MessageView, type QueueView } from './brokers/index.js';
import { render } from '../../codegen/render.js';
import { GENERATED_HEADER, jsDoc, lineComment, stringLiteral } from '../../util/text.js';
import type { GenerateContext, GenerateResult, PlannedFile } from '../types.js';
import { defaultQueueUrlEnv } from './options.js';
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
import { payloadHash } from './stubs.js';
import { validatorName, validatorsSource } from './validators.js';

/**
 * Type names a contract type may not take: messages.ts's own (the union, ValidationIssue, ...) and the
 * built-in types its code uses (Record, Error), read from the text it renders. The other modules name the
 * contract's types through a namespace or an alias, so only this one shares their scope.
 */
function reservedTypeNames(model: QueueContractModel, names: QueueNames): Set<string> {
  return new Set([names.unionName, ...typeNamesIn(messagesApi(model, names))]);
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
    queueUrlEnv:
      typeof options.queueUrlEnv === 'string' && options.queueUrlEnv
        ? options.queueUrlEnv
        : defaultQueueUrlEnv(linkName),
    fifo: model.fifo || options.fifo === true,
  };
}

export function messageViews(model: QueueContractModel): MessageView[] {
  const discAccess = access(model.discriminator);
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
      stub: handlerStub(typeName, handlerKey, discAccess),
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

/** The `export type` declarations of messages.ts: the component schemas payloads refer to, then the messages. */
function typeDeclarations(model: QueueContractModel, reserved: ReadonlySet<string>): string[] {
  const taken = new Set([...reserved, ...model.messages.map((m) => m.name)]);
  // Component schemas become named types when a payload refers to them; top-level payload refs were inlined.
  const refNames = new Map<string, string>();
  const refName = (def: string): string => {
    let name = refNames.get(def);
    if (!name) {
      const base = pascalCase(def) || 'Schema';
      name = /^[0-9]/.test(base) || isReservedWord(base) ? `${base}_` : base;
      if (taken.has(name)) name = `${name}Schema`;
      for (let n = 2; taken.has(name); n++) name = `${base}Schema${n}`;
      taken.add(name);
      refNames.set(def, name);
    }
    return name;
  };
  const types = new SchemaTypes({
    // The reader rewrote every component ref to `#/$defs/<name>`, the name escaped as a JSON pointer.
    ref: (ref) =>
      refName(
        ref
          .replace(/^#\/\$defs\//, '')
          .replace(/~1/g, '/')
          .replace(/~0/g, '~'),
      ),
    // Optional fields also take an explicit undefined (exactOptionalPropertyTypes); JSON drops it.
    optional: 'or-undefined',
    // A schema that is not valid JSON Schema stops generation in validatorsSource (Ajv checks it).
    invalid: () => 'unknown',
  });
  const at = { file: model.file, path: [] };
  const messages = model.messages.map((m) => {
    const doc = jsDoc([m.title, m.summary, m.description].filter(Boolean).join('\n\n'));
    return `${doc}export type ${m.name} = ${types.type(m.schema, at)};`;
  });
  // Emit referenced component types (a ref inside one may pull in more, so loop until stable).
  const named: string[] = [];
  const emitted = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const def of [...refNames.keys()]) {
      if (emitted.has(def)) continue;
      emitted.add(def);
      changed = true;
      const schema = model.schemas[def];
      const doc = jsDoc(isSchemaObject(schema) ? schemaDoc(schema) : undefined);
      named.push(`${doc}export type ${refNames.get(def)} = ${types.type(schema, at)};`);
    }
  }
  return [...named, ...messages];
}

/** `const type = guard ? value[disc] : undefined;`, the conditional broken like a formatter's when long. */
function readDiscriminator(guard: string, disc: string): string {
  const read = `(value as Record<string, unknown>)[${disc}]`;
  const line = `  const type = ${guard} ? ${read} : undefined;`;
  return fits(line) ? line : `  const type =\n    ${guard}\n      ? ${read}\n      : undefined;`;
}

function messagesSource(
  model: QueueContractModel,
  names: QueueNames,
  importSuffix: string,
  reserved: ReadonlySet<string>,
): string {
  const validators = model.messages.map((_m, i) => validatorName(i));
  const union = wrapUnion(
    '',
    `export type ${names.unionName} =`,
    model.messages.map((m) => m.name),
  );
  return `${GENERATED_HEADER}
${lineComment(`Message types of the ${names.pascal} queue, generated from ${model.file}.`)}
${lineComment(`Every body is a JSON object whose ${JSON.stringify(model.discriminator)} property names its type.`)}
${model.warnings.map((w) => `${commentLines(`Warning: ${w}`)}\n`).join('')}${importLine(validators, `./validators${importSuffix}`)}

${typeDeclarations(model, reserved).join('\n\n')}

${jsDoc(`Every message on the queue, discriminated by its ${JSON.stringify(model.discriminator)} property.`)}${union}

${messagesApi(model, names)}`;
}

/** messages.ts after the contract's types: the type list and the parse/validate API over them. */
function messagesApi(model: QueueContractModel, names: QueueNames): string {
  const { pascal, unionName } = names;
  const disc = stringLiteral(model.discriminator);
  const types = model.messages.map((m) => stringLiteral(m.value));
  return `export type ${unionName}Type = ${unionName}[${disc}];

${wrapList('', `export const ${pascal.toUpperCase()}_MESSAGE_TYPES: readonly ${unionName}Type[] = [`, types, '];')}

export interface ValidationIssue {
  /** JSON pointer of the offending value ('' for the whole message). */
  path: string;
  message: string;
}

export type ParseResult =
  | { ok: true; message: ${unionName} }
  | { ok: false; reason: 'json' | 'unknown-type' | 'schema'; issues: ValidationIssue[] };

type CompiledValidator = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string }[] | null;
};

const VALIDATORS = new Map<string, CompiledValidator>([
${model.messages.map((m, i) => `  [${stringLiteral(m.value)}, ${validatorName(i)} as CompiledValidator],`).join('\n')}
]);

/** The discriminator value of a would-be message, or 'unknown'. */
export function messageTypeOf(value: unknown): string {
${readDiscriminator("typeof value === 'object' && value !== null", disc)}
  return typeof type === 'string' ? type : 'unknown';
}

/** Checks a decoded body against the schema of the type it names. */
export function validateMessage(value: unknown): ParseResult {
${readDiscriminator("typeof value === 'object' && value !== null && !Array.isArray(value)", disc)}
  const validate = typeof type === 'string' ? VALIDATORS.get(type) : undefined;
  if (!validate) {
    const message = \`unknown message type \${JSON.stringify(type) ?? 'undefined'}\`;
    return { ok: false, reason: 'unknown-type', issues: [{ path: ${stringLiteral(`/${model.discriminator.replace(/~/g, '~0').replace(/\//g, '~1')}`)}, message }] };
  }
  if (!validate(value)) {
    const issues = (validate.errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? 'is invalid' }));
    return { ok: false, reason: 'schema', issues };
  }
  return { ok: true, message: value as ${unionName} };
}

${jsDoc(
  `Decodes and validates a message body. A body without its ${JSON.stringify(model.discriminator)} (a producer ` +
    `that sends the payload alone)\ntakes it from the \`type\` message attribute, else from ${identificationNote(model)}.`,
)}export function parseMessage(body: string, typeAttribute?: string | undefined): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: 'json', issues: [{ path: '', message: (error as Error).message }] };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(${disc} in value)) {
    const type = typeAttribute ?? identify(value as Record<string, unknown>);
    if (type !== undefined) value = { ${propertyKey(model.discriminator)}: type, ...value };
  }
  return validateMessage(value);
}

${identifySource(model)}
`;
}

/** How the README and the code name the identification rule. */
function identificationNote(model: QueueContractModel): string {
  const id = model.identification;
  if (id.kind === 'single') return 'the only message type of the queue';
  if (id.kind === 'validation') return 'the schema that accepts it and declares most of its properties';
  return `its ${JSON.stringify(id.property)} property (${id.kind === 'discriminator' ? "the payloads' discriminator" : 'pinned by each payload'})`;
}

/** `identify(value)`: the message type of a body that does not name it, by the model's identification. */
function identifySource(model: QueueContractModel): string {
  const id = model.identification;
  const head = '/** The message type of a body without its type, or undefined when none fits. */';
  if (id.kind === 'single')
    return `${head}\nfunction identify(_value: Record<string, unknown>): string | undefined {\n  return ${stringLiteral(model.messages[0]!.value)};\n}`;
  if (id.kind === 'validation') {
    const known = model.messages.map((m) => {
      const names = Object.keys(isSchemaObject(m.schema.properties) ? m.schema.properties : {});
      return `  ${wrapList('  ', `[${stringLiteral(m.value)}, [`, names.map(stringLiteral), ']],')}`;
    });
    return `const PROPERTIES = new Map<string, readonly string[]>([
${known.join('\n')}
]);

/**
 * The message type of a body without its type: of the schemas that accept it, the one declaring most of
 * its properties (the first on a tie), or undefined when none does.
 */
function identify(value: Record<string, unknown>): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const [type, validate] of VALIDATORS) {
    if (!validate({ ${propertyKey(model.discriminator)}: type, ...value })) continue;
    const known = PROPERTIES.get(type) ?? [];
    const score = Object.keys(value).filter((key) => known.includes(key)).length;
    if (score > bestScore) [best, bestScore] = [type, score];
  }
  return best;
}`;
  }
  const entries = Object.entries(id.values).map(([k, v]) => `  [${stringLiteral(k)}, ${stringLiteral(v)}],`);
  return `const BY_PROPERTY = new Map<unknown, string>([\n${entries.join('\n')}\n]);

${head}
function identify(value: Record<string, unknown>): string | undefined {
  return BY_PROPERTY.get(value[${stringLiteral(id.property)}]);
}`;
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
  const context: [string, ExportKind][] = [
    ['currentRequestContext', 'value'],
    ['runWithRequestContext', 'value'],
    ['RequestContext', 'type'],
  ];
  return indexExports([
    ...brokerFiles.map(own),
    { from: ctx.runtime('context'), names: new Map(context) },
    { from: ctx.runtime(broker.runtimeModule), names: new Map(broker.runtimeExports) },
    { ...own('messages.ts'), aliasSuffix: () => 'Message', star: true },
  ]).trimEnd();
}

/** The usage lines at the top of index.ts, their comments aligned whatever the link's name. */
export function usageComment(names: QueueNames): string {
  const lines: [string, string][] = [
    [`const publisher = new ${names.pascal}Publisher();`, `queue URL from ${names.queueUrlEnv}`],
    [`await publisher.publish(message${names.fifo ? ', { groupId }' : ''});`, ''],
    [`const consumer = start${names.pascal}Consumer();`, 'handlers from ./handlers'],
    ['await consumer.stop();', 'drains in-flight handlers'],
  ];
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

export async function generate(ctx: GenerateContext): Promise<GenerateResult> {
  const { link, project } = ctx;
  const contract = link.contracts[0];
  if (!contract) throw new ContractError(link.name, 'the queue link has no AsyncAPI document');
  const read = discriminatedQueue(readAsyncApi(await ctx.readFile(contract), contract));
  const names = namesFor(read, link.name, link.options);
  const reserved = reservedTypeNames(read, names);
  const model = clearOfReserved(read, reserved);
  const views = messageViews(model);
  const suffix = project.importSuffix;
  const broker = await brokerOf(link.options).load();
  const data: QueueView & { usage: string } = {
    header: GENERATED_HEADER,
    linkName: link.name,
    contract,
    pascal: names.pascal,
    unionName: names.unionName,
    fifo: names.fifo,
    importSuffix: suffix,
    queueUrlEnv: names.queueUrlEnv,
    queueUrlEnvLiteral: stringLiteral(names.queueUrlEnv),
    linkNameLiteral: stringLiteral(link.name),
    runtimeContext: ctx.runtime('context'),
    discAccess: access(model.discriminator),
    messages: views,
    usage: usageComment(names),
  };
  const out = link.out.replace(/\/+$/, '');
  const wanted = model.messages.map((m) => m.value);
  const previous = await previousHandlers(ctx, out, wanted);
  const renames = resolveRenames(ctx.renames, [['handlers', previous, wanted]], undefined, ctx.renameApplies);
  const payloads = {
    last: recordOf(ctx.previousState, PAYLOADS_KEY),
    now: new Map(model.messages.map((m) => [m.value, payloadHash(m.schema, model.discriminator)])),
  };
  const handlersPath = `${out}/handlers.ts`;
  const brokerFiles = broker.files(data, ctx);
  const modules: Record<string, string> = {
    'messages.ts': messagesSource(model, names, suffix, reserved),
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
    {
      kind: 'user',
      path: handlersPath,
      content: render('queue/handlers.ts', data),
      merge: async (existing) => {
        // Most regenerations change nothing here; ts-morph (and the TypeScript compiler under it) takes
        // longer to load than the whole rest of `generate`, so load it only when a merge is due.
        if (!renames.length && handlersUpToDate(existing, views, previous)) return existing;
        const { mergeHandlers } = await import('./merge.js');
        return mergeHandlers(existing, {
          file: handlersPath,
          messages: views,
          previous,
          contract,
          discAccess: data.discAccess,
          importSuffix: suffix,
          renames,
          payloads,
          note: ctx.note,
        });
      },
    },
  ];
  // The message types (their handlers), and the handlers parked for types that left, so the next
  // generate knows which handlers are the tool's without reading them back from any file; the payload
  // schemas, hashed, to name a removed type and an added one with the same payload as a likely rename.
  const removed = removedState(ctx.previousState, [['handlers', previous, wanted]], renames);
  const kept = new Map([...payloads.last].filter(([type]) => removed.includes(`handlers.${type}`)));
  return {
    files,
    state: {
      messageTypes: wanted,
      [REMOVED_KEY]: removed,
      [PAYLOADS_KEY]: recordEntries(new Map([...kept, ...payloads.now])),
    },
  };
}
