// Payload (and headers) validators as Ajv standalone code: compiled once here, at generation time, so the generated
// project validates with plain functions and does not depend on Ajv at run time (codegen/ajv-standalone.ts
// makes the output self-contained, as for REST's validators).
import AjvModule from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { ContractError } from '../../errors.js';
import type { JsonSchema } from '../../contracts/asyncapi.js';
import type { QueueLinkModel as QueueContractModel } from '../../contracts/asyncapi-queue.js';
import { selfContainedValidators } from '../../codegen/ajv-standalone.js';
import { headersValidatorName } from './messages-headers.js';

// ajv ships CommonJS: under NodeNext the default import is module.exports, which carries `.default`.
const AjvClass = AjvModule.default;
const standaloneCode = standaloneModule.default;

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
  // Each schema compiled here first, so one that is not JSON Schema is an error naming its message.
  const add = (id: string, schema: JsonSchema, what: string): string => {
    try {
      ajv.addSchema({ $id: id, ...schema, $defs: model.schemas });
      ajv.getSchema(id);
    } catch (error) {
      throw new ContractError(model.file, `${what} is not valid JSON Schema: ${(error as Error).message}`);
    }
    return id;
  };
  model.messages.forEach((message, index) => {
    const payload = `the payload schema of "${message.name}"`;
    exports[validatorName(index)] = add(`urn:create-service-link:message:${index}`, message.schema, payload);
    if (message.headers)
      exports[headersValidatorName(index)] = add(
        `urn:create-service-link:headers:${index}`,
        message.headers,
        `the headers schema of "${message.name}"`,
      );
  });
  const fail = (detail: string): never => {
    throw new ContractError(model.file, detail);
  };
  return selfContainedValidators(standaloneCode(ajv, exports), 'messages.ts gives it its types.', fail);
}
