// Merges regenerated stubs into the user's handlers file. ts-morph only *finds* positions; the
// edits are plain text insertions, so every character the user wrote stays exactly as it was.
import { Project, ts, type ClassDeclaration } from 'ts-morph';
import { stubClass, stubMethod, type ServiceModel } from './generate.js';

export const REMOVED_MARKER = 'service-link: removed RPC';

interface Insertion {
  at: number;
  text: string;
}

export function mergeHandlers(
  existing: string,
  services: ServiceModel[],
  previous: Map<string, Set<string>>,
  suffix: string,
): string {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  const file = project.createSourceFile('handlers.ts', existing);
  const insertions: Insertion[] = [];
  const newline = existing.includes('\r\n') ? '\r\n' : '\n';

  for (const service of services) {
    const cls = file.getClass(`${service.name}Impl`);
    if (!cls) {
      // A new service: append its class.
      const sep = existing.endsWith('\n') ? '\n' : '\n\n';
      insertions.push({ at: existing.length, text: sep + stubClass(service) });
      continue;
    }
    const have = memberNames(cls);
    const missing = service.methods.filter((m) => !have.has(m.prop));
    if (missing.length) {
      // Insert before the class's closing brace, after the last member.
      const close = cls.getEnd() - 1;
      const before = existing.slice(0, close);
      const lead = before.endsWith('\n') ? '' : '\n';
      const gap = cls.getMembers().length ? '\n' : '';
      insertions.push({ at: close, text: lead + gap + missing.map((m) => stubMethod(service, m)).join('\n') });
    }
    // Methods whose RPC was generated last time but is gone now get a marker (never deleted).
    const current = new Set(service.methods.map((m) => m.prop));
    const before = previous.get(service.name) ?? new Set<string>();
    for (const method of cls.getMethods()) {
      const name = method.getName();
      if (current.has(name) || !before.has(name)) continue;
      const start = method.getStart(true);
      const lineStart = existing.lastIndexOf('\n', start - 1) + 1;
      const leading = existing.slice(lineStart, start);
      const indent = /^[ \t]*/.exec(leading)![0];
      const previousLine = existing.slice(existing.lastIndexOf('\n', lineStart - 2) + 1, lineStart);
      if (previousLine.includes(REMOVED_MARKER) || method.getFullText().includes(REMOVED_MARKER)) continue;
      insertions.push({
        at: lineStart,
        text: `${indent}// ${REMOVED_MARKER}: ${service.name} no longer has this RPC in the .proto; nothing calls this method now.${newline}`,
      });
    }
  }

  // Stubs may name well-known types through $wire; make sure it is imported.
  const text = insertions.map((i) => i.text).join('');
  if (text.includes('$wire.') && !/import\s+type\s+\*\s+as\s+\$wire\b/.test(existing)) {
    const imports = file.getImportDeclarations();
    const at = imports.length ? imports[imports.length - 1]!.getEnd() : 0;
    insertions.push({ at, text: `${at ? newline : ''}import type * as $wire from './wire${suffix}';${at ? '' : newline}` });
  }

  let result = existing;
  for (const ins of insertions.sort((a, b) => b.at - a.at)) {
    const insert = newline === '\n' ? ins.text : ins.text.replace(/\r?\n/g, '\r\n');
    result = result.slice(0, ins.at) + insert + result.slice(ins.at);
  }
  return result;
}

function memberNames(cls: ClassDeclaration): Set<string> {
  const names = new Set<string>();
  for (const m of cls.getMembers()) {
    const n = (m as { getName?: () => string }).getName?.();
    if (n) names.add(n);
  }
  return names;
}
