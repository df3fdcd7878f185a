export { WpmError, isWpmError } from './errors.js';
export { ERROR_CODES, EXIT, isErrorCode } from './error-codes.js';
export type { ErrorCode, ErrorKind, ExitCode } from './error-codes.js';
export { DIST_DIR, distFile, distModule, loadNative } from './dist-dir.js';
export { formatSize, parseSize } from './size.js';
export type { WpmErrorOptions } from './errors.js';
