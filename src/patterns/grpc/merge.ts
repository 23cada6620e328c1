// Merges regenerated stubs into the user's handlers file through the shared reconciler: one class
// per service, one method per RPC. Loaded only when members.ts says a merge is due.
//
// - a new RPC gets a stub method; a new service gets its class;
// - only methods the state says the tool wrote are handlers: a member of the user's that has the
//   name of a new RPC stops generate, naming both (the tool never renames or adopts user code);
// - a method whose RPC left the .proto is marked and kept; messages it used that are gone are named
//   through `$frozen` (frozen.ts keeps their last known types), so its body still compiles;
// - when the RPC comes back, the marker goes and the generated types return;
// - a signature the tool wrote and the user did not change follows the contract (streaming kind,
//   message names); one the user changed stays, and the new signature is printed;
// - an RPC removed and one added with the same types is named as a likely rename; `--rename old=new`
//   moves the method (body and all) to the new name, where the service's adapter calls it.
import { Node, ts, type MethodDeclaration } from 'ts-morph';
import { UserFileError } from '../../errors.js';
import { lineColumnOf } from '../../codegen/edits.js';
import { markerComment } from '../../codegen/markers.js';
import { planMembers, type Previous, type Rename } from '../../codegen/members.js';
import { parseUserFile, type Container, type Member, type UserFile } from '../../codegen/reconcile.js';
import { FROZEN_NS, withoutUnusedFrozen } from '../../codegen/frozen.js';
import { addNamespaceImports } from '../../codegen/imports.js';
import {
  handlerSignature,
  handlerTypes,
  recordedTypes,
  stubClass,
  stubMethod,
  type GrpcModules,
  type MethodModel,
  type ServiceModel,
} from './stubs.js';

export interface GrpcMerge {
  /** Project-relative path of handlers.ts, for errors. */
  file: string;
  services: ServiceModel[];
  /** Per class (`<Service>Impl`), what the last generate recorded. */
  previous: Map<string, Previous>;
  mods: GrpcModules;
  messageExports: ReadonlySet<string>;
  /** What frozen.ts exports: last known types of messages that left. */
  frozenExports: ReadonlySet<string>;
  /** `<Class>.<method>` -> recordedTypes of the last generate. */
  signatures: ReadonlyMap<string, string>;
  renames: readonly Rename[];
  stubPrefix: string;
  note(text: string): void;
}

export function mergeHandlers(existing: string, merge: GrpcMerge): string {
  const user = parseUserFile(merge.file, existing);
  for (const service of merge.services) {
    const container = user.find({ class: `${service.name}Impl` });
    if (container) {
      restoreService(user, container, service);
      mergeClass(user, container, service, merge);
    } else user.append(stubClass(service, merge.stubPrefix));
  }
  const current = new Set(merge.services.map((s) => `${s.name}Impl`));
  for (const [cls, previous] of merge.previous) {
    const container = current.has(cls) ? undefined : user.find({ class: cls });
    if (container) removeService(user, container, previous, merge);
  }
  // New stubs name messages through $msg and well-known types through $wire, removed RPCs' methods
  // frozen types through $frozen.
  addNamespaceImports(user, [
    ['$msg', `./messages${merge.mods.suffix}`],
    ['$wire', merge.mods.wire],
    [FROZEN_NS, `./frozen${merge.mods.suffix}`],
  ]);
  return withoutUnusedFrozen(user.result());
}

function mergeClass(user: UserFile, container: Container, service: ServiceModel, merge: GrpcMerge): void {
  const cls = `${service.name}Impl`;
  const rpcs = new Map(service.methods.map((m) => [m.prop, m]));
  const previous = merge.previous.get(cls) ?? { live: new Set<string>(), removed: new Set<string>() };
  const renames = merge.renames.filter((r) => r.container === cls);
  const named = (name: string): Member[] => container.members.filter((m) => m.name === name);
  const present = new Set(container.members.map((m) => m.name));
  for (const r of renames) {
    renameMethod(user, container, service, rpcs.get(r.to)!, r, merge);
    present.delete(r.from);
    present.add(r.to);
  }
  const live = new Set([...previous.live, ...renames.map((r) => r.to)]);
  const plan = planMembers([...rpcs.keys()], present, { live, removed: previous.removed });
  const own = plan.adopt[0];
  if (own !== undefined) throw taken(user, merge.file, user.member(container, own)!, service, rpcs.get(own)!);
  user.insertMembers(
    container,
    plan.stub.map((name) => stubMethod(service, rpcs.get(name)!, merge.stubPrefix)),
  );
  for (const name of plan.restore) {
    // The RPC is back: our marker goes, and the types the removal took away come back.
    user.unmark(named(name)[0]!, 'removed');
    for (const m of named(name)) restoreTypes(user, m, rpcs.get(name)!, merge.messageExports);
  }
  const renamed = new Map(renames.map((r) => [r.to, r.from]));
  for (const [name, rpc] of rpcs) {
    const member = named(renamed.get(name) ?? name)[0];
    const recorded = merge.signatures.get(`${cls}.${renamed.get(name) ?? name}`);
    if (member && recorded !== undefined && !plan.stub.includes(name))
      followSignature(user, member, recorded, service, rpc, merge);
  }
  for (const name of [...plan.remove, ...plan.gone])
    markRemoved(user, named(name), service, plan.gone.includes(name), merge);
  noteRenames(plan.remove, plan.stub, cls, service, rpcs, merge);
}

/** The class as a member, for markers above it. */
function classMember(container: Container): Member {
  return { name: 'class' in container.ref ? container.ref.class : '', node: container.node };
}

/** `$service.<Service>Handlers`, the interface a handlers class implements. */
function handlersInterface(cls: string): string {
  return `$service.${cls.replace(/Impl$/, '')}Handlers`;
}

/**
 * A service that left the .proto: its class stays, marked; `implements $service.XHandlers` goes (that
 * interface is gone) and its methods' gone messages are frozen, so the class still compiles.
 */
function removeService(user: UserFile, container: Container, previous: Previous, merge: GrpcMerge): void {
  const cls = container.node;
  if (!Node.isClassDeclaration(cls)) return;
  const wanted = handlersInterface(cls.getName() ?? '');
  const clause = cls.getHeritageClauseByKind(ts.SyntaxKind.ImplementsKeyword);
  const types = clause?.getTypeNodes() ?? [];
  const at = types.findIndex((t) => t.getText() === wanted);
  if (clause && at >= 0) {
    if (types.length === 1) user.edits.push({ start: clause.getStart() - 1, end: clause.getEnd(), text: '' });
    else {
      const end = at < types.length - 1 ? types[at + 1]!.getStart() : types[at]!.getEnd();
      const start = at < types.length - 1 ? types[at]!.getStart() : types[at - 1]!.getEnd();
      user.edits.push({ start, end, text: '' });
    }
  }
  for (const m of container.members)
    if (previous.live.has(m.name) || previous.removed.has(m.name)) forgetTypes(user, m, merge);
  if (user.markerLines(classMember(container), 'removed').length) return;
  user.mark(
    classMember(container),
    markerComment(
      `removed service: ${cls.getName()?.replace(/Impl$/, '')} is no longer in the .proto; nothing serves this class now.`,
    ),
  );
}

/** A service back in the .proto: the class marker goes and the class implements its interface again. */
function restoreService(user: UserFile, container: Container, service: ServiceModel): void {
  const cls = container.node;
  if (!Node.isClassDeclaration(cls) || !user.unmark(classMember(container), 'removed')) return;
  const wanted = handlersInterface(`${service.name}Impl`);
  const clause = cls.getHeritageClauseByKind(ts.SyntaxKind.ImplementsKeyword);
  if (clause?.getTypeNodes().some((t) => t.getText() === wanted)) return;
  if (clause) user.insert(clause.getEnd(), `, ${wanted}`);
  else {
    const brace = cls.getFirstChildByKind(ts.SyntaxKind.OpenBraceToken);
    if (brace) user.insert(brace.getStart(), `implements ${wanted} `);
  }
}

/**
 * A method whose RPC left: its gone message types through `$frozen` (or `unknown`), one marker above it
 * (a single line: the reconciler finds it again; frozen.ts says what `$frozen` is).
 */
function markRemoved(user: UserFile, members: Member[], service: ServiceModel, gone: boolean, merge: GrpcMerge): void {
  for (const m of members) forgetTypes(user, m, merge);
  const first = members[0]!;
  if (gone || user.markerLines(first, 'removed').length) return; // marked already
  user.mark(
    first,
    markerComment(`removed RPC: ${service.name} no longer has this RPC in the .proto; nothing calls this method now.`),
  );
}

/** A member of the user's own has the name a new RPC's handler needs: generate stops, naming both. */
function taken(user: UserFile, file: string, member: Member, service: ServiceModel, rpc: MethodModel): UserFileError {
  const { line, column } = lineColumnOf(user.text, member.node.getStart());
  return new UserFileError(
    file,
    `${service.name}.${rpc.original} is new in the .proto and its handler must be the method "${rpc.prop}" of ${service.name}Impl, but "${member.name}" there is your own member (generate did not write it)`,
    line,
    column,
    `rename your member (generate never renames or takes over your code), then run \`create-service-link generate\` again; to make it the handler, move its body into the stub generate then writes`,
  );
}

/**
 * `--rename from=to`: the method `from` becomes `to`, body and all; the stub generate wrote for `to`
 * earlier goes, if untouched (a stub with code of the user's is not thrown away: generate stops).
 */
function renameMethod(
  user: UserFile,
  container: Container,
  service: ServiceModel,
  rpc: MethodModel,
  r: Rename,
  merge: GrpcMerge,
): void {
  const from = container.members.filter((m) => m.name === r.from);
  const stub = container.members.find((m) => m.name === r.to);
  if (!from.length)
    throw new UserFileError(merge.file, `--rename ${r.from}=${r.to}: ${r.container} has no method "${r.from}"`);
  if (stub) {
    const untouched = stubMethod(service, { ...rpc, comment: null }, merge.stubPrefix).trim();
    if (stub.node.getText().trim() !== untouched) {
      const { line, column } = lineColumnOf(user.text, stub.node.getStart());
      throw new UserFileError(
        merge.file,
        `--rename ${r.from}=${r.to}: ${r.container} already has a method "${r.to}" with code in it`,
        line,
        column,
        `move what you need from one into the other and delete it, then run \`create-service-link generate\` again`,
      );
    }
    user.removeMember(stub);
  }
  user.unmark(from[0]!, 'removed');
  for (const m of from) {
    user.rename(m, r.to);
    restoreTypes(user, m, rpc, merge.messageExports);
  }
}

/** An RPC that left and one that came with the same types: likely a rename, said with the command that moves it. */
function noteRenames(
  removed: readonly string[],
  added: readonly string[],
  cls: string,
  service: ServiceModel,
  rpcs: Map<string, MethodModel>,
  merge: GrpcMerge,
): void {
  for (const from of removed) {
    const types = merge.signatures.get(`${cls}.${from}`);
    const to = added.find((name) => recordedTypes(rpcs.get(name)!) === types);
    if (types === undefined || to === undefined) continue;
    merge.note(
      `${service.name}: the RPC of ${cls}.${from} left the .proto and ${rpcs.get(to)!.original} came with the same request and response types. If it is a rename, run \`create-service-link generate --rename ${from}=${to}\`: it moves your method ${from} (body and all) to ${to}, which the server calls; until then ${to} answers UNIMPLEMENTED.`,
    );
  }
}

function typeNodes(member: Member): Node[] {
  const method = member.node;
  if (!Node.isMethodDeclaration(method)) return [];
  return [...method.getParameters().map((p) => p.getTypeNode()), method.getReturnTypeNode()].filter(
    (n): n is NonNullable<typeof n> => n !== undefined,
  );
}

/** A removed RPC's method: `$msg.X` types that are gone become `$frozen.X` (or `unknown`). True when it rewrote one. */
function forgetTypes(user: UserFile, member: Member, merge: GrpcMerge): boolean {
  let rewrote = false;
  for (const node of typeNodes(member)) {
    const fixed = node
      .getText()
      .replace(/\$msg\.([A-Za-z_$][\w$]*)/g, (all, name: string) =>
        merge.messageExports.has(name) ? all : merge.frozenExports.has(name) ? `${FROZEN_NS}.${name}` : 'unknown',
      );
    if (fixed !== node.getText()) {
      user.replace(node, fixed);
      rewrote = true;
    }
  }
  return rewrote;
}

/**
 * A returning RPC's method had `$msg.X` rewritten to `$frozen.X` (or `unknown`) while it was gone.
 * Where a type reads exactly as that rewrite of the generated type, put the generated type back;
 * anything the user changed stays.
 */
function restoreTypes(user: UserFile, member: Member, rpc: MethodModel, messageExports: ReadonlySet<string>): void {
  if (!Node.isMethodDeclaration(member.node)) return;
  const method: MethodDeclaration = member.node;
  const wanted = handlerTypes(rpc);
  const rewrites = (t: string): string[] => [
    t.replace(/\$msg\.[A-Za-z_$][\w$]*/g, 'unknown'),
    t.replace(/\$msg\./g, `${FROZEN_NS}.`),
  ];
  const pairs: [Node | undefined, string][] = [
    [method.getParameters()[0]?.getTypeNode(), wanted.request],
    [method.getReturnTypeNode(), wanted.returns],
  ];
  for (const [node, type] of pairs)
    if (node && node.getText() !== type && rewrites(type).includes(node.getText())) user.replace(node, type);
    else if (node?.getText().includes(`${FROZEN_NS}.`)) {
      // A signature of the user's: frozen types of messages that are back are the generated ones again.
      const fixed = node
        .getText()
        .replace(/\$frozen\.([A-Za-z_$][\w$]*)/g, (all, name: string) =>
          messageExports.has(name) ? `$msg.${name}` : all,
        );
      if (fixed !== node.getText()) user.replace(node, fixed);
    }
}

const compact = (text: string): string => text.replace(/\s+/g, '');

/**
 * A live RPC's method: when the contract changed its types (streaming kind, message names) and the
 * method still has the types the tool wrote last time, they follow; parameter names stay the user's.
 * A signature the user changed is left alone and the new one printed.
 */
function followSignature(
  user: UserFile,
  member: Member,
  recorded: string,
  service: ServiceModel,
  rpc: MethodModel,
  merge: GrpcMerge,
): void {
  const method = member.node;
  if (recorded === recordedTypes(rpc) || !Node.isMethodDeclaration(method)) return;
  const request = method.getParameters()[0]?.getTypeNode();
  const returns = method.getReturnTypeNode();
  const [oldRequest, oldReturns] = recorded.split(' => ');
  if (
    request &&
    returns &&
    compact(request.getText()) === compact(oldRequest ?? '') &&
    compact(returns.getText()) === compact(oldReturns ?? '')
  ) {
    const wanted = handlerTypes(rpc);
    user.replace(request, wanted.request);
    user.replace(returns, wanted.returns);
    const generator = wanted.returns.startsWith('AsyncGenerator<');
    const star = method.getAsteriskToken();
    if (generator && !star) user.insert(method.getNameNode().getStart(), '*');
    if (!generator && star) user.edits.push({ start: star.getStart(), end: star.getEnd(), text: '' });
    return;
  }
  const wantedNow = `${compact(handlerTypes(rpc).request)}=>${compact(handlerTypes(rpc).returns)}`;
  if (request && returns && `${compact(request.getText())}=>${compact(returns.getText())}` === wantedNow) return;
  merge.note(
    `${service.name}.${rpc.original} changed in the .proto and ${service.name}Impl.${member.name} has a signature of yours, so it was left alone. It must now read: ${handlerSignature(rpc, true, merge.stubPrefix)}`,
  );
}
