// What the queue pattern writes into the user's handlers.ts: a handler stub per new message type, and
// the const that parks handlers of types that left. Shared by the generator and the merge (merge.ts),
// so neither imports the other.

import { createHash } from 'node:crypto';

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

/**
 * A payload schema as a short hash, the discriminator left out (it names the type, so it differs in a
 * rename): equal hashes mean the same payload, keys in any order.
 */
export function payloadHash(schema: unknown, discriminator: string): string {
  const canonical = (value: unknown, top = false): unknown => {
    if (Array.isArray(value)) return value.map((v) => canonical(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !(top && k === 'properties'))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)]);
    const out: Record<string, unknown> = Object.fromEntries(entries);
    if (top && 'properties' in (value as object)) {
      const props = { ...((value as { properties: Record<string, unknown> }).properties ?? {}) };
      delete props[discriminator];
      out.properties = canonical(props);
    }
    if (top && Array.isArray(out.required))
      out.required = (out.required as unknown[]).filter((r) => r !== discriminator);
    return out;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(schema, true)))
    .digest('hex')
    .slice(0, 16);
}
