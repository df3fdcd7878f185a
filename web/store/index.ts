// The browser's store: OPFS-backed store objects and substitution into them from a binary cache.
export { openBrowserStore, removeBrowserStore } from './opfs-store.js';
export type { BrowserStore, PathInfo } from './opfs-store.js';
export { substituteClosure } from './substitute.js';
export type { SubstituteEvent, SubstituteOptions } from './substitute.js';
export { narHashOf } from './nar-hash.js';
