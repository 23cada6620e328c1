// Exit codes: only the CLI decides them. Commands report theirs through setExitCode (commander
// discards action return values); errors map to a code and a message here (commander's own errors
// in main.ts, which already imports commander: a second bare import costs --help start-up time).
import { ConflictError, ContractError, InterruptedError, UsageError } from '../errors.js';
import { fail } from './output.js';

let lastCode = 0;

export function setExitCode(code: number): void {
  lastCode = code;
}

export function exitCode(): number {
  return lastCode;
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
  fail(e?.stack ?? String(error));
  return 1;
}
