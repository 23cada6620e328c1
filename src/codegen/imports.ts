// The one printer for what crosses module boundaries in generated code: a module's imports (each only
// when its code uses it) and an index's re-exports (a name two modules export is re-exported once, the
// later one under an alias). No pattern keeps lists of names its templates use: they are read from the
// rendered text.
import { wrapList } from './layout.js';
import type { UserFile } from './reconcile.js';

/** Where a template's imports go; `withImports` replaces it. */
export const IMPORTS_HERE = '/*<imports>*/\n';

/** `* as ns` (type-only or not), or named values and types. */
export type ImportSpec =
  | { from: string; namespace: string; typeOnly: boolean }
  | { from: string; values?: readonly string[]; types?: readonly string[] };

/**
 * The code without comments, imports and re-exports: JSDoc from a contract may say "unary", and none
 * of them is a use. Imports and re-exports may span lines (one name a line when long).
 */
function codeOnly(code: string): string {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|\s)\/\/[^\n]*/g, '$1')
    .replace(/^export (type )?\{[^}]*\} from [^\n]*$/gm, '')
    .replace(/^import [^;]*;$/gm, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The import lines for `specs`, each import only when `code` uses it (an unused one fails noUnusedLocals). */
export function importLines(code: string, specs: readonly ImportSpec[]): string {
  const body = codeOnly(code);
  const uses = (name: string): boolean => new RegExp(`(?<![\\w$.])${escapeRegExp(name)}(?![\\w$])`).test(body);
  const lines: string[] = [];
  for (const spec of specs) {
    if ('namespace' in spec) {
      if (body.includes(`${spec.namespace}.`))
        lines.push(`import ${spec.typeOnly ? 'type ' : ''}* as ${spec.namespace} from '${spec.from}';\n`);
      continue;
    }
    const names = [...(spec.values ?? []).filter(uses), ...(spec.types ?? []).filter(uses).map((t) => `type ${t}`)];
    if (names.length) lines.push(`${importLine(names, spec.from)}\n`);
  }
  return lines.join('');
}

/** `import { a, type B } from 'x';`, one name a line when that would pass 120 columns. */
export function importLine(names: readonly string[], from: string): string {
  return wrapList('', 'import { ', names, ` } from '${from}';`);
}

/**
 * A user's file (handlers.ts) imports each namespace only while its code uses it (noUnusedLocals):
 * after edits to it, adds `import type * as <ns> from '<from>';` for each namespace an edit names
 * (`<ns>.`) and the file does not import yet.
 */
export function addNamespaceImports(
  user: UserFile,
  namespaces: readonly (readonly [ns: string, from: string])[],
): void {
  const added = user.edits.map((e) => e.text).join('');
  for (const [ns, from] of namespaces) {
    const imported = new RegExp(`\\bimport\\s+(?:type\\s+)?\\*\\s+as\\s+${escapeRegExp(ns)}(?![\\w$])`);
    if (added.includes(`${ns}.`) && !imported.test(user.text)) user.addImport(`import type * as ${ns} from '${from}';`);
  }
}

/** Puts a generated module's imports where its template says IMPORTS_HERE. */
export function withImports(code: string, specs: readonly ImportSpec[]): string {
  return code.replace(IMPORTS_HERE, importLines(code, specs));
}

export type ExportKind = 'value' | 'type';

/** The names a rendered module exports at top level (declarations, not re-exports), with their kind. */
export function exportedNames(code: string): Map<string, ExportKind> {
  const out = new Map<string, ExportKind>();
  const declaration =
    /^export (?:declare )?(?:(async function\*?|function\*?|abstract class|class|const enum|const|let|var|enum)|(interface|type)) ([A-Za-z_$][\w$]*)/;
  for (const line of code.split('\n')) {
    if (!line.startsWith('export ') || /^export (?:type )?(?:\{|\*)/.test(line)) continue;
    const m = declaration.exec(line);
    // A form this reader does not know would silently drop out of index.ts: say so instead.
    if (!m) throw new Error(`internal: cannot read the export of a generated module: ${line.slice(0, 80)}`);
    out.set(m[3]!, m[2] ? 'type' : 'value');
  }
  return out;
}

/** `export { a, b } from 'x';`, one name a line when that would pass 120 columns. */
function exportLine(names: readonly string[], from: string): string {
  return wrapList('', 'export { ', names, ` } from '${from}';`);
}

/** What one module of a link offers its index: names, with their kind, in the order to export them. */
export interface IndexModule {
  from: string;
  names: ReadonlyMap<string, ExportKind>;
  /** The suffix of an alias for a name an earlier module already exports (`Message`: CallOptionsMessage). */
  aliasSuffix?: (name: string) => string;
  /**
   * Re-export with `export *` (for the contract's many types): the index's explicit exports above win
   * over it, so only its clashing names need a line. Only the last module may be a star module.
   */
  star?: boolean;
}

/** A module's names for an index: values, then types. */
export function indexModule(from: string, values: readonly string[], types: readonly string[] = []): IndexModule {
  return {
    from,
    names: new Map<string, ExportKind>([
      ...values.map((v) => [v, 'value'] as const),
      ...types.map((t) => [t, 'type'] as const),
    ]),
  };
}

/**
 * What every link's index offers of the runtime it shares with the other links: the request context
 * and the process-wide middleware. `context` and `middleware` are the modules' import paths.
 */
export function sharedRuntimeExports(context: string, middleware: string): IndexModule[] {
  return [
    indexModule(
      context,
      ['runWithRequestContext', 'currentRequestContext', 'outgoingRequestContext'],
      ['RequestContext'],
    ),
    indexModule(middleware, ['useMiddleware'], ['Middleware', 'Call']),
  ];
}

/**
 * index.ts: every module's names, explicitly, so no two `export *` make a name ambiguous (which fails to
 * compile). A name an earlier module took is re-exported under an alias, with a comment saying why.
 */
export function indexExports(modules: readonly IndexModule[]): string {
  const taken = new Set<string>();
  const lines: string[] = [];
  const all = new Set(modules.flatMap((m) => [...m.names.keys()]));
  if (modules.slice(0, -1).some((m) => m.star))
    throw new Error('internal: only the last index module may be re-exported with export *');
  for (const module of modules) {
    const names: string[] = [];
    const aliases: string[] = [];
    for (const [name, kind] of module.names) {
      const prefix = kind === 'type' ? 'type ' : '';
      if (!taken.has(name)) {
        taken.add(name);
        names.push(`${prefix}${name}`);
        continue;
      }
      const base = `${name}${module.aliasSuffix?.(name) ?? 'Export'}`;
      let alias = base;
      for (let i = 2; taken.has(alias) || all.has(alias); i++) alias = `${base}${i}`;
      taken.add(alias);
      aliases.push(`${prefix}${name} as ${alias}`);
    }
    if (module.star) lines.push(`export * from '${module.from}';`);
    else if (names.length) lines.push(exportLine(names, module.from));
    if (aliases.length) {
      lines.push(
        '// These share a name with an export above, so they are exported here under another name',
        `// (${module.from} itself keeps the contract's names).`,
        exportLine(aliases, module.from),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The capitalised names a module's code refers to or declares (its types, the built-in types it uses,
 * its constants), comments and string literals left out: what a contract's type may not be called
 * when it is declared in that module.
 */
export function typeNamesIn(code: string): Set<string> {
  const bare = code
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:\\])\/\/[^\n]*/g, '$1')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''");
  return new Set(bare.match(/(?<![\w$.])[A-Z][\w$]*/g) ?? []);
}
