// The generated messages.ts of a queue link: the payload types exactly as the document describes them,
// the map from each message type to its payload, and the decode/validate/identify API over them.
import type { QueueLinkModel } from '../../contracts/asyncapi-queue.js';
import { SchemaTypes, isSchemaObject, schemaDoc } from '../../codegen/schema-ts.js';
import { commentLines, wrapList, wrapUnion } from '../../codegen/layout.js';
import { importLine, importLines } from '../../codegen/imports.js';
import { isReservedWord, pascalCase, propertyKey } from '../../util/names.js';
import { GENERATED_HEADER, jsDoc, lineComment, stringLiteral } from '../../util/text.js';
import { validatorName } from './validators.js';
import { filledHeader, headersTable, headersValidatorName, packedNote } from './messages-headers.js';

export interface MessagesNames {
  pascal: string;
  unionName: string;
}

/**
 * The whole of messages.ts. `reserved`: names the contract's types may not take (see reservedTypeNames);
 * `runtimeSqs`: the import path of the shared runtime's sqs module (the headers' codec).
 */
export function messagesSource(
  model: QueueLinkModel,
  names: MessagesNames,
  importSuffix: string,
  reserved: ReadonlySet<string>,
  runtimeSqs: string,
  channelsPart?: string | undefined,
): string {
  const validators = model.messages.flatMap((m, i) => [
    validatorName(i),
    ...(m.headers ? [headersValidatorName(i)] : []),
  ]);
  const { declarations, headerTypes } = typeDeclarations(model, reserved);
  const api = `${messagesApi(model, names, headerTypes)}${channelsPart ? `\n${channelsPart}` : ''}`;
  const packed = model.messages.flatMap((m) => packedNote(m, model.schemas) ?? []);
  const runtime = importLines(api, [{ from: runtimeSqs, values: RUNTIME_VALUES, types: RUNTIME_TYPES }]);
  return `${GENERATED_HEADER}
${lineComment(`Message types of the ${names.pascal} queue, generated from ${model.file}.`)}
// A body is exactly the payload its message describes; the message type travels beside it, as the
// \`type\` message attribute (what SNS filter policies match on), and so do its headers.
${[...packed, ...model.warnings.map((w) => `Warning: ${w}`)].map((w) => `${commentLines(w)}\n`).join('')}${importLine(validators, `./validators${importSuffix}`)}
${runtime}
${declarations.join('\n\n')}

${api}`;
}

const RUNTIME_VALUES = ['correlationIdOf', 'decodeHeaders', 'encodeHeaders', 'withCorrelationId'];
const RUNTIME_TYPES = ['HeaderAttribute', 'HeaderCodec', 'ReceivedAttributes'];

/**
 * messages.ts after the contract's types: the type map, the unions and the parse/validate API over them.
 * `headerTypes`: each message's headers type, by message value (none: it has no headers).
 */
export function messagesApi(
  model: QueueLinkModel,
  names: MessagesNames,
  headerTypes: ReadonlyMap<string, string> = new Map(),
): string {
  const { pascal, unionName } = names;
  const types = model.messages.map((m) => stringLiteral(m.value));
  const entries = model.messages.map((m) => `  ${propertyKey(m.value)}: ${m.name};`);
  const headerEntries = model.messages.map(
    (m) =>
      `  ${propertyKey(m.value)}: ${(headerTypes.get(m.value) ?? 'Record<string, never>').replace(/\n/g, '\n  ')};`,
  );
  const outgoingEntries = model.messages.map((m) => {
    const headers = `${unionName}Headers[${stringLiteral(m.value)}]`;
    const filled = filledHeader(m, model.schemas);
    const key = filled && propertyKey(filled);
    return `  ${propertyKey(m.value)}: ${filled ? `Omit<${headers}, ${stringLiteral(filled)}> & { ${key}?: string | undefined }` : headers};`;
  });
  const envelopes = model.messages.map((m) => `{ type: ${stringLiteral(m.value)}; payload: ${m.name} }`);
  const among = usesAmong(model);
  return `/** Each message type's payload, by the type's name as it travels in the \`type\` message attribute. */
export interface ${unionName}Payloads {
${entries.join('\n')}
}

export type ${unionName}Type = keyof ${unionName}Payloads;

/** Each message type's headers: message attributes beside the body, checked against their schema like it. */
export interface ${unionName}Headers {
${headerEntries.join('\n')}
}

/** The headers a publisher takes: those above, less a correlation ID header it may leave out (a new UUID goes). */
export interface ${unionName}OutgoingHeaders {
${outgoingEntries.join('\n')}
}

/** Any payload on the queue. */
${wrapUnion(
  '',
  `export type ${unionName} =`,
  model.messages.map((m) => m.name),
)}

/** A payload with its message type: what the consumer decodes and what publishBatch takes. */
${wrapUnion('', `export type ${unionName}Envelope =`, envelopes)}

/** A message as the consumer decoded it: its headers (validated; {} when none were sent) and its correlation ID. */
export type ${unionName}Received = {
  [T in ${unionName}Type]: {
    type: T;
    payload: ${unionName}Payloads[T];
    headers: ${unionName}Headers[T];
    correlationId?: string | undefined;
  };
}[${unionName}Type];

${wrapList('', `export const ${pascal.toUpperCase()}_MESSAGE_TYPES: readonly ${unionName}Type[] = [`, types, '];')}

export interface ValidationIssue {
  /** JSON pointer of the offending value ('' for the whole), in the payload or (reason 'headers') the headers. */
  path: string;
  message: string;
}

export type ParseResult<E = ${unionName}Envelope> =
  | { ok: true; message: E }
  | { ok: false; reason: 'json' | 'unknown-type' | 'schema' | 'headers'; issues: ValidationIssue[] };

type CompiledValidator = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string }[] | null;
};

const VALIDATORS = new Map<string, CompiledValidator>([
${model.messages.map((m, i) => `  [${stringLiteral(m.value)}, ${validatorName(i)} as CompiledValidator],`).join('\n')}
]);

/** How the headers of each message type that has headers (or a correlation ID) travel. */
${headersTable(model.messages, model.schemas)}

/** True when \`type\` names a message type of this queue. */
export function isMessageType(type: unknown): type is ${unionName}Type {
  return typeof type === 'string' && VALIDATORS.has(type);
}

function issuesOf(validate: CompiledValidator): ValidationIssue[] {
  return (validate.errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? 'is invalid' }));
}

/** Checks a payload against the schema of its message type. */
export function validateMessage(type: string, payload: unknown): ParseResult {
  const validate = VALIDATORS.get(type);
  if (!validate) {
    const message = \`unknown message type \${JSON.stringify(type)}\`;
    return { ok: false, reason: 'unknown-type', issues: [{ path: '', message }] };
  }
  if (!validate(payload)) return { ok: false, reason: 'schema', issues: issuesOf(validate) };
  return { ok: true, message: { type, payload } as ${unionName}Envelope };
}

/**
 * A message's headers as the message attributes that carry them, checked against its headers schema
 * first; a correlation ID header (a string) the caller left out is filled with a new UUID.
 */
export function outgoingHeaders(
  type: string,
  payload: unknown,
  headers: object | undefined,
):
  | { ok: true; attributes: Record<string, HeaderAttribute>; correlationId?: string | undefined }
  | { ok: false; issues: ValidationIssue[] } {
  const codec = HEADERS.get(type);
  const given = (headers ?? {}) as Readonly<Record<string, unknown>>;
  if (!codec) {
    if (Object.values(given).every((v) => v === undefined)) return { ok: true, attributes: {} };
    return { ok: false, issues: [{ path: '', message: \`\${type} declares no headers\` }] };
  }
  const filled = withCorrelationId(codec, given);
  if (codec.validate && !codec.validate(filled)) return { ok: false, issues: issuesOf(codec.validate) };
  const correlationId = correlationIdOf(codec, payload, filled);
  return { ok: true, attributes: encodeHeaders(codec, filled), correlationId };
}

${jsDoc(
  'Decodes and validates a message: its body, its type from the `type` message attribute, and its headers\n' +
    'from theirs. `attributes`: the message attributes as received, or the type alone. A body sent without\n' +
    `the type (a producer that sends the payload alone) is identified by\n${identificationNote(model)}.` +
    (among ? "\n`among`: only those message types (a channel's)." : ''),
)}export function parseMessage(
  body: string,
  attributes?: ReceivedAttributes | string | undefined,${among ? '\n  among?: ReadonlySet<string> | undefined,' : ''}
): ParseResult<${unionName}Received> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: 'json', issues: [{ path: '', message: (error as Error).message }] };
  }
  const received = typeof attributes === 'string' ? undefined : attributes;
  const typeAttribute = typeof attributes === 'string' ? attributes : received?.['type']?.StringValue;
  const type = typeAttribute ?? identifyMessage(value${among ? ', among' : ''});
  if (type === undefined) {
    const message = 'no \`type\` message attribute, and the body is none of the message types';
    return { ok: false, reason: 'unknown-type', issues: [{ path: '', message }] };
  }
  const checked = validateMessage(type, value);
  return checked.ok ? withHeaders(checked.message, received) : checked;
}

/** A valid message with its headers, read from its attributes and checked against their schema. */
function withHeaders(
  message: ${unionName}Envelope,
  attributes: ReceivedAttributes | undefined,
): ParseResult<${unionName}Received> {
  const codec = HEADERS.get(message.type);
  if (!codec) return { ok: true, message: { ...message, headers: {} } as ${unionName}Received };
  const headers = decodeHeaders(codec, attributes);
  if (codec.validate && !codec.validate(headers))
    return { ok: false, reason: 'headers', issues: issuesOf(codec.validate) };
  const correlationId = correlationIdOf(codec, message.payload, headers);
  return { ok: true, message: { ...message, headers, correlationId } as ${unionName}Received };
}

/** The message type of a payload, or 'unknown' (for error messages). */
export function messageTypeOf(payload: unknown): string {
  return identifyMessage(payload) ?? 'unknown';
}

${identifySource(model, among)}
`;
}

/**
 * Whether parse and identify take the types of one channel (`among`): a link with several channels
 * whose bodies may need identifying among more than one message type.
 */
export function usesAmong(model: QueueLinkModel): boolean {
  return model.channels.length > 1 && model.identification.kind !== 'single';
}

/** How the README and the code name the identification rule. */
function identificationNote(model: QueueLinkModel): string {
  const id = model.identification;
  if (id.kind === 'single') return 'the only message type of the queue';
  if (id.kind === 'validation') return 'the schema that accepts it and declares most of its properties';
  const whose = id.kind === 'discriminator' ? "the payloads' discriminator" : 'pinned by each payload';
  return `its ${JSON.stringify(id.property)} property (${whose})`;
}

/** `identifyMessage(value)`: the message type of a body sent without the type attribute. */
function identifySource(model: QueueLinkModel, among: boolean): string {
  const id = model.identification;
  const amongParam = among ? ', among?: ReadonlySet<string> | undefined' : '';
  const amongDoc = among ? "\n * `among`: only those message types (a channel's)." : '';
  if (id.kind === 'single')
    return `/** The message type of a body sent without the \`type\` attribute: ${identificationNote(model)}. */
export function identifyMessage(_value: unknown): string | undefined {
  return ${stringLiteral(model.messages[0]!.value)};
}`;
  if (id.kind === 'validation') return validationIdentify(model, amongParam, amongDoc);
  const entries = Object.entries(id.values).map(([k, v]) => `  [${stringLiteral(k)}, ${stringLiteral(v)}],`);
  const lookup = `BY_PROPERTY.get((value as Record<string, unknown>)[${stringLiteral(id.property)}])`;
  const found = among
    ? `const type = ${lookup};\n  return type !== undefined && (among === undefined || among.has(type)) ? type : undefined;`
    : `return ${lookup};`;
  return `const BY_PROPERTY = new Map<unknown, string>([\n${entries.join('\n')}\n]);

/**
 * The message type of a body sent without the \`type\` attribute: ${identificationNote(model)}.${amongDoc}
 */
export function identifyMessage(value: unknown${amongParam}): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  ${found}
}`;
}

function validationIdentify(model: QueueLinkModel, amongParam: string, amongDoc: string): string {
  const known = model.messages.map((m) => {
    const names = Object.keys(isSchemaObject(m.schema.properties) ? m.schema.properties : {});
    return `  ${wrapList('  ', `[${stringLiteral(m.value)}, [`, names.map(stringLiteral), ']],')}`;
  });
  const skip = amongParam ? '(among !== undefined && !among.has(type)) || !validate(value)' : '!validate(value)';
  return `const PROPERTIES = new Map<string, readonly string[]>([
${known.join('\n')}
]);

/**
 * The message type of a body sent without the \`type\` attribute: of the schemas that accept it, the one
 * declaring most of its properties (the first on a tie), or undefined when none does.${amongDoc}
 */
export function identifyMessage(value: unknown${amongParam}): string | undefined {
  const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
  let best: string | undefined;
  let bestScore = -1;
  for (const [type, validate] of VALIDATORS) {
    if (${skip}) continue;
    const known = PROPERTIES.get(type) ?? [];
    const score = keys.filter((key) => known.includes(key)).length;
    if (score > bestScore) [best, bestScore] = [type, score];
  }
  return best;
}`;
}

/**
 * The `export type` declarations of messages.ts (the component schemas payloads and headers refer to,
 * then the messages) and each message's headers type, by its value.
 */
function typeDeclarations(
  model: QueueLinkModel,
  reserved: ReadonlySet<string>,
): { declarations: string[]; headerTypes: Map<string, string> } {
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
  const headerTypes = new Map(
    model.messages.flatMap((m) => (m.headers ? [[m.value, types.type(m.headers, at)] as const] : [])),
  );
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
  return { declarations: [...named, ...messages], headerTypes };
}
