// Merges the contract's message types into the user's handlers file. ts-morph only locates things; the
// edits are plain text moves and insertions, so every byte the user wrote stays exactly as it was.
//
// - a new message type gets a stub in `handlers`;
// - a handler whose type left the contract moves, unchanged, out of `handlers` (typed <Pascal>Handlers,
//   where it no longer compiles) into a marked `removedHandlers` const below it;
// - when the type comes back, its handler moves back into `handlers` and the marked const goes once empty.
import { Node, Project, type ObjectLiteralExpression, type SourceFile, type VariableStatement } from 'ts-morph';
import { lineComment } from '../../util/text.js';
import { handlerStub } from './generate.js';

/** Starts every comment the tool writes into the handlers file. */
export const REMOVED_MARKER = 'create-service-link:';
/** The const that holds handlers of removed message types. */
export const REMOVED_CONST = 'removedHandlers';
/** The per-handler marker comment written by earlier versions (inside `handlers`); recognised and dropped. */
const LEGACY_MARKER = `// ${REMOVED_MARKER} message type `;

interface HandlerView {
  typeName: string;
  value: string;
  handlerKey: string;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface Found {
  object: ObjectLiteralExpression;
  statement: VariableStatement | undefined;
}

function findObject(file: SourceFile, name: string): Found | undefined {
  const declaration = file.getVariableDeclaration(name);
  let init = declaration?.getInitializer();
  // Unwrap `{...} satisfies X`, `{...} as X`, `({...})`.
  while (init && (Node.isSatisfiesExpression(init) || Node.isAsExpression(init) || Node.isParenthesizedExpression(init)))
    init = init.getExpression();
  return init && Node.isObjectLiteralExpression(init) ? { object: init, statement: declaration?.getVariableStatement() } : undefined;
}

function propertyName(node: Node): string | undefined {
  if (Node.isMethodDeclaration(node) || Node.isPropertyAssignment(node) || Node.isShorthandPropertyAssignment(node)) {
    const nameNode = node.getNameNode();
    if (Node.isStringLiteral(nameNode) || Node.isNoSubstitutionTemplateLiteral(nameNode)) return nameNode.getLiteralValue();
    if (Node.isComputedPropertyName(nameNode)) {
      const expr = nameNode.getExpression();
      return Node.isStringLiteral(expr) ? expr.getLiteralValue() : undefined;
    }
    return nameNode.getText();
  }
  return undefined;
}

function lineStartOf(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** Just past the end of the line holding `at` (after its newline), or the end of the text. */
function lineEndOf(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * A property with its own comments and trailing comma: the span to cut out of one object literal and
 * the text to put into another (as whole lines, with a comma after the property).
 */
function propertySpan(text: string, property: Node, legacy: Edit[]): { start: number; end: number; moved: string } {
  const comments = property.getLeadingCommentRanges();
  for (const c of comments) if (text.startsWith(LEGACY_MARKER, c.getPos())) legacy.push({ start: lineStartOf(text, c.getPos()), end: lineEndOf(text, c.getPos()), text: '' });
  const own = comments.filter((c) => !text.startsWith(LEGACY_MARKER, c.getPos()));
  const first = own[0]?.getPos() ?? property.getStart();
  const lineStart = lineStartOf(text, first);
  const ownLines = text.slice(lineStart, first).trim() === '';
  const start = ownLines ? lineStart : first;
  const propertyEnd = property.getEnd();
  const comma = /^[ \t]*,/.exec(text.slice(propertyEnd));
  let end = propertyEnd + (comma ? comma[0].length : 0);
  const rest = /^[ \t]*(?:\/\/[^\n]*)?\n/.exec(text.slice(end));
  if (ownLines && rest) end += rest[0].length;
  let moved = comma ? text.slice(start, end) : `${text.slice(start, propertyEnd)},${text.slice(propertyEnd, end)}`;
  if (!ownLines) moved = `  ${moved.trim()}`;
  if (!moved.endsWith('\n')) moved += '\n';
  return { start, end, moved };
}

/** Edits that add whole lines at the end of an object literal (and a comma after its last kept property). */
function appendTo(text: string, object: ObjectLiteralExpression, keep: Node[], lines: string): Edit[] {
  const edits: Edit[] = [];
  const close = object.getEnd() - 1;
  const last = keep.at(-1);
  if (last && !text.slice(last.getEnd(), close).trimStart().startsWith(',')) edits.push({ start: last.getEnd(), end: last.getEnd(), text: ',' });
  const lineStart = lineStartOf(text, close);
  if (text.slice(lineStart, close).trim() === '') edits.push({ start: lineStart, end: lineStart, text: lines });
  else edits.push({ start: close, end: close, text: `\n${lines}` });
  return edits;
}

function removedBlock(contract: string, importSuffix: string, body: string): string {
  return [
    '',
    lineComment(`${REMOVED_MARKER} handlers of message types no longer in ${contract}, moved here unchanged`),
    '// out of `handlers`. Nothing calls them: delete them, or add the types back and run `generate` to move',
    '// them back.',
    '// eslint-disable-next-line @typescript-eslint/no-explicit-any -- their message types no longer exist',
    `export const ${REMOVED_CONST}: Record<string, (message: any, context: import('./consumer${importSuffix}').MessageContext) => unknown> = {`,
    `${body}};`,
    '',
  ].join('\n');
}

/**
 * Brings the handlers file in line with the contract (see the top of this file). Returns `existing`
 * unchanged when there is nothing to do or when the file no longer has a `handlers` object literal.
 */
export function mergeHandlers(existing: string, messages: HandlerView[], contract: string, discAccess: string, importSuffix: string): string {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const file = project.createSourceFile('handlers.ts', existing);
  const handlers = findObject(file, 'handlers');
  if (!handlers) return existing;
  const removed = findObject(file, REMOVED_CONST);
  const text = existing;
  const wanted = new Set(messages.map((m) => m.value));
  const edits: Edit[] = [];

  const present = new Set<string>();
  const keep: Node[] = [];
  let movedOut = '';
  for (const property of handlers.object.getProperties()) {
    const name = propertyName(property);
    if (name === undefined || wanted.has(name)) {
      if (name !== undefined) present.add(name);
      keep.push(property);
      propertySpan(text, property, edits); // only drops a legacy marker above it, if any
      continue;
    }
    const span = propertySpan(text, property, edits);
    edits.push({ start: span.start, end: span.end, text: '' });
    movedOut += span.moved;
  }

  let movedBack = '';
  const removedKeep: Node[] = [];
  for (const property of removed?.object.getProperties() ?? []) {
    const name = propertyName(property);
    if (name === undefined || !wanted.has(name) || present.has(name)) {
      removedKeep.push(property);
      continue;
    }
    present.add(name);
    const span = propertySpan(text, property, edits);
    edits.push({ start: span.start, end: span.end, text: '' });
    movedBack += span.moved;
  }

  const stubs = messages
    .filter((m) => !present.has(m.value))
    .map((m) => `${handlerStub(m.typeName, m.handlerKey, discAccess)}\n`)
    .join('');
  if (movedBack || stubs) edits.push(...appendTo(text, handlers.object, keep, movedBack + stubs));

  if (removed && removedKeep.length === 0 && !movedOut && movedBack && removed.statement) {
    // Every handler went back: the marked const goes, with its comment and the blank line above.
    const statement = removed.statement;
    const marker = statement.getLeadingCommentRanges().find((c) => text.startsWith(`// ${REMOVED_MARKER}`, c.getPos()));
    let start = lineStartOf(text, marker?.getPos() ?? statement.getStart());
    if (start > 0 && text.slice(lineStartOf(text, start - 1), start).trim() === '') start = lineStartOf(text, start - 1);
    const end = lineEndOf(text, statement.getEnd());
    // Drop the per-property edits inside it; this one covers them.
    for (let i = edits.length - 1; i >= 0; i--) if (edits[i]!.start >= start && edits[i]!.end <= end) edits.splice(i, 1);
    edits.push({ start, end, text: '' });
  } else if (movedOut) {
    if (removed) edits.push(...appendTo(text, removed.object, removedKeep, movedOut));
    else {
      const after = handlers.statement ? lineEndOf(text, handlers.statement.getEnd()) : text.length;
      const block = removedBlock(contract, importSuffix, movedOut);
      edits.push({ start: after, end: after, text: after > 0 && text[after - 1] !== '\n' ? `\n${block}` : block });
    }
  }

  if (edits.length === 0) return existing;
  let out = text;
  for (const edit of edits.sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}
