// The light half of the reconciler (no ts-morph): what the link state says about a user file's
// members, what a merge must do with them, and a plain-text check that no merge is due, so a run that
// merges nothing never loads the TypeScript compiler.
import type { LinkState } from '../core/types.js';
import { UsageError } from '../errors.js';

/** What the last generate recorded about one container's members (a class, an object literal). */
export interface Previous {
  /** Handlers of last time's contract entries (RPCs, message types): members the tool stubbed or adopted. */
  live: ReadonlySet<string>;
  /** Members the tool kept after their entry left the contract (marked in place, or parked). */
  removed: ReadonlySet<string>;
}

/** One container as the state sees it: its name, what last time recorded, the entries wanted now. */
export type ContainerEntry = readonly [container: string, previous: Previous, wanted: readonly string[]];

/** What a merge does with one container's members, by name. */
export interface MemberPlan {
  /** Wanted, and no member has the name: insert a stub. */
  stub: string[];
  /** Wanted and present, kept by the tool as removed: take it back (unmark, or move back). */
  restore: string[];
  /** Wanted and present, but the state never had it: the user's own member, adopted with a note. */
  adopt: string[];
  /** Present, a handler last time, its entry gone now: mark it (or park it). */
  remove: string[];
  /** Present, kept as removed last time, and still gone. */
  gone: string[];
}

export function planMembers(wanted: readonly string[], present: ReadonlySet<string>, previous: Previous): MemberPlan {
  const want = new Set(wanted);
  const here = wanted.filter((n) => present.has(n));
  return {
    stub: wanted.filter((n) => !present.has(n)),
    restore: here.filter((n) => previous.removed.has(n)),
    adopt: here.filter((n) => !previous.removed.has(n) && !previous.live.has(n)),
    remove: [...present].filter((n) => !want.has(n) && previous.live.has(n)),
    gone: [...present].filter((n) => !want.has(n) && previous.removed.has(n) && !previous.live.has(n)),
  };
}

/**
 * The link-state key of the reconciler's own record: `<container>.<member>` for every member it keeps
 * after its entry left the contract. Lower case, so it never meets a gRPC service name (PascalCase).
 */
export const REMOVED_KEY = 'removed';

/** The state key of what each handler's signature was when the tool last wrote or checked it: `<container>.<member>=<text>`. */
export const SIGNATURES_KEY = 'signatures';

/** The state key of each message type's payload schema, hashed: `<type>=<hash>` (likely renames of a queue). */
export const PAYLOADS_KEY = 'payloads';

/** Link-state keys that are the reconciler's own records, not contract entries. */
export const RECORD_KEYS: ReadonlySet<string> = new Set([REMOVED_KEY, SIGNATURES_KEY, PAYLOADS_KEY]);

/** A `key=value` record of the state (signatures, payloads) as a map; empty when absent. */
export function recordOf(state: LinkState | undefined, key: string): Map<string, string> {
  const entries: unknown = state?.[key];
  const out = new Map<string, string>();
  if (!Array.isArray(entries)) return out;
  for (const e of entries) {
    const at = typeof e === 'string' ? e.indexOf('=') : -1;
    if (at > 0) out.set((e as string).slice(0, at), (e as string).slice(at + 1));
  }
  return out;
}

/** A record as state entries, sorted. */
export function recordEntries(record: ReadonlyMap<string, string>): string[] {
  return [...record].map(([k, v]) => `${k}=${v}`).sort();
}

/** `generate --rename from=to` resolved against one container: its member `from` becomes `to`. */
export interface Rename {
  container: string;
  from: string;
  to: string;
}

/**
 * The renames that apply to a link: `to` names a current entry of a container (through `key`, which
 * maps a name as the user may type it to the member name) and `from` a member of last time whose entry
 * is gone. One whose `to` is here but whose `from` is not the tool's is an error: it would move a member
 * the tool does not own.
 */
export function resolveRenames(
  given: ReadonlyMap<string, string>,
  containers: readonly ContainerEntry[],
  key: (name: string) => string = (name) => name,
  applies: (given: string) => void = () => {},
): Rename[] {
  const out: Rename[] = [];
  for (const [fromGiven, toGiven] of given) {
    for (const [container, previous, wanted] of containers) {
      const to = [toGiven, key(toGiven)].find((n) => wanted.includes(n));
      if (to === undefined) continue;
      const from = [fromGiven, key(fromGiven)].find(
        (n) => !wanted.includes(n) && (previous.live.has(n) || previous.removed.has(n)),
      );
      if (from === undefined)
        throw new UsageError(
          `--rename ${fromGiven}=${toGiven}: ${container} has no handler "${fromGiven}" of an entry that left the contract (handlers the tool keeps: ${[...previous.removed, ...[...previous.live].filter((n) => !wanted.includes(n))].join(', ') || 'none'})`,
        );
      out.push({ container, from, to });
      applies(fromGiven);
    }
  }
  return out;
}

/** True when the state carries the removed record (written by this release or a later one). */
export function hasRemovedRecord(state: LinkState | undefined): boolean {
  return Array.isArray(state?.[REMOVED_KEY]);
}

/** The removed members of one container, or undefined when the state predates the record (upgrade). */
export function removedFromState(state: LinkState | undefined, container: string): Set<string> | undefined {
  const entries: unknown = state?.[REMOVED_KEY];
  if (!Array.isArray(entries)) return undefined;
  const prefix = `${container}.`;
  return new Set(
    entries.filter((e) => typeof e === 'string' && e.startsWith(prefix)).map((e) => e.slice(prefix.length)),
  );
}

/**
 * The removed record for the next generate: per container listed, the members of last time (live or
 * removed) that the contract no longer has; entries of containers not listed (a service that left the
 * contract earlier) are kept. Decided from the state and the contract alone, before any merge, because
 * the merge runs after the generator has returned its state.
 */
export function removedState(
  state: LinkState | undefined,
  containers: readonly ContainerEntry[],
  renames: readonly Rename[] = [],
): string[] {
  const listed = new Set(containers.map(([container]) => container));
  const old: unknown = state?.[REMOVED_KEY];
  const kept = Array.isArray(old)
    ? old.filter((e): e is string => typeof e === 'string' && !listed.has(e.slice(0, e.indexOf('.'))))
    : [];
  const out = new Set(kept);
  for (const [container, previous, wanted] of containers) {
    const want = new Set(wanted);
    for (const name of [...previous.removed, ...previous.live]) if (!want.has(name)) out.add(`${container}.${name}`);
  }
  for (const r of renames) out.delete(`${r.container}.${r.from}`);
  return [...out].sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Modifiers that may come before a member's name. */
const MODIFIERS = '(?:(?:public|protected|private|static|override|readonly|declare|async|get|set)[ \\t]+)*\\*?[ \\t]*';

/** Matches a line that starts a member called `name` (method, property, quoted or computed key). */
export function memberLine(name: string): RegExp {
  const keys = [JSON.stringify(name), `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`];
  if (/^[A-Za-z_$][\w$]*$/.test(name)) keys.push(name);
  const key = keys
    .map(escapeRegExp)
    .map((k) => `${k}|\\[${k}\\]`)
    .join('|');
  return new RegExp(`^[ \\t]*${MODIFIERS}(?:${key})[ \\t]*[?!]?[ \\t]*[(:<=,]`, 'm');
}

/** Where a container is declared: `class Name` or `const|let|var name`. */
export type ContainerRef = { class: string } | { object: string };

/**
 * The text of a container, from its declaration to the first line that starts with `}` (how the
 * tool writes them and formatters keep them), or undefined when the text does not declare it.
 */
export function sectionOf(text: string, ref: ContainerRef): string | undefined {
  const decl =
    'class' in ref
      ? `\\bclass[ \\t]+${escapeRegExp(ref.class)}\\b`
      : `\\b(?:const|let|var)[ \\t]+${escapeRegExp(ref.object)}\\b`;
  const at = new RegExp(decl).exec(text)?.index;
  if (at === undefined) return undefined;
  const close = /\n\}/.exec(text.slice(at));
  return text.slice(at, close ? at + close.index + 2 : text.length);
}

/** One container as the plain-text check sees it. */
export interface ContainerCheck {
  ref: ContainerRef;
  wanted: readonly string[];
  previous: Previous;
}

/**
 * True when a merge could change the file: the contract's entries differ from last time's (a stub,
 * marker, move or note is due), a container is missing, or a wanted member does not start a line in
 * its container (deleted by the user: its stub comes back). When unsure it answers true, which only
 * costs loading ts-morph.
 */
export function mergeDue(text: string, containers: readonly ContainerCheck[]): boolean {
  for (const { ref, wanted, previous } of containers) {
    const want = new Set(wanted);
    if (wanted.some((n) => !previous.live.has(n)) || [...previous.live].some((n) => !want.has(n))) return true;
    const section = sectionOf(text, ref);
    if (section === undefined || wanted.some((n) => !memberLine(n).test(section))) return true;
  }
  return false;
}

/** A line that starts a member: its indentation and its name (unquoted), or undefined. */
export function memberAt(line: string): { indent: string; name: string } | undefined {
  const m = new RegExp(
    `^([ \\t]*)${MODIFIERS}(?:([A-Za-z_$][\\w$]*)|\\[?[ \\t]*("(?:[^"\\\\]|\\\\.)*"|'(?:[^'\\\\]|\\\\.)*')[ \\t]*\\]?)[ \\t]*[?!]?[ \\t]*[(:<=,]`,
  ).exec(line);
  if (!m) return undefined;
  const quoted = m[3];
  if (quoted === undefined) return { indent: m[1]!, name: m[2]! };
  // Upgrade fallback only: `\x` reads as `x`, enough for the quoted names the tool writes.
  return { indent: m[1]!, name: quoted.slice(1, -1).replace(/\\(.)/g, '$1') };
}

/**
 * Upgrade fallback for a state without the removed record: in a container's text, the members below a
 * comment `isMarker` accepts (a marker of an earlier release; doc comments may sit between), or
 * (`all`) every member at the indentation of the container's first member.
 */
export function markedInText(
  text: string,
  ref: ContainerRef,
  isMarker: (line: string) => boolean,
  all = false,
): Set<string> {
  const out = new Set<string>();
  let indent: string | undefined;
  let marked = false;
  for (const line of (sectionOf(text, ref) ?? '').split('\n').slice(1)) {
    if (isMarker(line)) marked = true;
    else if (/^[ \t]*(?:\/\/|\/\*|\*)/.test(line)) continue;
    const member = memberAt(line);
    if (member && (indent ?? member.indent) === member.indent) {
      indent ??= member.indent;
      if (all || marked) out.add(member.name);
    }
    if (!isMarker(line)) marked = false;
  }
  return out;
}
