// Exit codes: only the CLI decides them. Commands report theirs through setExitCode (commander
// discards action return values); errors map to a code and a message here (commander's own errors
// in main.ts, which already imports commander: a second bare import costs --help start-up time).
import path from 'node:path';
import { ConflictError, ContractError, InterruptedError, UsageError } from '../errors.js';
import { fail } from './output.js';

let lastCode = 0;

export function setExitCode(code: number): void {
  lastCode = code;
}

export function exitCode(): number {
  return lastCode;
}

/** What a file-system error means and what to do about it, by errno code. */
const SYSTEM_ERRORS: Record<string, string> = {
  EACCES: 'permission denied: make it writable (check its owner and mode) or run where you may write',
  EPERM: 'operation not permitted: make it writable (check its owner and mode) or run where you may write',
  EROFS: 'the file system is read-only: run on a writable copy of the project',
  ENOTDIR: 'a part of the path is a file, not a folder: pick another --out, or move that file away',
  EISDIR: 'it is a folder, not a file: name a file in it',
  ENOENT: 'no such file or folder',
  ENOSPC: 'no space left on the device: free some space and run again',
  EMFILE: 'too many open files: raise the limit (ulimit -n) and run again',
  EBUSY: 'the file is busy (open in another program): close it and run again',
};

/** A Node file-system error (it carries `code` and `syscall`), else undefined. */
function systemError(error: unknown): (Error & { code: string; path?: string; dest?: string }) | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string'
    ? (e as Error & { code: string; path?: string })
    : undefined;
}

/** One line for a file-system error: where, what it means, what to do. Temp file names become the file's. */
export function describeSystemError(e: Error & { code: string; path?: string }, cwd = process.cwd()): string {
  const where = e.path ? path.relative(cwd, e.path.replace(/(^|[\\/])\.([^\\/]+)\.[0-9a-f]{8}\.tmp$/, '$1$2')) : '';
  const what = SYSTEM_ERRORS[e.code] ?? e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return `${where || e.path || 'a file'}: ${what} (${e.code})`;
}

export function errorCode(error: unknown): number {
  const e = error as Error;
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError') {
    fail('cancelled; nothing was written.');
    return 130;
  }
  if (error instanceof InterruptedError) {
    process.stderr.write(`${e.message}\n`);
    return 130;
  }
  if (error instanceof UsageError) {
    fail(e.message);
    return 2;
  }
  if (error instanceof ContractError || error instanceof ConflictError) {
    fail(`${e.message}\nNothing was written.`);
    return 1;
  }
  const system = systemError(error);
  if (system) {
    // Every write goes through the commit, which rolls back on failure: the project is as it was.
    fail(`${describeSystemError(system)}. Nothing was written.`);
    return 1;
  }
  // A bug of ours: one line, the stack only on request.
  if (process.env.CSL_DEBUG) fail(e?.stack ?? String(error));
  else
    fail(
      `${e?.message ?? String(error)}\n  This is a bug in create-service-link: ` +
        'run again with CSL_DEBUG=1 for the stack trace, and report it.',
    );
  return 1;
}
