// Installing is atomic: `wpm install` SIGKILLed at random moments, again and again, never leaves
// the profile pointing at a missing or partial generation. The generation is registered (complete
// and durable) before its root link is made, and the profile's own link is replaced by a rename
// only after that, so the profile shows the old generation or the new one, nothing else.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, wpm, wpmAsync } from '../helpers/cli.js';
import { tinyPackages } from '../helpers/tiny-packages.js';

const TRIALS = 24;

/** What the profile link leads to, checked as a user would rely on it; throws on anything wrong. */
function checkProfile(home: string): number {
  const link = path.join(home, 'profiles', 'default');
  const genLink = path.resolve(path.dirname(link), fs.readlinkSync(link));
  const m = /^default-([0-9]+)-link$/.exec(path.basename(genLink));
  if (!m) throw new Error(`the profile points at ${genLink}`);
  const real = fs.realpathSync(genLink);
  const base = path.basename(real);
  if (path.dirname(real) !== fs.realpathSync(path.join(home, 'store'))) throw new Error(`generation ${m[1]} is ${real}, not in the store`);
  if (!fs.existsSync(path.join(home, 'db', `${base.slice(0, 32)}.json`))) throw new Error(`generation ${m[1]} (${base}) is not valid`);
  const manifest = JSON.parse(fs.readFileSync(path.join(real, 'share/wpm/manifest.json'), 'utf8')) as { packages: { name: string; outPath: string }[] };
  for (const p of manifest.packages) {
    const hash = path.basename(p.outPath).slice(0, 32);
    if (!fs.existsSync(path.join(home, 'db', `${hash}.json`))) throw new Error(`generation ${m[1]} holds ${p.outPath}, which is not valid`);
    const launcher = path.join(real, 'bin', p.name);
    if (!fs.readFileSync(launcher, 'utf8').startsWith('#!/bin/sh')) throw new Error(`${launcher} is not a launcher`);
    JSON.parse(fs.readFileSync(path.join(real, 'share/wpm/launchers', `${p.name}.json`), 'utf8'));
  }
  return Number(m[1]);
}

describe('wpm install killed at random moments', () => {
  it(`leaves the profile at a complete generation, old or new (${TRIALS}+ trials)`, async () => {
    const home = tempDir('install-crash');
    const pkgs = tinyPackages({ tool: { 'bin/tool.wasm': 'program bytes', 'share/doc/tool': 'docs' } }, {}, home);
    const install = (priority: number) => ['install', pkgs.file, '-A', 'tool', '--priority', String(priority)];
    // Warm: the package is built and the evaluation cached, so a trial is evaluation, the
    // generation's step and the switch, which the kills are spread over.
    const times: number[] = [];
    for (const p of [1000, 1001]) {
      const t = Date.now();
      const r = wpm(install(p), { home });
      expect(r.status, r.stderr).toBe(0);
      times.push(Date.now() - t);
    }
    // On a loaded machine a trial may take much longer, or shorter, than the warm-ups did: past
    // the first trials the span grows while none finished and shrinks while none was cut short.
    let span = Math.min(...times) * 1.25;
    let kept = 0;
    let switched = 0;
    // Trials killed after the new generation was registered but before the profile pointed at it.
    let between = 0;
    const generationPaths = () => fs.readdirSync(path.join(home, 'db')).filter((f) => /^[0-9a-z]{32}\.json$/.test(f) && fs.readFileSync(path.join(home, 'db', f), 'utf8').includes('-profile"')).length;
    for (let trial = 0; trial < TRIALS || ((kept === 0 || switched === 0) && trial < 3 * TRIALS); trial++) {
      if (trial >= TRIALS / 2 && switched === 0) span *= 1.5;
      if (trial >= TRIALS / 2 && kept === 0) span /= 1.5;
      const before = checkProfile(home);
      const registered = generationPaths();
      // A priority no generation had: every install that completes makes a new generation.
      const { child, done } = wpmAsync(install(trial), { home });
      const timer = setTimeout(() => child.kill('SIGKILL'), Math.random() * span);
      const r = await done;
      clearTimeout(timer);
      const after = checkProfile(home);
      if (after === before) {
        kept++;
        if (generationPaths() > registered) between++;
      } else {
        expect(after).toBeGreaterThan(before);
        switched++;
      }
      // Either killed, or done: no third way (an error would be a bug).
      if (r.status !== null) expect(r.status, r.stderr).toBe(0);
    }
    expect(kept).toBeGreaterThan(0);
    expect(switched).toBeGreaterThan(0);
    // The next install goes through (locks of killed processes are broken), and the store holds
    // nothing corrupt: leftovers only, which GC sweeps.
    const last = wpm(install(5), { home });
    expect(last.status, last.stderr).toBe(0);
    const verify = wpm(['store', 'verify'], { home });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    console.log(
      `install killed ${kept + switched} times: ${kept} left the old generation (${between} of them after the new one was registered), ` +
        `${switched} the new one (kills spread over ${Math.round(span)} ms)`,
    );
  }, 600_000);
});
