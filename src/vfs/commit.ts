// The one place that writes to the user's project. Every file is first written to a temp file beside
// its target, then renamed into place; on any failure before or during the renames, everything is
// rolled back so the project is exactly as it was.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InterruptedError } from '../errors.js';

export type Operation = { type: 'write'; path: string; content: string } | { type: 'delete'; path: string };

export interface CommitHooks {
  /** Test seam: called before the i-th rename; throwing simulates a failure half-way through. */
  beforeApply?(index: number, op: Operation): void;
}

interface Prepared {
  op: Operation;
  target: string;
  temp?: string;
  backup?: string;
  applied: boolean;
}

function sibling(target: string, kind: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.${kind}`);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Creates missing parent folders one by one, recording each so a rollback can remove them. */
async function ensureDir(dir: string, created: string[]): Promise<void> {
  const missing: string[] = [];
  let d = dir;
  while (!(await exists(d))) {
    missing.unshift(d);
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing) {
    await fs.mkdir(m);
    created.push(m);
  }
}

/**
 * Applies the operations atomically. Ctrl-C (SIGINT/SIGTERM) while it runs is held back until the
 * commit is done, so a project is never left half-written; then it throws InterruptedError, so the
 * caller stops there (the CLI exits with 130).
 */
export async function commit(root: string, operations: Operation[], hooks: CommitHooks = {}): Promise<void> {
  let interrupted = false;
  const hold = () => {
    interrupted = true;
  };
  process.on('SIGINT', hold);
  process.on('SIGTERM', hold);
  try {
    await apply(root, operations, hooks);
  } finally {
    process.off('SIGINT', hold);
    process.off('SIGTERM', hold);
  }
  if (interrupted) throw new InterruptedError('Interrupted: the files were written completely before stopping.');
}

async function apply(root: string, operations: Operation[], hooks: CommitHooks): Promise<void> {
  const created: string[] = [];
  const prepared: Prepared[] = operations.map((op) => ({ op, target: path.join(root, op.path), applied: false }));
  try {
    // Phase 1: temp files beside their targets. Nothing visible has changed yet.
    for (const p of prepared) {
      if (p.op.type !== 'write') continue;
      await ensureDir(path.dirname(p.target), created);
      p.temp = sibling(p.target, 'tmp');
      await fs.writeFile(p.temp, p.op.content, { flag: 'wx' });
    }
    // Phase 2: swap into place, keeping the old content as a backup until the end.
    for (const [i, p] of prepared.entries()) {
      hooks.beforeApply?.(i, p.op);
      if (await exists(p.target)) {
        p.backup = sibling(p.target, 'bak');
        await fs.rename(p.target, p.backup);
      }
      if (p.temp) {
        await fs.rename(p.temp, p.target);
        p.temp = undefined;
      }
      p.applied = true;
    }
  } catch (error) {
    await rollback(prepared, created);
    throw error;
  }
  await Promise.all(prepared.map((p) => (p.backup ? fs.rm(p.backup, { force: true }) : undefined)));
}

async function rollback(prepared: Prepared[], created: string[]): Promise<void> {
  for (const p of [...prepared].reverse()) {
    if (p.temp) await fs.rm(p.temp, { force: true }).catch(() => {});
    if (p.applied && !p.backup) await fs.rm(p.target, { force: true }).catch(() => {});
    if (p.backup) {
      await fs.rm(p.target, { force: true }).catch(() => {});
      await fs.rename(p.backup, p.target).catch(() => {});
    }
  }
  for (const dir of created.reverse()) await fs.rmdir(dir).catch(() => {});
}
