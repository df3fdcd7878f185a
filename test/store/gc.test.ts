// `wpm store gc` against a store filled by real processes: it keeps what result links, profiles,
// running builds and live processes rely on, deletes the rest (referrers first), and a dry run
// deletes nothing. The fixture is made by worker processes that exit, so that this test process
// holds no temporary roots of its own.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStore, addGcRootLink, removeTree } from '../../store/index.js';
import { wpm, wpmAsync } from '../helpers/cli.js';
import { lines, makeTree, outputPathFor, requireDist, runWorker, scratchDir, startWorker, validPaths } from './store-procs.js';

interface GcJson {
  deleted: { path: string; bytes: number }[];
  garbage: { kind: string; host: string }[];
  danglingRoots: string[];
  inUse: string[];
  bytesFreed: number;
  roots: { path: string; link: string }[];
}

function added(r: { status: number | null; stdout: string; stderr: string }): string {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return lines(r.stdout, 'added')[0]![0]!;
}

/** A tree whose one file mentions other store paths (so registering it finds them as references). */
function treeMentioning(dir: string, ...paths: string[]): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'refs'), paths.join('\n') + '\n');
  return dir;
}

function drvText(root: string, name: string, outputs: Record<string, string>, inputSrcs: string[]): string {
  const file = path.join(root, `${name}.drv.json`);
  const o: Record<string, { path: string }> = {};
  for (const [k, v] of Object.entries(outputs)) o[k] = { path: v };
  fs.writeFileSync(file, JSON.stringify({ args: [], builder: 'builtin:none', env: {}, inputDrvs: {}, inputSrcs, name, outputs: o, stdin: null }));
  return file;
}

function gc(home: string, ...flags: string[]): GcJson {
  const r = wpm(['store', 'gc', '--json', ...flags], { home });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as GcJson;
}

function snapshot(home: string): string[] {
  return ['store', 'db', 'gcroots/auto'].flatMap((d) => fs.readdirSync(path.join(home, d)).map((n) => `${d}/${n}`)).sort();
}

describe('wpm store gc', () => {
  it('keeps rooted paths, running builds and paths live processes use; deletes the rest; --dry-run deletes nothing', async () => {
    requireDist();
    const root = scratchDir('gc');
    const home = path.join(root, 'home');
    const work = path.join(root, 'work');
    fs.mkdirSync(work);
    const tree = (name: string, files = 20) => {
      const d = path.join(root, 'src', name);
      makeTree(d, files, name.length);
      fs.writeFileSync(path.join(d, 'name'), name);
      return d;
    };

    // A result link keeps an app, what it refers to, and (keep-derivations) the .drv that built it.
    const lib = added(runWorker('add', home, [tree('lib')]));
    const appPath = outputPathFor('app');
    const appDrv = added(runWorker('add-text', home, ['app.drv', drvText(root, 'app', { out: appPath }, [lib]), lib]));
    added(runWorker('register', home, [treeMentioning(path.join(root, 'src', 'app'), lib), 'app', lib], { WPM_TEST_DERIVER: appDrv }));
    const store = LocalStore.open(home);
    addGcRootLink(store, path.join(work, 'result'), appPath);

    // A profile: any other symlink under gcroots/ into the store.
    const profiled = added(runWorker('add', home, [tree('profiled')]));
    fs.mkdirSync(path.join(home, 'gcroots', 'profiles'));
    fs.symlinkSync(store.toHost(profiled), path.join(home, 'gcroots', 'profiles', 'default'));

    // A build in progress (its lock held by a live process) keeps its .drv, inputs and outputs.
    const buildSrc = added(runWorker('add', home, [tree('build-src')]));
    const buildOut = outputPathFor('building');
    const buildDrv = added(runWorker('add-text', home, ['building.drv', drvText(root, 'building', { out: buildOut }, [buildSrc]), buildSrc]));
    added(runWorker('register', home, [tree('building-out'), 'building']));

    // A path a live process found valid (a temporary root).
    const used = added(runWorker('add', home, [tree('used')]));

    // Garbage: a path and one that refers to it; a result link the user deleted; the output of a
    // rooted .drv (kept with keep-outputs, the default; Nix's default, --no-keep-outputs, deletes it).
    const dead1 = added(runWorker('add', home, [tree('dead1')]));
    const dead2 = added(runWorker('register', home, [treeMentioning(path.join(root, 'src', 'dead2'), dead1), 'dead2', dead1]));
    const oldResult = added(runWorker('add', home, [tree('old-result')]));
    addGcRootLink(store, path.join(work, 'old-result'), oldResult);
    fs.rmSync(path.join(work, 'old-result'));
    const xOut = outputPathFor('x');
    const xDrv = added(runWorker('add-text', home, ['x.drv', drvText(root, 'x', { out: xOut }, [])]));
    added(runWorker('register', home, [tree('x-out'), 'x']));
    fs.symlinkSync(store.toHost(xDrv), path.join(home, 'gcroots', 'profiles', 'x-drv'));

    const builder = startWorker('hold-build-lock', home, [buildDrv]);
    const user = startWorker('hold-valid', home, [used]);
    await Promise.all([builder.printed('ready'), user.printed('ready')]);
    try {
      const kept = [appPath, lib, appDrv, profiled, buildDrv, buildSrc, buildOut, used, xDrv];
      const garbage = [dead1, dead2, oldResult, xOut];

      const before = snapshot(home);
      const dry = gc(home, '--dry-run', '--no-keep-outputs');
      expect(snapshot(home)).toEqual(before);
      expect(dry.deleted.map((d) => d.path).sort()).toEqual([...garbage].sort());
      expect(dry.danglingRoots).toHaveLength(1);
      expect(dry.inUse).toEqual(expect.arrayContaining([buildDrv, used]));
      expect(gc(home, '--dry-run').deleted.map((d) => d.path).sort()).toEqual([dead1, dead2, oldResult].sort());
      expect(gc(home, '--dry-run', '--keep-outputs').deleted.map((d) => d.path).sort()).toEqual([dead1, dead2, oldResult].sort());
      expect(gc(home, '--dry-run', '--no-keep-derivations').deleted.map((d) => d.path)).toContain(appDrv);
      expect(gc(home, '--dry-run', '--no-keep-outputs', '--max-freed', '1').deleted).toHaveLength(1);

      const real = gc(home, '--no-keep-outputs');
      const order = real.deleted.map((d) => d.path);
      expect([...order].sort()).toEqual([...garbage].sort());
      expect(order.indexOf(dead2)).toBeLessThan(order.indexOf(dead1)); // referrer first
      expect(real.bytesFreed).toBeGreaterThan(0);
      expect(real.bytesFreed).toBe(real.deleted.reduce((n, d) => n + d.bytes, 0) + real.garbage.reduce((n, g) => n + (g as unknown as { bytes: number }).bytes, 0));
      const valid = validPaths(home);
      for (const p of kept) expect(valid.has(p), `${p} kept`).toBe(true);
      for (const p of garbage) {
        expect(valid.has(p), `${p} deleted`).toBe(false);
        expect(fs.existsSync(store.toHost(p))).toBe(false);
      }
      expect(fs.readdirSync(path.join(home, 'gcroots', 'auto'))).toHaveLength(1); // the dangling one is gone
      const v = wpm(['store', 'verify'], { home });
      expect(v.status).toBe(0);
      expect(gc(home).deleted).toEqual([]); // nothing more to do
    } finally {
      builder.child.kill('SIGKILL');
      user.child.kill('SIGKILL');
      await Promise.all([builder.done, user.done]);
    }

    // Once the build and the user are gone, what only they kept goes too.
    const after = gc(home);
    expect(after.deleted.map((d) => d.path).sort()).toEqual([buildDrv, buildSrc, buildOut, used].sort());
    expect(after.garbage.map((g) => g.kind)).toContain('temp-roots'); // the killed user's file
    const left = validPaths(home);
    expect([...left].sort()).toEqual([appPath, lib, appDrv, profiled, xDrv].sort());
    removeTree(root);
  }, 120_000);

  it('never deletes a path a process is adding or using while collections run again and again', async () => {
    requireDist();
    const root = scratchDir('gc-race');
    const home = path.join(root, 'home');
    const src = path.join(root, 'src');
    makeTree(src, 100, 3);
    // Unrooted paths left by a process that exited: fair game, unless someone uses them meanwhile.
    const oldSrcs = Array.from({ length: 30 }, (_, i) => treeMentioning(path.join(root, `old${i}`), `old ${i}`));
    const adding = runWorker('add', home, oldSrcs);
    expect(adding.status).toBe(0);
    const old = lines(adding.stdout, 'added').map(([p]) => p!);
    const adders = Array.from({ length: 3 }, () => startWorker('add-and-check', home, [src, '12']));
    const user = startWorker('use-and-check', home, old);
    let collections = 0;
    let running = true;
    const all = Promise.all([...adders.map((a) => a.done), user.done]).finally(() => (running = false));
    while (running) {
      const r = await wpmAsync(['store', 'gc'], { home }).done;
      expect(r.status, r.stderr).toBe(0);
      collections++;
    }
    const results = await all;
    for (const r of results) {
      expect(r.stdout).not.toMatch(/^lost /m);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
    for (const a of results.slice(0, 3)) expect(a.stdout).toContain('kept 12');
    expect(collections).toBeGreaterThan(1);
    console.log(`${collections} collections ran while 3 processes added 36 paths and one used ${lines(results[3]!.stdout, 'used')[0]![0]} of 30 old paths`);
    // With everyone gone, all of it is garbage (the loop's last collection may already have taken it).
    gc(home);
    expect(validPaths(home).size).toBe(0);
    expect(fs.readdirSync(path.join(home, 'store'))).toEqual([]);
    removeTree(root);
  }, 120_000);
});
