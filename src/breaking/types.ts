// One contract change between two versions of a link's contract, classified for the people it hurts.

/**
 * - `wire-breaking`: peers already deployed with the old contract fail against the new one.
 * - `source-breaking`: the wire still works, but code written against the generated API stops compiling.
 * - `safe`: neither.
 */
export type Severity = 'wire-breaking' | 'source-breaking' | 'safe';

export interface ContractChange {
  severity: Severity;
  /** A stable rule id, e.g. FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED (buf's name where buf has the rule). */
  rule: string;
  /** What changed, e.g. `field user.v1.User.email (4)`. */
  subject: string;
  /** Why it matters, in one sentence. */
  reason: string;
  /** What to do about it, when something can be done (e.g. `add "reserved 4;" to message User`). */
  fix?: string;
  /** The contract file the change is in (project-relative), for the report. */
  file?: string;
}

export const SEVERITY_ORDER: Severity[] = ['wire-breaking', 'source-breaking', 'safe'];

export function sortChanges(changes: ContractChange[]): ContractChange[] {
  return [...changes].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.subject.localeCompare(b.subject),
  );
}
