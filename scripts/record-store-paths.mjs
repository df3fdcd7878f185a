// Records the .drv path of every package and toolchain (test/fixtures/package-store-paths.json).
// test/packages/store-paths.test.ts compares the current evaluation with it, so that a change
// meant to leave derivations alone (a refactor of wpm itself) shows that it did. Run it again,
// and commit the file, when a change to a package or to cc.libsonnet alters derivations on purpose.
//   node scripts/record-store-paths.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURE = path.join(REPO, 'test/fixtures/package-store-paths.json');
export const FILES = ['packages/default.jsonnet', 'packages/toolchains/default.jsonnet'];

/** attr path → .drv path, for every derivation a file's value holds (nested objects included). */
function flatten(value, prefix, into) {
  if (value && typeof value === 'object' && value.type === 'derivation') into[prefix] = value.drvPath;
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, into);
  return into;
}

/** The current .drv paths, evaluated read-only in a throw-away home. */
export function currentStorePaths() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-record-'));
  try {
    const out = {};
    for (const file of FILES) {
      const r = spawnSync(process.execPath, [path.join(REPO, 'bin/wpm.js'), 'eval', '--read-only', '--json', file], {
        cwd: REPO,
        env: { ...process.env, WPM_HOME: home, WPM_EVAL_CACHE: '0' },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`wpm eval ${file} failed: ${r.stderr}`);
      out[file] = flatten(JSON.parse(r.stdout), '', {});
    }
    return out;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(FIXTURE, JSON.stringify(currentStorePaths(), null, 2) + '\n');
  console.log(`wrote ${path.relative(REPO, FIXTURE)}`);
}
