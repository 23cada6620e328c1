// Payload validators as Ajv standalone code: compiled once here, at generation time, so the generated
// project validates with plain functions and does not depend on Ajv at run time. Ajv's standalone
// output still `require()`s two tiny runtime helpers for some keywords; we inline equivalents so the
// file works the same under ESM and CommonJS.
import AjvModule from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { ContractError } from '../../errors.js';
import type { JsonSchema } from '../../contracts/asyncapi.js';
import type { DiscriminatedQueueModel as QueueContractModel } from '../../contracts/asyncapi-queue.js';
import { GENERATED_HEADER } from '../../util/text.js';

// ajv ships CommonJS: under NodeNext the default import is module.exports, which carries `.default`.
const AjvClass = AjvModule.default;
const standaloneCode = standaloneModule.default;

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

/** Export name of the validator for one message. */
export function validatorName(index: number): string {
  return `validateMessage${index}`;
}

export function validatorsSource(model: QueueContractModel): string {
  const ajv = new AjvClass({
    code: { source: true, esm: true, lines: true },
    // AsyncAPI Schema adds annotation keywords (externalDocs, example...) that Ajv should ignore.
    strict: false,
    allErrors: false,
    validateFormats: false,
  });
  const exports: Record<string, string> = {};
  model.messages.forEach((message, index) => {
    const id = `urn:create-service-link:message:${index}`;
    const schema: JsonSchema = { $id: id, ...message.schema, $defs: model.schemas };
    try {
      ajv.addSchema(schema);
      ajv.getSchema(id);
    } catch (error) {
      throw new ContractError(
        model.file,
        `the payload schema of "${message.name}" is not valid JSON Schema: ${(error as Error).message}`,
      );
    }
    exports[validatorName(index)] = id;
  });
  let code = standaloneCode(ajv, exports);
  const used = new Set<string>();
  code = code.replace(/require\("ajv\/dist\/runtime\/([a-z0-9_]+)"\)\.default/g, (_m, helper: string) => {
    const known = RUNTIME_HELPERS[helper];
    if (!known)
      throw new ContractError(
        model.file,
        `a payload schema uses a JSON Schema feature that needs Ajv's runtime helper "${helper}", which generated code does not ship`,
      );
    used.add(helper);
    return known.name;
  });
  if (/require\(/.test(code))
    throw new ContractError(model.file, 'a payload schema needs a runtime module the generated code does not ship');
  code = code.replace(/^"use strict";\n?/, '');
  const helpers = [...used].map((h) => RUNTIME_HELPERS[h]!.code).join('\n\n');
  return `${GENERATED_HEADER}
// @ts-nocheck -- Ajv standalone output (plain JavaScript); messages.ts gives it its types.
/* eslint-disable */
${helpers ? `${helpers}\n\n` : ''}${code}
`;
}
