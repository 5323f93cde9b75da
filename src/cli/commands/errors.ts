// Errors that end a command. An ExitError is a user-facing failure that has already been
// (or is about to be) explained: the CLI prints its message, without a stack, and exits
// with its code. Anything else reaching the top is a bug in xp and is reported as one.
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/** Exit codes, documented in docs/cli.md and stable across releases. */
export const ExitCode = {
  ok: 0,
  error: 1,
  /** `plan --detailed-exitcode`: the plan has changes. Also: bad command-line usage. */
  changes: 2,
  usage: 2,
  /** apply/destroy: the connection to the server was lost mid-way; the rest was not run. */
  connectionLost: 4,
} as const;
