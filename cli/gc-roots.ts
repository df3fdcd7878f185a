// `result` links are GC roots: the store keeps a symlink to each link under gcroots/auto, and GC
// treats a link that still points into the store as a root (as Nix does with its auto roots).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LocalStore } from '../store/index.js';
import { WpmError } from '../util/index.js';

/**
 * Can a result link be made at `linkPath`? Asked before building too, so that a mistyped `-o`
 * does not cost a build first.
 */
export function checkResultLink(linkPath: string): void {
  const stat = (p: string, follow: boolean) => {
    try {
      return follow ? fs.statSync(p) : fs.lstatSync(p);
    } catch {
      return undefined; // missing, or under something that is not a directory
    }
  };
  const existing = stat(linkPath, false);
  if (existing && !existing.isSymbolicLink()) {
    throw new WpmError('ERR_USAGE', `${linkPath} exists and is not a symbolic link: not replacing it with the result link`, {
      hint: 'choose another name with -o, or --no-link',
    });
  }
  const dir = path.dirname(linkPath);
  if (!stat(dir, true)?.isDirectory()) {
    throw new WpmError('ERR_USAGE', `cannot make the result link ${linkPath}: ${dir} is not a directory`);
  }
}

/**
 * Point `linkPath` at a store path and make it a root. An older link there is replaced at once;
 * anything else there (a file, a directory) is the user's, and is refused, as nix-build does.
 */
export function addGcRootLink(store: LocalStore, linkPath: string, storePath: string): void {
  const target = store.toHost(storePath);
  checkResultLink(linkPath);
  const tmp = `${linkPath}.tmp-${process.pid}`;
  try {
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, linkPath); // atomic replacement of an older result link
  } catch (cause) {
    fs.rmSync(tmp, { force: true });
    throw new WpmError('ERR_RESULT_LINK', `cannot make the result link ${linkPath}: ${(cause as Error).message}`, { cause });
  }
  const autoDir = path.join(store.layout.gcroots, 'auto');
  fs.mkdirSync(autoDir, { recursive: true });
  const root = path.join(autoDir, crypto.createHash('sha256').update(linkPath).digest('hex').slice(0, 32));
  fs.rmSync(root, { force: true });
  fs.symlinkSync(linkPath, root);
}
