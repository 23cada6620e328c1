// The security schemes of an OpenAPI document and the requirements of each operation, as both sides
// need them: the client sends a bearer token only when the document asks for one, the server checks
// the credentials an operation requires before its handler runs.
import { type OpenApiDocuments, isObject, type Json, type Loc } from '../../contracts/openapi.js';

/** A scheme the router can check: an Authorization scheme (bearer, basic, ...) or an API key. */
export type SchemeModel =
  | { type: 'http'; scheme: string }
  | { type: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string };

/** Alternatives of an operation's `security`: any one list of scheme names, all of them, satisfies it. */
export type Requirement = string[][];

/**
 * The document's schemes by name. OAuth2 and OpenID Connect access tokens travel as bearer tokens;
 * mutualTLS is a transport matter, not checked here (an operation requiring only it is open).
 */
export function securitySchemes(docs: OpenApiDocuments): Map<string, SchemeModel> {
  const schemes = new Map<string, SchemeModel>();
  const components = docs.root.components;
  const declared = isObject(components) && isObject(components.securitySchemes) ? components.securitySchemes : {};
  const file = docs.entry.file;
  for (const [name, raw] of Object.entries(declared)) {
    const { value, loc } = docs.deref(raw, { file, path: ['components', 'securitySchemes', name] });
    if (!isObject(value)) docs.fail(loc, `security scheme "${name}" must be an object`);
    const scheme = schemeModel(docs, value, loc);
    if (scheme) schemes.set(name, scheme);
  }
  return schemes;
}

function schemeModel(docs: OpenApiDocuments, value: { [key: string]: Json }, loc: Loc): SchemeModel | undefined {
  if (value.type === 'http') {
    if (typeof value.scheme !== 'string' || !value.scheme)
      docs.fail(loc, 'an http security scheme needs "scheme" (e.g. bearer)');
    return { type: 'http', scheme: value.scheme.toLowerCase() };
  }
  if (value.type === 'oauth2' || value.type === 'openIdConnect') return { type: 'http', scheme: 'bearer' };
  if (value.type === 'apiKey') {
    const where = value.in;
    if (where !== 'header' && where !== 'query' && where !== 'cookie')
      docs.fail({ file: loc.file, path: [...loc.path, 'in'] }, 'an apiKey scheme needs "in": header, query or cookie');
    if (typeof value.name !== 'string' || !value.name) docs.fail(loc, 'an apiKey scheme needs "name"');
    return { type: 'apiKey', in: where, name: value.name };
  }
  return undefined;
}

/**
 * What an operation requires: its own `security`, else the document's; undefined when nothing is
 * required (no `security`, `[]`, or an alternative `{}` that needs nothing). Names no scheme declares
 * are errors; requirements of schemes not checked here (mutualTLS) are left out.
 */
export function requirement(
  docs: OpenApiDocuments,
  schemes: Map<string, SchemeModel>,
  own: Json | undefined,
  ownLoc: Loc,
): Requirement | undefined {
  const [value, loc] =
    own !== undefined ? [own, ownLoc] : [docs.root.security, { file: docs.entry.file, path: ['security'] }];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return docs.fail(loc, 'security must be a list of requirement objects');
  const alternatives: string[][] = [];
  for (const [i, entry] of value.entries()) {
    if (!isObject(entry))
      return docs.fail({ ...loc, path: [...loc.path, i] }, 'a security requirement must be an object');
    const names = Object.keys(entry);
    for (const name of names)
      if (!schemes.has(name) && !declaredScheme(docs, name))
        docs.fail(
          { ...loc, path: [...loc.path, i, name] },
          `security requirement "${name}" names no scheme of components.securitySchemes`,
        );
    const checked = names.filter((n) => schemes.has(n));
    // `{}` (or only schemes not checked here) lets the request through without credentials.
    if (!checked.length) return undefined;
    alternatives.push(checked);
  }
  return alternatives.length ? alternatives : undefined;
}

function declaredScheme(docs: OpenApiDocuments, name: string): boolean {
  const components = docs.root.components;
  return isObject(components) && isObject(components.securitySchemes) && name in components.securitySchemes;
}

/**
 * The client's default auth: bearer when an operation requires a bearer scheme (a document without
 * operations: when it declares one), else none.
 */
export function documentAuth(
  schemes: Map<string, SchemeModel>,
  requirements: (Requirement | undefined)[],
): 'bearer' | 'none' {
  const bearer = (name: string) => {
    const s = schemes.get(name);
    return s?.type === 'http' && s.scheme === 'bearer';
  };
  if (!requirements.length) return [...schemes.keys()].some(bearer) ? 'bearer' : 'none';
  return requirements.some((r) => r?.some((names) => names.some(bearer))) ? 'bearer' : 'none';
}
