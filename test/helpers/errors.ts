// The WpmError code a call throws, or 'no error': tests assert on codes, never on message text.
import { isWpmError } from '../../util/errors.js';

export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (isWpmError(err)) return err.code;
    throw err;
  }
  return 'no error';
}
