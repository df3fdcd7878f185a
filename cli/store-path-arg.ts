// Command-line arguments that name store paths: a /wpm/store path (or a file inside one), or a
// link into the physical store such as ./result.
import fs from 'node:fs';
import { WpmError } from '../util/index.js';
import { STORE_DIR, type LocalStore } from '../store/index.js';

export function storePathArg(store: LocalStore, p: string): string {
  if (p.startsWith(STORE_DIR + '/')) return `${STORE_DIR}/${p.slice(STORE_DIR.length + 1).split('/')[0]}`;
  const inStore = fs.existsSync(p) ? store.fromHost(fs.realpathSync(p)) : undefined;
  if (!inStore) throw new WpmError('ERR_USAGE', `${p} is not a store path`);
  return inStore;
}
