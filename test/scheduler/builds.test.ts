// The scheduler with real processes: concurrent builds of one graph, --keep-going, Ctrl-C in the
// middle of a build, and --check catching a step that does not reproduce.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, WPM, tempDir, wpm, wpmAsync } from '../helpers/cli.js';
import { cloneHome, seededHome } from '../helpers/seed.js';
import { events, mostAtOnce } from '../helpers/build-events.js';

const FAN = path.join(REPO, 'test/fixtures/graphs/fan.jsonnet');
let template: string;

/**
 * A build started in the background, once `steps` of its steps have started (the build's own
 * output, if it ended before that, fails the test rather than a timeout).
 */
async function buildUntilStarted(args: string[], home: string, steps: number): Promise<ReturnType<typeof wpmAsync>> {
  const run = wpmAsync(args, { home });
  let seen = '';
  const started = new Promise<boolean>((resolve) => {
    run.child.stderr.on('data', (d: Buffer) => {
      seen += d.toString();
      if ((seen.match(/"type":"start"/g) ?? []).length >= steps) resolve(true);
    });
  });
  expect(await Promise.race([started, run.done.then(() => false)]), seen).toBe(true);
  return run;
}

beforeAll(() => {
  // A home holding the toolchain and the `step` test tool, cloned for each test.
  template = seededHome('template');
  const r = wpm(['build', '--no-link', '-A', 'all', FAN, '--arg', 'width=1', '--argstr', 'salt=-warm'], { home: template });
  expect(r.status, r.stderr).toBe(0);
});

describe('scheduler', () => {
  it('two concurrent builds of one graph build each step once', async () => {
    const home = cloneHome(template);
    const args = ['build', '--no-link', '--json', '-j', '2', '-A', 'all', FAN, '--arg', 'width=4', '--arg', 'spin=150', '--argstr', 'salt=-conc'];
    const a = wpmAsync(args, { home });
    const b = wpmAsync(args, { home });
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.status, ra.stderr).toBe(0);
    expect(rb.status, rb.stderr).toBe(0);
    expect(ra.stdout).toBe(rb.stdout);
    const built = [...events(ra.stderr), ...events(rb.stderr)].filter((e) => e.type === 'built');
    const names = built.map((e) => e.name).sort();
    expect(names).toEqual(['all-conc', 'leaf0-conc', 'leaf1-conc', 'leaf2-conc', 'leaf3-conc']);
  });

  it('with --keep-going, a failing step stops its dependents only', () => {
    const home = cloneHome(template);
    const r = wpm(['build', '--no-link', '--json', '--keep-going', '-j', '1', '-A', 'all', FAN, '--arg', 'width=3', '--arg', 'fail=true', '--argstr', 'salt=-kg'], { home });
    expect(r.status).toBe(1);
    const ev = events(r.stderr);
    expect(ev.filter((e) => e.type === 'built').map((e) => e.name).sort()).toEqual(['leaf1-kg', 'leaf2-kg']);
    expect(ev.filter((e) => e.type === 'failed').map((e) => e.name)).toEqual(['leaf-0']);
    expect(ev.filter((e) => e.type === 'dependency-failed').map((e) => e.name)).toEqual(['all-kg']);
    expect(r.stderr).toContain('leaf 0 fails on purpose');
    // Its log is kept, and `wpm log` says the step did not build; a built step's log says nothing more.
    const failedDrv = ev.find((e) => e.type === 'failed')!.drvPath as string;
    const log = wpm(['log', failedDrv], { home });
    expect(log.status, log.stderr).toBe(0);
    expect(log.stdout).toContain('leaf 0 fails on purpose');
    expect(log.stderr).toBe(`${failedDrv} is not built (its outputs are not in the store): this is the log of its last attempt, which failed, was stopped or is still running\n`);
    const builtDrv = ev.find((e) => e.type === 'built')!.drvPath as string;
    const ok = wpm(['log', builtDrv], { home });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('');
  });

  it('stops promptly on SIGINT, leaves nothing partial, and the next build succeeds', async () => {
    const home = cloneHome(template);
    const args = ['build', '--no-link', '--json', '-j', '2', '-A', 'all', FAN, '--arg', 'width=2', '--arg', 'spin=1500', '--argstr', 'salt=-int'];
    const run = await buildUntilStarted(args, home, 2);
    const t = Date.now();
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(Date.now() - t).toBeLessThan(5000);
    expect(r.status).toBe(130);
    const ev = events(r.stderr);
    expect(ev.filter((e) => e.type === 'built')).toEqual([]);
    // Stopped, not failed: the steps it stopped say so, and so does the one never started.
    expect(ev.filter((e) => e.type === 'interrupted').map((e) => e.name).sort()).toEqual(['leaf0-int', 'leaf1-int']);
    expect(ev.filter((e) => e.type === 'failed')).toEqual([]);
    const [notStarted] = ev.filter((e) => e.type === 'dependency-failed');
    expect(notStarted).toMatchObject({ name: 'all-int' });
    expect(ev.filter((e) => e.type === 'interrupted').map((e) => e.drvPath)).toContain(notStarted!.failedInput);
    expect(fs.readdirSync(path.join(home, 'tmp'))).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'store')).filter((f) => /-leaf\d-int$/.test(f))).toEqual([]);
    const again = wpm(args, { home });
    expect(again.status, again.stderr).toBe(0);
    expect(events(again.stderr).filter((e) => e.type === 'built')).toHaveLength(3);
  });

  it('stops on SIGTERM too, exiting 143 as a shell reports it', async () => {
    const home = cloneHome(template);
    const args = ['build', '--no-link', '--json', '-j', '1', '-A', 'leaves.0', FAN, '--arg', 'width=1', '--arg', 'spin=60000', '--argstr', 'salt=-term'];
    const run = await buildUntilStarted(args, home, 1);
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.status).toBe(143);
    expect(r.stderr).toContain('wpm: SIGTERM, stopping builds (send SIGTERM again to quit at once)');
    expect(events(r.stderr).filter((e) => e.type === 'interrupted')).toHaveLength(1);
    expect(fs.readdirSync(path.join(home, 'tmp'))).toEqual([]);
  });

  it('--check rebuilds valid outputs and names what differs', () => {
    const home = cloneHome(template);
    const dir = tempDir('check');
    fs.writeFileSync(path.join(dir, 'data.txt'), 'first contents\n');
    fs.writeFileSync(
      path.join(dir, 'default.jsonnet'),
      `local wpm = import 'wpm.libsonnet';
local s = import '${path.join(REPO, 'test/fixtures/tools/step.libsonnet')}';
s.step('copy', ['cat', wpm.path(std.thisFile, 'data.txt')])
`,
    );
    const file = path.join(dir, 'default.jsonnet');
    expect(wpm(['build', '--no-link', file], { home }).status).toBe(0);
    const same = wpm(['build', '--no-link', '--check', file], { home });
    expect(same.status, same.stderr).toBe(0);
    expect(same.stderr).toMatch(/checked copy: rebuilt in [\d.]+s, the same bytes/);
    // The fixture builder reads a file the test now changes behind the store's back, so the
    // same derivation gives different bytes: exactly what --check exists to catch.
    const input = fs.readdirSync(path.join(home, 'store')).find((f) => f.endsWith('-data.txt'))!;
    const hostInput = path.join(home, 'store', input);
    fs.chmodSync(hostInput, 0o644);
    fs.writeFileSync(hostInput, 'second contents\n');
    const differs = wpm(['build', '--no-link', '--check', file], { home });
    expect(differs.status).toBe(1);
    expect(differs.stderr).toMatch(/'copy' \(\/wpm\/store\/[0-9a-z]{32}-copy\.drv\) is not reproducible: rebuilding \/wpm\/store\/[0-9a-z]{32}-copy gave different content/);
  });

  it('-j overrides WPM_MAX_JOBS and the config file: -j 1 never runs two steps at once', () => {
    const home = cloneHome(template);
    const r = wpm(['build', '--no-link', '--json', '-j', '1', '-A', 'all', FAN, '--arg', 'width=3', '--arg', 'spin=20', '--argstr', 'salt=-j1'], {
      home,
      env: { WPM_MAX_JOBS: '2' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(mostAtOnce(r.stderr)).toBe(1);
    const parallel = wpm(['build', '--no-link', '--json', '-A', 'all', FAN, '--arg', 'width=3', '--arg', 'spin=200', '--argstr', 'salt=-j2'], {
      home,
      env: { WPM_MAX_JOBS: '2' },
    });
    expect(parallel.status, parallel.stderr).toBe(0);
    expect(mostAtOnce(parallel.stderr)).toBe(2);
  });

  it('keeps every step log, shown by wpm log', () => {
    const home = cloneHome(template);
    const r = wpm(['build', '-o', path.join(home, 'result'), '-A', 'leaves.0', FAN, '--arg', 'width=1', '--arg', 'spin=1', '--argstr', 'salt=-log'], { home });
    expect(r.status, r.stderr).toBe(0);
    const log = wpm(['log', path.join(home, 'result')], { home });
    expect(log.status).toBe(0);
    expect(log.stdout).toMatch(/^spun [01]\n$/);
    // show-derivation takes the same result link to the derivation that built it.
    const shown = wpm(['show-derivation', path.join(home, 'result')], { home });
    expect(shown.status, shown.stderr).toBe(0);
    expect(Object.values(JSON.parse(shown.stdout) as Record<string, { name: string }>).map((d) => d.name)).toEqual(['leaf0-log']);
    const source = wpm(['store', 'add', FAN], { home }).stdout.trim();
    const notBuilt = wpm(['show-derivation', source], { home });
    expect(notBuilt.status).toBe(2);
    expect(notBuilt.stderr).toBe(`error: ${source} is not a .drv path, and the store does not know a derivation that built it\n`);
  });
});

describe('progress', () => {
  const args = (salt: string) => ['build', '--no-link', '-j', '2', '-A', 'all', FAN, '--arg', 'width=2', '--arg', 'spin=200', '--argstr', `salt=${salt}`];

  it('on a terminal, keeps a live status line with counts and running steps', () => {
    const home = cloneHome(template);
    // `script` gives the command a real pseudo-terminal.
    const cmd = [process.execPath, WPM, ...args('-tty')].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qefc', cmd, '/dev/null'], {
      env: { ...process.env, WPM_HOME: home, TERM: 'xterm', COLUMNS: '200' },
      encoding: 'utf8',
    });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/\r\x1b\[2K\[\d+\/3 done: \d+ built, 0 cached, \d+ running, 0 failed, [\d.]+s\]/);
    expect(r.stdout).toMatch(/running, 0 failed, [\d.]+s\] leaf\d-tty [\d.]+s/);
    expect(r.stdout).toMatch(/built all-tty in [\d.]+s/);
  });

  it('off a terminal, prints one plain line per event, and results only on stdout', () => {
    const home = cloneHome(template);
    const r = wpm(args('-plain'), { home });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('\x1b');
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => /^building leaf\d-plain$/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /^built leaf\d-plain in [\d.]+s$/.test(l))).toHaveLength(2);
    expect(r.stdout.trim()).toMatch(/^\/wpm\/store\/[0-9a-z]{32}-all-plain$/);
  });

  it('with --json, streams one event per line and prints the results as JSON', () => {
    const home = cloneHome(template);
    const r = wpm([...args('-json'), '--json'], { home });
    expect(r.status).toBe(0);
    const ev = events(r.stderr);
    expect(ev[0]).toMatchObject({ type: 'plan', toBuild: 3, cached: 0 });
    expect(ev.filter((e) => e.type === 'start')).toHaveLength(3);
    const out = JSON.parse(r.stdout) as { attr: string; outputs: { out: string } }[];
    expect(out).toHaveLength(1);
    expect(out[0]!.attr).toBe('all');
  });
});
