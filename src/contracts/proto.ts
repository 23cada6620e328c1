// Reads .proto contracts with protobufjs (no protoc): follows imports through the import roots
// (--proto-path) and protobufjs's bundled google/protobuf types; every failure becomes a
// ContractError naming the file and line.
import protobuf from './proto-lib.js';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ContractError } from '../errors.js';

export interface ProtoSource {
  /** Reads a project-relative (or absolute) file; undefined when it does not exist. */
  read(file: string): Promise<string | undefined>;
}

export interface LoadedProtos {
  root: protobuf.Root;
  /** Import name (e.g. 'acme/user.proto') -> the path it was read from. */
  files: Map<string, string>;
  /** Import names of the contract files themselves (their services are generated). */
  mainFiles: string[];
  /** Path read -> source text (for line lookups). */
  sources: Map<string, string>;
}

const PARSE_OPTIONS = { keepCase: true, alternateCommentMode: true, preferTrailingComment: false };

let bundledDir: string | undefined;
/** protobufjs ships descriptor.proto, api.proto, ... beside its JSON copies of the well-known types. */
function protobufjsDir(): string {
  if (!bundledDir) bundledDir = path.dirname(createRequire(import.meta.url).resolve('protobufjs/package.json'));
  return bundledDir;
}

function posix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The 1-based line of `source` holding `needle` first, or undefined. */
export function lineOf(source: string | undefined, needle: string | RegExp): number | undefined {
  if (!source) return undefined;
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (typeof needle === 'string' ? lines[i]!.includes(needle) : needle.test(lines[i]!)) return i + 1;
  }
  return undefined;
}

/**
 * Parses one .proto file's text into `root` (syntax and its own definitions; imports are not followed),
 * with the options every reader of a contract must share. A failure is a ContractError with the line.
 */
export function parseProto(file: string, text: string, root = new protobuf.Root()): protobuf.IParserResult {
  try {
    (protobuf.parse as unknown as { filename: string | null }).filename = file;
    return protobuf.parse(text, root, PARSE_OPTIONS);
  } catch (err) {
    throw parseError(file, text, err);
  }
}

/**
 * Loads the contracts and everything they import. `baseDir` is what relative contract paths and import
 * roots are relative to (the project root): every file is known by one canonical key, its absolute
 * path, so a contract that another contract imports is parsed once whether the paths were given
 * relative or absolute (parsing it twice fails with "duplicate name").
 */
export async function loadProtos(
  contracts: string[],
  protoPaths: string[],
  source: ProtoSource,
  baseDir = process.cwd(),
): Promise<LoadedProtos> {
  const root = new protobuf.Root();
  const files = new Map<string, string>();
  const sources = new Map<string, string>();
  const roots = protoPaths.map((r) => posix(path.normalize(r)).replace(/(.)\/$/, '$1'));
  const absRoots = roots.map((r) => path.resolve(baseDir, r));
  /** Absolute path -> the import name it was loaded under. */
  const loadedPaths = new Map<string, string>();
  const mainFiles: string[] = [];
  /** Reads started ahead of need (a file's imports, as soon as it is parsed), so they overlap. */
  const pending = new Map<string, Promise<string | undefined>>();
  function read(file: string): Promise<string | undefined> {
    let p = pending.get(file);
    if (!p) {
      p = source.read(file);
      p.catch(() => undefined); // a failed read surfaces where it is awaited, not as an unhandled rejection
      pending.set(file, p);
    }
    return p;
  }

  // A contract's import name is its path below the first import root holding it (protoc's rule).
  function importName(file: string): string {
    const abs = path.resolve(baseDir, file);
    for (const r of absRoots) {
      const rel = path.relative(r, abs);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return posix(rel);
    }
    return posix(path.normalize(file));
  }

  async function parseFile(name: string, file: string, text: string): Promise<void> {
    files.set(name, file);
    loadedPaths.set(path.resolve(baseDir, file), name);
    sources.set(file, text);
    const parsed = parseProto(file, text, root);
    // protobufjs keeps fields in plain objects, so a field called __proto__ would silently vanish.
    const proto = /\b__proto__\s*=\s*\d+/.exec(text);
    if (proto) {
      throw new ContractError(
        file,
        'a field named "__proto__" cannot be represented in JavaScript',
        lineOf(text, proto[0]),
        undefined,
        'rename the field (its number stays the same on the wire)',
      );
    }
    const imports = [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])];
    for (const imp of imports) {
      if (files.has(imp)) continue;
      for (const r of roots) {
        const candidate = r === '.' ? imp : `${r}/${imp}`;
        if (!loadedPaths.has(path.resolve(baseDir, candidate))) void read(candidate);
      }
    }
    for (const imp of imports) await loadImport(imp, file, text, (parsed.weakImports ?? []).includes(imp));
  }

  async function loadImport(imp: string, fromFile: string, fromText: string, weak: boolean): Promise<void> {
    if (files.has(imp)) return;
    for (const r of roots) {
      const candidate = r === '.' ? imp : `${r}/${imp}`;
      // Already read under another name (a contract outside every root): the same file, not a clash.
      if (loadedPaths.has(path.resolve(baseDir, candidate))) return;
      const text = await read(candidate);
      if (text !== undefined) return parseFile(imp, candidate, text);
    }
    const common = (protobuf.common as unknown as Record<string, protobuf.INamespace | undefined>)[imp];
    if (common && Object.hasOwn(protobuf.common, imp)) {
      files.set(imp, `(bundled) ${imp}`);
      root.addJSON(common.nested ?? {});
      return;
    }
    if (imp.startsWith('google/')) {
      // protobufjs's JSON copy (e.g. descriptor.json) loads several times faster than parsing the .proto.
      const json = path.join(protobufjsDir(), imp.replace(/\.proto$/, '.json'));
      if (imp.endsWith('.proto') && existsSync(json)) {
        files.set(imp, `(bundled) ${imp}`);
        root.addJSON((JSON.parse(readFileSync(json, 'utf8')) as protobuf.INamespace).nested ?? {});
        return;
      }
      const bundled = path.join(protobufjsDir(), imp);
      const text = await readFile(bundled, 'utf8').catch(() => undefined);
      if (text !== undefined) return parseFile(imp, bundled, text);
    }
    if (weak) return;
    throw new ContractError(
      fromFile,
      `import "${imp}" not found`,
      lineOf(fromText, `"${imp}"`),
      undefined,
      roots.length
        ? `looked in ${roots.map((r) => `${r}/`).join(', ')}; add the folder holding it with --proto-path DIR`
        : 'add the folder holding it with --proto-path DIR',
    );
  }

  for (const contract of contracts) void read(contract);
  for (const contract of contracts) {
    const text = await read(contract);
    if (text === undefined)
      throw new ContractError(contract, 'file not found', undefined, undefined, 'check the --proto path');
    const name = loadedPaths.get(path.resolve(baseDir, contract)) ?? importName(contract);
    mainFiles.push(name);
    if (!files.has(name)) await parseFile(name, contract, text);
  }

  try {
    root.resolveAll();
  } catch (err) {
    throw resolveError(root, sources, err);
  }
  return { root, files, mainFiles, sources };
}

function parseError(file: string, text: string, err: unknown): ContractError {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^(.*) \((?:.*, )?line (\d+)\)$/s.exec(message);
  if (m) {
    return new ContractError(
      file,
      m[1]!,
      Number(m[2]),
      undefined,
      'fix the .proto syntax (proto2/proto3) at that line',
    );
  }
  // Errors raised while adding definitions (duplicate names, reserved ids) carry no line: find one.
  const named = /'([^']+)'|duplicate id (\d+)|id (\d+)/.exec(message);
  const needle =
    named?.[1] ??
    (named?.[2] ? new RegExp(`=\\s*${named[2]}\\b`) : named?.[3] ? new RegExp(`=\\s*${named[3]}\\b`) : undefined);
  return new ContractError(
    file,
    message,
    needle ? lineOf(text, needle) : undefined,
    undefined,
    'rename or renumber the clashing definition',
  );
}

/** An unresolved type: find the field/method that names it, to point at its file and line. */
function resolveError(root: protobuf.Root, sources: Map<string, string>, err: unknown): ContractError {
  const message = err instanceof Error ? err.message : String(err);
  const missing = /no such type: (\S+)|no such Type or Enum '([^']+)'/.exec(message);
  const typeName = missing?.[1] ?? missing?.[2];
  const where = typeName ? findReference(root, typeName) : undefined;
  if (where && typeName) {
    return new ContractError(
      where.file,
      `type "${typeName}" is not defined (used by ${where.what})`,
      lineOf(sources.get(where.file), new RegExp(`(^|[^\\w.])${typeName.replace(/\./g, '\\.')}\\b`)),
      undefined,
      'define it, fix the spelling, or import the file that declares it',
    );
  }
  return new ContractError([...sources.keys()][0] ?? '(proto)', message);
}

function findReference(ns: protobuf.NamespaceBase, typeName: string): { file: string; what: string } | undefined {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type) {
      for (const f of obj.fieldsArray) {
        if (f.type === typeName || f.type.endsWith(`.${typeName}`)) {
          return { file: f.filename ?? obj.filename ?? '(proto)', what: `field ${obj.name}.${f.name}` };
        }
      }
    }
    if (obj instanceof protobuf.Service) {
      for (const m of obj.methodsArray) {
        if (m.requestType === typeName || m.responseType === typeName) {
          return { file: obj.filename ?? '(proto)', what: `rpc ${obj.name}.${m.name}` };
        }
      }
    }
    if (obj instanceof protobuf.Namespace || obj instanceof protobuf.Type) {
      const inner = findReference(obj, typeName);
      if (inner) return inner;
    }
  }
  return undefined;
}
