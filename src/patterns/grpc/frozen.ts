// frozen.ts of a gRPC link: the last known types of messages that left the .proto while a method of
// the user's still names them, through the shared mechanism of codegen/frozen.ts. Every declaration
// messages.ts writes starts at column 0 and ends on a line of its own.
import * as shared from '../../codegen/frozen.js';

export { FROZEN_NS, type Frozen } from '../../codegen/frozen.js';

const DECLARATION = [
  /^export interface ([A-Za-z_$][\w$]*)\b[^\n]*\{\r?\n[\s\S]*?^\}$/gm,
  /^export interface ([A-Za-z_$][\w$]*)\b[^\n]*\{\}$/gm,
  /^export type ([A-Za-z_$][\w$]*) = [^\n]*;$/gm,
  /^export const ([A-Za-z_$][\w$]*) = \{\r?\n[\s\S]*?^\} as const;$/gm,
];

/**
 * The message names handlers.ts uses through `$msg` or `$frozen` that messages.ts does not export (a
 * name exported again is its RPC's return: the merge names it through `$msg` again).
 */
export function wantedFrozen(handlers: string, messageExports: ReadonlySet<string>): Set<string> {
  return shared.wantedFrozen(handlers, ['$msg', shared.FROZEN_NS], messageExports);
}

/** frozen.ts for the names wanted, from the last messages.ts and the last frozen.ts (in that order). */
export function frozenTypes(
  wanted: ReadonlySet<string>,
  sources: readonly string[],
  wireModule: string,
): shared.Frozen {
  return shared.frozenTypes(wanted, sources, {
    patterns: DECLARATION,
    comment: [
      '// The last known types of messages that left the .proto, kept while a method in handlers.ts still',
      "// names them (a removed RPC's handler). Delete that method and `generate` removes them.",
    ],
    imports: (body) =>
      body.some((text) => text.includes('$wire.')) ? [`import type * as $wire from '${wireModule}';`, ''] : [],
  });
}
