// Cache URLs and what wpm says about caches: a file:// URL with a host part is a usage error
// naming the rule in every command that takes one, file://localhost/ is the local machine, a
// misconfigured cache in the settings never fails a build, refusals of unsigned paths are one
// line with their count and the fix, and wpm copy --from says what it does.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm } from '../helpers/cli.js';
import { cloneHome, seededHome } from '../helpers/seed.js';

const HELLO = path.join(REPO, 'packages/hello/default.jsonnet');
let built: string;
let cache: string;

beforeAll(() => {
  built = seededHome('urls-built');
  expect(wpm(['build', '--no-link', HELLO], { home: built }).status).toBe(0);
  cache = tempDir('urls-cache');
  const out = wpm(['eval', '--json', HELLO], { home: built });
  const hello = JSON.parse(out.stdout).out as string;
  const copied = wpm(['copy', '--to', `file://${cache}`, hello], { home: built });
  expect(copied.status, copied.stderr).toBe(0);
}, 300_000);

describe('binary cache URLs', () => {
  const RULE = "binary cache URL 'file://tmp/cache' names the host 'tmp': a file:// cache is a directory of this machine, file:///DIR or file://localhost/DIR";

  it('refuses file://HOST/… as a usage error naming the rule, in build, copy and challenge', () => {
    const home = tempDir('urls');
    for (const args of [
      ['build', '--no-link', HELLO, '--substituters', 'file://tmp/cache'],
      ['copy', '--from', 'file://tmp/cache', '/wpm/store/00000000000000000000000000000000-x'],
      ['copy', '--to', 'file://tmp/cache', '/wpm/store/00000000000000000000000000000000-x'],
      ['challenge', '/wpm/store/00000000000000000000000000000000-x', '--caches', 'file://tmp/cache'],
    ]) {
      const r = wpm(args, { home });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`error: ${RULE}`);
      expect(r.stderr).toContain('hint: did you mean file:///tmp/cache?');
      expect(r.stderr).not.toContain('internal error');
    }
  });

  it('takes file://localhost/DIR as the directory DIR', () => {
    const home = seededHome('urls-localhost');
    const r = wpm(['build', '--no-link', '--json', HELLO, '--substituters', `file://localhost${cache}`, '--required-signatures', '0'], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('"type":"substituted"');
  });

  it('builds without a cache the settings misname, with one warning', () => {
    const home = cloneHome(built);
    const r = wpm(['build', '--no-link', HELLO], { home, env: { WPM_SUBSTITUTERS: 'file://tmp/cache' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: ${RULE} (from the substituters setting); not using it`);
  });
});

describe('refusals and what copy does', () => {
  it('tells of paths no trusted key signed in one line, with their count and the fix', () => {
    const home = seededHome('urls-untrusted');
    const r = wpm(['build', '--no-link', HELLO, '--substituters', `file://${cache}`], { home });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.includes('refused') || l.includes('not signed'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^warning: \\d+ paths? from file://${cache} refused \\(it is not signed; 1 distinct trusted key must sign it but only 0 are trusted\\), built locally where needed; to trust its builder, pass --trusted-public-keys 'NAME:KEY' \\(or set trusted-public-keys in wpm.conf\\)$`));
    expect(r.stderr).not.toContain('building it locally');
  });

  it('wpm copy --from says what it does, and never that it builds', () => {
    const home = tempDir('urls-copy');
    const hello = JSON.parse(wpm(['eval', '--json', HELLO], { home: built }).stdout).out as string;
    const r = wpm(['copy', '--from', `file://${cache}`, hello], { home });
    expect(r.status).toBe(4);
    expect(r.stderr).toContain(`copying 1 path and its references from file://${cache} into the store at ${home}`);
    expect(r.stderr).toMatch(/warning: \d+ paths? from .* refused .*, not copied; to trust its builder, pass --trusted-public-keys/);
    expect(r.stderr).not.toContain('building');
    const ok = wpm(['copy', '--from', `file://${cache}`, hello, '--required-signatures', '0'], { home });
    expect(ok.status, ok.stderr).toBe(0);
    expect(fs.existsSync(path.join(home, 'store', path.basename(hello)))).toBe(true);
  });
});
