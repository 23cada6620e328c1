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
  messages: string;
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
    else throw new UsageError(`"${name}" is a ${entry.pattern} link; bench measures rest, grpc and queue links`);
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

/** A queue link: throughput and latency of its generated publisher/consumer on a local emulator. */
async function queueBench(name: string, flags: BenchFlags, cwd: string, progress: (line: string) => void, signal: AbortSignal): Promise<string | undefined> {
  const project = detectProject(cwd);
  const entry = readManifest(project.root).links[name];
  if (entry?.pattern !== 'queue') return undefined;
  const messages = Number(flags.messages);
  const rounds = Number(flags.rounds);
  if (!Number.isInteger(messages) || messages < 10 || messages > 1_000_000) throw new UsageError('--messages: 10 to 1000000');
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new UsageError('--rounds: 1 to 50');
  const { runQueueBench, formatQueueReport } = await import('../bench/queue.js');
  const report = await runQueueBench(project, { name, pattern: 'queue', contracts: entry.contracts, out: entry.out, options: entry.options }, { messages, rounds, progress, signal });
  return flags.json ? JSON.stringify(report, null, 2) : formatQueueReport(report);
}

export async function runBenchCommand(name: string | undefined, flags: BenchFlags): Promise<number> {
  const cwd = path.resolve(flags.cwd ?? process.cwd());
  const concurrency = flags.concurrency.split(',').map((s) => Number(s.trim()));
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
  let cleanup: (() => Promise<void>) | undefined;
  try {
    const queue = name ? await queueBench(name, flags, cwd, progress, controller.signal) : undefined;
    if (queue !== undefined) {
      if (tty) process.stderr.write('\r\u001b[K');
      if (interrupted) return 130;
      if (flags.json) process.stdout.write(queue + '\n');
      else info(queue);
      return 0;
    }
    const resolved = await resolveTarget(name, flags, cwd);
    cleanup = resolved.cleanup;
    const target = resolved.target;
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
  } catch (error) {
    if (interrupted) {
      process.stderr.write('\nInterrupted: servers stopped, temp files removed.\n');
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup?.();
  }
}
