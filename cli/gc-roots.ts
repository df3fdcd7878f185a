// `result` links are GC roots: the store keeps a symlink to each link under gcroots/auto, and GC
// treats a link that still points into the store as a root (as Nix does with its auto roots).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LocalStore } from '../store/index.js';

export function addGcRootLink(store: LocalStore, linkPath: string, storePath: string): void {
  const target = store.toHost(storePath);
  const tmp = `${linkPath}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(target, tmp);
  fs.renameSync(tmp, linkPath); // atomic replacement of an older result link
  const autoDir = path.join(store.layout.gcroots, 'auto');
  fs.mkdirSync(autoDir, { recursive: true });
  const root = path.join(autoDir, crypto.createHash('sha256').update(linkPath).digest('hex').slice(0, 32));
  fs.rmSync(root, { force: true });
  fs.symlinkSync(linkPath, root);
}
