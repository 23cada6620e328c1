// Each pattern option is declared once: flag, help, type, default, validation, wizard question and
// whether service-link.json keeps it. Commander options (cli/main.ts), the wizard (cli/questions.ts),
// the missing-flag check and the stored options are all derived from these declarations.
// Light on purpose: every pattern's spec imports this, and `--help` imports every spec.
import { UsageError } from '../errors.js';

export type Prompts = typeof import('@inquirer/prompts');

/** What defaults and questions may depend on: the link being created. */
export interface OptionContext {
  readonly name: string;
}

/** Raw values: parsed flags (commander's camelCase keys) merged with the answers so far. */
export type Answers = Readonly<Record<string, unknown>>;

/** A value, or one computed from the link (e.g. `<NAME>_SERVICE_URL`). */
export type ByLink<T> = T | ((ctx: OptionContext) => T);

/** The wizard question of an option. It is asked only when no flag gave the option. */
export interface Question {
  /** The question (not needed with `ask`). */
  message?: ByLink<string>;
  /** Ask only when this holds; `values` are the flags plus earlier answers, `flags` the flags alone. */
  when?(values: Answers, flags: Answers): boolean;
  /** A yes/no question asked first (default no); "no" leaves the option unset. */
  gate?: string;
  /** The answer offered, when it differs from the option's default. */
  default?: ByLink<string>;
  /** List options: one answer is one item ('one'), comma-separated items ('csv'), or ask again until an empty answer. */
  list?: 'one' | 'csv' | { next: string };
  /** A compound question one prompt cannot ask (a gRPC RPC: name, kind, fields); returns values to merge. */
  ask?(prompts: Prompts, ctx: OptionContext, values: Answers): Promise<Answers>;
}

interface Base {
  /** Commander syntax, e.g. '--base-url-env <VAR>' or '--fifo'; its camelCase name is the option's key. */
  flag: string;
  description: string;
  /** A full command line using the flag, for --help. */
  example: string;
  /**
   * The error message for a bad value (for each item of a list), else undefined. Checked on flags and
   * at each wizard question; an empty answer is accepted (leaving the option unset) when this accepts ''.
   */
  validate?(value: string): string | undefined;
  /** Named when nothing can be asked and no flag gave it; `unless` names an option that may stand in. */
  required?: true | { unless: string };
  /** Kept in service-link.json (after defaults) for later `generate` runs. */
  stored?: boolean;
  prompt?: Question;
}

export interface StringOption extends Base {
  type: 'string';
  default?: ByLink<string>;
}
export interface BooleanOption extends Base {
  type: 'boolean';
  default?: boolean;
}
export interface ListOption extends Base {
  type: 'list';
  default?: ByLink<string[]>;
}
export interface ChoiceOption extends Base {
  type: 'choice';
  /** value -> label shown by the wizard. */
  choices: Readonly<Record<string, string>>;
  default?: string;
}
export type OptionDecl = StringOption | BooleanOption | ListOption | ChoiceOption;
export type OptionDecls = Readonly<Record<string, OptionDecl>>;

export interface OptionSet<O extends OptionDecls = OptionDecls> {
  readonly decls: O;
  /** The order of the wizard's questions (the flags' order in --help can differ); keys of decls. */
  readonly questions: readonly string[];
}

type ValueOf<D> = D extends { type: 'boolean' }
  ? boolean
  : D extends { type: 'list' }
    ? string[]
    : D extends { type: 'choice'; choices: infer C }
      ? keyof C & string
      : string;

/** Resolved values: a default makes a value always present; lists are [] when not given. */
export type OptionValues<S extends OptionSet> = {
  -readonly [K in keyof S['decls']]: S['decls'][K] extends { default: unknown } | { type: 'list' }
    ? ValueOf<S['decls'][K]>
    : ValueOf<S['decls'][K]> | undefined;
};

export function defineOptions<const O extends OptionDecls>(
  decls: O,
  questions?: readonly (keyof O & string)[],
): OptionSet<O> {
  return { decls, questions: questions ?? Object.keys(decls) };
}

export function byLink<T>(value: ByLink<T> | undefined, ctx: OptionContext): T | undefined {
  return typeof value === 'function' ? (value as (ctx: OptionContext) => T)(ctx) : value;
}

/** '--base-url-env <VAR>' -> '--base-url-env'. */
export function flagName(decl: OptionDecl): string {
  return /--[A-Za-z0-9-]+/.exec(decl.flag)?.[0] ?? decl.flag;
}

/** '"bearer" or "none"', '"a", "b" or "c"'. */
export function orList(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : (items[0] ?? '');
}

/** A flag value as its declared type; blank strings and empty lists count as not given. */
function normalise(decl: OptionDecl, value: unknown): unknown {
  if (decl.type === 'boolean') return typeof value === 'boolean' ? value : undefined;
  const items = (Array.isArray(value) ? value : [value]).filter(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  if (decl.type === 'list') return items.length ? items.map((v) => v.trim()) : undefined;
  return items.at(-1)?.trim();
}

export function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The problem with one value of an option, or undefined. */
export function problem(decl: OptionDecl, value: string): string | undefined {
  if (decl.type === 'choice' && !Object.hasOwn(decl.choices, value)) {
    return `${flagName(decl)} must be ${orList(Object.keys(decl.choices).map((c) => `"${c}"`))}, not "${value}"`;
  }
  return decl.validate?.(value);
}

/** Flags (and answers) -> typed values with defaults applied. Throws UsageError naming the first bad value. */
export function resolveOptions<S extends OptionSet>(set: S, raw: Answers, ctx: OptionContext): OptionValues<S> {
  const out: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(set.decls)) {
    const value = normalise(decl, raw[key]) ?? byLink(decl.default, ctx) ?? (decl.type === 'list' ? [] : undefined);
    for (const item of typeof value === 'string' ? [value] : Array.isArray(value) ? value : []) {
      const bad = problem(decl, item);
      if (bad) throw new UsageError(bad);
    }
    out[key] = value;
  }
  return out as OptionValues<S>;
}

/** Flags that must be given when nothing can be asked, e.g. ['--message (or --asyncapi)']. */
export function missingOptions(set: OptionSet, given: Answers): string[] {
  const missing: string[] = [];
  for (const [key, decl] of Object.entries(set.decls)) {
    if (!decl.required || !isUnset(normalise(decl, given[key]))) continue;
    const unless = decl.required === true ? undefined : decl.required.unless;
    const standIn = unless === undefined ? undefined : set.decls[unless];
    if (unless !== undefined && standIn && !isUnset(normalise(standIn, given[unless]))) continue;
    missing.push(standIn ? `${flagName(decl)} (or ${flagName(standIn)})` : flagName(decl));
  }
  return missing;
}

/** The values service-link.json keeps: the stored options that have a value. */
export function storedOptions(set: OptionSet, values: Answers): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(set.decls)) if (decl.stored && !isUnset(values[key])) out[key] = values[key];
  return out;
}
