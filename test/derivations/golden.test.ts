// Golden derivations: .drv paths, output paths and .drv bytes are fixed facts. They must not
// depend on WPM_HOME, the working directory or the time, and the content-addressed ones must
// agree with Nix itself.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm } from '../helpers/cli.js';
import { nixFixedPath, nixHashPath } from '../store/nix-oracle.js';

const DIR = path.join(REPO, 'test/fixtures/golden');
const FILE = path.join(DIR, 'default.jsonnet');
const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8'));

function evalIn(home: string, cwd: string, env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const r = wpm(['eval', '--json', FILE], { home, cwd, env });
  expect(r.stderr).toBe('');
  const value = JSON.parse(r.stdout) as Record<string, string | { drvPath: string; outputs: Record<string, string> }>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? v : { drvPath: v.drvPath, outputs: v.outputs };
  return out;
}

describe('golden derivations', () => {
  it('evaluate to the recorded paths in any home and working directory', () => {
    expect(evalIn(tempDir('home'), tempDir('cwd'))).toEqual(expected);
    expect(evalIn(tempDir('home'), '/', { WPM_EVAL_CACHE: '0', TZ: 'Pacific/Kiritimati' })).toEqual(expected);
  });

  it('write the recorded .drv bytes', () => {
    const home = tempDir('home');
    evalIn(home, REPO);
    const drvPath = expected.first.drvPath as string;
    const written = fs.readFileSync(path.join(home, 'store', path.basename(drvPath)), 'utf8');
    expect(written).toBe(fs.readFileSync(path.join(DIR, 'first.drv'), 'utf8'));
    // Canonical: sorted keys, no whitespace, and the output placeholder kept.
    expect(written).not.toMatch(/\s"|":\s/);
    expect(written).toContain('/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9');
  });

  it('agree with Nix for the content-addressed paths', () => {
    const hash = nixHashPath(path.join(DIR, 'input.txt'));
    expect(nixFixedPath(true, 'sha256', hash, 'input.txt')).toBe(expected.src);
    expect(nixFixedPath(false, 'sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'data.bin')).toBe(
      expected.fetched.outputs.out,
    );
  });
});
