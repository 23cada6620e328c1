// frozen.ts of a gRPC link: the last known types of messages that left the .proto while a method of
// the user's still names them. A removed RPC's method keeps compiling with its body as written
// (`request.id` still type-checks) until the user deletes it; then its frozen types go too.
// Plain text work on generated files (no ts-morph): every declaration messages.ts writes starts at
// column 0 and ends on a line of its own.
import { GENERATED_HEADER } from '../../util/text.js';

/** The namespace handlers.ts imports frozen.ts under. */
export const FROZEN_NS = '$frozen';

export interface Frozen {
  /** The names frozen.ts exports (empty: no frozen.ts). */
  exports: ReadonlySet<string>;
  content: string | undefined;
}

const DECLARATION = [
  /^export interface ([A-Za-z_$][\w$]*)\b[^\n]*\{\r?\n[\s\S]*?^\}$/gm,
  /^export interface ([A-Za-z_$][\w$]*)\b[^\n]*\{\}$/gm,
  /^export type ([A-Za-z_$][\w$]*) = [^\n]*;$/gm,
  /^export const ([A-Za-z_$][\w$]*) = \{\r?\n[\s\S]*?^\} as const;$/gm,
];

/** Every type declaration of a generated messages.ts or frozen.ts, by name (a name may have two: enums). */
export function declarationsOf(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pattern of DECLARATION)
    for (const m of text.matchAll(pattern)) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[0]]);
  return out;
}

/**
 * The message names handlers.ts uses through `$msg` or `$frozen` that messages.ts does not export (a
 * name exported again is its RPC's return: the merge names it through `$msg` again).
 */
export function wantedFrozen(handlers: string, messageExports: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const m of handlers.matchAll(/\$(?:msg|frozen)\.([A-Za-z_$][\w$]*)/g))
    if (!messageExports.has(m[1]!)) out.add(m[1]!);
  return out;
}

/**
 * frozen.ts for the names wanted, with every type they refer to, taken from the last messages.ts and
 * the last frozen.ts (in that order: a type that came back and left again is frozen as it was last).
 */
export function frozenTypes(wanted: ReadonlySet<string>, sources: readonly string[], wireModule: string): Frozen {
  const known = new Map<string, string[]>();
  for (const source of sources)
    for (const [name, texts] of declarationsOf(source)) if (!known.has(name)) known.set(name, texts);
  const taken = new Map<string, string[]>();
  const queue = [...wanted].filter((n) => known.has(n));
  while (queue.length) {
    const name = queue.shift()!;
    if (taken.has(name)) continue;
    const texts = known.get(name)!;
    taken.set(name, texts);
    // Names inside it that are declarations too (a nested message, an enum), not `$wire.` members.
    for (const m of texts.join('\n').matchAll(/(?<![.$\w])([A-Za-z_][\w$]*)\b/g))
      if (known.has(m[1]!) && !taken.has(m[1]!)) queue.push(m[1]!);
  }
  if (!taken.size) return { exports: new Set(), content: undefined };
  const body = [...taken.keys()].sort().flatMap((name) => taken.get(name)!);
  const wire = body.some((text) => text.includes('$wire.')) ? [`import type * as $wire from '${wireModule}';`, ''] : [];
  const content = [
    GENERATED_HEADER,
    '// The last known types of messages that left the .proto, kept while a method in handlers.ts still',
    "// names them (a removed RPC's handler). Delete that method and `generate` removes them.",
    ...wire,
    ...body,
    '',
  ].join('\n');
  return { exports: new Set(taken.keys()), content };
}
