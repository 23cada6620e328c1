// Merges new message types into the user's handlers file. ts-morph only locates things; the edits are
// plain text insertions, so every byte the user wrote stays exactly as it was.
import { Node, Project, type ObjectLiteralExpression } from 'ts-morph';
import { handlerStub } from './generate.js';

export const REMOVED_MARKER = 'create-service-link:';

interface HandlerView {
  typeName: string;
  value: string;
  handlerKey: string;
}

function findHandlersObject(text: string): ObjectLiteralExpression | undefined {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const file = project.createSourceFile('handlers.ts', text);
  const declaration = file.getVariableDeclaration('handlers');
  let init = declaration?.getInitializer();
  // Unwrap `{...} satisfies X`, `{...} as X`, `({...})`.
  while (init && (Node.isSatisfiesExpression(init) || Node.isAsExpression(init) || Node.isParenthesizedExpression(init)))
    init = init.getExpression();
  return init && Node.isObjectLiteralExpression(init) ? init : undefined;
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

/**
 * Adds a stub for each message type without a handler, and a marker comment above a handler whose
 * message type is no longer in the contract. Returns `existing` unchanged when there is nothing to do
 * or when the file no longer has a `handlers` object literal to merge into.
 */
export function mergeHandlers(existing: string, messages: HandlerView[], contract: string, discAccess: string): string {
  const object = findHandlersObject(existing);
  if (!object) return existing;
  const properties = object.getProperties();
  const present = new Set(properties.map(propertyName).filter((n): n is string => n !== undefined));
  const wanted = new Set(messages.map((m) => m.value));
  const edits: { at: number; text: string }[] = [];

  for (const property of properties) {
    const name = propertyName(property);
    if (name === undefined || wanted.has(name)) continue;
    const lineStart = existing.lastIndexOf('\n', property.getStart() - 1) + 1;
    const before = existing.slice(existing.lastIndexOf('\n', Math.max(0, lineStart - 2)) + 1, lineStart);
    if (before.includes(REMOVED_MARKER)) continue;
    const indent = /^[ \t]*/.exec(existing.slice(lineStart))![0];
    edits.push({
      at: lineStart,
      text: `${indent}// ${REMOVED_MARKER} message type ${JSON.stringify(name)} is no longer in ${contract}; remove this handler.\n`,
    });
  }

  const missing = messages.filter((m) => !present.has(m.value));
  if (missing.length > 0) {
    const stubs = missing.map((m) => handlerStub(m.typeName, m.handlerKey, discAccess)).join('\n');
    const close = object.getEnd() - 1; // the closing brace
    const last = properties.at(-1);
    let prefix = '';
    if (last) {
      const between = existing.slice(last.getEnd(), close);
      if (!between.trimStart().startsWith(',')) edits.push({ at: last.getEnd(), text: ',' });
    }
    const lineStart = existing.lastIndexOf('\n', close - 1) + 1;
    if (existing.slice(lineStart, close).trim() === '') {
      // `}` sits on its own line: insert whole lines just above it.
      edits.push({ at: lineStart, text: `${prefix}${stubs}\n` });
    } else {
      prefix = '\n';
      edits.push({ at: close, text: `${prefix}${stubs}\n` });
    }
  }
  if (edits.length === 0) return existing;
  let text = existing;
  for (const edit of edits.sort((a, b) => b.at - a.at)) text = text.slice(0, edit.at) + edit.text + text.slice(edit.at);
  return text;
}
