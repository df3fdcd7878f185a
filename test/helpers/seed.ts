// Fresh test homes that already hold the clang toolchain. The toolchain is a fixed-output
// download (about 35 MB) unpacked into ~200 MB; building it in every test's empty store would
// dominate the suite. One seed home per machine is built through wpm itself (wpm's locks make
// concurrent test workers safe), and each fresh home gets the toolchain's closure as hard links
// (store files are immutable) plus its path-info records. Nothing else is copied, so everything
// else a test builds is built from scratch.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, tempDir, wpm } from './cli.js';

const SEED = path.join(os.tmpdir(), 'wpm-test-seed-home');
const FILE = path.join(REPO, 'test/fixtures/seed.jsonnet');
let closure: string[] | undefined;

function seedClosure(): string[] {
  if (closure) return closure;
  const built = wpm(['build', '--no-link', '-A', 'warm', FILE], { home: SEED });
  if (built.status !== 0) throw new Error(`building the test seed failed:\n${built.stderr}`);
  const paths = JSON.parse(wpm(['eval', '--json', '-A', 'paths', FILE], { home: SEED }).stdout) as string[];
  const roots = paths.map((p) => p.split('/').slice(0, 4).join('/'));
  const info = wpm(['store', 'path-info', '--closure', '--json', ...roots], { home: SEED });
  if (info.status !== 0) throw new Error(`reading the test seed failed:\n${info.stderr}`);
  closure = (JSON.parse(info.stdout) as { path: string }[]).map((i) => i.path);
  return closure;
}

function linkTree(src: string, dest: string): void {
  const st = fs.lstatSync(src);
  if (st.isDirectory()) {
    fs.mkdirSync(dest, { mode: 0o755 });
    for (const name of fs.readdirSync(src)) linkTree(path.join(src, name), path.join(dest, name));
    fs.chmodSync(dest, st.mode & 0o777);
    fs.utimesSync(dest, st.atime, st.mtime);
  } else if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dest);
  } else {
    fs.linkSync(src, dest);
  }
}

/** A new, otherwise empty home that already holds the toolchain. */
export function seededHome(prefix = 'home'): string {
  const home = tempDir(prefix);
  for (const dir of ['store', 'db']) fs.mkdirSync(path.join(home, dir), { recursive: true });
  for (const p of seedClosure()) {
    const base = path.basename(p);
    const hashPart = base.slice(0, 32);
    linkTree(path.join(SEED, 'store', base), path.join(home, 'store', base));
    fs.copyFileSync(path.join(SEED, 'db', `${hashPart}.json`), path.join(home, 'db', `${hashPart}.json`));
  }
  return home;
}

/** A copy of a whole home (store as hard links, metadata copied), for tests that need a template. */
export function cloneHome(template: string, prefix = 'home'): string {
  const home = tempDir(prefix);
  for (const dir of ['store', 'db']) {
    const src = path.join(template, dir);
    fs.mkdirSync(path.join(home, dir), { recursive: true });
    if (!fs.existsSync(src)) continue;
    for (const name of fs.readdirSync(src)) {
      if (dir === 'store') linkTree(path.join(src, name), path.join(home, dir, name));
      else fs.copyFileSync(path.join(src, name), path.join(home, dir, name));
    }
  }
  return home;
}
