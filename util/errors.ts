// One error type for the whole project: callers branch on `code`, never on message text.
// Only cli/ turns these into messages and exit codes.

export interface WpmErrorOptions {
  /** What the user can do about it, printed under the message. */
  hint?: string;
  cause?: unknown;
}

export class WpmError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, opts: WpmErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WpmError';
    this.code = code;
    this.hint = opts.hint;
  }
}

export function isWpmError(err: unknown, code?: string): err is WpmError {
  return err instanceof WpmError && (code === undefined || err.code === code);
}
