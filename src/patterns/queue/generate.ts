// The queue pattern's generator: AsyncAPI document -> PlannedFile[] (loaded lazily by spec.load()).
import { ContractError } from '../../errors.js';
import { readAsyncApi, type QueueContractModel } from '../../contracts/asyncapi.js';
import { isReservedWord, pascalCase, propertyKey } from '../../util/names.js';
import { render } from '../../util/templates.js';
import { GENERATED_HEADER, jsDoc, lineComment, stringLiteral } from '../../util/text.js';
import type { GenerateContext, PlannedFile } from '../types.js';
import { defaultQueueUrlEnv } from './options.js';
import { schemaToTs } from './schema-ts.js';
import { validatorName, validatorsSource } from './validators.js';

interface MessageView {
  typeName: string;
  value: string;
  literal: string;
  handlerKey: string;
  /** `.OrderCreated` or `["order.created"]`: property access on the handlers object. */
  access: string;
  doc: string;
  stub: string;
}

/** Names the generated modules export or import; a contract type may not take them. */
function reservedNames(pascal: string): Set<string> {
  return new Set([
    `${pascal}Message`,
    `${pascal}MessageType`,
    `${pascal}Publisher`,
    `${pascal}Consumer`,
    `${pascal}Handlers`,
    `${pascal.toUpperCase()}_MESSAGE_TYPES`,
    'ValidationIssue',
    'ParseResult',
    'PublishOptions',
    'BatchEntry',
    'PublishResult',
    'PublishBatchResult',
    'PublisherOptions',
    'MessageContext',
    'ConsumerHooks',
    'ConsumerOptions',
    'RequestContext',
    'Message',
    'SQSClient',
    'MessageAttributeValue',
    'SendMessageBatchRequestEntry',
    'InFlight',
    'DeleteBatcher',
    'CompiledValidator',
    'QueueConfigError',
    'MessageValidationError',
    'MessageTooLargeError',
    'PublishError',
    'Promise',
    'Record',
    'Array',
    'Date',
    'Error',
  ]);
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
    queueUrlEnv: typeof options.queueUrlEnv === 'string' && options.queueUrlEnv ? options.queueUrlEnv : defaultQueueUrlEnv(linkName),
    fifo: model.fifo || options.fifo === true,
  };
}

export function handlerStub(typeName: string, handlerKey: string, discAccess: string): string {
  return [
    `  async ${handlerKey}(message, context) {`,
    `    // Handle the ${typeName.replace(/[^\w]/g, '')} message here.`,
    `    throw new Error(\`no handler written yet for \${message${discAccess}} (message \${context.messageId})\`);`,
    `  },`,
  ].join('\n');
}

export function messageViews(model: QueueContractModel, pascal: string): MessageView[] {
  const reserved = reservedNames(pascal);
  const discAccess = access(model.discriminator);
  return model.messages.map((m) => {
    const typeName = m.name;
    if (isReservedWord(typeName) || reserved.has(typeName))
      throw new ContractError(model.file, `message name "${typeName}" clashes with a name the generated code uses`, undefined, undefined, 'rename the message (its `name` field)');
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

function messagesSource(model: QueueContractModel, names: QueueNames, importSuffix: string): string {
  const { pascal, unionName } = names;
  const taken = new Set([...reservedNames(pascal), ...model.messages.map((m) => m.name)]);
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
  const blocks: string[] = [];
  for (const m of model.messages) {
    const doc = jsDoc([m.title, m.summary, m.description].filter(Boolean).join('\n\n'));
    blocks.push(`${doc}export type ${m.name} = ${schemaToTs(m.schema, refName)};`);
  }
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
      const doc = jsDoc(typeof schema === 'object' && schema && typeof schema.description === 'string' ? schema.description : undefined);
      named.push(`${doc}export type ${refNames.get(def)} = ${schemaToTs(schema, refName)};`);
    }
  }
  const disc = stringLiteral(model.discriminator);
  const imports = model.messages.map((_m, i) => validatorName(i)).join(', ');
  return `${GENERATED_HEADER}
${lineComment(`Message types of the ${names.pascal} queue, generated from ${model.file}.`)}
${lineComment(`Every body is a JSON object whose ${JSON.stringify(model.discriminator)} property names its type.`)}
import { ${imports} } from './validators${importSuffix}';

${[...named, ...blocks].join('\n\n')}

${jsDoc(`Every message on the queue, discriminated by its ${JSON.stringify(model.discriminator)} property.`)}export type ${unionName} = ${model.messages.map((m) => m.name).join(' | ')};

export type ${unionName}Type = ${unionName}[${disc}];

export const ${pascal.toUpperCase()}_MESSAGE_TYPES: readonly ${unionName}Type[] = [${model.messages.map((m) => stringLiteral(m.value)).join(', ')}];

export interface ValidationIssue {
  /** JSON pointer of the offending value ('' for the whole message). */
  path: string;
  message: string;
}

export type ParseResult =
  | { ok: true; message: ${unionName} }
  | { ok: false; reason: 'json' | 'unknown-type' | 'schema'; issues: ValidationIssue[] };

type CompiledValidator = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

const VALIDATORS = new Map<string, CompiledValidator>([
${model.messages.map((m, i) => `  [${stringLiteral(m.value)}, ${validatorName(i)} as CompiledValidator],`).join('\n')}
]);

/** The discriminator value of a would-be message, or 'unknown'. */
export function messageTypeOf(value: unknown): string {
  const type = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[${disc}] : undefined;
  return typeof type === 'string' ? type : 'unknown';
}

/** Checks a decoded body against the schema of the type it names. */
export function validateMessage(value: unknown): ParseResult {
  const type = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[${disc}] : undefined;
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

/** Decodes and validates a message body. */
export function parseMessage(body: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: 'json', issues: [{ path: '', message: (error as Error).message }] };
  }
  return validateMessage(value);
}
`;
}

export async function generate(ctx: GenerateContext): Promise<PlannedFile[]> {
  const { link, project } = ctx;
  const contract = link.contracts[0];
  if (!contract) throw new ContractError(link.name, 'the queue link has no AsyncAPI document');
  const model = readAsyncApi(await ctx.readFile(contract), contract);
  const names = namesFor(model, link.name, link.options);
  const views = messageViews(model, names.pascal);
  const suffix = project.importSuffix;
  const data = {
    header: GENERATED_HEADER,
    linkName: link.name,
    contract,
    pascal: names.pascal,
    unionName: names.unionName,
    fifo: names.fifo,
    importSuffix: suffix,
    queueUrlEnv: names.queueUrlEnv,
    queueUrlEnvLiteral: stringLiteral(names.queueUrlEnv),
    discAccess: access(model.discriminator),
    messages: views,
  };
  const out = link.out.replace(/\/+$/, '');
  const files: PlannedFile[] = [
    { kind: 'generated', path: `${out}/messages.ts`, content: messagesSource(model, names, suffix) },
    { kind: 'generated', path: `${out}/validators.ts`, content: validatorsSource(model) },
    { kind: 'generated', path: `${out}/context.ts`, content: render('queue', 'context.ts', data) },
    { kind: 'generated', path: `${out}/sqs.ts`, content: render('queue', 'sqs.ts', data) },
    { kind: 'generated', path: `${out}/publisher.ts`, content: render('queue', 'publisher.ts', data) },
    { kind: 'generated', path: `${out}/consumer.ts`, content: render('queue', 'consumer.ts', data) },
    { kind: 'generated', path: `${out}/index.ts`, content: render('queue', 'index.ts', data) },
    {
      kind: 'user',
      path: `${out}/handlers.ts`,
      content: render('queue', 'handlers.ts', data),
      merge: async (existing) => {
        const { mergeHandlers } = await import('./merge.js');
        return mergeHandlers(existing, views, contract, data.discAccess);
      },
    },
  ];
  return files;
}
