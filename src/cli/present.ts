// Prints a plan: one line per file, unified diffs for updates in --dry-run.
import type { Plan, PlanEntry } from '../vfs/plan.js';
import { info, paint } from './output.js';

const NEW_FILE_LINES = 120;
const STYLE = { create: 'green', update: 'yellow', delete: 'red', unchanged: 'dim' } as const;

function line(e: PlanEntry): string {
  const what =
    e.kind === 'generated' ? '' : e.kind === 'user' ? ' (yours)' : e.kind === 'contract' ? ' (contract, yours)' : '';
  return `  ${paint(STYLE[e.action], e.action.padEnd(9))} ${e.path}${paint('dim', what)}`;
}

export function printPlan(plan: Plan, showUnchanged: boolean): void {
  for (const e of plan.entries) if (showUnchanged || e.action !== 'unchanged') info(line(e));
}

export async function printDiffs(plan: Plan): Promise<void> {
  const { createTwoFilesPatch } = await import('diff');
  for (const e of plan.changes) {
    if (e.action === 'update') {
      info(
        createTwoFilesPatch(`a/${e.path}`, `b/${e.path}`, e.before ?? '', e.after ?? '', '', '', {
          context: 3,
        }).replace(/^=+\n/, ''),
      );
    } else if (e.action === 'create') {
      // New files in full, up to a screenful each: enough to review a contract or a stub.
      const lines = (e.after ?? '').replace(/\n$/, '').split('\n');
      const shown = lines.slice(0, NEW_FILE_LINES);
      const more = lines.length - shown.length;
      info(
        `--- /dev/null\n+++ b/${e.path}\n@@ -0,0 +1,${lines.length} @@\n${shown.map((l) => `+${l}`).join('\n')}${more > 0 ? `\n... ${more} more lines` : ''}\n`,
      );
    } else if (e.action === 'delete') {
      info(`--- a/${e.path}\n+++ /dev/null\n@@ file deleted @@\n`);
    }
  }
}

/** Prints the plan; under --dry-run also the diffs. Returns true when the caller should stop there. */
export async function presentPlan(plan: Plan, dryRun: boolean | undefined): Promise<boolean> {
  printPlan(plan, false);
  if (!dryRun) return false;
  info('');
  await printDiffs(plan);
  info('Dry run: nothing was written.');
  return true;
}
