// OpenAPI rules: operations paired by method and path (path parameter names do not reach the wire),
// else by operationId (then the route moved); parameters by location and name; bodies and 2xx
// responses through the schema comparison.
import { isObject, type Json, type OpenApiDocuments } from '../contracts/openapi.js';
import { diffSchema, type Direction, type SchemaNode, type SchemaSide } from './schema.js';
import type { ContractChange } from './types.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

interface Operation {
  route: string;
  /** The route with path parameter names blanked: what the wire sees. */
  wireRoute: string;
  id?: string;
  node: SchemaNode;
  params: Map<string, SchemaNode>;
}

function side(docs: OpenApiDocuments): SchemaSide {
  const split = (key: string) => {
    const hash = key.indexOf('#');
    return {
      file: key.slice(0, hash),
      path: key
        .slice(hash + 1)
        .split('/')
        .filter(Boolean),
    };
  };
  return {
    deref(node) {
      const { file, path } = split(node.key);
      const r = docs.deref(node.value as Json, { file, path });
      return { value: r.value, key: `${r.loc.file}#/${r.loc.path.join('/')}` };
    },
    child(node, ...path) {
      let value: unknown = node.value;
      for (const p of path)
        value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[p] : undefined;
      return { value, key: `${node.key.replace(/\/$/, '')}/${path.join('/')}` };
    },
  };
}

function operations(docs: OpenApiDocuments, s: SchemaSide): Operation[] {
  const paths = docs.root.paths;
  const out: Operation[] = [];
  if (!isObject(paths)) return out;
  const file = docs.entry.file;
  for (const route of Object.keys(paths)) {
    const item = s.deref({
      value: paths[route],
      key: `${file}#/paths/${route.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    });
    if (!isObject(item.value as Json)) continue;
    const shared = paramsOf(s, s.child(item, 'parameters'));
    for (const method of METHODS) {
      const op = s.child(item, method);
      if (!isObject(op.value as Json)) continue;
      const key = `${method.toUpperCase()} ${route}`;
      const id = (op.value as Record<string, unknown>).operationId;
      const params = new Map([...shared, ...paramsOf(s, s.child(op, 'parameters'))]);
      const wireRoute = `${method.toUpperCase()} ${route.replace(/\{[^}]*\}/g, '{}')}`;
      out.push({ route: key, wireRoute, node: op, params, ...(typeof id === 'string' ? { id } : {}) });
    }
  }
  return out;
}

function paramsOf(s: SchemaSide, list: SchemaNode): Map<string, SchemaNode> {
  const out = new Map<string, SchemaNode>();
  if (!Array.isArray(list.value)) return out;
  list.value.forEach((_, i) => {
    const p = s.deref(s.child(list, String(i)));
    const v = p.value as Record<string, unknown>;
    if (isObject(v as Json) && typeof v.name === 'string') out.set(`${String(v.in)} ${v.name}`, p);
  });
  return out;
}

/** Every change between two OpenAPI documents, each classified. */
export function diffOpenApi(before: OpenApiDocuments, after: OpenApiDocuments): ContractChange[] {
  const sb = side(before);
  const sa = side(after);
  const file = after.entry.file;
  const changes: ContractChange[] = [];
  const olds = operations(before, sb);
  const news = operations(after, sa);
  const matched = new Set<Operation>();
  const done = new Set<string>();
  for (const o of olds) {
    const n = news.find((x) => x.wireRoute === o.wireRoute) ?? news.find((x) => o.id !== undefined && x.id === o.id);
    if (!n) {
      changes.push({
        severity: 'wire-breaking',
        rule: 'OPERATION_REMOVED',
        subject: o.route,
        reason: 'deployed clients calling it get 404 or 405',
        fix: 'keep the operation (mark it "deprecated: true") until no client calls it',
        file,
      });
      continue;
    }
    matched.add(n);
    if (n.wireRoute !== o.wireRoute)
      changes.push({
        severity: 'wire-breaking',
        rule: 'OPERATION_MOVED',
        subject: `${o.route} (${o.id})`,
        reason: `now ${n.route}: deployed clients call the old method and path`,
        fix: `keep ${o.route} as well`,
        file,
      });
    if (o.id !== undefined && n.id !== undefined && n.id !== o.id)
      changes.push({
        severity: 'source-breaking',
        rule: 'OPERATION_ID_CHANGED',
        subject: `${n.route} (${o.id})`,
        reason: `operationId is now ${n.id}: the generated client's method is renamed, callers stop compiling`,
        fix: `rename the calls to ${o.id} (or keep operationId: ${o.id})`,
        file,
      });
    diffOperation({ before: sb, after: sa, file, changes, direction: 'request', done }, o, n);
  }
  for (const n of news)
    if (!matched.has(n))
      changes.push({
        severity: 'safe',
        rule: 'OPERATION_ADDED',
        subject: n.route,
        reason: 'deployed clients do not call it',
        file,
      });
  return changes;
}

interface Ctx {
  before: SchemaSide;
  after: SchemaSide;
  file: string;
  changes: ContractChange[];
  direction: Direction;
  done: Set<string>;
}

function diffOperation(ctx: Ctx, o: Operation, n: Operation): void {
  diffParams(ctx, o, n);
  diffBody(ctx, o, n);
  for (const status of Object.keys(responsesOf(ctx.before, o))) {
    if (!/^2/.test(status)) continue;
    const b = jsonSchema(
      ctx.before,
      ctx.before.child(ctx.before.deref(ctx.before.child(o.node, 'responses', status)), 'content'),
    );
    const a = jsonSchema(
      ctx.after,
      ctx.after.child(ctx.after.deref(ctx.after.child(n.node, 'responses', status)), 'content'),
    );
    if (b && a) diffSchema({ ...ctx, direction: 'response' }, `${n.route} response ${status}`, b, a);
  }
}

/** Parameters, paired by location and name (path parameters move with the route). */
function diffParams(ctx: Ctx, o: Operation, n: Operation): void {
  for (const [key, p] of o.params) {
    const q = n.params.get(key);
    const subject = `${n.route} parameter ${key}`;
    if (!q) {
      if (!key.startsWith('path '))
        ctx.changes.push({
          severity: 'wire-breaking',
          rule: 'PARAMETER_REMOVED',
          subject,
          reason: 'deployed clients still send it and the server no longer reads it',
          fix: 'keep the parameter (mark it "deprecated: true")',
          file: ctx.file,
        });
      continue;
    }
    const wasRequired = (p.value as Record<string, unknown>).required === true;
    if ((q.value as Record<string, unknown>).required === true && !wasRequired)
      ctx.changes.push({
        severity: 'wire-breaking',
        rule: 'PARAMETER_BECAME_REQUIRED',
        subject,
        reason: 'deployed clients may not send it',
        fix: 'keep it optional, with a default on the server',
        file: ctx.file,
      });
    diffSchema({ ...ctx, direction: 'request' }, subject, ctx.before.child(p, 'schema'), ctx.after.child(q, 'schema'));
  }
  for (const [key, q] of n.params) {
    if (o.params.has(key) || key.startsWith('path ')) continue;
    const required = (q.value as Record<string, unknown>).required === true;
    ctx.changes.push(
      required
        ? {
            severity: 'wire-breaking',
            rule: 'REQUIRED_PARAMETER_ADDED',
            subject: `${n.route} parameter ${key}`,
            reason: 'deployed clients never send it',
            fix: 'make it optional, with a default on the server',
            file: ctx.file,
          }
        : {
            severity: 'safe',
            rule: 'PARAMETER_ADDED',
            subject: `${n.route} parameter ${key}`,
            reason: 'a new optional parameter',
            file: ctx.file,
          },
    );
  }
}

function responsesOf(s: SchemaSide, op: Operation): Record<string, unknown> {
  const r = s.child(op.node, 'responses').value;
  return isObject(r as Json) ? (r as Record<string, unknown>) : {};
}

/** The schema of the JSON media type (or the only one) of a `content` map. */
function jsonSchema(s: SchemaSide, content: SchemaNode): SchemaNode | undefined {
  if (!isObject(content.value as Json)) return undefined;
  const types = Object.keys(content.value as Record<string, unknown>);
  const type = types.find((t) => /json/i.test(t)) ?? types[0];
  return type === undefined ? undefined : s.child(content, type, 'schema');
}

function diffBody(ctx: Ctx, o: Operation, n: Operation): void {
  const b = ctx.before.deref(ctx.before.child(o.node, 'requestBody'));
  const a = ctx.after.deref(ctx.after.child(n.node, 'requestBody'));
  const subject = `${n.route} request body`;
  const required = (x: SchemaNode) =>
    isObject(x.value as Json) && (x.value as Record<string, unknown>).required === true;
  if (required(a) && !required(b))
    ctx.changes.push({
      severity: 'wire-breaking',
      rule: 'REQUEST_BODY_BECAME_REQUIRED',
      subject,
      reason: 'deployed clients may call it without a body',
      fix: 'keep the body optional',
      file: ctx.file,
    });
  const bs = jsonSchema(ctx.before, ctx.before.child(b, 'content'));
  const as = jsonSchema(ctx.after, ctx.after.child(a, 'content'));
  if (bs && as) diffSchema({ ...ctx, direction: 'request' }, subject, bs, as);
}
