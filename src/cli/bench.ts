// `create-service-link bench [name]`: glue between flags/links and src/bench. A link is measured by
// its pattern's bench (PatternSpec.bench); --proto/--openapi measure REST vs gRPC on a message.
import path from 'node:path';
import { orList } from '../core/options.js';
import { generateStandalone, patternOf } from '../core/engine.js';
import { UsageError } from '../errors.js';
import { PATTERNS, PATTERN_IDS } from '../patterns/index.js';
import type { BenchResult, BenchSettings } from '../patterns/types.js';
import { detectProject } from '../project/detect.js';
import { linkConfig, readManifest } from '../vfs/manifest.js';
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

async function measureLink(name: string, cwd: string, settings: BenchSettings): Promise<BenchResult> {
  const project = detectProject(cwd);
  const entry = readManifest(project.root).links[name];
  if (!entry) throw new UsageError(`no link named "${name}" in service-link.json (see \`create-service-link list\`)`);
  const link = linkConfig(name, entry);
  const spec = patternOf(link);
  if (!spec.bench) {
    const measured = PATTERN_IDS.filter((id) => PATTERNS[id].bench);
    throw new UsageError(`"${name}" is a ${link.pattern} link; bench measures ${orList(measured)} links`);
  }
  return (await spec.bench()).run(project, link, settings);
}

async function measureFiles(flags: BenchFlags, cwd: string, settings: BenchSettings): Promise<BenchResult> {
  const { openApiTarget, protoTarget, runPair } = await import('../bench/target.js');
  const protos = (flags.proto ?? []).map((p) => path.resolve(cwd, p));
  if (protos.length) {
    const roots = (flags.protoPath ?? []).map((p) => path.resolve(cwd, p));
    return runPair(await protoTarget(protos, roots, flags.message, path.relative(cwd, protos[0]!)), settings);
  }
  if (flags.openapi)
    return runPair(await openApiTarget(path.resolve(cwd, flags.openapi), flags.operation, undefined), settings);
  throw new UsageError(
    'nothing to measure: give a link name, or --proto FILE [--message pkg.Type], or --openapi FILE [--operation id].\n' +
      '  e.g. create-service-link bench user   |   create-service-link bench --proto proto/user.proto --message user.v1.User',
  );
}

/** The numeric flags as numbers; a bad one is a usage error before anything starts. */
async function checkedNumbers(
  flags: BenchFlags,
): Promise<{ concurrency: number[]; duration: number; rounds: number; messages: number }> {
  const { payloadBytes } = await import('../bench/payload.js');
  try {
    payloadBytes(flags.payload);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const whole = (flag: string, text: string, max: number): number => {
    const n = Number(text.trim());
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new UsageError(`${flag} ${text}: use a whole number from 1 to ${max}`);
    return n;
  };
  const duration = Number(flags.duration);
  if (!Number.isFinite(duration) || duration <= 0 || duration > 3600)
    throw new UsageError(`--duration ${flags.duration}: use a number of seconds above 0 (e.g. --duration 2)`);
  return {
    concurrency: flags.concurrency.split(',').map((c) => whole('--concurrency', c, 10_000)),
    duration,
    rounds: whole('--rounds', flags.rounds, 1000),
    messages: whole('--messages', flags.messages, 10_000_000),
  };
}

export async function runBenchCommand(name: string | undefined, flags: BenchFlags): Promise<number> {
  const cwd = path.resolve(flags.cwd ?? process.cwd());
  const numbers = await checkedNumbers(flags);
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const tty = process.stderr.isTTY === true;
  const settings: BenchSettings = {
    message: flags.message,
    operation: flags.operation,
    payload: flags.payload,
    ...numbers,
    progress: (line) => process.stderr.write(tty ? `\r\u001b[K${line}…` : `${line}\n`),
    signal: controller.signal,
    generate: generateStandalone,
  };
  try {
    const result = name ? await measureLink(name, cwd, settings) : await measureFiles(flags, cwd, settings);
    if (tty) process.stderr.write('\r\u001b[K');
    if (interrupted) {
      process.stderr.write('Interrupted: servers stopped, temp files removed.\n');
      return 130;
    }
    if (flags.json) process.stdout.write(JSON.stringify(result.report, null, 2) + '\n');
    else info(result.text);
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
  }
}
