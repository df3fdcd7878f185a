// What the store's rooms (registration, text objects) need of the store they write into. The
// LocalStore is one; the interface keeps the rooms from importing the class that wires them.
import type { HomeLayout } from './home.js';
import type { Lock } from './lock.js';
import type { PathInfo } from './path-info.js';
import type { PathInfoDb } from './path-info-db.js';

export interface InstallHooks {
  /**
   * Called when this process is about to move a path into the store (holding the path's lock;
   * text objects need none, see text-objects.ts).
   */
  onInstalling?: (storePath: string) => void;
  /** Called each time this process moves a path into the store and makes it valid. */
  onInstalled?: (info: PathInfo) => void;
}

export interface StoreContext {
  readonly layout: HomeLayout;
  readonly db: PathInfoDb;
  /** fsync paths before their info is written (see LocalStoreOptions.durable). */
  readonly durable: boolean;
  readonly hooks: InstallHooks;
  toHost(storePath: string): string;
  /** The path's own lock, held while it is moved into the store. */
  lock(storePath: string): Promise<Lock>;
  makeTempDir(prefix: string): string;
}
