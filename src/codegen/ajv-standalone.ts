// Ajv standalone output made self-contained: Ajv's generated code `require()`s two tiny runtime
// helpers for some keywords; equivalents are inlined so the file works under ESM and CommonJS and the
// generated project does not depend on Ajv at run time.
import { GENERATED_HEADER } from '../util/text.js';

const RUNTIME_HELPERS: Record<string, { name: string; code: string }> = {
  ucs2length: {
    name: 'ucs2length',
    code: `// String length in Unicode code points (JSON Schema counts characters, not UTF-16 units).
function ucs2length(str) {
  let length = 0;
  for (const _ of str) length++;
  return length;
}`,
  },
  equal: {
    name: 'deepEqual',
    code: `// Structural equality of JSON values (for enum/const/uniqueItems on objects and arrays).
function deepEqual(a, b) {
  if (a === b) return true;
  if (a && b && typeof a == "object" && typeof b == "object") {
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]));
  }
  return a !== a && b !== b;
}`,
  },
};

/**
 * The text of a generated validators module from Ajv's standalone `code`. `fail` is called (and must
 * throw) when the code needs a helper this module does not ship.
 */
export function selfContainedValidators(code: string, about: string, fail: (detail: string) => never): string {
  const used = new Set<string>();
  let out = code.replace(/require\("ajv\/dist\/runtime\/([a-z0-9_]+)"\)\.default/g, (_m, helper: string) => {
    const known = RUNTIME_HELPERS[helper];
    if (!known) fail(`a schema needs Ajv's runtime helper "${helper}", which generated code does not ship`);
    used.add(helper);
    return known.name;
  });
  if (/require\(/.test(out)) fail('a schema needs a runtime module the generated code does not ship');
  out = out.replace(/^"use strict";\n?/, '');
  const helpers = [...used].map((h) => RUNTIME_HELPERS[h]!.code).join('\n\n');
  return `${GENERATED_HEADER}
// @ts-nocheck -- Ajv standalone output (plain JavaScript); ${about}
/* eslint-disable */
${helpers ? `${helpers}\n\n` : ''}${out}
`;
}
