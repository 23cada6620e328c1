// messages.ts's headers part: how each message type's `headers` travel as message attributes (the
// runtime's HeaderCodec, see runtime/sqs.ts), and the table the generated encode/decode functions read.
import type { JsonSchema, QueueMessageModel } from '../../contracts/asyncapi.js';
import { wrapList } from '../../codegen/layout.js';
import { stringLiteral } from '../../util/text.js';

/** Keep in step with runtime/sqs.ts MAX_HEADER_ATTRIBUTES (this side runs at generation time). */
const MAX_HEADER_ATTRIBUTES = 4;

/** Attributes the runtime sends itself (the large-payload size, the packed headers): a header may not take them. */
const RUNTIME_ATTRIBUTES = new Set([
  'type',
  'requestId',
  'traceparent',
  'tracestate',
  'baggage',
  'ExtendedPayloadSize',
  'headers',
]);

type HeaderKind = 'string' | 'number' | 'boolean' | 'json';

export interface HeaderPlan {
  headers: [string, HeaderKind][];
  packed: boolean;
}

/** Export name of the validator for one message's headers. */
export function headersValidatorName(index: number): string {
  return `validateHeaders${index}`;
}

/** How a message's headers travel: one attribute each when they can, else all as JSON in one. */
export function headerPlan(schema: JsonSchema, schemas: Record<string, JsonSchema>): HeaderPlan {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const headers = Object.entries(properties).map(([name, s]): [string, HeaderKind] => [name, kindOf(s, schemas)]);
  const open = schema.additionalProperties !== false || 'patternProperties' in schema;
  const packed =
    headers.length > MAX_HEADER_ATTRIBUTES ||
    headers.some(([name]) => !isAttributeName(name)) ||
    // A schema that names no header but admits any (`type: object` alone) sends what the caller gives.
    (open && headers.length === 0);
  return { headers, packed };
}

/** The kind of a header's schema: what its attribute text is read back as. */
function kindOf(schema: unknown, schemas: Record<string, JsonSchema>): HeaderKind {
  let s = schema;
  for (let hops = 0; isObject(s) && typeof s.$ref === 'string' && hops < 10; hops++)
    s = schemas[decodePointer(s.$ref.replace(/^#\/\$defs\//, ''))];
  const type = isObject(s) ? s.type : undefined;
  // An enum or const of strings alone is a string header too (read back as text, not JSON).
  const pinned = isObject(s) ? (s.const !== undefined ? [s.const] : s.enum) : undefined;
  const strings = type === undefined && Array.isArray(pinned) && pinned.every((v) => typeof v === 'string');
  if (type === 'string' || strings) return 'string';
  if (type === 'number' || type === 'integer') return 'number';
  if (type === 'boolean') return 'boolean';
  return 'json';
}

/** SQS's rule for attribute names, less the names the runtime sends. */
function isAttributeName(name: string): boolean {
  return (
    /^[A-Za-z0-9_\-.]{1,256}$/.test(name) &&
    !/^(aws|amazon)\./i.test(name) &&
    !name.includes('..') &&
    !name.startsWith('.') &&
    !name.endsWith('.') &&
    !RUNTIME_ATTRIBUTES.has(name)
  );
}

/**
 * The `HEADERS` table of messages.ts: per message type with headers or a correlation ID, its codec and
 * its headers' validator.
 */
export function headersTable(messages: readonly QueueMessageModel[], schemas: Record<string, JsonSchema>): string {
  const rows = messages.flatMap((m, i) => {
    if (!m.headers && !m.correlationId) return [];
    const plan = m.headers ? headerPlan(m.headers, schemas) : { headers: [], packed: false };
    const headers = plan.headers.map(([name, kind]) => `[${stringLiteral(name)}, '${kind}']`);
    const parts = [wrapList('      ', 'headers: [', headers, '],'), `packed: ${plan.packed},`];
    if (m.correlationId) {
      const path = m.correlationId.path.map(stringLiteral);
      parts.push(wrapList('      ', `correlationId: { in: '${m.correlationId.in}', path: [`, path, '] },'));
    }
    if (m.headers) parts.push(`validate: ${headersValidatorName(i)} as CompiledValidator,`);
    return [`  [\n    ${stringLiteral(m.value)},\n    {\n${parts.map((p) => `      ${p}\n`).join('')}    },\n  ],`];
  });
  const type = 'Map<string, HeaderCodec & { validate?: CompiledValidator }>';
  return rows.length ? `const HEADERS = new ${type}([\n${rows.join('\n')}\n]);` : `const HEADERS = new ${type}();`;
}

/**
 * The header a publisher fills with a new UUID when left out (runtime/sqs.ts withCorrelationId): the
 * correlation ID's, when it is a top-level header of type string.
 */
export function filledHeader(m: QueueMessageModel, schemas: Record<string, JsonSchema>): string | undefined {
  const at = m.correlationId;
  if (!m.headers || at?.in !== 'header' || at.path.length !== 1) return undefined;
  const name = at.path[0]!;
  return headerPlan(m.headers, schemas).headers.some(([h, kind]) => h === name && kind === 'string') ? name : undefined;
}

/** Why a message's headers travel packed, for the comment above them (undefined when they do not). */
export function packedNote(m: QueueMessageModel, schemas: Record<string, JsonSchema>): string | undefined {
  if (!m.headers || !headerPlan(m.headers, schemas).packed) return undefined;
  return `${m.value}: its headers travel as one JSON \`headers\` attribute (more than ${MAX_HEADER_ATTRIBUTES}, a name SQS refuses as an attribute name, or a schema naming none).`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
