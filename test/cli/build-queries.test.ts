// `wpm build`'s defaults and queries: ./default.jsonnet when no FILE is given, one result link per
// attribute (result-<attr>), --dry-run building nothing, and -r/--closure as the one name for
// "everything it refers to" across commands.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, wpm, type CliResult } from '../helpers/cli.js';
import { tinyPackages } from '../helpers/tiny-packages.js';

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('wpm build', () => {
  const home = tempDir('build-queries');
  const pkgs = tinyPackages({ leaf: { 'share/leaf': 'leaf' }, top: { 'share/top': 'uses @leaf@' } }, { top: ['leaf'] }, home);
  const run = (args: string[], cwd = pkgs.dir) => wpm(args, { home, cwd });

  it('says what it would build with --dry-run, and builds nothing', () => {
    const r = run(['build', '--dry-run', '-A', 'top']);
    const lines = ok(r).trim().split('\n');
    expect(lines[0]).toBe('these 2 derivations will be built:');
    expect(lines.slice(1).map((l) => l.replace(/^ {2}\/wpm\/store\/[0-9a-z]{32}-/, ''))).toEqual(expect.arrayContaining(['leaf.drv', 'top.drv']));
    expect(fs.existsSync(path.join(pkgs.dir, 'result'))).toBe(false);
    const json = JSON.parse(ok(run(['build', '--dry-run', '--json', '-A', 'top']))) as { toBuild: string[]; toFetch: unknown[] };
    expect(json.toBuild).toHaveLength(2);
    expect(json.toFetch).toEqual([]);
  });

  it('builds ./default.jsonnet when no FILE is given, and refuses a directory without one', () => {
    ok(run(['build', '-A', 'leaf']));
    expect(fs.readFileSync(path.join(pkgs.dir, 'result', 'share', 'leaf'), 'utf8')).toBe('leaf');
    const none = run(['build'], tempDir('no-default'));
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no FILE given, and .*default\.jsonnet does not exist/);
    const r = run(['build', '--dry-run', '-A', 'leaf']);
    ok(r);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/nothing to build or fetch/);
  });

  it('links result-<attr> for each of several attributes', () => {
    const cwd = tempDir('build-links');
    ok(run(['build', pkgs.file, '-A', 'leaf', '-A', 'top'], cwd));
    expect(fs.readdirSync(cwd).sort()).toEqual(['result-leaf', 'result-top']);
    expect(fs.readFileSync(path.join(cwd, 'result-top', 'share', 'top'), 'utf8')).toMatch(/^uses \/wpm\/store\//);
    // The whole file: one link per attribute too.
    const all = tempDir('build-links-all');
    ok(run(['build', pkgs.file, '-o', 'out'], all));
    expect(fs.readdirSync(all).sort()).toEqual(['out-leaf', 'out-top']);
    expect(ok(run(['store', 'roots'])).match(/result-leaf|result-top|out-leaf|out-top/g)?.length).toBe(4);
  });

  it('takes -r/--closure wherever it means "and everything it refers to"', () => {
    const top = JSON.parse(ok(run(['eval', '--json', '-A', 'top.out', pkgs.file]))) as string;
    const closure = ok(run(['store', 'path-info', '-r', top])).trim().split('\n');
    expect(closure).toHaveLength(2);
    expect(ok(run(['store', 'path-info', '--closure', top]))).toBe(closure.join('\n') + '\n');
    const drv = JSON.parse(ok(run(['eval', '--json', '-A', 'top.drvPath', pkgs.file]))) as string;
    const shown = Object.keys(JSON.parse(ok(run(['show-derivation', '-r', drv]))) as object);
    expect(shown).toHaveLength(2);
    expect(Object.keys(JSON.parse(ok(run(['show-derivation', '--closure', drv]))) as object)).toEqual(shown);
    expect(Object.keys(JSON.parse(ok(run(['show-derivation', '--recursive', drv]))) as object)).toEqual(shown); // the earlier name still works
    expect(ok(run(['store', 'referrers', '-r', closure[0]!.split('\t')[0]!])).trim().split('\n')).toEqual(expect.arrayContaining(closure.map((l) => l.split('\t')[0]!)));
  });
});
