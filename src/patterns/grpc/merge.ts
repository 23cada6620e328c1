// Merges regenerated stubs into the user's handlers file. ts-morph only *finds* positions; the
// edits are plain text insertions (stubs, markers) and narrow replacements inside a signature,
// so every character the user wrote in a method body stays exactly as it was.
import { Project, ts, type ClassDeclaration, type MethodDeclaration, type Node } from 'ts-morph';
import { REMOVED_MARKER, handlerTypes, stubClass, stubMethod, type GrpcModules, type MethodModel, type ServiceModel } from './generate.js';

export { REMOVED_MARKER };

/** Replaces existing[at, end) with text (an insertion when end === at). */
interface Edit {
  at: number;
  end: number;
  text: string;
}

/** `$msg.X` names that messages.ts no longer exports, as `unknown`: a method can outlive its messages. */
function withoutRemovedTypes(typeText: string, messageExports: ReadonlySet<string>): string {
  return typeText.replace(/\$msg\.([A-Za-z_$][\w$]*)/g, (all, name: string) => (messageExports.has(name) ? all : 'unknown'));
}

export function mergeHandlers(
  existing: string,
  services: ServiceModel[],
  previous: Map<string, Set<string>>,
  mods: GrpcModules,
  messageExports: ReadonlySet<string> = new Set(),
  stubPrefix = '',
): string {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  const file = project.createSourceFile('handlers.ts', existing);
  const edits: Edit[] = [];
  const insert = (at: number, text: string): void => void edits.push({ at, end: at, text });
  const newline = existing.includes('\r\n') ? '\r\n' : '\n';

  /** The marker line above a method, if `generate` put one there: [start, end) of the line. */
  const markerLine = (method: MethodDeclaration): [number, number] | undefined => {
    const lineStart = existing.lastIndexOf('\n', method.getStart(true) - 1) + 1;
    const prevStart = existing.lastIndexOf('\n', lineStart - 2) + 1;
    return /^[ \t]*\/\/ /.test(existing.slice(prevStart, lineStart)) && existing.slice(prevStart, lineStart).includes(REMOVED_MARKER)
      ? [prevStart, lineStart]
      : undefined;
  };
  const typeNodes = (method: MethodDeclaration): Node[] =>
    [...method.getParameters().map((p) => p.getTypeNode()), method.getReturnTypeNode()].filter((n): n is NonNullable<typeof n> => n !== undefined);

  for (const service of services) {
    const cls = file.getClass(`${service.name}Impl`);
    if (!cls) {
      // A new service: append its class.
      const sep = existing.endsWith('\n') ? '\n' : '\n\n';
      insert(existing.length, sep + stubClass(service, stubPrefix));
      continue;
    }
    const have = memberNames(cls);
    const missing = service.methods.filter((m) => !have.has(m.prop));
    if (missing.length) {
      // Insert before the class's closing brace, after the last member.
      const close = cls.getEnd() - 1;
      const lead = existing.slice(0, close).endsWith('\n') ? '' : '\n';
      const gap = cls.getMembers().length ? '\n' : '';
      insert(close, lead + gap + missing.map((m) => stubMethod(service, m, stubPrefix)).join('\n'));
    }
    const current = new Map(service.methods.map((m) => [m.prop, m]));
    const before = previous.get(service.name) ?? new Set<string>();
    for (const method of cls.getMethods()) {
      const name = method.getName();
      const marker = markerLine(method);
      const rpc = current.get(name);
      if (rpc) {
        // The RPC is back: drop our marker and give back the types the marker's rewrite took away.
        if (marker) {
          edits.push({ at: marker[0], end: marker[1], text: '' });
          restoreTypes(method, rpc, edits);
        }
        continue;
      }
      if (!marker && !before.has(name)) continue; // the user's own helper method
      // The RPC is gone (never deleted): messages it used may be gone too, so its signature names
      // them as `unknown` and the project still compiles; the body stays as the user wrote it.
      let rewrote = false;
      for (const node of typeNodes(method)) {
        const text = node.getText();
        const fixed = withoutRemovedTypes(text, messageExports);
        if (fixed !== text) {
          edits.push({ at: node.getStart(), end: node.getEnd(), text: fixed });
          rewrote = true;
        }
      }
      if (marker) continue;
      const start = method.getStart(true);
      const lineStart = existing.lastIndexOf('\n', start - 1) + 1;
      const indent = /^[ \t]*/.exec(existing.slice(lineStart, start))![0];
      const note = rewrote ? ' Messages it used are gone, so they are `unknown` in its signature.' : '';
      insert(lineStart, `${indent}// ${REMOVED_MARKER}: ${service.name} no longer has this RPC in the .proto; nothing calls this method now.${note}${newline}`);
    }
  }

  // New stubs name messages through $msg and well-known types through $wire, and handlers.ts imports
  // each namespace only while it is used (noUnusedLocals): import the ones the stubs now need.
  const text = edits.map((e) => e.text).join('');
  for (const [ns, module] of [['$msg', `./messages${mods.suffix}`], ['$wire', mods.wire]] as const) {
    if (!text.includes(`${ns}.`) || new RegExp(`import\\s+type\\s+\\*\\s+as\\s+\\${ns}\\b`).test(existing)) continue;
    const imports = file.getImportDeclarations();
    const at = imports.length ? imports[imports.length - 1]!.getEnd() : 0;
    insert(at, `${at ? newline : ''}import type * as ${ns} from '${module}';${at ? '' : newline}`);
  }

  let result = existing;
  for (const e of edits.sort((a, b) => b.at - a.at || b.end - a.end)) {
    const replacement = newline === '\n' ? e.text : e.text.replace(/\r?\n/g, '\r\n');
    result = result.slice(0, e.at) + replacement + result.slice(e.end);
  }
  return result;
}

/**
 * A returning RPC's method had `$msg.X` rewritten to `unknown` while it was gone. Where a type reads
 * exactly as that rewrite of the generated type, put the generated type back; anything the user
 * changed stays.
 */
function restoreTypes(method: MethodDeclaration, rpc: MethodModel, edits: Edit[]): void {
  const wanted = handlerTypes(rpc);
  const unknownOf = (t: string): string => t.replace(/\$msg\.[A-Za-z_$][\w$]*/g, 'unknown');
  const pairs: [Node | undefined, string][] = [
    [method.getParameters()[0]?.getTypeNode(), wanted.request],
    [method.getReturnTypeNode(), wanted.returns],
  ];
  for (const [node, type] of pairs) {
    if (node && node.getText() !== type && node.getText() === unknownOf(type)) {
      edits.push({ at: node.getStart(), end: node.getEnd(), text: type });
    }
  }
}

function memberNames(cls: ClassDeclaration): Set<string> {
  const names = new Set<string>();
  for (const m of cls.getMembers()) {
    const n = (m as { getName?: () => string }).getName?.();
    if (n) names.add(n);
  }
  return names;
}
