// One error type for the whole project: callers branch on `code`, never on message text.
// Only cli/ turns these into messages and exit codes; the codes are listed in error-codes.ts.
import { ERROR_CODES, type ErrorCode, type ErrorKind } from './error-codes.js';

export interface WpmErrorOptions {
  /** What the user can do about it, printed under the message. */
  hint?: string;
  cause?: unknown;
  /** The HTTP status of the answer that caused it, where a server answered. */
  status?: number;
  /** The exit code a command ends with, where the code's own does not fit (SIGTERM's 143). */
  exitCode?: number;
}

export class WpmError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly status: number | undefined;
  readonly exitCode: number | undefined;

  constructor(code: ErrorCode, message: string, opts: WpmErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WpmError';
    this.code = code;
    this.hint = opts.hint;
    this.status = opts.status;
    this.exitCode = opts.exitCode;
  }

  /** The code's entry in the table: its exit code and whether it is the user's to fix. */
  get kind(): ErrorKind {
    return ERROR_CODES[this.code];
  }
}

export function isWpmError(err: unknown, code?: ErrorCode): err is WpmError {
  return err instanceof WpmError && (code === undefined || err.code === code);
}
