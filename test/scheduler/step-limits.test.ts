// Runaway steps are stopped: a step silent for too long, one that runs too long, one whose log
// grows without end and one that writes without end each end with a message naming the limit
// and how to raise it, and nothing of them is registered. Limits come from flags, settings and
// the derivation itself (outside its hash).
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../cli/config.js';
import { REPO, wpm } from '../helpers/cli.js';
import { cloneHome, seededHome } from '../helpers/seed.js';

const FILE = path.join(REPO, 'test/fixtures/runaway/default.jsonnet');
let template: string;

function build(attr: string, flags: string[], env: NodeJS.ProcessEnv = {}) {
  const home = cloneHome(template);
  const started = Date.now();
  const r = wpm(['build', '--no-link', FILE, '-A', attr, ...flags], { home, env });
  const drvPath = JSON.parse(wpm(['eval', '--json', FILE, '-A', attr], { home }).stdout).drvPath as string;
  const out = JSON.parse(wpm(['eval', '--json', FILE, '-A', attr], { home }).stdout).out as string;
  return { ...r, home, ms: Date.now() - started, drvPath, out };
}

function nothingRegistered(home: string, out: string): void {
  expect(wpm(['store', 'path-info', out], { home }).status).not.toBe(0);
  expect(fs.existsSync(path.join(home, 'store', path.basename(out)))).toBe(false);
  expect(fs.readdirSync(path.join(home, 'tmp'))).toEqual([]);
}

beforeAll(() => {
  // The toolchain and the step tool, built once and cloned for each test.
  template = seededHome('runaway');
  const r = wpm(['build', '--no-link', path.join(REPO, 'test/fixtures/graphs/fan.jsonnet'), '-A', 'all', '--arg', 'width=1', '--argstr', 'salt=-warm'], { home: template });
  expect(r.status, r.stderr).toBe(0);
}, 300_000);

describe('step limits', () => {
  it('stops a step silent for longer than max-silent-time', () => {
    const r = build('forever', ['--max-silent-time', '2']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`'forever' (${r.drvPath}) was stopped: it wrote nothing to its log for 2 s, the silence limit (max-silent-time)`);
    expect(r.stderr).toContain('hint: raise it with --max-silent-time SECONDS, max-silent-time in wpm.conf, or limits: { maxSilentTime: … } in the derivation');
    expect(r.ms).toBeLessThan(60_000);
    nothingRegistered(r.home, r.out);
  });

  it('stops a step that runs longer than timeout (from the environment, as from wpm.conf)', () => {
    const r = build('forever', ['--max-silent-time', '0'], { WPM_TIMEOUT: '2' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('was stopped: it ran longer than 2 s, the step time limit (timeout)');
    nothingRegistered(r.home, r.out);
  });

  it('stops a step whose log grows past the default max-log-size, and the log says where it was cut', () => {
    const r = build('chatter', []);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('was stopped: it wrote more than 64 MiB to its log, the log limit (the log says where it was cut) (max-log-size)');
    // Read whole (wpm log would print the same 64 MiB).
    const log = fs.readFileSync(path.join(r.home, 'logs', `${path.basename(r.drvPath)}.log`), 'latin1');
    expect(log.length).toBeGreaterThanOrEqual(64 * 1024 ** 2);
    expect(log.length).toBeLessThan(64 * 1024 ** 2 + 1024);
    expect(log.endsWith(`\nwpm: the log was cut here, at ${64 * 1024 ** 2} bytes (the step's log limit); the step was stopped\n`)).toBe(true);
    nothingRegistered(r.home, r.out);
  });

  it('stops a step that writes more than max-output-size', () => {
    const r = build('fill', ['--max-output-size', '20M']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('was stopped: it wrote more than 20 MiB, the output limit (max-output-size)');
    nothingRegistered(r.home, r.out);
  });

  it("takes a derivation's own limits, which are not part of its hash", () => {
    const home = cloneHome(template);
    const plain = JSON.parse(wpm(['eval', '--json', FILE, '-A', 'forever'], { home }).stdout);
    const limited = JSON.parse(wpm(['eval', '--json', FILE, '-A', 'foreverLimited'], { home }).stdout);
    expect(limited.drvPath).toBe(plain.drvPath);
    const r = build('foreverLimited', []);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('was stopped: it ran longer than 2 s, the step time limit (timeout)');
    // And again from the evaluation cache, which keeps the limits the .drv file does not.
    const again = wpm(['build', '--no-link', FILE, '-A', 'foreverLimited'], { home: r.home });
    expect(again.stderr).toContain('the step time limit (timeout)');
  });

  it('has defaults that stop every runaway long before it fills a disk', () => {
    const s = loadSettings({ XDG_CONFIG_HOME: '/nonexistent' });
    expect({ timeout: s.timeout, maxSilentTime: s.maxSilentTime, maxLogSize: s.maxLogSize, maxOutputSize: s.maxOutputSize }).toEqual({
      timeout: 0,
      maxSilentTime: 1800,
      maxLogSize: 64 * 1024 ** 2,
      maxOutputSize: 4 * 1024 ** 3,
    });
  });
});
