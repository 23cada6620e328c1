// `bench <queue link>`: its generated publisher and consumer through publish -> consume -> delete on a local emulator.
import { UsageError } from '../../errors.js';
import type { LinkBench } from '../types.js';

export const bench: LinkBench = {
  async run(project, link, { messages, rounds, progress, signal, generate }) {
    if (!Number.isInteger(messages) || messages < 10 || messages > 1_000_000)
      throw new UsageError('--messages: 10 to 1000000');
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new UsageError('--rounds: 1 to 50');
    const { runQueueBench, formatQueueReport } = await import('../../bench/queue.js');
    const report = await runQueueBench(project, link, { messages, rounds, progress, signal, generate });
    return { report, text: formatQueueReport(report) };
  },
};
