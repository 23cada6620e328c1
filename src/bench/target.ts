// The message a REST-vs-gRPC bench sends: from .proto files, or derived from an OpenAPI operation.
// Shared by `bench --proto/--openapi` and the benches of rest and grpc links.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { BenchResult, BenchSettings } from '../patterns/types.js';
import type { ProtoTarget } from './workspace.js';

export interface PairTarget {
  target: ProtoTarget & { label: string };
  cleanup?: () => Promise<void>;
}

function mustExist(files: string[]): void {
  for (const f of files) if (!existsSync(f)) throw new UsageError(`${f}: file not found`);
}

/** The response type of the first unary RPC of the first service, else the first message. */
async function defaultMessage(files: string[], roots: string[]): Promise<string> {
  const { default: protobuf } = await import('protobufjs');
  const root = new protobuf.Root();
  root.resolvePath = (_o, t) => {
    if (path.isAbsolute(t)) return t;
    for (const r of roots) if (existsSync(path.join(r, t))) return path.join(r, t);
    return t;
  };
  await root.load(files, { keepCase: true });
  root.resolveAll();
  let firstMessage: string | undefined;
  const walk = (ns: import('protobufjs').NamespaceBase): string | undefined => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Service) {
        const unary = child.methodsArray.find((m) => !m.requestStream && !m.responseStream) ?? child.methodsArray[0];
        if (unary?.resolvedResponseType) return unary.resolvedResponseType.fullName.slice(1);
      }
      if (child instanceof protobuf.Type && !firstMessage && !child.fullName.startsWith('.google.'))
        firstMessage = child.fullName.slice(1);
      if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) {
        const found = walk(child as import('protobufjs').NamespaceBase);
        if (found) return found;
      }
    }
    return undefined;
  };
  const found = walk(root) ?? firstMessage;
  if (!found) throw new UsageError(`no message type in ${files.join(', ')}; pass --message pkg.Type`);
  return found;
}

/** Absolute .proto files and import roots (none: each file's folder); the message defaults as above. */
export async function protoTarget(
  files: string[],
  roots: string[],
  message: string | undefined,
  label: string,
): Promise<PairTarget> {
  mustExist(files);
  const chosen = message ?? (await defaultMessage(files, roots.length ? roots : files.map((p) => path.dirname(p))));
  return { target: { files, roots, message: chosen.replace(/^\./, ''), label } };
}

/** The JSON body of an operation of an absolute OpenAPI document, as a temp .proto message. */
export async function openApiTarget(
  file: string,
  operation: string | undefined,
  label: string | undefined,
): Promise<PairTarget> {
  mustExist([file]);
  const { protoFromOpenApi } = await import('./from-openapi.js');
  const { protoFile } = await import('./run.js');
  const derived = await protoFromOpenApi(file, operation);
  const temp = await protoFile(derived.proto);
  return {
    target: {
      files: [temp.file],
      roots: [path.dirname(temp.file)],
      message: derived.message,
      label: label ?? derived.label,
    },
    cleanup: temp.remove,
  };
}

/** REST vs gRPC on the target's message; its temp files are removed afterwards. */
export async function runPair(pair: PairTarget, settings: BenchSettings): Promise<BenchResult> {
  try {
    const { runBench, formatReport } = await import('./run.js');
    const report = await runBench(pair.target, settings);
    return { report, text: formatReport(report) };
  } finally {
    await pair.cleanup?.();
  }
}
