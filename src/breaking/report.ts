// The contract changes as text, the same for `generate` and `breaking`.
import { type ContractChange, type Severity, sortChanges } from './types.js';

const LABEL: Record<Severity, string> = {
  'wire-breaking': 'wire-breaking  ',
  'source-breaking': 'source-breaking',
  safe: 'safe           ',
};

export type Painter = (severity: Severity, text: string) => string;

/** One line per change (and one for its fix), indented under the link's heading. */
export function formatChanges(changes: ContractChange[], paint: Painter = (_, t) => t): string[] {
  const lines: string[] = [];
  for (const c of sortChanges(changes)) {
    lines.push(`  ${paint(c.severity, LABEL[c.severity])}  ${c.subject}: ${c.reason} [${c.rule}]`);
    if (c.fix && c.severity !== 'safe') lines.push(`  ${' '.repeat(LABEL.safe.length)}  fix: ${c.fix}`);
  }
  return lines;
}

export function countBySeverity(changes: ContractChange[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { 'wire-breaking': 0, 'source-breaking': 0, safe: 0 };
  for (const c of changes) counts[c.severity]++;
  return counts;
}

export function summary(changes: ContractChange[]): string {
  const n = countBySeverity(changes);
  return `${n['wire-breaking']} wire-breaking, ${n['source-breaking']} source-breaking, ${n.safe} safe`;
}
