// Locks of a killed wpm: a build SIGKILLed while it holds its build and path locks leaves them
// behind. The next build, `wpm store gc` and `wpm store verify --repair` each recognise them as a
// dead process's and remove them.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm, wpmAsync } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';

const HELLO = path.join(REPO, 'packages/hello/default.jsonnet');
/** The lock files a killed build left, by name, with their contents (pid and start time). */
let left: Map<string, Buffer>;

function homeWithStaleLocks(): string {
  const home = seededHome('stale-locks');
  fs.mkdirSync(path.join(home, 'locks'), { recursive: true });
  for (const [name, bytes] of left) fs.writeFileSync(path.join(home, 'locks', name), bytes);
  return home;
}

const locks = (home: string) => (fs.existsSync(path.join(home, 'locks')) ? fs.readdirSync(path.join(home, 'locks')) : []).filter((n) => n.endsWith('.lock'));

beforeAll(async () => {
  const home = seededHome('killed');
  const run = wpmAsync(['build', '--no-link', '--json', HELLO], { home });
  // Killed once a step runs: it then holds the step's build lock.
  while (!run.child.killed) {
    if (locks(home).some((n) => n.endsWith('.build.lock'))) run.child.kill('SIGKILL');
    else await new Promise((r) => setTimeout(r, 20));
  }
  await run.done;
  left = new Map(locks(home).map((n) => [n, fs.readFileSync(path.join(home, 'locks', n))]));
  expect([...left.keys()].some((n) => n.endsWith('.build.lock'))).toBe(true);
}, 120_000);

describe('locks of a killed process', () => {
  it('are removed by wpm store gc, which names them', () => {
    const home = homeWithStaleLocks();
    const r = wpm(['store', 'gc', '--json'], { home });
    expect(r.status, r.stderr).toBe(0);
    const kinds = (JSON.parse(r.stdout) as { garbage: { kind: string; host: string }[] }).garbage.filter((g) => g.kind === 'stale-lock');
    expect(kinds.map((g) => path.basename(g.host)).sort()).toEqual([...left.keys()].sort());
    expect(locks(home)).toEqual([]);
  });

  it('are removed by wpm store verify --repair', () => {
    const home = homeWithStaleLocks();
    const r = wpm(['store', 'verify', '--repair'], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(locks(home)).toEqual([]);
  });

  it('are removed by the next build, which resumes', () => {
    const home = homeWithStaleLocks();
    const r = wpm(['build', '--no-link', HELLO], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(locks(home)).toEqual([]);
  });

  it('are not confused with the locks of a live process', () => {
    const home = tempDir('live-locks');
    fs.mkdirSync(path.join(home, 'locks'), { recursive: true });
    const mine = path.join(home, 'locks', `${'0'.repeat(32)}.lock`);
    fs.writeFileSync(mine, String(process.pid));
    const r = wpm(['store', 'gc'], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(mine)).toBe(true);
  });
});
