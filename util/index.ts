export { WpmError, isWpmError } from './errors.js';
export type { WpmErrorOptions } from './errors.js';
