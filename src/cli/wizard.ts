// The wizard's decision-matrix questions. Only ever runs on a terminal; every answer has a flag
// equivalent (the pattern argument, or `create-service-link recommend --...`).
import { recommend, type Answers, type Recommendation } from '../recommend.js';
import { PATTERNS, PATTERN_IDS } from '../patterns/index.js';
import type { PatternId, Prompts } from '../patterns/types.js';
import { info, paint } from './output.js';

export async function askMatrix(prompts: Prompts): Promise<Answers> {
  const needsResponse = await prompts.confirm({ message: 'Does the caller need the answer before it can continue?', default: true });
  const fanOut = await prompts.confirm({
    message: 'Should one event reach several consumers, or can the work run in the background?',
    default: !needsResponse,
  });
  const streaming = await prompts.confirm({ message: 'Does one call stream many messages (in either direction)?', default: false });
  const highVolume = await prompts.confirm({
    message: 'Is it high-volume or latency-critical (thousands of calls per second, a tight p99)?',
    default: false,
  });
  const polyglot = await prompts.confirm({ message: 'Are the services written in more than one language?', default: false });
  return { needsResponse, fanOut, streaming, highVolume, polyglot };
}

export function printRecommendation(r: Recommendation): void {
  info(`\n${paint('bold', `Recommended: ${PATTERNS[r.pattern].title}`)}`);
  for (const reason of r.reasons) info(`  - ${reason}`);
  if (r.borderline) info(paint('dim', '  REST and gRPC are close here; `create-service-link bench` measures both on your messages.'));
  info('');
}

export async function choosePattern(prompts: Prompts): Promise<PatternId> {
  const r = recommend(await askMatrix(prompts));
  printRecommendation(r);
  const order = [r.pattern, ...PATTERN_IDS.filter((p) => p !== r.pattern)];
  return prompts.select<PatternId>({
    message: 'Which pattern?',
    default: r.pattern,
    choices: order.map((id) => ({
      value: id,
      name: `${PATTERNS[id].title}${id === r.pattern ? ' (recommended)' : ''}`,
    })),
  });
}
