// Merges regenerated stubs into the user's handlers file through the shared reconciler: one class
// per service, one method per RPC. Loaded only when members.ts says a merge is due.
//
// - a new RPC gets a stub method; a new service gets its class;
// - a method whose RPC left the .proto (one the state says was a handler) is marked and kept; messages
//   it used that are gone become `unknown` in its signature, so it still compiles; its body stays;
// - when the RPC comes back, the marker goes and the generated types return;
// - a public method of the user's that has the name of a new RPC becomes its handler with an
//   `adopted` note (TypeScript then checks its signature); a private or protected one cannot
//   implement the RPC and the tool may not rename it, so generate stops and says so.
import { Node, type MethodDeclaration } from 'ts-morph';
import { UserFileError } from '../../errors.js';
import { lineColumnOf } from '../../codegen/edits.js';
import { markerComment } from '../../codegen/markers.js';
import { planMembers, type Previous } from '../../codegen/members.js';
import {
  isPublicInstance,
  parseUserFile,
  type Container,
  type Member,
  type UserFile,
} from '../../codegen/reconcile.js';
import { handlerTypes, stubClass, stubMethod, type GrpcModules, type MethodModel, type ServiceModel } from './stubs.js';

/** `$msg.X` names that messages.ts no longer exports, as `unknown`: a method can outlive its messages. */
function withoutRemovedTypes(typeText: string, messageExports: ReadonlySet<string>): string {
  return typeText.replace(/\$msg\.([A-Za-z_$][\w$]*)/g, (all, name: string) =>
    messageExports.has(name) ? all : 'unknown',
  );
}

export interface GrpcMerge {
  /** Project-relative path of handlers.ts, for errors. */
  file: string;
  services: ServiceModel[];
  /** Per class (`<Service>Impl`), what the last generate recorded. */
  previous: Map<string, Previous>;
  mods: GrpcModules;
  messageExports: ReadonlySet<string>;
  stubPrefix: string;
}

export function mergeHandlers(existing: string, merge: GrpcMerge): string {
  const user = parseUserFile(merge.file, existing);
  for (const service of merge.services) {
    const container = user.find({ class: `${service.name}Impl` });
    if (container) mergeClass(user, container, service, merge);
    else user.append(stubClass(service, merge.stubPrefix));
  }
  addNamespaceImports(user, merge.mods);
  return user.result();
}

function mergeClass(user: UserFile, container: Container, service: ServiceModel, merge: GrpcMerge): void {
  const rpcs = new Map(service.methods.map((m) => [m.prop, m]));
  const previous = merge.previous.get(`${service.name}Impl`) ?? { live: new Set<string>(), removed: new Set<string>() };
  const plan = planMembers([...rpcs.keys()], new Set(container.members.map((m) => m.name)), previous);
  const named = (name: string): Member[] => container.members.filter((m) => m.name === name);
  for (const name of plan.adopt) adopt(user, merge.file, user.member(container, name)!, service, rpcs.get(name)!);
  user.insertMembers(
    container,
    plan.stub.map((name) => stubMethod(service, rpcs.get(name)!, merge.stubPrefix)),
  );
  for (const name of plan.restore) {
    // The RPC is back: our marker goes, and the types the removal took away come back.
    user.unmark(named(name)[0]!, 'removed');
    for (const m of named(name)) restoreTypes(user, m, rpcs.get(name)!);
  }
  for (const name of [...plan.remove, ...plan.gone]) {
    const rewrote = named(name)
      .map((m) => forgetTypes(user, m, merge.messageExports))
      .some(Boolean);
    const first = named(name)[0]!;
    if (plan.gone.includes(name) || user.markerLines(first, 'removed').length) continue; // marked already
    const note = rewrote ? ' Messages it used are gone, so they are `unknown` in its signature.' : '';
    user.mark(
      first,
      markerComment(
        `removed RPC: ${service.name} no longer has this RPC in the .proto; nothing calls this method now.${note}`,
      ),
    );
  }
}

/** A member of the user's that has the name of a new RPC: a public one handles it (noted), others stop generate. */
function adopt(user: UserFile, file: string, member: Member, service: ServiceModel, rpc: MethodModel): void {
  if (!isPublicInstance(member)) {
    const { line, column } = lineColumnOf(user.text, member.node.getStart());
    throw new UserFileError(
      file,
      `${service.name}.${rpc.original} is new in the .proto and its handler must be the public method "${rpc.prop}", but ${service.name}Impl already has a private or protected member of that name`,
      line,
      column,
      'rename your member (generate never renames your code), then run `create-service-link generate` again',
    );
  }
  user.mark(
    member,
    markerComment(
      `adopted: ${service.name}.${rpc.original} is new in the .proto; this method was already here, so it handles that RPC now. Check its signature.`,
    ),
  );
}

function typeNodes(member: Member): Node[] {
  const method = member.node;
  if (!Node.isMethodDeclaration(method)) return [];
  return [...method.getParameters().map((p) => p.getTypeNode()), method.getReturnTypeNode()].filter(
    (n): n is NonNullable<typeof n> => n !== undefined,
  );
}

/** A removed RPC's method: `$msg.X` types that are gone become `unknown`. True when it rewrote one. */
function forgetTypes(user: UserFile, member: Member, messageExports: ReadonlySet<string>): boolean {
  let rewrote = false;
  for (const node of typeNodes(member)) {
    const fixed = withoutRemovedTypes(node.getText(), messageExports);
    if (fixed !== node.getText()) {
      user.replace(node, fixed);
      rewrote = true;
    }
  }
  return rewrote;
}

/**
 * A returning RPC's method had `$msg.X` rewritten to `unknown` while it was gone. Where a type reads
 * exactly as that rewrite of the generated type, put the generated type back; anything the user
 * changed stays.
 */
function restoreTypes(user: UserFile, member: Member, rpc: MethodModel): void {
  if (!Node.isMethodDeclaration(member.node)) return;
  const method: MethodDeclaration = member.node;
  const wanted = handlerTypes(rpc);
  const unknownOf = (t: string): string => t.replace(/\$msg\.[A-Za-z_$][\w$]*/g, 'unknown');
  const pairs: [Node | undefined, string][] = [
    [method.getParameters()[0]?.getTypeNode(), wanted.request],
    [method.getReturnTypeNode(), wanted.returns],
  ];
  for (const [node, type] of pairs)
    if (node && node.getText() !== type && node.getText() === unknownOf(type)) user.replace(node, type);
}

/**
 * New stubs name messages through $msg and well-known types through $wire, and handlers.ts imports
 * each namespace only while it is used (noUnusedLocals): import the ones the stubs now need.
 */
function addNamespaceImports(user: UserFile, mods: GrpcModules): void {
  const added = user.edits.map((e) => e.text).join('');
  for (const [ns, module] of [
    ['$msg', `./messages${mods.suffix}`],
    ['$wire', mods.wire],
  ] as const) {
    if (!added.includes(`${ns}.`) || new RegExp(`import\\s+type\\s+\\*\\s+as\\s+\\${ns}\\b`).test(user.text)) continue;
    user.addImport(`import type * as ${ns} from '${module}';`);
  }
}
