/** cli/errors.ts - the CLI's error classes and exit codes (usage 2, failure 1, cancelled 130). Imports nothing. */

/** Process exit codes of `mega`. */
export const EXIT = {
  OK: 0,
  /** The command ran and failed: invalid message, node rejected it, unreadable file, network error. */
  FAILURE: 1,
  /** The command line itself is wrong: unknown command or flag, missing or malformed value. */
  USAGE: 2,
  /** Interrupted by SIGINT (128 + 2, what shells report for Ctrl-C). */
  CANCELLED: 130,
} as const;

/** A mistake in the command line; printed as one line plus a pointer to `--help`, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The command whose help the message points at (undefined: the global help). */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** A failure the user can act on (bad input file, rejected message, unreachable node); one line, exit 1. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.FAILURE) {
    super(message);
    this.exitCode = exitCode;
  }
}
