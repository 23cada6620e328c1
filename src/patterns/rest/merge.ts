// Merges a REST server's operations into the user's handlers class through the shared reconciler,
// one method per operation. Loaded only when members.ts says a merge is due.
//
// - a new operation gets a stub method;
// - a method whose operation left the document (one the state says was a handler) is marked and kept;
//   its `T.<Op>Input`/`T.<Op>Reply` types are gone from types.ts, so they become `$frozen.<Op>Input`
//   (frozen.ts keeps their last known types, as gRPC's does) and its body still compiles as written;
//   a type not known any more becomes `any` (input) or `unknown` (result);
// - when the operation comes back, the marker goes and the generated types return;
// - a method of the user's with the name of a new operation handles it, with an `adopted` note.
import { Node } from 'ts-morph';
import { FROZEN_NS, withoutUnusedFrozen } from '../../codegen/frozen.js';
import { addNamespaceImports } from '../../codegen/imports.js';
import { markerComment } from '../../codegen/markers.js';
import { planMembers, type Previous } from '../../codegen/members.js';
import { parseUserFile, type Member, type UserFile } from '../../codegen/reconcile.js';
import type { OperationModel } from './operations.js';
import { handlerTypes, stubMethod } from './stubs.js';

export interface RestMerge {
  /** Project-relative path of handlers.ts, for errors. */
  file: string;
  className: string;
  operations: OperationModel[];
  previous: Previous;
  prefix: string;
  /** Import specifiers of the server runtime and the suffix of local modules, for imports new stubs need. */
  runtimeServer: string;
  suffix: string;
  /** What frozen.ts exports (last known types of operations that left) and what types.ts exports now. */
  frozenExports: ReadonlySet<string>;
  typeExports: ReadonlySet<string>;
}

type Slot = 'input' | 'returns';

/**
 * The operation types of a removed method, which types.ts no longer has: their frozen copy, else
 * `any` for the input (the user's body reads its fields) and `unknown` for the result.
 */
function forgotten(text: string, slot: Slot, merge: RestMerge): string {
  return text.replace(/(?<![\w$.])T\.([A-Za-z_$][\w$]*)/g, (all, name: string) =>
    merge.typeExports.has(name)
      ? all
      : merge.frozenExports.has(name)
        ? `${FROZEN_NS}.${name}`
        : slot === 'input'
          ? 'any'
          : 'unknown',
  );
}

/** A returning operation's frozen types are the generated ones again. */
const thawed = (text: string, merge: RestMerge): string =>
  text.replace(/\$frozen\.([A-Za-z_$][\w$]*)/g, (all, name: string) =>
    merge.typeExports.has(name) ? `T.${name}` : all,
  );

export function mergeHandlers(existing: string, merge: RestMerge): string {
  const user = parseUserFile(merge.file, existing);
  const container = user.find({ class: merge.className });
  if (!container) return existing;
  const ops = new Map(merge.operations.map((op) => [op.methodName, op]));
  const plan = planMembers([...ops.keys()], new Set(container.members.map((m) => m.name)), merge.previous);
  const named = (name: string): Member[] => container.members.filter((m) => m.name === name);
  for (const name of plan.adopt)
    user.mark(
      named(name)[0]!,
      markerComment(`adopted: ${name} is a new operation; this method was already here, so it handles it now.`),
    );
  user.insertMembers(
    container,
    plan.stub.map((name) => stubMethod(ops.get(name)!, merge.prefix)),
  );
  if (plan.stub.length) addStubImports(user, merge);
  for (const name of plan.restore) {
    user.unmark(named(name)[0]!, 'removed');
    const restore = (now: string, wanted: string, slot: Slot): string =>
      now === forgotten(wanted, slot, { ...merge, typeExports: new Set() }) ? wanted : thawed(now, merge);
    for (const m of named(name)) setTypes(user, m, restore, ops.get(name)!);
  }
  for (const name of [...plan.remove, ...plan.gone]) {
    for (const m of named(name)) setTypes(user, m, (now, _wanted, slot) => forgotten(now, slot, merge));
    const first = named(name)[0]!;
    if (plan.gone.includes(name) || user.markerLines(first, 'removed').length) continue;
    user.mark(
      first,
      markerComment(
        'removed operation: it is no longer in the document; nothing calls this method now (its types are gone).',
      ),
    );
  }
  addNamespaceImports(user, [[FROZEN_NS, `./frozen${merge.suffix}`]]);
  return withoutUnusedFrozen(user.edits.length ? user.result() : existing);
}

/** Rewrites the input and return type nodes of a method: `to(current, generated)`. */
function setTypes(
  user: UserFile,
  member: Member,
  to: (now: string, wanted: string, slot: Slot) => string,
  op?: OperationModel,
): void {
  const method = member.node;
  if (!Node.isMethodDeclaration(method)) return;
  const wanted = op ? handlerTypes(op) : { input: '', returns: '' };
  const slots: [Node | undefined, string, Slot][] = [
    [method.getParameters()[0]?.getTypeNode(), wanted.input, 'input'],
    [method.getReturnTypeNode(), wanted.returns, 'returns'],
  ];
  for (const [node, type, slot] of slots) {
    if (!node) continue;
    const next = to(node.getText(), type, slot);
    if (next !== node.getText()) user.replace(node, next);
  }
}

/** A file written without operations has no imports for stubs (noUnusedLocals): add those they use. */
function addStubImports(user: UserFile, merge: RestMerge): void {
  if (!/^import\s+type\s+\*\s+as\s+T\b/m.test(user.text))
    user.addImport(`import type * as T from './types${merge.suffix}';`);
  if (!/^import\b[^;]*\b(HttpError|HandlerContext)\b/m.test(user.text))
    user.addImport(`import { HttpError, type HandlerContext } from '${merge.runtimeServer}';`);
}
