// frozen.ts of a link: the last known types that left the contract while a method of the user's
// still names them. A removed operation's or RPC's method keeps compiling with its body as written
// (`request.id` still type-checks) until the user deletes it; then its frozen types go too.
// Plain text work on generated files (no ts-morph): each pattern says how its declarations look.
import { GENERATED_HEADER } from '../util/text.js';

/** The namespace handlers.ts imports frozen.ts under. */
export const FROZEN_NS = '$frozen';

export interface Frozen {
  /** The names frozen.ts exports (empty: no frozen.ts). */
  exports: ReadonlySet<string>;
  content: string | undefined;
}

/** Every declaration `patterns` find in a generated file, by name (a name may have two: gRPC enums). */
export function declarationsOf(text: string, patterns: readonly RegExp[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pattern of patterns)
    for (const m of text.matchAll(pattern)) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[0]]);
  return out;
}

/**
 * The names handlers.ts uses through `namespaces` (the generated types' and `$frozen`) that the
 * generated file no longer exports.
 */
export function wantedFrozen(
  handlers: string,
  namespaces: readonly string[],
  exports: ReadonlySet<string>,
): Set<string> {
  const alternatives = namespaces.map((ns) => ns.replace(/\$/g, '\\$')).join('|');
  const out = new Set<string>();
  for (const m of handlers.matchAll(new RegExp(`(?<![\\w$.])(?:${alternatives})\\.([A-Za-z_$][\\w$]*)`, 'g')))
    if (!exports.has(m[1]!)) out.add(m[1]!);
  return out;
}

export interface FrozenFile {
  /** Declarations of a generated file, and how they look in it. */
  patterns: readonly RegExp[];
  /** The comment under the generated header: what was frozen and when it goes. */
  comment: readonly string[];
  /** Import lines the frozen declarations need (e.g. a namespace they name). */
  imports?: (body: readonly string[]) => string[];
}

/**
 * frozen.ts for the names wanted, with every type they refer to, taken from `sources` in order (the first
 * source that declares a name wins).
 */
export function frozenTypes(wanted: ReadonlySet<string>, sources: readonly string[], file: FrozenFile): Frozen {
  const known = new Map<string, string[]>();
  for (const source of sources)
    for (const [name, texts] of declarationsOf(source, file.patterns)) if (!known.has(name)) known.set(name, texts);
  const taken = new Map<string, string[]>();
  const queue = [...wanted].filter((n) => known.has(n));
  while (queue.length) {
    const name = queue.shift()!;
    if (taken.has(name)) continue;
    const texts = known.get(name)!;
    taken.set(name, texts);
    // Names inside it that are declarations too (a nested message, a schema), not namespace members.
    for (const m of texts.join('\n').matchAll(/(?<![.$\w])([A-Za-z_][\w$]*)\b/g))
      if (known.has(m[1]!) && !taken.has(m[1]!)) queue.push(m[1]!);
  }
  if (!taken.size) return { exports: new Set(), content: undefined };
  const body = [...taken.keys()].sort().flatMap((name) => taken.get(name)!);
  const imports = file.imports?.(body) ?? [];
  // Declarations that end with their blank line (REST's) leave one at the end: drop it.
  const content = [GENERATED_HEADER, ...file.comment, ...imports, ...body, ''].join('\n').replace(/\n\n+$/, '\n');
  return { exports: new Set(taken.keys()), content };
}

/** The `$frozen` import goes with the last use of it (frozen.ts goes then too). */
export function withoutUnusedFrozen(text: string): string {
  const line = /^import\s+type\s+\*\s+as\s+\$frozen\s+from\s+'[^']*';[ \t]*\r?\n/m;
  return line.test(text) && !text.includes(`${FROZEN_NS}.`) ? text.replace(line, '') : text;
}
