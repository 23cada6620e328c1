// Names that reach a path or an identifier go through here.
import { stringLiteral } from './text.js';

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'as implements interface let package private protected public static yield await any boolean constructor declare ' +
    'get module require number set string symbol type from of unknown never object undefined arguments eval'
  ).split(' '),
);

export function isReservedWord(word: string): boolean {
  return RESERVED.has(word);
}

function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

export function pascalCase(text: string): string {
  return words(text)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

export function camelCase(text: string): string {
  const p = pascalCase(text);
  return p ? p[0]!.toLowerCase() + p.slice(1) : p;
}

export function kebabCase(text: string): string {
  return words(text)
    .map((w) => w.toLowerCase())
    .join('-');
}

export function constantCase(text: string): string {
  return words(text)
    .map((w) => w.toUpperCase())
    .join('_');
}

/** A valid identifier for `text`: reserved words and leading digits get a trailing/leading underscore. */
export function safeIdentifier(text: string): string {
  let id = text.replace(/[^A-Za-z0-9_$]/g, '_');
  if (!id || /^[0-9]/.test(id)) id = `_${id}`;
  if (isReservedWord(id) || id === '__proto__') id = `${id}_`;
  return id;
}

/** A property key usable in an object type or literal: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && name !== '__proto__' ? name : stringLiteral(name);
}

/** Why a link name is unusable, or undefined when it is fine. Link names become folders and identifiers. */
export function linkNameProblem(name: string): string | undefined {
  if (!name) return 'the name is empty';
  if (name.includes('/') || name.includes('\\')) return 'a name cannot contain path separators';
  if (name.includes('..')) return 'a name cannot contain ".."';
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name))
    return 'use lower-case letters, digits and single dashes, starting with a letter (e.g. "user" or "order-events")';
  if (isReservedWord(camelCase(name)) || isReservedWord(name)) return `"${name}" is a reserved word in TypeScript`;
  return undefined;
}
