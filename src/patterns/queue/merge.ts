// Merges the contract's message types into the user's handlers file through the shared reconciler:
// one property of the `handlers` object literal per message type. Loaded only when a merge is due.
//
// - a new message type gets a stub in `handlers`;
// - a handler the state says was the tool's, whose type left the contract, moves unchanged out of
//   `handlers` (typed <Pascal>Handlers, where it no longer compiles) into a marked `removedHandlers`
//   const below it; a property of the user's own that the state never had stays where it is;
// - when the type comes back, its handler moves back into `handlers` where it was (before the handler
//   of the type that follows it in the contract), and the marked const goes once empty;
// - a new type whose handler name is taken by a property of the user's own stops generate, naming both;
// - a type removed and one added with the same payload schema is named as a likely rename; `--rename
//   old=new` moves the handler (body and all) to the new type.
import { markerComment } from '../../codegen/markers.js';
import { lineColumnOf } from '../../codegen/edits.js';
import { planMembers, type Previous, type Rename } from '../../codegen/members.js';
import { parseUserFile, type Container, type Member, type UserFile } from '../../codegen/reconcile.js';
import { UserFileError } from '../../errors.js';
import { REMOVED_CONST, handlerStub } from './stubs.js';

interface HandlerView {
  typeName: string;
  value: string;
  handlerKey: string;
}

export interface QueueMerge {
  /** Project-relative path of handlers.ts, for errors. */
  file: string;
  messages: readonly HandlerView[];
  previous: Previous;
  contract: string;
  importSuffix: string;
  /** '_' under noUnusedParameters: the stub's unread payload parameter. */
  stubPrefix: string;
  renames: readonly Rename[];
  /** Message type -> payload schema hash, of the last generate and of now (likely renames). */
  payloads: { last: ReadonlyMap<string, string>; now: ReadonlyMap<string, string> };
  note(text: string): void;
}

function removedBlock(contract: string, importSuffix: string, body: string): string {
  return [
    '',
    markerComment(`handlers of message types no longer in ${contract}, moved here unchanged`),
    '// out of `handlers`. Nothing calls them: delete them, or add the types back and run `generate` to move',
    '// them back.',
    '// eslint-disable-next-line @typescript-eslint/no-explicit-any -- their message types no longer exist',
    `export const ${REMOVED_CONST}: Record<string, (message: any, context: import('./consumer${importSuffix}').MessageContext) => unknown> = {`,
    `${body}};`,
    '',
  ].join('\n');
}

/**
 * Brings the handlers file in line with the contract (see the top of this file). Returns `existing`
 * unchanged when there is nothing to do or when the file no longer has a `handlers` object literal.
 */
export function mergeHandlers(existing: string, merge: QueueMerge): string {
  const user = parseUserFile(merge.file, existing);
  const handlers = user.find({ object: 'handlers' });
  if (!handlers) return existing;
  const parked = user.find({ object: REMOVED_CONST });
  const byValue = new Map(merge.messages.map((m) => [m.value, m]));
  const present = new Set(handlers.members.map((m) => m.name));
  const renames = renameHandlers(user, handlers, parked, merge);
  for (const r of renames.inPlace) {
    present.delete(r.from);
    present.add(r.to);
  }
  const live = new Set([...merge.previous.live, ...merge.renames.map((r) => r.to)]);
  const plan = planMembers([...byValue.keys()], present, { live, removed: merge.previous.removed });
  const own = plan.adopt.find((name) => !renames.replaced.has(name));
  if (own !== undefined) throw taken(user, merge, user.member(handlers, own)!);
  const leaving = new Set([...plan.remove, ...plan.gone]);

  const out = handlers.members.filter((m) => leaving.has(m.name));
  for (const m of handlers.members) if (!leaving.has(m.name)) user.unmark(m, 'removed'); // a marker of earlier releases
  const movedOut = out.map((m) => user.cut(m, 'removed'));
  const keep = handlers.nodes.filter((n) => !out.some((m) => m.node === n));

  const back = (parked?.members ?? []).filter(
    (m) => plan.stub.includes(m.name) && m === parked!.members.find((p) => p.name === m.name),
  );
  const returning = [
    ...back.map((m) => ({ name: m.name, text: user.cut(m) })),
    ...renames.fromParked.map((r) => ({ name: r.to, text: r.text })),
  ];
  const inPlace = returning.length ? putBack(user, handlers, returning, leaving, merge) : [];
  const stubs = plan.stub
    .filter((v) => !returning.some((m) => m.name === v))
    .map((v) => stubOf(byValue.get(v)!, merge.stubPrefix));
  user.insertMembers(handlers, [...inPlace, ...stubs], keep.at(-1));

  const emptied = [...back.map((m) => m.node), ...renames.fromParked.map((r) => r.node)];
  parkHandlers(user, handlers, parked, emptied, movedOut, merge);
  noteRenames(plan.remove, plan.stub, merge);
  return user.edits.length ? user.result() : existing;
}

/**
 * Handlers coming back into `handlers` go where they were: before the handler of the first type that
 * follows them in the contract. Returns those that go at the end, in contract order.
 */
function putBack(
  user: UserFile,
  handlers: Container,
  returning: { name: string; text: string }[],
  leaving: ReadonlySet<string>,
  merge: QueueMerge,
): string[] {
  const order = new Map(merge.messages.map((m, i) => [m.value, i]));
  const staying = handlers.members.filter((m) => !leaving.has(m.name) && order.has(m.name));
  const atEnd: string[] = [];
  for (const r of [...returning].sort((a, b) => order.get(a.name)! - order.get(b.name)!)) {
    const next = staying.find((m) => order.get(m.name)! > order.get(r.name)!);
    if (next) user.insertBefore(next, [r.text]);
    else atEnd.push(r.text);
  }
  return atEnd;
}

/** What `--rename from=to` did: handlers renamed where they stand, and those brought back from the parking const. */
interface Renamed {
  inPlace: Rename[];
  fromParked: { to: string; text: string; node: Member['node'] }[];
  /** Types whose untouched stub a rename replaced. */
  replaced: Set<string>;
}

/** `--rename from=to`: the handler `from` (in `handlers`, or parked) becomes the handler of `to`. */
function renameHandlers(
  user: UserFile,
  handlers: Container,
  parked: Container | undefined,
  merge: QueueMerge,
): Renamed {
  const done: Renamed = { inPlace: [], fromParked: [], replaced: new Set() };
  for (const r of merge.renames) {
    const view = merge.messages.find((m) => m.value === r.to)!;
    const stub = user.member(handlers, r.to);
    if (stub) {
      if (stub.node.getText().trim() !== stubOf(view, merge.stubPrefix).trim().replace(/,$/, '')) {
        const { line, column } = lineColumnOf(user.text, stub.node.getStart());
        throw new UserFileError(
          merge.file,
          `--rename ${r.from}=${r.to}: \`handlers\` already has a handler "${r.to}" with code in it`,
          line,
          column,
          'move what you need from one into the other and delete it, then run `create-service-link generate` again',
        );
      }
      user.cut(stub);
      done.replaced.add(r.to);
    }
    const here = user.member(handlers, r.from);
    const there = parked ? user.member(parked, r.from) : undefined;
    if (here) {
      user.rename(here, view.handlerKey);
      done.inPlace.push(r);
    } else if (there) {
      done.fromParked.push({ to: r.to, text: user.cut(there, 'removed', view.handlerKey), node: there.node });
    } else throw new UserFileError(merge.file, `--rename ${r.from}=${r.to}: there is no handler "${r.from}" to move`);
  }
  return done;
}

/** A type removed and one added with the same payload schema: likely a rename, said with the command that moves it. */
function noteRenames(removed: readonly string[], added: readonly string[], merge: QueueMerge): void {
  for (const from of removed) {
    const schema = merge.payloads.last.get(from);
    const to = added.find((v) => merge.payloads.now.get(v) === schema);
    if (schema === undefined || to === undefined) continue;
    merge.note(
      `message type "${from}" left ${merge.contract} and "${to}" came with the same payload schema. If it is a rename, run \`create-service-link generate --rename ${from}=${to}\`: it moves your handler (body and all) to "${to}"; until then "${to}" messages reach a stub that throws, and go to the dead-letter queue.`,
    );
  }
}

/** A property of the user's own has the name a new message type's handler needs: generate stops, naming both. */
function taken(user: UserFile, merge: QueueMerge, member: Member): UserFileError {
  const { line, column } = lineColumnOf(user.text, member.node.getStart());
  return new UserFileError(
    merge.file,
    `message type "${member.name}" is new in ${merge.contract} and its handler must be the property "${member.name}" of \`handlers\`, but that property is your own (generate did not write it)`,
    line,
    column,
    'rename or remove your property (generate never takes over your code), then run `create-service-link generate` again; to make it the handler, move its body into the stub generate then writes',
  );
}

function stubOf(m: HandlerView, prefix: string): string {
  return `${handlerStub(m.typeName, m.handlerKey, prefix)}\n`;
}

/** Where the handlers that left `handlers` go: into the marked const (made when missing); an emptied const goes. */
function parkHandlers(
  user: UserFile,
  handlers: Container,
  parked: Container | undefined,
  back: Member['node'][],
  movedOut: string[],
  merge: QueueMerge,
): void {
  const staying = (parked?.nodes ?? []).filter((n) => !back.includes(n));
  if (parked && back.length && !staying.length && !movedOut.length && parked.statement) user.removeContainer(parked);
  else if (movedOut.length && parked) user.insertMembers(parked, movedOut, staying.at(-1));
  else if (movedOut.length)
    user.insertAfter(handlers.statement, removedBlock(merge.contract, merge.importSuffix, movedOut.join('')));
}
