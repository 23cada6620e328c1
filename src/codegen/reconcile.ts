// The reconciler for user-owned files (handlers): ts-morph parses the file and finds positions, every
// change is a text Edit against the file as the user left it, so every byte outside an edit stays.
// Heavy (ts-morph loads the TypeScript compiler): import it only when members.ts says a merge is due.
//
//   const file = parseUserFile('src/links/user/handlers.ts', text);   // throws on a syntax error
//   const c = file.find({ class: 'UserServiceImpl' });                // or { object: 'handlers' }
//   file.insertMembers(c, [stub]); file.mark(member, markerComment('removed ...')); file.result();
import path from 'node:path';
import { Node, Project, ts, type ClassDeclaration, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { UserFileError } from '../errors.js';
import { applyEdits, indentAt, lineColumnOf, lineEndOf, lineStartOf, type Edit } from './edits.js';
import { isAnyMarker, isMarker, type MarkerKind } from './markers.js';
import type { ContainerRef } from './members.js';

export type { ContainerRef, Edit };

/** A named member of a container: a method, property or accessor (a class's), or a property (an object's). */
export interface Member {
  name: string;
  node: Node;
}

export interface Container {
  ref: ContainerRef;
  node: ClassDeclaration | ObjectLiteralExpression;
  /** The declaration statement (class or variable statement): text can go after it, or it can go. */
  statement: Node | undefined;
  /** Named members in source order; a class's static members are not handlers and are left out. */
  members: Member[];
  /** Every member node in source order, named or not (`...spread`, constructor, static). */
  nodes: Node[];
}

/**
 * Parses a user file, or throws UserFileError at its first syntax error: merging into a file the
 * parser had to guess at (an unclosed brace) would put stubs in the wrong place and lose lines.
 */
export function parseUserFile(file: string, text: string): UserFile {
  // No lib files and no imports resolved: only the syntax is checked, which takes milliseconds.
  const project = new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, noLib: true, noResolve: true },
  });
  const source = project.createSourceFile(`/${path.posix.basename(file)}`, text);
  const [first, ...more] = project.getProgram().compilerObject.getSyntacticDiagnostics(source.compilerNode);
  if (!first) return new UserFile(text, source);
  const { line, column } = lineColumnOf(text, first.start ?? 0);
  const notes = more.length ? [`and ${more.length} more syntax error${more.length > 1 ? 's' : ''}`] : [];
  const brace = braceNote(text);
  if (brace) notes.push(brace);
  const detail = ts.flattenDiagnosticMessageText(first.messageText, ' ').replace(/\.$/, '');
  throw new UserFileError(
    file,
    `${detail}${notes.length ? ` (${notes.join('; ')})` : ''}. generate does not merge into a file that does not parse, so nothing was merged`,
    line,
    column,
    'fix the syntax, then run `create-service-link generate` again',
  );
}

/**
 * Where a half-edited file most likely lost a brace, as a note: TypeScript reports where parsing went
 * wrong, often well below the brace. Matching braces by count, the first `}` that does not start a line
 * at the indentation of the line holding its `{` (as formatted code has it) points at the brace; else the
 * innermost `{` never closed. A hint only: undefined when the braces look fine.
 */
function braceNote(text: string): string | undefined {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const open: (number | 'template')[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.OpenBraceToken) open.push(scanner.getTokenStart());
    else if (token === ts.SyntaxKind.TemplateHead) open.push('template');
    else if (token === ts.SyntaxKind.CloseBraceToken) {
      const top = open.pop();
      if (top === 'template') {
        if (scanner.reScanTemplateToken(false) === ts.SyntaxKind.TemplateMiddle) open.push('template');
        continue;
      }
      if (top === undefined) continue;
      const close = scanner.getTokenStart();
      const endsLine = /^[ \t]*(?:\/\/[^\n]*)?\r?(?:\n|$)/.test(text.slice(top + 1));
      if (endsLine && text.slice(lineStartOf(text, close), close) !== indentAt(text, top)) {
        return `the '{' on line ${lineColumnOf(text, top).line} and the '}' on line ${lineColumnOf(text, close).line} do not line up: is a brace missing?`;
      }
    }
  }
  const last = open.filter((at): at is number => at !== 'template').at(-1);
  return last === undefined ? undefined : `the '{' on line ${lineColumnOf(text, last).line} is never closed`;
}

/** The name of a class or object-literal member as the runtime sees it (quotes and `[""]` removed). */
function memberName(node: Node): string | undefined {
  if (
    !Node.isMethodDeclaration(node) &&
    !Node.isPropertyAssignment(node) &&
    !Node.isShorthandPropertyAssignment(node) &&
    !Node.isPropertyDeclaration(node) &&
    !Node.isGetAccessorDeclaration(node) &&
    !Node.isSetAccessorDeclaration(node)
  )
    return undefined;
  const name = node.getNameNode();
  if (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name)) return name.getLiteralValue();
  if (Node.isComputedPropertyName(name)) {
    const expr = name.getExpression();
    return Node.isStringLiteral(expr) || Node.isNoSubstitutionTemplateLiteral(expr)
      ? expr.getLiteralValue()
      : undefined;
  }
  return name.getText();
}

/** Unwraps `{...} satisfies X`, `{...} as X`, `({...})`. */
function objectLiteral(init: Node | undefined): ObjectLiteralExpression | undefined {
  while (
    init &&
    (Node.isSatisfiesExpression(init) || Node.isAsExpression(init) || Node.isParenthesizedExpression(init))
  )
    init = init.getExpression();
  return init && Node.isObjectLiteralExpression(init) ? init : undefined;
}

/** True for a class member that can implement an interface member: not static, private or protected. */
export function isPublicInstance(member: Member): boolean {
  const node = member.node;
  if (!Node.isModifierable(node)) return true;
  return (
    !node.hasModifier(ts.SyntaxKind.StaticKeyword) &&
    !node.hasModifier(ts.SyntaxKind.PrivateKeyword) &&
    !node.hasModifier(ts.SyntaxKind.ProtectedKeyword)
  );
}

/** A parsed user file and the edits made against it so far. */
export class UserFile {
  readonly edits: Edit[] = [];
  constructor(
    readonly text: string,
    readonly source: SourceFile,
  ) {}

  find(ref: ContainerRef): Container | undefined {
    if ('class' in ref) {
      const cls = this.source.getClass(ref.class);
      if (!cls) return undefined;
      const nodes = cls.getMembers();
      const members = nodes.filter((m) => !(Node.isModifierable(m) && m.hasModifier(ts.SyntaxKind.StaticKeyword)));
      return { ref, node: cls, statement: cls, members: named(members), nodes };
    }
    const declaration = this.source.getVariableDeclaration(ref.object);
    const object = objectLiteral(declaration?.getInitializer());
    if (!object) return undefined;
    const nodes = object.getProperties();
    return { ref, node: object, statement: declaration?.getVariableStatement(), members: named(nodes), nodes };
  }

  /** The first member called `name` (the first of a method's overloads), if any. */
  member(container: Container, name: string): Member | undefined {
    return container.members.find((m) => m.name === name);
  }

  insert(at: number, text: string): void {
    this.edits.push({ start: at, end: at, text });
  }

  replace(node: Node, text: string): void {
    this.edits.push({ start: node.getStart(), end: node.getEnd(), text });
  }

  /**
   * Inserts members (each text whole lines ending in '\n') before the container's closing brace: a
   * class's separated by blank lines, an object's after a comma behind `lastKept` (by default its
   * last member; pass the last one that stays when others move out).
   */
  insertMembers(
    container: Container,
    texts: readonly string[],
    lastKept: Node | undefined = container.nodes.at(-1),
  ): void {
    if (!texts.length) return;
    const isClass = 'class' in container.ref;
    const close = container.node.getEnd() - 1;
    if (!isClass && lastKept && !this.text.slice(lastKept.getEnd(), close).trimStart().startsWith(','))
      this.insert(lastKept.getEnd(), ',');
    const body = (isClass && container.nodes.length ? '\n' : '') + texts.join(isClass ? '\n' : '');
    const lineStart = lineStartOf(this.text, close);
    if (this.text.slice(lineStart, close).trim() === '') this.insert(lineStart, body);
    else this.insert(close, `\n${body}`);
  }

  /** Puts a marker line (see markers.ts) above a member, at its indentation (above its doc comment). */
  mark(member: Member, marker: string): void {
    const start = member.node.getStart(true);
    this.insert(lineStartOf(this.text, start), `${indentAt(this.text, start)}${marker}\n`);
  }

  /** The [start, end) of each line above a member holding only a `kind` marker (of any release). */
  markerLines(member: Member, kind: MarkerKind): [number, number][] {
    return member.node
      .getLeadingCommentRanges()
      .filter((c) => c.getKind() === ts.SyntaxKind.SingleLineCommentTrivia && isMarker(c.getText(), kind))
      .map((c) => [lineStartOf(this.text, c.getPos()), lineEndOf(this.text, c.getPos())] as [number, number])
      .filter(([start]) => this.text.slice(start, this.text.indexOf('//', start)).trim() === '');
  }

  /** Takes the `kind` markers above a member out; false when it had none. */
  unmark(member: Member, kind: MarkerKind): boolean {
    const lines = this.markerLines(member, kind);
    for (const [start, end] of lines) this.edits.push({ start, end, text: '' });
    return lines.length > 0;
  }

  /**
   * Cuts an object member out with its own comments and trailing comma, and returns it as whole lines
   * with a comma, ready for insertMembers elsewhere. Markers of `dropKind` above it are dropped, not moved.
   */
  cut(member: Member, dropKind?: MarkerKind, rename?: string): string {
    const text = this.text;
    const dropped = dropKind ? this.markerLines(member, dropKind) : [];
    for (const [start, end] of dropped) this.edits.push({ start, end, text: '' });
    const own = member.node
      .getLeadingCommentRanges()
      .filter((c) => !dropped.some(([s, e]) => c.getPos() >= s && c.getPos() < e));
    const first = own[0]?.getPos() ?? member.node.getStart();
    const ownLines = text.slice(lineStartOf(text, first), first).trim() === '';
    const start = ownLines ? lineStartOf(text, first) : first;
    const nodeEnd = member.node.getEnd();
    const comma = /^[ \t]*,/.exec(text.slice(nodeEnd));
    let end = nodeEnd + (comma ? comma[0].length : 0);
    const rest = /^[ \t]*(?:\/\/[^\r\n]*)?\r?\n/.exec(text.slice(end));
    if (ownLines && rest) end += rest[0].length;
    // `rename`: the member's key as written anew (a handler moved to its renamed message type).
    const name = rename === undefined ? undefined : nameNodeOf(member.node);
    const head = name
      ? `${text.slice(start, name.getStart())}${rename}${text.slice(name.getEnd(), nodeEnd)}`
      : text.slice(start, nodeEnd);
    let moved = comma ? `${head}${text.slice(nodeEnd, end)}` : `${head},${text.slice(nodeEnd, end)}`;
    if (!ownLines) moved = `  ${moved.trim()}`;
    if (!moved.endsWith('\n')) moved += '\n';
    this.edits.push({ start, end, text: '' });
    return moved;
  }

  /** Where a member's own lines start: its comments above it, or the member itself. */
  lineStartOfMember(member: Member): number {
    const first = member.node.getLeadingCommentRanges()[0]?.getPos() ?? member.node.getStart();
    const start = lineStartOf(this.text, first);
    return this.text.slice(start, first).trim() === '' ? start : first;
  }

  /** Inserts whole-line members (each ending in ',\n') above `before`, a member of an object literal. */
  insertBefore(before: Member, texts: readonly string[]): void {
    if (texts.length) this.insert(this.lineStartOfMember(before), texts.join(''));
  }

  /** Removes a class member the tool wrote (an untouched stub), with its comments and the blank line above. */
  removeMember(member: Member): void {
    let start = this.lineStartOfMember(member);
    if (start > 0 && this.text.slice(lineStartOf(this.text, start - 1), start).trim() === '')
      start = lineStartOf(this.text, start - 1);
    this.edits.push({ start, end: lineEndOf(this.text, member.node.getEnd()), text: '' });
  }

  /** Renames a member where it stands: only its name changes. */
  rename(member: Member, name: string): void {
    const node = nameNodeOf(member.node);
    if (node) this.replace(node, name);
  }

  /** Inserts `block` on the line after a statement (a new container below the one it came from). */
  insertAfter(statement: Node | undefined, block: string): void {
    const after = statement ? lineEndOf(this.text, statement.getEnd()) : this.text.length;
    this.insert(after, after > 0 && this.text[after - 1] !== '\n' ? `\n${block}` : block);
  }

  /** Appends a block at the end of the file, after a blank line. */
  append(block: string): void {
    this.insert(this.text.length, (this.text.endsWith('\n') ? '\n' : '\n\n') + block);
  }

  /**
   * Removes a container the tool made (a parking const), with its marker comments and the blank line
   * above; edits already made inside it are dropped, this one covers them.
   */
  removeContainer(container: Container): void {
    const statement = container.statement ?? container.node;
    const marker = statement.getLeadingCommentRanges().find((c) => isAnyMarker(c.getText()));
    let start = lineStartOf(this.text, marker?.getPos() ?? statement.getStart());
    if (start > 0 && this.text.slice(lineStartOf(this.text, start - 1), start).trim() === '')
      start = lineStartOf(this.text, start - 1);
    const end = lineEndOf(this.text, statement.getEnd());
    for (let i = this.edits.length - 1; i >= 0; i--)
      if (this.edits[i]!.start >= start && this.edits[i]!.end <= end) this.edits.splice(i, 1);
    this.edits.push({ start, end, text: '' });
  }

  /** Adds an import line after the last import (or at the top). */
  addImport(line: string): void {
    const imports = this.source.getImportDeclarations();
    const at = imports.at(-1)?.getEnd() ?? 0;
    this.insert(at, at ? `\n${line}` : `${line}\n`);
  }

  /** The file with every edit applied, in its own newline style. */
  result(): string {
    return this.edits.length ? applyEdits(this.text, this.edits) : this.text;
  }
}

/** The name node of a method or property, if it has one. */
function nameNodeOf(node: Node): Node | undefined {
  return Node.isMethodDeclaration(node) ||
    Node.isPropertyAssignment(node) ||
    Node.isShorthandPropertyAssignment(node) ||
    Node.isPropertyDeclaration(node)
    ? node.getNameNode()
    : undefined;
}

function named(nodes: Node[]): Member[] {
  const out: Member[] = [];
  for (const node of nodes) {
    const name = memberName(node);
    if (name !== undefined) out.push({ name, node });
  }
  return out;
}
