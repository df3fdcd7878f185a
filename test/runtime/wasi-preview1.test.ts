// wasi_snapshot_preview1 to the letter: the p1_*.c programs (test/fixtures/wasi, compiled with
// clang.wasm like every fixture) print one line per call, "label: RESULT", with " (want X)"
// where RESULT is not what preview1 requires. Under wpm's host no line may want anything. The
// same programs then run under node:wasi, and the lines where the two hosts differ must be
// exactly those listed in docs/wasi-conformance.md, which says why for each.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasiPool } from '../../runtime/wasi/index.js';
import { buildFixture, loadModule, ROOT, runCaptured, sandbox, type Sandbox } from './wasi-env.js';

const PROGRAMS = ['p1_rights_open', 'p1_rights_calls', 'p1_slashes', 'p1_kinds', 'p1_symlink_targets', 'p1_stdin_socket'];
const DOC = path.join(ROOT, 'docs/wasi-conformance.md');
const pool = new WasiPool({ size: 2 });
const files = new Map<string, string>();

beforeAll(async () => {
  for (const p of PROGRAMS) files.set(p, await buildFixture(pool, p));
});
afterAll(() => pool.close());

interface Answer {
  result: string;
  want: string | null;
}

/**
 * "label: RESULT (want X)" lines, keyed by label; an indented label is a follow-up of the line
 * above it and is keyed "above › label", so every key is unique within a program.
 */
function answers(stdout: string): Map<string, Answer> {
  const out = new Map<string, Answer>();
  let top = '';
  for (const line of stdout.split('\n')) {
    const m = /^( *)(.*?): (\S+)(?: \(want (.*)\))?$/.exec(line);
    if (m === null) continue;
    const key = m[1].length > 0 ? `${top} › ${m[2]}` : (top = m[2]);
    if (out.has(key)) throw new Error(`two lines labelled '${key}'`);
    out.set(key, { result: m[3], want: m[4] ?? null });
  }
  return out;
}

async function underWpm(name: string, sb: Sandbox) {
  return runCaptured(pool, loadModule(files.get(name)!), { args: [name, '/tmp'], env: {}, mounts: sb.mounts });
}

/**
 * node:wasi in a child process (test/runtime/node-wasi-run.mjs), stdout into a regular file: a
 * pipe would be a socket, which node:wasi lets the guest read from (and block on). A node:wasi
 * that dies part way gives the lines it printed; the calls after are answered "(died)".
 */
function underNode(name: string, sb: Sandbox): string {
  const out = path.join(sb.root, 'node.out');
  const fd = fs.openSync(out, 'w');
  const preopens = { '.': sb.build, '/build': sb.build, '/tmp': sb.tmp };
  const r = spawnSync(process.execPath, [path.join(ROOT, 'test/runtime/node-wasi-run.mjs'), files.get(name)!, JSON.stringify({ args: [name, '/tmp'], env: {}, preopens })], {
    stdio: ['ignore', fd, 'ignore'], timeout: 60_000,
  });
  fs.closeSync(fd);
  if (r.error !== undefined) throw r.error;
  const stdout = fs.readFileSync(out, 'utf8');
  return r.status === 0 ? stdout : `${stdout}\n(node:wasi died: ${r.signal ?? `exit ${r.status}`})`;
}

/** The documented differences: rows "| program | check | wpm | node:wasi | why |" between the markers. */
function documented(program: string): string[] {
  const text = fs.readFileSync(DOC, 'utf8');
  const table = text.slice(text.indexOf('<!-- differences:start -->'), text.indexOf('<!-- differences:end -->'));
  const rows: string[] = [];
  for (const line of table.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim().replaceAll('`', ''));
    if (cells.length === 5 && cells[0] === program) rows.push(`${cells[1]}: wpm ${cells[2]}, node:wasi ${cells[3]}`);
  }
  return rows;
}

/** Every symlink under `dir` (not following any), as "relative path -> target". */
function symlinksIn(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
    const r = rel === '' ? name : `${rel}/${name}`;
    const st = fs.lstatSync(path.join(dir, r));
    if (st.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(path.join(dir, r))}`);
    else if (st.isDirectory()) out.push(...symlinksIn(dir, r));
  }
  return out;
}

describe("wpm's host", () => {
  it.each(PROGRAMS)('answers every call in %s as preview1 requires', async (name) => {
    const sb = sandbox(name);
    try {
      const r = await underWpm(name, sb);
      expect(r.exitCode, r.stderr).toBe(0);
      const got = answers(r.stdout);
      expect(got.size).toBeGreaterThan(0);
      expect([...got].filter(([, a]) => a.want !== null).map(([k, a]) => `${k}: ${a.result}, want ${a.want}`)).toEqual([]);
      expect(r.stdout).not.toMatch(/^setup:/m);
    } finally {
      fs.rmSync(sb.root, { recursive: true, force: true });
    }
  });

  it('leaves on the host only the symlinks whose targets stay in the guest namespace', async () => {
    const sb = sandbox('p1-links');
    try {
      expect((await underWpm('p1_symlink_targets', sb)).exitCode).toBe(0);
      expect(symlinksIn(sb.build)).toEqual(['d/back -> ../../build/f', 'dangling -> nowhere', 'rel -> f', 'totmp -> ../tmp', 'up1 -> ..', 'zag -> d/../f']);
      expect(symlinksIn(sb.tmp)).toEqual([]);
    } finally {
      fs.rmSync(sb.root, { recursive: true, force: true });
    }
  });
});

describe('node:wasi side by side', () => {
  it.each(PROGRAMS)('differs from wpm in %s only where docs/wasi-conformance.md says', async (name) => {
    const a = sandbox(name);
    const b = sandbox(name);
    try {
      const ours = answers((await underWpm(name, a)).stdout);
      const theirs = answers(underNode(name, b));
      const theirResult = (k: string): string => theirs.get(k)?.result ?? '(died)';
      const differences = [...ours].filter(([k, o]) => theirResult(k) !== o.result).map(([k, o]) => `${k}: wpm ${o.result}, node:wasi ${theirResult(k)}`);
      expect(differences).toEqual(documented(name));
    } finally {
      fs.rmSync(a.root, { recursive: true, force: true });
      fs.rmSync(b.root, { recursive: true, force: true });
    }
  });
});
