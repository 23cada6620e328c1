// readOnly/writeOnly of a property, also when declared on the schema its `$ref` points to. One check
// serves the types (a request's Input type omits readOnly properties, a response omits writeOnly ones)
// and the server's request validators (a readOnly property is not required in a request), so the body
// the client's type allows is the body the server accepts.
import type { Loc, OpenApiDocuments } from '../../contracts/openapi.js';
import { isSchemaObject } from '../../codegen/schema-ts.js';

// Bits of accessFlags (a number: it runs for every property of a large document).
export const READ_ONLY = 1;
export const WRITE_ONLY = 2;

/** READ_ONLY/WRITE_ONLY bits of the property schema `prop` found at `loc`, following its `$ref` chain. */
export function accessFlags(docs: OpenApiDocuments, prop: unknown, loc: Loc): number {
  let flags = 0;
  let current: { value: unknown; loc: Loc } = { value: prop, loc };
  for (let hops = 0; hops < 16 && isSchemaObject(current.value); hops++) {
    if (current.value.readOnly === true) flags |= READ_ONLY;
    if (current.value.writeOnly === true) flags |= WRITE_ONLY;
    if (typeof current.value.$ref !== 'string') break;
    current = docs.resolve(current.value.$ref, current.loc);
  }
  return flags;
}
