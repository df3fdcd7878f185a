export { WpmError, isWpmError } from './errors.js';
export { DIST_DIR, distFile, distModule } from './dist-dir.js';
export type { WpmErrorOptions } from './errors.js';
