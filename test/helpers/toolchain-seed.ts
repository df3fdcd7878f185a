// Test helper, not a product feature: fresh wpm homes that already hold the toolchains, so that
// every test builds its packages from an empty store without downloading and unpacking 130 MB of
// clang.wasm and python.wasm again.
//
// The toolchains are built once (`wpm build packages/toolchains/default.jsonnet`) into a seed home
// kept per user across runs, like the Nix oracle's scratch directory; test files that start at the
// same time build it under wpm's own locks, so only one of them downloads. A fresh home is then
// seeded with the closure of the toolchain outputs: each store path is hard-linked (store objects
// are immutable, so sharing inodes is safe; copied where linking fails) and its path-info file
// (db/<hashpart>.json, which is what makes a path valid) is copied. Delete the seed home, or
// point WPM_TEST_SEED_HOME elsewhere, to start from nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, tempDir, wpm } from './cli.js';

export const SEED_HOME = process.env.WPM_TEST_SEED_HOME ?? path.join(os.tmpdir(), `wpm-toolchain-seed-${os.userInfo().uid}`);
export const TOOLCHAINS = path.join(REPO, 'packages/toolchains/default.jsonnet');

let closure: string[] | undefined;

/** The store paths of every toolchain and what they refer to, built in the seed home if needed. */
export function toolchainClosure(): string[] {
  if (closure) return closure;
  const built = wpm(['build', '--no-link', TOOLCHAINS], { home: SEED_HOME });
  if (built.status !== 0) throw new Error(`building the toolchains into ${SEED_HOME} failed:\n${built.stderr}`);
  const outputs = built.stdout.trim().split('\n');
  const info = wpm(['store', 'path-info', '--closure', '--json', ...outputs], { home: SEED_HOME });
  if (info.status !== 0) throw new Error(`wpm store path-info failed:\n${info.stderr}`);
  closure = (JSON.parse(info.stdout) as { path: string }[]).map((i) => i.path);
  return closure;
}

function linkTree(from: string, to: string): void {
  const st = fs.lstatSync(from);
  if (st.isDirectory()) {
    fs.mkdirSync(to);
    for (const name of fs.readdirSync(from)) linkTree(path.join(from, name), path.join(to, name));
    // Store directories are read-only (0555); the copy must be too, after it is filled.
    fs.chmodSync(to, st.mode & 0o777);
  } else if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(from), to);
  } else {
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, st.mode & 0o777);
      fs.utimesSync(to, st.atime, st.mtime);
    }
  }
}

/** Copy valid store paths (with their path info) from one home to another. */
export function seedStore(fromHome: string, toHome: string, storePaths: string[]): void {
  fs.mkdirSync(path.join(toHome, 'store'), { recursive: true });
  fs.mkdirSync(path.join(toHome, 'db'), { recursive: true });
  for (const p of storePaths) {
    const base = path.basename(p);
    const hashPart = base.slice(0, 32);
    if (fs.existsSync(path.join(toHome, 'db', `${hashPart}.json`))) continue;
    linkTree(path.join(fromHome, 'store', base), path.join(toHome, 'store', base));
    // The info file last: a path is valid only once its bytes are all there.
    fs.copyFileSync(path.join(fromHome, 'db', `${hashPart}.json`), path.join(toHome, 'db', `${hashPart}.json`));
  }
}

/** A new, otherwise empty wpm home holding the toolchains. */
export function seededHome(prefix: string): string {
  const home = tempDir(prefix);
  seedStore(SEED_HOME, home, toolchainClosure());
  return home;
}
