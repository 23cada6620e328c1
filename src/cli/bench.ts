// `create-service-link bench [name]`: glue between flags/links and src/bench.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { detectProject } from '../project/detect.js';
import { readManifest } from '../vfs/manifest.js';
import type { ProtoTarget } from '../bench/workspace.js';
import { info } from './output.js';

export interface BenchFlags {
  cwd?: string;
  proto?: string[];
  protoPath?: string[];
  message?: string;
  openapi?: string;
  operation?: string;
  payload: string;
  concurrency: string;
  duration: string;
  rounds: string;
  json?: boolean;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

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
      if (child instanceof protobuf.Type && !firstMessage && !child.fullName.startsWith('.google.')) firstMessage = child.fullName.slice(1);
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

async function resolveTarget(name: string | undefined, flags: BenchFlags, cwd: string): Promise<{ target: ProtoTarget & { label: string }; cleanup?: () => Promise<void> }> {
  let protos = list(flags.proto).map((p) => path.resolve(cwd, p));
  let roots = list(flags.protoPath).map((p) => path.resolve(cwd, p));
  let openapi = flags.openapi ? path.resolve(cwd, flags.openapi) : undefined;
  let label = '';
  if (name) {
    const project = detectProject(cwd);
    const entry = readManifest(project.root).links[name];
    if (!entry) throw new UsageError(`no link named "${name}" in service-link.json (see \`create-service-link list\`)`);
    const abs = (p: string) => path.resolve(project.root, p);
    if (entry.pattern === 'grpc') {
      protos = entry.contracts.map(abs);
      roots = list(entry.options.protoPath).map(abs);
    } else if (entry.pattern === 'rest') openapi = abs(entry.contracts[0]!);
    else throw new UsageError(`"${name}" is a ${entry.pattern} link: bench compares REST and gRPC, so give it a rest or grpc link (or --proto/--openapi)`);
    label = `link ${name}`;
  }
  for (const f of [...protos, ...(openapi ? [openapi] : [])]) if (!existsSync(f)) throw new UsageError(`${f}: file not found`);
  if (protos.length) {
    const message = flags.message ?? (await defaultMessage(protos, roots.length ? roots : protos.map((p) => path.dirname(p))));
    return { target: { files: protos, roots, message: message.replace(/^\./, ''), label: label || path.relative(cwd, protos[0]!) } };
  }
  if (openapi) {
    const { protoFromOpenApi } = await import('../bench/from-openapi.js');
    const { protoFile } = await import('../bench/run.js');
    const derived = await protoFromOpenApi(openapi, flags.operation);
    const file = await protoFile(derived.proto);
    return { target: { files: [file.file], roots: [path.dirname(file.file)], message: derived.message, label: label || derived.label }, cleanup: file.remove };
  }
  throw new UsageError(
    'nothing to measure: give a link name, or --proto FILE [--message pkg.Type], or --openapi FILE [--operation id].\n' +
      '  e.g. create-service-link bench user   |   create-service-link bench --proto proto/user.proto --message user.v1.User',
  );
}

export async function runBenchCommand(name: string | undefined, flags: BenchFlags): Promise<number> {
  const cwd = path.resolve(flags.cwd ?? process.cwd());
  const concurrency = flags.concurrency.split(',').map((s) => Number(s.trim()));
  const { target, cleanup } = await resolveTarget(name, flags, cwd);
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const tty = process.stderr.isTTY === true;
  const progress = (line: string) => process.stderr.write(tty ? `\r\u001b[K${line}…` : `${line}\n`);
  try {
    const { runBench, formatReport } = await import('../bench/run.js');
    const report = await runBench(target, {
      payload: flags.payload,
      concurrency,
      duration: Number(flags.duration),
      rounds: Number(flags.rounds),
      progress,
      signal: controller.signal,
    });
    if (tty) process.stderr.write('\r\u001b[K');
    if (interrupted) {
      process.stderr.write('Interrupted: servers stopped, temp files removed.\n');
      return 130;
    }
    if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else info(formatReport(report));
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup?.();
  }
}
