// preview1 errno → wasi:filesystem/types error-code, the inverse of the preview1 command
// adapter's table, so a C program sees the same errno through the adapter as directly.
// ENOTCAPABLE has no preview2 code: escaping the sandbox is `not-permitted` (as in
// wasmtime), which the adapter turns into EPERM.

import { E } from '../constants.js';

const CODES: Record<number, string> = {
  [E.ACCES]: 'access', [E.AGAIN]: 'would-block', [E.ALREADY]: 'already', [E.BADF]: 'bad-descriptor',
  [E.BUSY]: 'busy', [E.DEADLK]: 'deadlock', [E.DQUOT]: 'quota', [E.EXIST]: 'exist',
  [E.FBIG]: 'file-too-large', [E.ILSEQ]: 'illegal-byte-sequence', [E.INPROGRESS]: 'in-progress',
  [E.INTR]: 'interrupted', [E.INVAL]: 'invalid', [E.IO]: 'io', [E.ISDIR]: 'is-directory',
  [E.LOOP]: 'loop', [E.MLINK]: 'too-many-links', [E.MSGSIZE]: 'message-size',
  [E.NAMETOOLONG]: 'name-too-long', [E.NODEV]: 'no-device', [E.NOENT]: 'no-entry',
  [E.NOLCK]: 'no-lock', [E.NOMEM]: 'insufficient-memory', [E.NOSPC]: 'insufficient-space',
  [E.NOTDIR]: 'not-directory', [E.NOTEMPTY]: 'not-empty', [E.NOTRECOVERABLE]: 'not-recoverable',
  [E.NOTSUP]: 'unsupported', [E.NOSYS]: 'unsupported', [E.NOTTY]: 'no-tty', [E.NXIO]: 'no-such-device',
  [E.OVERFLOW]: 'overflow', [E.PERM]: 'not-permitted', [E.PIPE]: 'pipe', [E.ROFS]: 'read-only',
  [E.SPIPE]: 'invalid-seek', [E.TXTBSY]: 'text-file-busy', [E.XDEV]: 'cross-device',
  [E.NOTCAPABLE]: 'not-permitted', [E.FAULT]: 'invalid',
};

export function errorCode(errno: number): string {
  return CODES[errno] ?? 'io';
}
