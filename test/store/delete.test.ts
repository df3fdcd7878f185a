// `wpm store delete` deletes only what nothing needs: a path a root keeps (itself, through
// references, or with keep-outputs as a live result's build input), one a running process uses,
// or one another valid path refers to is refused, naming why; a dead path goes.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, wpm, type CliResult } from '../helpers/cli.js';
import { startWorker } from './store-procs.js';
import { tinyPackages } from '../helpers/tiny-packages.js';

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('wpm store delete', () => {
  it('refuses live paths, naming the root, the process or the referrer, and deletes dead ones', async () => {
    const home = tempDir('delete');
    const cwd = tempDir('delete-cwd');
    const pkgs = tinyPackages({ leaf: { 'share/leaf': 'leaf' }, top: { 'share/top': 'uses @leaf@' }, other: { 'share/other': 'x' } }, { top: ['leaf'] }, home);
    const run = (args: string[]) => wpm(args, { home, cwd });
    const valid = (p: string) => fs.existsSync(path.join(home, 'db', `${path.basename(p).slice(0, 32)}.json`));
    const top = ok(run(['build', pkgs.file, '-A', 'top'])).trim(); // ./result keeps it
    const leaf = ok(run(['build', '--no-link', pkgs.file, '-A', 'leaf'])).trim();
    const other = ok(run(['build', '--no-link', pkgs.file, '-A', 'other'])).trim();
    const topDrv = JSON.parse(ok(run(['store', 'path-info', '--json', top])))[0].deriver as string;

    const rooted = run(['store', 'delete', top]);
    expect(rooted.status).toBe(4);
    expect(rooted.stderr).toContain(`cannot delete ${top}: it is kept by the GC root ${path.join(cwd, 'result')}`);
    const referred = run(['store', 'delete', leaf]);
    expect(referred.stderr).toMatch(new RegExp(`cannot delete ${leaf}: it is kept by the GC root .*result \\(→ ${top}\\)`));
    // keep-derivations: the .drv that built a live result is live too.
    expect(run(['store', 'delete', topDrv]).stderr).toMatch(/is kept by the GC root/);

    // Unrooted, the result still refers to the leaf.
    fs.rmSync(path.join(cwd, 'result'));
    const refers = run(['store', 'delete', leaf]);
    expect(refers.status).toBe(4);
    expect(refers.stderr).toContain(`cannot delete ${leaf}: ${top} refers to it`);
    expect(refers.stderr).toContain(`wpm store referrers -r ${leaf}`);
    expect(ok(run(['store', 'referrers', leaf])).trim()).toBe(top);

    // In use: a live process found it valid (a temporary root), as a running build does its inputs.
    const user = startWorker('hold-valid', home, [other]);
    await user.printed('ready');
    try {
      const inUse = run(['store', 'delete', other]);
      expect(inUse.status).toBe(4);
      expect(inUse.stderr).toContain(`cannot delete ${other}: a running wpm process is using it`);
    } finally {
      user.child.kill('SIGKILL');
      await user.done;
    }

    // Both at once, referrer first: allowed; --dry-run first deletes nothing.
    const dry = run(['store', 'delete', '--dry-run', leaf, top]);
    ok(dry);
    expect(dry.stdout.trim().split('\n')).toEqual([top, leaf]);
    expect(valid(top) && valid(leaf)).toBe(true);
    ok(run(['store', 'delete', leaf, top]));
    expect(valid(top) || valid(leaf)).toBe(false);
    expect(fs.existsSync(path.join(home, 'store', path.basename(top)))).toBe(false);

    const notValid = run(['store', 'delete', top]);
    expect(notValid.status).toBe(4);
    expect(notValid.stderr).toMatch(/is not valid/);
    ok(run(['store', 'delete', other]));
    expect(valid(other)).toBe(false);
  });
});
