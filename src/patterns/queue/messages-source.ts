// The generated messages.ts of a queue link: the payload types exactly as the document describes them,
// the map from each message type to its payload, and the decode/validate/identify API over them.
import type { QueueLinkModel } from '../../contracts/asyncapi-queue.js';
import { SchemaTypes, isSchemaObject, schemaDoc } from '../../codegen/schema-ts.js';
import { commentLines, wrapList, wrapUnion } from '../../codegen/layout.js';
import { importLine } from '../../codegen/imports.js';
import { isReservedWord, pascalCase, propertyKey } from '../../util/names.js';
import { GENERATED_HEADER, jsDoc, lineComment, stringLiteral } from '../../util/text.js';
import { validatorName } from './validators.js';

export interface MessagesNames {
  pascal: string;
  unionName: string;
}

/** The whole of messages.ts. `reserved`: names the contract's types may not take (see reservedTypeNames). */
export function messagesSource(
  model: QueueLinkModel,
  names: MessagesNames,
  importSuffix: string,
  reserved: ReadonlySet<string>,
  channelsPart?: string | undefined,
): string {
  const validators = model.messages.map((_m, i) => validatorName(i));
  return `${GENERATED_HEADER}
${lineComment(`Message types of the ${names.pascal} queue, generated from ${model.file}.`)}
// A body is exactly the payload its message describes; the message type travels beside it, as the
// \`type\` message attribute (what SNS filter policies match on).
${model.warnings.map((w) => `${commentLines(`Warning: ${w}`)}\n`).join('')}${importLine(validators, `./validators${importSuffix}`)}

${typeDeclarations(model, reserved).join('\n\n')}

${messagesApi(model, names)}${channelsPart ? `\n${channelsPart}` : ''}`;
}

/** messages.ts after the contract's types: the type map, the unions and the parse/validate API over them. */
export function messagesApi(model: QueueLinkModel, names: MessagesNames): string {
  const { pascal, unionName } = names;
  const types = model.messages.map((m) => stringLiteral(m.value));
  const entries = model.messages.map((m) => `  ${propertyKey(m.value)}: ${m.name};`);
  const envelopes = model.messages.map((m) => `{ type: ${stringLiteral(m.value)}; payload: ${m.name} }`);
  return `/** Each message type's payload, by the type's name as it travels in the \`type\` message attribute. */
export interface ${unionName}Payloads {
${entries.join('\n')}
}

export type ${unionName}Type = keyof ${unionName}Payloads;

/** Any payload on the queue. */
${wrapUnion(
  '',
  `export type ${unionName} =`,
  model.messages.map((m) => m.name),
)}

/** A payload with its message type: what the consumer decodes and what publishBatch takes. */
${wrapUnion('', `export type ${unionName}Envelope =`, envelopes)}

${wrapList('', `export const ${pascal.toUpperCase()}_MESSAGE_TYPES: readonly ${unionName}Type[] = [`, types, '];')}

export interface ValidationIssue {
  /** JSON pointer of the offending value ('' for the whole message). */
  path: string;
  message: string;
}

export type ParseResult<E = ${unionName}Envelope> =
  | { ok: true; message: E }
  | { ok: false; reason: 'json' | 'unknown-type' | 'schema'; issues: ValidationIssue[] };

type CompiledValidator = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string }[] | null;
};

const VALIDATORS = new Map<string, CompiledValidator>([
${model.messages.map((m, i) => `  [${stringLiteral(m.value)}, ${validatorName(i)} as CompiledValidator],`).join('\n')}
]);

/** True when \`type\` names a message type of this queue. */
export function isMessageType(type: unknown): type is ${unionName}Type {
  return typeof type === 'string' && VALIDATORS.has(type);
}

/** Checks a payload against the schema of its message type. */
export function validateMessage(type: string, payload: unknown): ParseResult {
  const validate = VALIDATORS.get(type);
  if (!validate) {
    const message = \`unknown message type \${JSON.stringify(type)}\`;
    return { ok: false, reason: 'unknown-type', issues: [{ path: '', message }] };
  }
  if (!validate(payload)) {
    const issues = (validate.errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? 'is invalid' }));
    return { ok: false, reason: 'schema', issues };
  }
  return { ok: true, message: { type, payload } as ${unionName}Envelope };
}

${jsDoc(
  'Decodes and validates a message body. Its type comes from the `type` message attribute; a body sent\n' +
    `without it (a producer that sends the payload alone) is identified by\n${identificationNote(model)}.`,
)}export function parseMessage(
  body: string,
  typeAttribute?: string | undefined,
  among?: ReadonlySet<string> | undefined,
): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: 'json', issues: [{ path: '', message: (error as Error).message }] };
  }
  const type = typeAttribute ?? identifyMessage(value, among);
  if (type === undefined) {
    const message = 'no \`type\` message attribute, and the body is none of the message types';
    return { ok: false, reason: 'unknown-type', issues: [{ path: '', message }] };
  }
  return validateMessage(type, value);
}

/** The message type of a payload, or 'unknown' (for error messages). */
export function messageTypeOf(payload: unknown): string {
  return identifyMessage(payload) ?? 'unknown';
}

${identifySource(model)}
`;
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
function identifySource(model: QueueLinkModel): string {
  const id = model.identification;
  const head = `/** The message type of a body sent without the \`type\` attribute: ${identificationNote(model)}. */`;
  const signature = 'export function identifyMessage(value: unknown, among?: ReadonlySet<string>): string | undefined';
  if (id.kind === 'single')
    return `${head}\n${signature.replace('value', '_value').replace('among', '_among')} {\n  return ${stringLiteral(model.messages[0]!.value)};\n}`;
  if (id.kind === 'validation') return validationIdentify(model, signature);
  const entries = Object.entries(id.values).map(([k, v]) => `  [${stringLiteral(k)}, ${stringLiteral(v)}],`);
  return `const BY_PROPERTY = new Map<unknown, string>([\n${entries.join('\n')}\n]);

${head.replace(' */', "\n * `among`: only those message types (a channel's). */")}
${signature} {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const type = BY_PROPERTY.get((value as Record<string, unknown>)[${stringLiteral(id.property)}]);
  return type !== undefined && (among === undefined || among.has(type)) ? type : undefined;
}`;
}

function validationIdentify(model: QueueLinkModel, signature: string): string {
  const known = model.messages.map((m) => {
    const names = Object.keys(isSchemaObject(m.schema.properties) ? m.schema.properties : {});
    return `  ${wrapList('  ', `[${stringLiteral(m.value)}, [`, names.map(stringLiteral), ']],')}`;
  });
  return `const PROPERTIES = new Map<string, readonly string[]>([
${known.join('\n')}
]);

/**
 * The message type of a body sent without the \`type\` attribute: of the schemas that accept it (of the
 * types \`among\`, when given: a channel's), the one declaring most of its properties (the first on a tie),
 * or undefined when none does.
 */
${signature} {
  const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
  let best: string | undefined;
  let bestScore = -1;
  for (const [type, validate] of VALIDATORS) {
    if ((among !== undefined && !among.has(type)) || !validate(value)) continue;
    const known = PROPERTIES.get(type) ?? [];
    const score = keys.filter((key) => known.includes(key)).length;
    if (score > bestScore) [best, bestScore] = [type, score];
  }
  return best;
}`;
}

/** The `export type` declarations of messages.ts: the component schemas payloads refer to, then the messages. */
function typeDeclarations(model: QueueLinkModel, reserved: ReadonlySet<string>): string[] {
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
