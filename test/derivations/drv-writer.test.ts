// A large evaluation writes its .drv files from a worker thread while it goes on. They must all be
// there, intact, with nothing left behind; a write that fails must fail the command by name.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFiles, tempDir, wpm } from '../helpers/cli.js';
import { checkClean } from '../store/store-procs.js';

/** Enough derivations for the writer to start its worker (it waits for 512). */
const N = 1500;

function packageSet(): string {
  const dir = tempDir('drv-writer');
  const lines = ["local wpm = import 'wpm.libsonnet';", "local tool = wpm.writeText('tool.wasm', 'x');", '{'];
  for (let i = 0; i < N; i++) lines.push(`  p${i}: wpm.derivation({ name: 'p${i}', builder: tool, args: ['t', '${i}'] }),`);
  lines.push('}');
  const file = path.join(dir, 'set.jsonnet');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('writing the .drv files of a large evaluation', () => {
  it('stores every one intact and leaves no temporary roots or files behind', () => {
    const file = packageSet();
    const home = tempDir('home');
    const r = wpm(['eval', '--json', file], { home });
    expect(r.stderr).toBe('');
    const value = JSON.parse(r.stdout) as Record<string, { drvPath: string }>;
    const stored = new Set(fs.readdirSync(path.join(home, 'store')).filter((f) => f.endsWith('.drv')));
    expect(stored.size).toBe(N);
    for (const v of Object.values(value)) expect(stored.has(path.basename(v.drvPath))).toBe(true);
    // Every text object hashes to what its info says, and nothing temporary is left.
    checkClean(home, N + 1);
  });

  it('fails the evaluation, naming the .drv it could not write, and caches nothing', () => {
    const file = packageSet();
    const home = tempDir('home');
    const planned = JSON.parse(wpm(['eval', '--json', '--read-only', file], { home }).stdout) as Record<string, { drvPath: string }>;
    // The last package is written by the worker; a directory in its place makes the write fail.
    const blocked = planned[`p${N - 1}`]!.drvPath;
    fs.mkdirSync(path.join(home, 'store', path.basename(blocked), 'in-the-way'), { recursive: true });

    const r = wpm(['eval', '--json', file], { home });
    expect(r.status).toBe(4);
    expect(r.stderr).toContain(`cannot write ${blocked}`);
    expect(r.stdout).toBe('');
    expect(cacheFiles(home)).toEqual([]);
  });
});
