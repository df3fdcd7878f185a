// `wpm store verify [--repair]` run as a user would, on stores damaged in the ways disks and
// people damage them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeTree } from '../../store/index.js';
import { wpm } from '../helpers/cli.js';
import { lines, makeTree, requireDist, runWorker, scratchDir, validPaths } from './store-procs.js';

interface VerifyJson {
  checked: number;
  problems: { kind: string; path?: string; file?: string; reference?: string }[];
  garbage: { kind: string; host: string; storePath?: string }[];
  invalidated: string[];
  removed: string[];
}

function setup(prefix: string) {
  requireDist();
  const root = scratchDir(prefix);
  const home = path.join(root, 'home');
  const src = path.join(root, 'lib');
  makeTree(src, 40, 9);
  const lib = lines(runWorker('add', home, [src]).stdout, 'added')[0]![0]!;
  // An output that refers to lib: invalidating lib must take it along.
  const appSrc = path.join(root, 'app');
  fs.mkdirSync(appSrc);
  fs.writeFileSync(path.join(appSrc, 'uses'), `${lib}/f1\n`);
  const app = lines(runWorker('register', home, [appSrc, 'app', lib]).stdout, 'added')[0]![0]!;
  const other = lines(runWorker('add', home, [path.join(src, 'd0')]).stdout, 'added')[0]![0]!;
  return { root, home, src, lib, app, other, host: (p: string) => path.join(home, 'store', path.basename(p)) };
}

function verify(home: string, ...flags: string[]) {
  const r = wpm(['store', 'verify', ...flags], { home });
  return { ...r, json: flags.includes('--json') ? (JSON.parse(r.stdout) as VerifyJson) : undefined };
}

/** Some regular file inside a store directory. */
function someFile(dir: string): string {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isFile()) return path.join(dir, e.name);
  throw new Error(`no file in ${dir}`);
}

describe('wpm store verify', () => {
  it('passes a healthy store', () => {
    const s = setup('verify-ok');
    const r = verify(s.home, '--json');
    expect(r.status).toBe(0);
    expect(r.json).toMatchObject({ checked: 3, problems: [], garbage: [] });
    removeTree(s.root);
  });

  it('names a path whose file was modified, exits non-zero, and --repair invalidates it and its referrers', () => {
    const s = setup('verify-corrupt');
    const file = someFile(s.host(s.lib));
    fs.chmodSync(file, 0o644);
    fs.appendFileSync(file, 'bit rot');

    const r = verify(s.home);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain(`corrupt: ${s.lib} was modified`);
    expect(r.stderr).toContain(s.lib);
    expect(r.stderr).toContain('wpm store verify --repair');

    const repaired = verify(s.home, '--repair', '--json');
    expect(repaired.status).toBe(0);
    expect(repaired.json!.problems.map((p) => [p.kind, p.path])).toEqual([['hash-mismatch', s.lib]]);
    // The referrer goes first, so an interrupted repair never leaves a dangling reference.
    expect(repaired.json!.invalidated).toEqual([s.app, s.lib]);
    expect([...validPaths(s.home)]).toEqual([s.other]);
    expect(fs.existsSync(s.host(s.lib))).toBe(false);
    expect(verify(s.home, '--json').json).toMatchObject({ checked: 1, problems: [], garbage: [] });

    // The next add makes it valid again, from the intact source.
    const again = runWorker('add', s.home, [s.src]);
    expect(again.stdout).toContain(`installed ${s.lib}`);
    expect(verify(s.home).status).toBe(0);
    removeTree(s.root);
  });

  it('reports a valid path missing on disk, a corrupt info file and a dangling reference', () => {
    const s = setup('verify-kinds');
    removeTree(s.host(s.other));
    const libInfo = path.join(s.home, 'db', `${path.basename(s.lib).slice(0, 32)}.json`);
    fs.writeFileSync(libInfo, '{"path": "/wpm/store/trunc');

    const r = verify(s.home, '--json');
    expect(r.status).toBe(4);
    const kinds = r.json!.problems.map((p) => `${p.kind} ${p.path ?? p.file}`).sort();
    expect(kinds).toEqual([`corrupt-info ${libInfo}`, `dangling-reference ${s.app}`, `missing ${s.other}`].sort());

    const repaired = verify(s.home, '--repair', '--json');
    expect(repaired.status).toBe(0);
    expect(repaired.json!.removed).toContain(libInfo);
    // lib's directory has no info any more: garbage, swept.
    expect(repaired.json!.removed).toContain(s.host(s.lib));
    expect(validPaths(s.home).size).toBe(0);
    expect(verify(s.home, '--json').json).toMatchObject({ checked: 0, problems: [], garbage: [] });
    removeTree(s.root);
  });

  it('takes an info file of the wrong shape for corrupt, and gc stops at it, naming it and deleting nothing', () => {
    const s = setup('verify-shape');
    const libInfo = path.join(s.home, 'db', `${path.basename(s.lib).slice(0, 32)}.json`);
    const info = JSON.parse(fs.readFileSync(libInfo, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(libInfo, JSON.stringify({ ...info, references: 'not a list' }));

    const r = verify(s.home, '--json');
    expect(r.json!.problems).toEqual([
      { kind: 'corrupt-info', file: libInfo, message: 'references is not a list of store paths' },
      // app refers to lib, which no longer counts as valid.
      { kind: 'dangling-reference', path: s.app, reference: s.lib },
    ]);
    const gc = wpm(['store', 'gc'], { home: s.home });
    expect(gc.status).toBe(4);
    expect(gc.stderr).toContain(`path info ${libInfo} is corrupt: references is not a list of store paths`);
    expect(validPaths(s.home).size).toBe(3);
    expect(fs.existsSync(s.host(s.other))).toBe(true);
    removeTree(s.root);
  });

  it('counts leftovers as garbage, not corruption', () => {
    const s = setup('verify-garbage');
    fs.mkdirSync(path.join(s.home, 'store', '0000000000000000000000000000000a-leftover'));
    const r = verify(s.home);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('garbage: /wpm/store/0000000000000000000000000000000a-leftover (a store directory without path info)');
    removeTree(s.root);
  });
});
