// The wizard's decision-matrix questions. Only ever runs on a terminal; every answer has a flag
// equivalent (the pattern argument, or `create-service-link recommend --...`).
import { recommend, type Answers, type Recommendation } from '../recommend.js';
import { PATTERNS, PATTERN_IDS } from '../patterns/index.js';
import type { PatternId, Prompts } from '../patterns/types.js';
import { info, paint } from './output.js';

export async function askMatrix(prompts: Prompts): Promise<Answers> {
  const needsResponse = await prompts.confirm({
    message: 'Does the caller need the answer before it can continue?',
    default: true,
  });
  const fanOut = await prompts.confirm({
    message: 'Should one event reach several consumers, or can the work run in the background?',
    default: !needsResponse,
  });
  const streaming = await prompts.confirm({
    message: 'Does one call stream many messages (in either direction)?',
    default: false,
  });
  const highVolume = await prompts.confirm({
    message: 'Is it high-volume or latency-critical (thousands of calls per second, a tight p99)?',
    default: false,
  });
  const polyglot = await prompts.confirm({
    message: 'Are the services written in more than one language?',
    default: false,
  });
  return { needsResponse, fanOut, streaming, highVolume, polyglot };
}

export function printRecommendation(r: Recommendation): void {
  info(`\n${paint('bold', `Recommended: ${PATTERNS[r.pattern].title}`)}`);
  for (const reason of r.reasons) info(`  - ${reason}`);
  if (r.borderline)
    info(paint('dim', '  REST and gRPC are close here; `create-service-link bench` measures both on your messages.'));
  info('');
}

const FIELD_TYPES = new Set(['string', 'bool', 'bytes', 'double', 'float', 'int32', 'int64', 'uint32', 'uint64']);

/** `id=string,tags=string[]` -> a proto3 file with one message `Sample`, for a quick bench. */
export function sampleProto(fields: string): string {
  const lines = fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f, i) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=([a-z0-9]+)(\[\])?$/.exec(f);
      if (!m || !FIELD_TYPES.has(m[2]!))
        throw new Error(`"${f}": use NAME=TYPE (${[...FIELD_TYPES].join(', ')}), TYPE[] for a list`);
      return `  ${m[3] ? 'repeated ' : ''}${m[2]} ${m[1]} = ${i + 1};`;
    });
  if (!lines.length) throw new Error('describe at least one field');
  return `syntax = "proto3";\npackage sample;\nmessage Sample {\n${lines.join('\n')}\n}\n`;
}

/** When REST and gRPC are close, or gRPC is recommended, offer to measure both on the user's message before choosing. */
async function offerBench(prompts: Prompts, borderline: boolean): Promise<PatternId | undefined> {
  const why = borderline ? 'REST and gRPC are close here.' : 'gRPC pays off only where it is measurably faster.';
  const run = await prompts.confirm({
    message: `${why} Run a 10-second bench of REST vs gRPC on your message before choosing?`,
    default: false,
  });
  if (!run) return undefined;
  const fields = await prompts.input({
    message: 'Describe a typical message (NAME=TYPE,..., e.g. id=string,email=string,tags=string[],score=double):',
    validate: (v) => {
      try {
        sampleProto(v);
        return true;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  const { protoFile, runBench, formatReport } = await import('../bench/run.js');
  const { generateStandalone } = await import('../core/engine.js');
  const file = await protoFile(sampleProto(fields));
  const controller = new AbortController();
  try {
    const report = await runBench(
      { files: [file.file], roots: [], message: 'sample.Sample', label: 'your description' },
      {
        payload: 'medium',
        concurrency: [1, 16],
        duration: 0.8,
        rounds: 3,
        signal: controller.signal,
        generate: generateStandalone,
        progress: (line) => process.stderr.write(`\r\u001b[K${line}…`),
      },
    );
    process.stderr.write('\r\u001b[K');
    info(`\n${formatReport(report)}\n`);
    return (report.levels.at(-1)?.grpcOverRest.median ?? 0) >= 1.5 ? 'grpc' : 'rest';
  } finally {
    await file.remove();
  }
}

/** The pattern, and whether the caller said the messages fan out to several consumers. */
export async function choosePattern(prompts: Prompts): Promise<{ pattern: PatternId; fanOut: boolean }> {
  const answers = await askMatrix(prompts);
  const r = recommend(answers);
  printRecommendation(r);
  // As `recommend` advises: measure before taking gRPC's coupling (streaming has no REST equivalent to measure).
  if (r.borderline || (r.pattern === 'grpc' && !answers.streaming)) {
    const measured = await offerBench(prompts, r.borderline);
    if (measured && measured !== r.pattern) {
      r.pattern = measured;
      info(`The measurement favours ${PATTERNS[measured].title}.`);
    }
  }
  const order = [r.pattern, ...PATTERN_IDS.filter((p) => p !== r.pattern)];
  const pattern = await prompts.select<PatternId>({
    message: 'Which pattern?',
    default: r.pattern,
    choices: order.map((id) => ({
      value: id,
      name: `${PATTERNS[id].title}${id === r.pattern ? ' (recommended)' : ''}`,
    })),
  });
  return { pattern, fanOut: answers.fanOut };
}
