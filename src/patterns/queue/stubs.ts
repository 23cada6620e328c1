// What the queue pattern writes into the user's handlers.ts: a handler stub per new message type, and
// the const that parks handlers of types that left. Shared by the generator and the merge (merge.ts),
// so neither imports the other.

import { createHash } from 'node:crypto';

/** The const in handlers.ts that holds handlers of message types no longer in the contract. */
export const REMOVED_CONST = 'removedHandlers';

/**
 * The stub of one message type's handler (a method of the `handlers` object); `prefix` ('_' under
 * noUnusedParameters) marks the payload parameter it does not read yet.
 */
export function handlerStub(typeName: string, handlerKey: string, prefix = ''): string {
  return [
    `  async ${handlerKey}(${prefix}message, context) {`,
    `    // Handle the ${typeName.replace(/[^\w]/g, '')} message here: \`message\` is its payload, \`context\` the rest.`,
    '    throw new Error(`no handler written yet for ${context.type} (message ${context.messageId})`);',
    '  },',
  ].join('\n');
}

/**
 * Untouched stubs of earlier releases, which read the type from the body (`message.type`), rewritten as
 * today's: a body no longer carries its type. Only the tool's exact text is replaced; any edit keeps it.
 */
export function upgradeLegacyStubs(
  text: string,
  messages: readonly { typeName: string; handlerKey: string }[],
  prefix: string,
): string {
  let out = text;
  for (const m of messages) {
    const name = m.typeName.replace(/[^\w]/g, '');
    const legacy = [
      `  async ${m.handlerKey}(message, context) {`,
      `    // Handle the ${name} message here.`,
      '    throw new Error(`no handler written yet for ${message.type} (message ${context.messageId})`);',
      '  },',
    ].join('\n');
    if (out.includes(legacy)) out = out.replace(legacy, handlerStub(m.typeName, m.handlerKey, prefix));
  }
  return out;
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
