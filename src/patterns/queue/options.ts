// Flag parsing for the queue pattern. Light: imported by spec.ts, so no heavy dependencies here.
import { UsageError } from '../../errors.js';
import { constantCase, isReservedWord } from '../../util/names.js';

export interface FieldSpec {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean';
  array: boolean;
  optional: boolean;
}

export interface MessageSpec {
  name: string;
  fields: FieldSpec[];
}

const FIELD_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * Parses one `--message` value: `TYPE[:FIELD=TYPE,...]`, e.g. "OrderCreated:orderId=string,total=number".
 * A field is optional with a `?` after its name (`note?=string`), a list with `[]` after its type (`tags=string[]`).
 */
export function parseMessageFlag(value: string): MessageSpec {
  const text = value.trim();
  const colon = text.indexOf(':');
  const name = (colon === -1 ? text : text.slice(0, colon)).trim();
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || isReservedWord(name))
    throw new UsageError(
      `--message "${value}": "${name}" is not a usable message type name (letters, digits, underscores; e.g. OrderCreated)`,
    );
  const fields: FieldSpec[] = [];
  const rest = colon === -1 ? '' : text.slice(colon + 1).trim();
  for (const part of rest ? rest.split(',') : []) {
    const m = /^\s*([A-Za-z_$][A-Za-z0-9_$]*)(\?)?\s*=\s*([a-z]+)(\[\])?\s*$/.exec(part);
    if (!m || !FIELD_TYPES.has(m[3]!))
      throw new UsageError(
        `--message "${value}": field "${part.trim()}" must look like name=TYPE with TYPE one of string, number, integer, boolean (optionally name?=TYPE or TYPE[])`,
      );
    if (fields.some((f) => f.name === m[1]))
      throw new UsageError(`--message "${value}": field "${m[1]}" is given twice`);
    fields.push({ name: m[1]!, optional: m[2] === '?', type: m[3] as FieldSpec['type'], array: m[4] === '[]' });
  }
  return { name, fields };
}

export function parseMessageFlags(values: unknown): MessageSpec[] {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  const messages = list.map((v) => parseMessageFlag(String(v)));
  const names = new Set<string>();
  for (const m of messages) {
    if (names.has(m.name)) throw new UsageError(`--message: message type "${m.name}" is given twice`);
    names.add(m.name);
  }
  return messages;
}

/** `order` -> `ORDER_QUEUE_URL`, `order-events` -> `ORDER_EVENTS_QUEUE_URL`. */
export function defaultQueueUrlEnv(linkName: string): string {
  return `${constantCase(linkName)}_QUEUE_URL`;
}

export function checkQueueUrlEnv(value: string): string {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(value))
    throw new UsageError(`--queue-url-env "${value}": use an environment variable name like ORDER_QUEUE_URL`);
  return value;
}

export function checkBroker(value: unknown): 'sqs' {
  if (value === undefined || value === 'sqs') return 'sqs';
  throw new UsageError(`--broker "${String(value)}": only "sqs" is supported`);
}
