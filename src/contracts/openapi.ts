// Reads OpenAPI 3.0/3.1 documents (YAML or JSON) and resolves local `$ref`s, within the file and to
// other files next to it. Every problem becomes a ContractError carrying file:line:column inside the
// document, so the user can jump straight to it.
//
// Why hand-rolled resolution instead of a dereferencer library: dereferencing inlines every `$ref`
// (GitHub's 13 MB description becomes 73 MB and loses schema names), while the generator wants named
// component schemas kept as named types. Resolution here is lazy and by name: a `$ref` is followed
// only when the generator asks for its target. Parsing uses `yaml` (with LineCounter for positions)
// and, for JSON, the native JSON.parse (fast) with `jsonc-parser` to locate problems afterwards.
import { parseDocument, LineCounter, isNode, type Document } from 'yaml';
import { parseTree, findNodeAtLocation, parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import path from 'node:path';
import { ContractError } from '../errors.js';

export type JsonPath = (string | number)[];

/** Where a node lives: the project-relative file and the JSON path inside it. */
export interface Loc {
  file: string;
  path: JsonPath;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ResolvedRef {
  /** Location of the target node. */
  loc: Loc;
  value: Json;
}

interface LoadedDocument {
  file: string;
  text: string;
  format: 'yaml' | 'json';
  root: Json;
  yamlDoc?: Document;
  lineCounter?: LineCounter;
  jsonTree?: ReturnType<typeof parseTree>;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class OpenApiDocuments {
  readonly entry: LoadedDocument;
  readonly openapiVersion: '3.0' | '3.1';
  private readonly docs = new Map<string, LoadedDocument>();

  private constructor(
    entry: LoadedDocument,
    version: '3.0' | '3.1',
    private readonly readFile: (file: string) => Promise<string>,
  ) {
    this.entry = entry;
    this.openapiVersion = version;
    this.docs.set(entry.file, entry);
  }

  /** Loads the entry document and every file it references (transitively), then checks the version. */
  static async load(file: string, readFile: (file: string) => Promise<string>): Promise<OpenApiDocuments> {
    const entry = parseContract(file, await readText(file, readFile, undefined));
    const root = entry.root;
    if (!isObject(root)) throw new ContractError(file, 'an OpenAPI document must be an object at the top level', 1, 1);
    const set = new OpenApiDocuments(entry, checkVersion(entry), readFile);
    await set.loadReferencedFiles(entry);
    return set;
  }

  get root(): JsonObject {
    return this.entry.root as JsonObject;
  }

  /** Every loaded file and its parsed root, the entry first (the REST server's validators load them all). */
  documents(): { file: string; root: Json }[] {
    return [...this.docs.values()].map((d) => ({ file: d.file, root: d.root }));
  }

  /** 1-based line/column of a node, or of its nearest existing ancestor. */
  locate(loc: Loc): { line?: number; column?: number } {
    const doc = this.docs.get(loc.file);
    if (!doc) return {};
    return locateIn(doc, loc.path);
  }

  fail(loc: Loc, detail: string, hint?: string): never {
    const { line, column } = this.locate(loc);
    throw new ContractError(loc.file, detail, line, column, hint);
  }

  /** Follows `$ref` chains until a node that is not a reference. */
  deref(value: Json, loc: Loc): ResolvedRef {
    const seen = new Set<string>();
    let current: ResolvedRef = { value, loc };
    while (isObject(current.value) && typeof current.value.$ref === 'string') {
      const next = this.resolve(current.value.$ref, current.loc);
      const key = `${next.loc.file}#${next.loc.path.join('/')}`;
      if (seen.has(key)) this.fail(current.loc, `circular $ref "${current.value.$ref}"`);
      seen.add(key);
      current = next;
    }
    return current;
  }

  /** Resolves one `$ref` written at `at` (the location of the object holding it). */
  resolve(ref: string, at: Loc): ResolvedRef {
    const refLoc: Loc = { file: at.file, path: [...at.path, '$ref'] };
    const hash = ref.indexOf('#');
    const filePart = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = hash === -1 ? '' : ref.slice(hash + 1);
    if (/^[a-z][a-z0-9+.-]*:/i.test(filePart))
      this.fail(
        refLoc,
        `remote $ref "${ref}" is not supported`,
        'download the document and reference it by a relative path',
      );
    const file = filePart ? joinRef(at.file, filePart) : at.file;
    const doc = this.docs.get(file);
    if (!doc) this.fail(refLoc, `$ref "${ref}" points to a file that could not be read (${file})`);
    const pointer = parsePointer(fragment);
    if (pointer === undefined) this.fail(refLoc, `$ref "${ref}" is not a JSON pointer (expected "#/components/...")`);
    let value: Json = doc.root;
    for (const segment of pointer) {
      const next: Json | undefined = Array.isArray(value)
        ? value[Number(segment)]
        : isObject(value) && Object.hasOwn(value, segment)
          ? value[segment]
          : undefined;
      if (next === undefined) {
        this.fail(refLoc, `dangling $ref "${ref}": ${file} has nothing at "#/${pointer.join('/')}"`);
      }
      value = next;
    }
    return { value, loc: { file, path: pointer } };
  }

  private async loadReferencedFiles(doc: LoadedDocument): Promise<void> {
    // Cheap text check first: most documents (GitHub's included) reference no other file.
    if (!/\$ref["']?\s*:\s*["']?(?!#)[^\s"']/.test(doc.text)) return;
    const pending: { file: string; at: Loc }[] = [];
    collectFileRefs(doc.root, { file: doc.file, path: [] }, pending);
    for (const { file, at } of pending) {
      if (this.docs.has(file)) continue;
      const text = await readText(file, this.readFile, () =>
        this.fail({ file: at.file, path: [...at.path, '$ref'] }, `$ref points to ${file}, which could not be read`),
      );
      const loaded = parseContract(file, text);
      this.docs.set(file, loaded);
      await this.loadReferencedFiles(loaded);
    }
  }
}

async function readText(file: string, readFile: (f: string) => Promise<string>, onMissing: (() => never) | undefined) {
  try {
    return await readFile(file);
  } catch (error) {
    if (onMissing) onMissing();
    throw new ContractError(file, `cannot read the OpenAPI document (${(error as Error).message})`);
  }
}

function joinRef(fromFile: string, relative: string): string {
  const decoded = decodeURI(relative);
  return path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), decoded));
}

function parsePointer(fragment: string): string[] | undefined {
  if (fragment === '' || fragment === '/') return [];
  if (!fragment.startsWith('/')) return undefined;
  return fragment
    .slice(1)
    .split('/')
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}

function collectFileRefs(value: Json, at: Loc, out: { file: string; at: Loc }[]): void {
  // Iterative walk: large documents are deep and wide. Paths are only built for references to other files.
  const stack: { value: Json; path: JsonPath }[] = [{ value, path: at.path }];
  while (stack.length) {
    const { value: node, path: p } = stack.pop()!;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++)
        if (typeof node[i] === 'object' && node[i] !== null) stack.push({ value: node[i]!, path: [...p, i] });
    } else if (isObject(node)) {
      const ref = node.$ref;
      if (typeof ref === 'string' && !ref.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
        const filePart = ref.split('#')[0]!;
        if (filePart) out.push({ file: joinRef(at.file, filePart), at: { file: at.file, path: p } });
      }
      for (const key in node) {
        const child = node[key]!;
        if (typeof child === 'object' && child !== null) stack.push({ value: child, path: [...p, key] });
      }
    }
  }
}

function parseContract(file: string, text: string): LoadedDocument {
  const trimmed = text.trimStart();
  if (file.endsWith('.json') || trimmed.startsWith('{')) {
    try {
      return { file, text, format: 'json', root: JSON.parse(text) as Json };
    } catch {
      const errors: ParseError[] = [];
      parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true });
      const first = errors[0];
      const { line, column } = first ? offsetToLineColumn(text, first.offset) : { line: 1, column: 1 };
      throw new ContractError(
        file,
        `invalid JSON: ${first ? printParseErrorCode(first.error) : 'cannot parse'}`,
        line,
        column,
      );
    }
  }
  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const error = yamlDoc.errors[0];
  if (error) {
    const pos = lineCounter.linePos(error.pos[0]);
    throw new ContractError(file, `invalid YAML: ${error.message.split('\n')[0]}`, pos.line, pos.col);
  }
  let root: Json;
  try {
    root = yamlDoc.toJS({ maxAliasCount: 10_000 }) as Json;
  } catch (error) {
    throw new ContractError(file, `invalid YAML: ${(error as Error).message}`, 1, 1);
  }
  return { file, text, format: 'yaml', root, yamlDoc, lineCounter };
}

function offsetToLineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function locateIn(doc: LoadedDocument, jsonPath: JsonPath): { line?: number; column?: number } {
  // Walk up to the nearest ancestor that exists (e.g. a missing `responses` is reported at its operation).
  for (let n = jsonPath.length; n >= 0; n--) {
    const p = jsonPath.slice(0, n);
    if (doc.format === 'yaml' && doc.yamlDoc && doc.lineCounter) {
      const node = p.length ? doc.yamlDoc.getIn(p, true) : doc.yamlDoc.contents;
      if (isNode(node) && node.range) {
        // For a scalar value, point at its key when we can: that is what the user reads.
        const pos = doc.lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    } else {
      doc.jsonTree ??= parseTree(doc.text);
      const node = doc.jsonTree && (p.length ? findNodeAtLocation(doc.jsonTree, p) : doc.jsonTree);
      if (node) return offsetToLineColumn(doc.text, node.offset);
    }
  }
  return {};
}

function checkVersion(doc: LoadedDocument): '3.0' | '3.1' {
  const root = doc.root as JsonObject;
  const at = (key: string) => locateIn(doc, [key]);
  if (typeof root.swagger === 'string') {
    const { line, column } = at('swagger');
    throw new ContractError(
      doc.file,
      `Swagger ${root.swagger} documents are not supported; this tool reads OpenAPI 3.0 and 3.1`,
      line,
      column,
      'convert it once with `npx swagger2openapi <file> -o openapi.yaml` and pass the result with --openapi',
    );
  }
  const version = root.openapi;
  if (typeof version !== 'string') {
    const { line, column } = at('openapi');
    throw new ContractError(
      doc.file,
      'missing "openapi" version field (expected "3.0.x" or "3.1.x")',
      line ?? 1,
      column ?? 1,
    );
  }
  if (/^3\.0(\.|$)/.test(version)) return '3.0';
  if (/^3\.1(\.|$)/.test(version)) return '3.1';
  const { line, column } = at('openapi');
  throw new ContractError(doc.file, `unsupported OpenAPI version "${version}" (expected 3.0.x or 3.1.x)`, line, column);
}
