/** Wrong or missing flags/answers: exit 2, nothing written. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A contract that does not parse or validate: exit 1, nothing written. */
export class ContractError extends Error {
  override name = 'ContractError';
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
    readonly hint?: string,
  ) {
    super(`${file}${line ? `:${line}${column ? `:${column}` : ''}` : ''}: ${detail}${hint ? `\n  ${hint}` : ''}`);
  }
}

/**
 * A user-owned file (handlers) that `generate` must merge into but cannot parse: exit 1, nothing
 * written. A ContractError, so the CLI reports it the same way: file:line:column, what to do.
 */
export class UserFileError extends ContractError {
  override name = 'UserFileError';
}

/** A write that would clobber a file we do not own (or one edited by hand): exit 1, nothing written. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    readonly files: string[],
    message: string,
  ) {
    super(message);
  }
}

/** Ctrl-C (SIGINT/SIGTERM) arrived while a commit ran: the commit finished first; the CLI exits 130. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}
