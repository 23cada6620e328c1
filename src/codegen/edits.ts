// Text edits for user-owned files: ts-morph (or a plain scan) only finds positions; every change is
// one of these, applied to the text as it was, so bytes outside an edit never change.

/** Replaces text[start, end) with `text` (an insertion when start === end). Edit text uses '\n'. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The file's newline: CRLF when it has any, else LF. */
export function newlineOf(text: string): '\n' | '\r\n' {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Applies edits made against `text` (positions in the original), last first so earlier positions
 * hold; insertions at one position come out in the order they were made. New lines in edit text
 * take the file's newline style (text cut from the file already has it).
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const newline = newlineOf(text);
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.start - a.e.start || b.e.end - a.e.end || b.i - a.i);
  let out = text;
  for (const { e } of order) {
    const replacement = newline === '\n' ? e.text : e.text.replace(/\r?\n/g, '\r\n');
    out = out.slice(0, e.start) + replacement + out.slice(e.end);
  }
  return out;
}

/** The start of the line holding `at`. */
export function lineStartOf(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** Just past the end of the line holding `at` (after its newline), or the end of the text. */
export function lineEndOf(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

/** The spaces and tabs that start the line holding `at`. */
export function indentAt(text: string, at: number): string {
  return /^[ \t]*/.exec(text.slice(lineStartOf(text, at)))![0];
}

/** 1-based line and column of an offset. */
export function lineColumnOf(text: string, at: number): { line: number; column: number } {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - lineStartOf(text, at) + 1 };
}
