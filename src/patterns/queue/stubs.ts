// What the queue pattern writes into the user's handlers.ts: a handler stub per new message type, and
// the const that parks handlers of types that left. Shared by the generator and the merge (merge.ts),
// so neither imports the other.

/** The const in handlers.ts that holds handlers of message types no longer in the contract. */
export const REMOVED_CONST = 'removedHandlers';

/** The stub of one message type's handler (a method of the `handlers` object). */
export function handlerStub(typeName: string, handlerKey: string, discAccess: string): string {
  return [
    `  async ${handlerKey}(message, context) {`,
    `    // Handle the ${typeName.replace(/[^\w]/g, '')} message here.`,
    `    throw new Error(\`no handler written yet for \${message${discAccess}} (message \${context.messageId})\`);`,
    `  },`,
  ].join('\n');
}
