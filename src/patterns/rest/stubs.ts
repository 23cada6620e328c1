// The shape of a REST server's operations as the user's handlers.ts sees them: names, handler
// signatures and the stub written for a new operation. Shared by the generator and the merge.
import { wrapList } from '../../codegen/layout.js';
import { jsDoc, stringLiteral } from '../../util/text.js';
import type { OperationModel } from './operations.js';

export interface HandlerNames {
  /** The generated interface (router.ts) and the user's class (handlers.ts). */
  handlersInterface: string;
  className: string;
}

/** The parameter and return types of an operation's handler. */
export function handlerTypes(op: OperationModel): { input: string; returns: string } {
  return { input: `T.${op.typeBase}Input`, returns: `Promise<T.${op.typeBase}Reply>` };
}

/** The interface member in router.ts. */
export function interfaceMember(op: OperationModel): string {
  const t = handlerTypes(op);
  const args = [`input: ${t.input}`, 'ctx: HandlerContext'];
  return `${jsDoc(`\`${op.httpMethod} ${op.path}\``, '  ')}  ${wrapList('  ', `${op.methodName}(`, args, `): ${t.returns};`)}`;
}

/** A stub method for handlers.ts; `prefix` ('_' under noUnusedParameters) marks parameters it does not read yet. */
export function stubMethod(op: OperationModel, prefix: string): string {
  const t = handlerTypes(op);
  return (
    `${jsDoc(`\`${op.httpMethod} ${op.path}\``, '  ')}` +
    `  ${wrapList('  ', `async ${op.methodName}(`, [`${prefix}input: ${t.input}`, `${prefix}ctx: HandlerContext`], `): ${t.returns} {`)}\n` +
    `    throw new HttpError(501, ${stringLiteral(`${op.methodName}: write this handler in handlers.ts`)});\n` +
    '  }\n'
  );
}
