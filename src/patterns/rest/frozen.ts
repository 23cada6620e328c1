// frozen.ts of a REST server: the last known types of operations that left the document while a
// method in handlers.ts still names them (`T.DeletePetInput`), through the shared mechanism of
// codegen/frozen.ts. Every declaration types.ts writes starts at column 0 with `export type` and
// ends with a `;` line followed by a blank line (or the end of the file).
import { FROZEN_NS, type Frozen, declarationsOf, frozenTypes, wantedFrozen } from '../../codegen/frozen.js';
import type { GenerateContext } from '../types.js';

const DECLARATION = [/^export type ([A-Za-z_$][\w$]*)\b[\s\S]*?;\r?\n(?=\r?\n|(?![\s\S]))/gm];

/** The names a types.ts text exports. */
export function typeExports(types: string): Set<string> {
  return new Set(declarationsOf(types, DECLARATION).keys());
}

/**
 * frozen.ts for what handlers.ts names through `T.` or `$frozen.` that the new types.ts no longer
 * exports, read from the last types.ts and frozen.ts on disk.
 */
export async function restFrozen(ctx: GenerateContext, out: string, exports: ReadonlySet<string>): Promise<Frozen> {
  const read = async (file: string): Promise<string> =>
    (await ctx.exists(`${out}/${file}`)) ? ctx.readFile(`${out}/${file}`) : '';
  const wanted = wantedFrozen(await read('handlers.ts'), ['T', FROZEN_NS], exports);
  if (!wanted.size) return { exports: new Set(), content: undefined };
  // frozen.ts first: a type already frozen keeps its frozen shape even when types.ts still has a newer
  // one (Item.id became an integer after getItem left: getItem's handler still returns the old Item).
  return frozenTypes(wanted, [await read('frozen.ts'), await read('types.ts')], {
    patterns: DECLARATION,
    comment: [
      '// The last known types of operations that left the OpenAPI document, kept while a method in',
      "// handlers.ts still names them (a removed operation's handler). Delete that method and `generate`",
      '// removes them.',
      '',
    ],
  });
}
