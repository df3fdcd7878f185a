// A package's output must hold its programs and library alone: no reference to another store
// path (a source tree named by __FILE__ or an assert message, an object named in an archive),
// and no store path written anywhere in its files.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { readTree, wpm } from '../helpers/cli.js';

export interface PathInfo {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
}

export function pathInfo(home: string, paths: string[]): PathInfo[] {
  const r = wpm(['store', 'path-info', '--json', ...paths], { home });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as PathInfo[];
}

/** Asserts that `out` refers to nothing (not even itself) and mentions no store path. */
export function expectClosureAlone(home: string, out: string): void {
  const [info] = pathInfo(home, [out]);
  expect({ path: out, references: info!.references }).toEqual({ path: out, references: [] });
  for (const [file, bytes] of readTree(path.join(home, 'store', path.basename(out)))) {
    const at = bytes.indexOf('/wpm/store/');
    expect({ file, mentions: at < 0 ? null : bytes.subarray(at, at + 60).toString('latin1') }).toEqual({ file, mentions: null });
  }
}

/** The files a package output holds, sorted, for assertions on its shape. */
export function filesOf(home: string, out: string): string[] {
  return [...readTree(path.join(home, 'store', path.basename(out))).keys()].sort();
}

export const exists = (p: string) => fs.existsSync(p);
