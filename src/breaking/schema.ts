// JSON Schema comparison shared by the OpenAPI and AsyncAPI rules. Which way a change hurts depends on
// who reads the data: a request is written by deployed clients and read by the new server (narrowing
// breaks), a response the reverse (widening and removals break), a queue message both (messages already
// queued by deployed producers meet the new consumer: narrowing breaks; what only the deploy order can
// break is reported safe with that order).
import type { ContractChange, Severity } from './types.js';

export type Direction = 'request' | 'response' | 'message';

export interface SchemaNode {
  value: unknown;
  /** Where it lives, for cycle detection (e.g. `file#/components/schemas/User`). */
  key: string;
}

export interface SchemaSide {
  /** Follows `$ref`s to the schema itself. */
  deref(node: SchemaNode): SchemaNode;
  child(node: SchemaNode, ...path: string[]): SchemaNode;
}

export interface SchemaDiffContext {
  before: SchemaSide;
  after: SchemaSide;
  direction: Direction;
  file: string;
  changes: ContractChange[];
  /** Named schemas already compared (per direction), shared by the whole diff: each is reported once. */
  done?: Set<string>;
}

/** `User` for a node of components.schemas or $defs (the named types). */
function schemaName(key: string): string | undefined {
  return /(?:\/components\/schemas|\/\$defs)\/([^/]+)$/.exec(key)?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON types a schema accepts ('any' when unconstrained). */
function typesOf(s: Obj): Set<string> {
  const t = s.type;
  const types = new Set<string>(Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : []);
  if (types.size === 0) {
    if (isObj(s.properties)) types.add('object');
    else if (s.items !== undefined) types.add('array');
    else types.add('any');
  }
  if (s.nullable === true) types.add('null');
  return types;
}

function accepts(types: Set<string>, t: string): boolean {
  return types.has('any') || types.has(t) || (t === 'integer' && types.has('number'));
}

function add(
  ctx: SchemaDiffContext,
  severity: Severity,
  rule: string,
  subject: string,
  reason: string,
  fix?: string,
): void {
  ctx.changes.push({ severity, rule, subject, reason, file: ctx.file, ...(fix ? { fix } : {}) });
}

/** Object view: properties and required, with allOf members merged in. */
function objectView(side: SchemaSide, node: SchemaNode): { props: Map<string, SchemaNode>; required: Set<string> } {
  const props = new Map<string, SchemaNode>();
  const required = new Set<string>();
  const visit = (n: SchemaNode, depth: number): void => {
    const at = side.deref(n);
    const s = at.value;
    if (!isObj(s) || depth > 8) return;
    if (isObj(s.properties)) for (const p of Object.keys(s.properties)) props.set(p, side.child(at, 'properties', p));
    if (Array.isArray(s.required)) for (const r of s.required) required.add(String(r));
    if (Array.isArray(s.allOf))
      for (let i = 0; i < s.allOf.length; i++) visit(side.child(at, 'allOf', String(i)), depth + 1);
  };
  visit(node, 0);
  return { props, required };
}

/** Compares one schema in both versions; `subject` names it in the report. */
export function diffSchema(
  ctx: SchemaDiffContext,
  where: string,
  b: SchemaNode,
  a: SchemaNode,
  seen = new Set<string>(),
): void {
  const before = ctx.before.deref(b);
  const after = ctx.after.deref(a);
  const pair = `${before.key}|${after.key}`;
  if (seen.has(pair) || seen.size > 200) return;
  seen.add(pair);
  // A named schema is reported by its name, once, however many operations or messages use it.
  const name = before.key !== b.key ? schemaName(before.key) : undefined;
  if (name && ctx.done) {
    if (ctx.done.has(`${ctx.direction}|${pair}`)) return;
    ctx.done.add(`${ctx.direction}|${pair}`);
  }
  const subject = name ? `schema ${name}` : where;
  if (!isObj(before.value) || !isObj(after.value)) return;
  diffTypes(ctx, subject, before.value, after.value);
  diffProperties(ctx, subject, objectView(ctx.before, before), objectView(ctx.after, after), seen);
  const bi = before.value.items;
  const ai = after.value.items;
  if (isObj(bi) && isObj(ai))
    diffSchema(ctx, `${subject}[]`, ctx.before.child(before, 'items'), ctx.after.child(after, 'items'), seen);
}

type ObjectView = ReturnType<typeof objectView>;

function diffProperties(
  ctx: SchemaDiffContext,
  subject: string,
  bo: ObjectView,
  ao: ObjectView,
  seen: Set<string>,
): void {
  for (const [name, node] of bo.props) {
    const now = ao.props.get(name);
    const sub = `${subject}.${name}`;
    if (now) diffSchema(ctx, sub, node, now, seen);
    else removedProperty(ctx, sub, bo.required.has(name));
  }
  for (const name of ao.props.keys()) {
    if (bo.props.has(name)) continue;
    const required = ao.required.has(name);
    if (required && ctx.direction !== 'response')
      add(
        ctx,
        'wire-breaking',
        'REQUIRED_PROPERTY_ADDED',
        `${subject}.${name}`,
        `a new required property: deployed ${sender(ctx)} never send it`,
        'make it optional (not in "required")',
      );
    else
      add(
        ctx,
        'safe',
        'PROPERTY_ADDED',
        `${subject}.${name}`,
        required ? 'a new property in what the server answers' : 'a new optional property',
      );
  }
  diffRequired(ctx, subject, bo, ao);
}

/** A property kept in both versions that became required, or stopped being required. */
function diffRequired(ctx: SchemaDiffContext, subject: string, bo: ObjectView, ao: ObjectView): void {
  for (const name of ao.required) {
    if (!bo.props.has(name) || !ao.props.has(name) || bo.required.has(name)) continue;
    if (ctx.direction !== 'response')
      add(
        ctx,
        'wire-breaking',
        'PROPERTY_BECAME_REQUIRED',
        `${subject}.${name}`,
        `now required: deployed ${sender(ctx)} may omit it`,
        'keep it optional',
      );
  }
  for (const name of bo.required) {
    if (!ao.props.has(name) || ao.required.has(name)) continue;
    if (ctx.direction === 'response')
      add(
        ctx,
        'wire-breaking',
        'RESPONSE_PROPERTY_BECAME_OPTIONAL',
        `${subject}.${name}`,
        'no longer required: deployed clients count on it being there',
        'keep it required',
      );
    else if (ctx.direction === 'message')
      add(
        ctx,
        'safe',
        'PROPERTY_BECAME_OPTIONAL',
        `${subject}.${name}`,
        'no longer required: deploy consumers before producers',
      );
  }
}

function sender(ctx: SchemaDiffContext): string {
  return ctx.direction === 'message' ? 'producers' : 'clients';
}

function removedProperty(ctx: SchemaDiffContext, subject: string, wasRequired: boolean): void {
  if (ctx.direction === 'response')
    add(
      ctx,
      'wire-breaking',
      'RESPONSE_PROPERTY_REMOVED',
      subject,
      'deployed clients read it',
      'keep it (deprecate it with "deprecated: true")',
    );
  else if (ctx.direction === 'message' && wasRequired)
    add(
      ctx,
      'wire-breaking',
      'MESSAGE_PROPERTY_REMOVED',
      subject,
      'a required property is gone: deployed consumers reject messages without it',
      'keep it, or make it optional first and remove it once every consumer is deployed',
    );
  else
    add(
      ctx,
      'source-breaking',
      'PROPERTY_REMOVED',
      subject,
      'code that sets or reads it stops compiling; deployed senders still send it and it is ignored',
    );
}

function diffTypes(ctx: SchemaDiffContext, subject: string, b: Obj, a: Obj): void {
  const bt = typesOf(b);
  const at = typesOf(a);
  const lost = [...bt].filter((t) => !accepts(at, t));
  const gained = [...at].filter((t) => !accepts(bt, t));
  const benum = Array.isArray(b.enum) ? b.enum.map((x) => JSON.stringify(x)) : undefined;
  const aenum = Array.isArray(a.enum) ? a.enum.map((x) => JSON.stringify(x)) : undefined;
  const lostValues = aenum ? (benum ?? ['(any value)']).filter((v) => !aenum.includes(v)) : [];
  const gainedValues = benum ? (aenum ?? ['(any value)']).filter((v) => !benum.includes(v)) : [];
  const narrowed = lost.length
    ? `type ${[...bt].join('|')} became ${[...at].join('|')}`
    : lostValues.length
      ? `enum lost ${lostValues.join(', ')}`
      : undefined;
  const widened = gained.length
    ? `type ${[...bt].join('|')} became ${[...at].join('|')}`
    : gainedValues.length
      ? `enum gained ${gainedValues.join(', ')}`
      : undefined;
  if (ctx.direction === 'response') {
    if (widened)
      add(
        ctx,
        'wire-breaking',
        'RESPONSE_TYPE_WIDENED',
        subject,
        `${widened}: deployed clients do not expect the new values`,
        'add a new property instead',
      );
    else if (narrowed)
      add(
        ctx,
        'safe',
        'RESPONSE_TYPE_NARROWED',
        subject,
        `${narrowed}: every value is one deployed clients already read`,
      );
    return;
  }
  if (narrowed)
    add(
      ctx,
      'wire-breaking',
      'TYPE_NARROWED',
      subject,
      `${narrowed}: deployed ${sender(ctx)} still send the old values`,
      'accept the old values too',
    );
  if (widened)
    add(
      ctx,
      'safe',
      'TYPE_WIDENED',
      subject,
      ctx.direction === 'message'
        ? `${widened}: deploy consumers before producers`
        : `${widened}: the server accepts more`,
    );
}
