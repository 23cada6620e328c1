// Merges the contract's message types into the user's handlers file through the shared reconciler:
// one property of the `handlers` object literal per message type. Loaded only when a merge is due.
//
// - a new message type gets a stub in `handlers`;
// - a handler the state says was the tool's, whose type left the contract, moves unchanged out of
//   `handlers` (typed <Pascal>Handlers, where it no longer compiles) into a marked `removedHandlers`
//   const below it; a property of the user's own that the state never had stays where it is;
// - when the type comes back, its handler moves back into `handlers`, and the marked const goes once
//   empty (the const is the tool's: whatever in it has a current type's name moves back);
// - a handler the user wrote for a type before it was in the contract is kept, with an `adopted` note.
import { markerComment } from '../../codegen/markers.js';
import { planMembers, type Previous } from '../../codegen/members.js';
import { parseUserFile, type Container, type Member, type UserFile } from '../../codegen/reconcile.js';
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
  discAccess: string;
  importSuffix: string;
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
  const plan = planMembers([...byValue.keys()], new Set(handlers.members.map((m) => m.name)), merge.previous);
  const leaving = new Set([...plan.remove, ...plan.gone]);

  const out = handlers.members.filter((m) => leaving.has(m.name));
  for (const m of handlers.members) if (!leaving.has(m.name)) user.unmark(m, 'removed'); // a marker of earlier releases
  const movedOut = out.map((m) => user.cut(m, 'removed'));
  const keep = handlers.nodes.filter((n) => !out.some((m) => m.node === n));
  for (const name of plan.adopt) adopt(user, handlers, name, merge.contract);

  const back = (parked?.members ?? []).filter(
    (m) => plan.stub.includes(m.name) && m === parked!.members.find((p) => p.name === m.name),
  );
  const movedBack = back.map((m) => user.cut(m));
  const stubs = plan.stub
    .filter((v) => !back.some((m) => m.name === v))
    .map((v) => stubOf(byValue.get(v)!, merge.discAccess));
  user.insertMembers(handlers, [...movedBack, ...stubs], keep.at(-1));

  parkHandlers(user, handlers, parked, back, movedOut, merge);
  return user.edits.length ? user.result() : existing;
}

function stubOf(m: HandlerView, discAccess: string): string {
  return `${handlerStub(m.typeName, m.handlerKey, discAccess)}\n`;
}

/** Where the handlers that left `handlers` go: into the marked const (made when missing); an emptied const goes. */
function parkHandlers(
  user: UserFile,
  handlers: Container,
  parked: Container | undefined,
  back: Member[],
  movedOut: string[],
  merge: QueueMerge,
): void {
  const staying = (parked?.nodes ?? []).filter((n) => !back.some((m) => m.node === n));
  if (parked && back.length && !staying.length && !movedOut.length && parked.statement) user.removeContainer(parked);
  else if (movedOut.length && parked) user.insertMembers(parked, movedOut, staying.at(-1));
  else if (movedOut.length)
    user.insertAfter(handlers.statement, removedBlock(merge.contract, merge.importSuffix, movedOut.join('')));
}

/** A handler that was there before its type was in the contract: it handles the type now, said once. */
function adopt(user: UserFile, handlers: Container, value: string, contract: string): void {
  const member = user.member(handlers, value)!;
  user.mark(
    member,
    markerComment(
      `adopted: "${value}" is new in ${contract}; this handler was already here, so it handles those messages now.`,
    ),
  );
}
