// Line layout of generated code built from contract names: users read it, so a line that would pass
// 120 columns breaks the way their formatter (Biome, Prettier at 120 columns) would break it.

/** The widest line generated code aims for (the lineWidth of the repo's own Biome config). */
export const MAX_COLUMNS = 120;

/** True when `line`, starting at column `indent.length`, stays within MAX_COLUMNS. */
export function fits(line: string, indent = ''): boolean {
  return indent.length + line.length <= MAX_COLUMNS;
}

/**
 * `head` + items + `tail` on one line when it fits at `indent`, else one item a line, indented one
 * level deeper, each with a comma (`trailing: false` drops it after the last, as in type argument
 * lists). `head` ends with the opening bracket (`f(`, `import { `), `tail` starts with the closing one;
 * a space just inside braces goes when the list breaks. The text starts at `head` (the caller writes
 * the first line's indent); later lines carry theirs.
 */
export function wrapList(
  indent: string,
  head: string,
  items: readonly string[],
  tail: string,
  trailing = true,
): string {
  const line = `${head}${items.join(', ')}${tail}`;
  if (fits(line, indent) || !items.length) return line;
  const inner = `${indent}  `;
  const body = items.map((item, i) => `${inner}${item}${trailing || i < items.length - 1 ? ',' : ''}\n`).join('');
  return `${head.trimEnd()}\n${body}${indent}${tail.trimStart()}`;
}

/** `// ` comment lines for `text` (any text: line breaks become spaces), filled to MAX_COLUMNS at `indent`. */
export function commentLines(text: string, indent = ''): string {
  const lines: string[] = [];
  let line = '//';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '//' && !fits(`${line} ${word}`, indent)) {
      lines.push(line);
      line = '//';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines.map((l) => `${indent}${l}`).join('\n');
}

/**
 * A union type after `head` (`export type X =`, `key?:`): on one line when it fits at `indent`, else
 * one member a line, each after a leading `|`.
 */
export function wrapUnion(indent: string, head: string, members: readonly string[], tail = ';'): string {
  const line = `${head} ${members.join(' | ')}${tail}`;
  if (fits(line, indent) || members.length < 2) return line;
  return `${head}\n${members.map((m) => `${indent}  | ${m}`).join('\n')}${tail}`;
}
