// Nix itself (Debian's nix-bin, run daemonless against /wpm/store) reads wpm's caches: it parses
// wpm's narinfos, verifies wpm's signatures with --sigs-needed, decompresses and hash-checks the
// NARs. And the other way: a cache Nix writes (`nix copy`) is one wpm substitutes from.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHash, parseHash } from '../../store/index.js';
import { tempDir, wpmOk, wpmP } from '../helpers/cli.js';
import { NIX_ENV } from '../store/nix-oracle.js';
import { events, makeTinyProject, pathInfo, serve, type Served, type TinyProject } from './helpers.js';

const run = promisify(execFile);
const NIX = ['--extra-experimental-features', 'nix-command'];

async function nix(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('nix', [...NIX, ...args], { env: NIX_ENV });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const homeA = tempDir('nix-a');
const keys = tempDir('nix-keys');
const dirCache = tempDir('nix-dircache');
let project: TinyProject;
let pubA: string;
let pubC: string;
let served: Served;

beforeAll(async () => {
  project = await makeTinyProject();
  const ok = (args: string[]) => wpmOk(args, { home: homeA });
  await ok(['build', '--no-link', '-A', 'top', project.file]);
  pubA = await ok(['key', 'generate', 'nix-test-a-1', '--dir', keys]);
  pubC = await ok(['key', 'generate', 'nix-test-c-1', '--dir', keys]);
  await ok(['store', 'sign', '-r', '--key', path.join(keys, 'nix-test-a-1.sec'), project.top]);
  await ok(['store', 'sign', '-r', '--key', path.join(keys, 'nix-test-c-1.sec'), project.top]);
  await ok(['copy', '--to', `file://${dirCache}`, '--compression', 'xz', project.top]);
  served = await serve(homeA);
});

afterAll(async () => served?.stop());

describe('Nix reads wpm caches', () => {
  it.each([['a directory (file://, xz)', () => `file://${dirCache}`], ['wpm serve (http://)', () => served.url]])(
    'nix path-info --store on %s shows wpm’s hashes, references and signatures',
    async (_what, url) => {
      const r = await nix(['path-info', '--store', url(), '--json', '-r', project.top]);
      expect(r.code, r.stderr).toBe(0);
      const infos = JSON.parse(r.stdout) as Array<{ path: string; narHash: string; narSize: number; references: string[]; signatures: string[] }>;
      expect(infos.map((i) => i.path).sort()).toEqual([project.tiny, project.top].sort());
      const top = infos.find((i) => i.path === project.top)!;
      const ours = pathInfo(homeA, project.top)!;
      expect(formatHash(parseHash(top.narHash), 'nix32')).toBe(ours.narHash);
      expect(top.narSize).toBe(ours.narSize);
      expect(top.references).toEqual([project.tiny]);
      expect(top.signatures.sort()).toEqual([...ours.signatures].sort());
    },
  );

  it.each([['file://', () => `file://${dirCache}`], ['http://', () => served.url]])(
    'nix store verify --sigs-needed 2 accepts the %s cache with both keys and refuses it with one',
    async (_what, url) => {
      const both = await nix(['store', 'verify', '--store', url(), '-r', '--sigs-needed', '2', '--trusted-public-keys', `${pubA} ${pubC}`, project.top]);
      expect(both.code, both.stderr).toBe(0);
      const one = await nix(['store', 'verify', '--store', url(), '-r', '--sigs-needed', '2', '--trusted-public-keys', pubA, project.top]);
      expect(one.code).not.toBe(0);
      expect(one.stderr).toContain(`path '${project.top}' is untrusted`);
    },
  );

  it('nix store verify checks the contents too: a tampered NAR is refused', async () => {
    const copy = tempDir('nix-tampered');
    fs.cpSync(dirCache, copy, { recursive: true });
    const ni = fs.readFileSync(path.join(copy, `${path.basename(project.top).slice(0, 32)}.narinfo`), 'utf8');
    const narFile = path.join(copy, /^URL: (.*)$/m.exec(ni)![1]!);
    // Swap in the other path's NAR under this name: valid xz, wrong bytes.
    const otherNi = fs.readFileSync(path.join(copy, `${path.basename(project.tiny).slice(0, 32)}.narinfo`), 'utf8');
    fs.copyFileSync(path.join(copy, /^URL: (.*)$/m.exec(otherNi)![1]!), narFile);
    const r = await nix(['store', 'verify', '--store', `file://${copy}`, '--sigs-needed', '2', '--trusted-public-keys', `${pubA} ${pubC}`, project.top]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/hash mismatch|was modified/);
  });
});

describe('wpm reads a cache Nix wrote', () => {
  it('Nix re-writes wpm’s narinfo identically but for the file it compressed itself, and wpm substitutes from it', async () => {
    const nixCache = tempDir('nix-written');
    const r = await nix(['copy', '--from', `file://${dirCache}`, '--to', `file://${nixCache}`, project.top]);
    expect(r.code, r.stderr).toBe(0);
    const strip = (t: string) => t.replace(/^(URL|FileHash|FileSize): .*\n/gm, '');
    for (const p of [project.tiny, project.top]) {
      const name = `${path.basename(p).slice(0, 32)}.narinfo`;
      const signs = (t: string) => strip(t).split('\n').filter((l) => l.startsWith('Sig: ')).sort();
      const theirs = fs.readFileSync(path.join(nixCache, name), 'utf8');
      const ours = fs.readFileSync(path.join(dirCache, name), 'utf8');
      expect(strip(theirs).split('\n').filter((l) => !l.startsWith('Sig: '))).toEqual(strip(ours).split('\n').filter((l) => !l.startsWith('Sig: ')));
      expect(signs(theirs)).toEqual(signs(ours));
    }
    const homeB = tempDir('nix-b');
    const b = await wpmP(['build', '--no-link', '--json', '-A', 'top', project.file, '--substituters', `file://${nixCache}`, '--trusted-public-keys', `${pubA},${pubC}`, '--required-signatures', '2'], { home: homeB });
    expect(b.status, b.stderr).toBe(0);
    const ev = events(b.stderr);
    expect(ev.filter((e) => e.type === 'start')).toEqual([]);
    expect(ev.filter((e) => e.type === 'substituted').map((e) => e.path)).toEqual([project.tiny, project.top]);
  });
});
