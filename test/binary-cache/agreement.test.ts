// Trust by agreement: A and C build the same path independently and sign it with their own keys.
// B requires two signatures from distinct trusted keys: a cache with only A's signature is
// refused; once C has uploaded its signature for the same bytes to A's cache, B accepts. Then
// `wpm challenge` reports agreement, and disagreement when a cache says otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, wpmP } from '../helpers/cli.js';
import { events, makeTinyProject, pathInfo, serve, type Served, type TinyProject } from './helpers.js';

const keys = tempDir('agree-keys');
const homeA = tempDir('agree-a');
const homeC = tempDir('agree-c');
const TOKEN = 'let-me-in';
let project: TinyProject;
let pubA: string;
let pubC: string;
let served: Served;

async function ok(args: string[], home: string) {
  const r = await wpmP(args, { home });
  expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

beforeAll(async () => {
  project = await makeTinyProject();
  pubA = (await ok(['key', 'generate', 'builder-a-1', '--dir', keys], homeA)).stdout.trim();
  pubC = (await ok(['key', 'generate', 'builder-c-1', '--dir', keys], homeC)).stdout.trim();
  for (const [home, key] of [[homeA, 'builder-a-1'], [homeC, 'builder-c-1']] as const) {
    await ok(['build', '--no-link', '-A', 'top', project.file], home);
    await ok(['store', 'sign', '-r', '--key', path.join(keys, `${key}.sec`), project.top], home);
  }
  served = await serve(homeA, ['--allow-upload', TOKEN]);
});

afterAll(async () => served?.stop());

const buildB = async (home: string) => {
  const r = await wpmP(['build', '--no-link', '--json', '-A', 'top', project.file, '--substituters', served.url, '--trusted-public-keys', `${pubA} ${pubC}`, '--required-signatures', '2'], { home });
  return { ...r, ev: events(r.stderr) };
};

describe('k-of-n signatures', () => {
  it('refuses a path only A signed when 2 signatures are required', async () => {
    const home = tempDir('agree-b1');
    const b = await buildB(home);
    expect(b.status, b.stderr).toBe(0);
    const warn = b.ev.filter((e) => e.type === 'substitute-warning').map((e) => e.message).join('\n');
    expect(warn).toMatch(/signed by 1 trusted key \('builder-a-1'\); 2 distinct trusted keys must sign it/);
    expect(b.ev.filter((e) => e.type === 'start')).toHaveLength(2);
    expect(pathInfo(home, project.top)!.signatures).toEqual([]);
  });

  it('refuses an upload without the token', async () => {
    const r = await wpmP(['copy', '--to', served.url, project.top], { home: homeC });
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/refused the upload \(HTTP 401\)/);
  });

  it('accepts once C uploaded its signature for the same bytes', async () => {
    const up = await wpmP(['copy', '--to', served.url, '--token', TOKEN, project.top], { home: homeC });
    expect(up.status, up.stderr).toBe(0);
    expect(pathInfo(homeA, project.top)!.signatures.map((s) => s.split(':')[0]).sort()).toEqual(['builder-a-1', 'builder-c-1']);
    const home = tempDir('agree-b2');
    const b = await buildB(home);
    expect(b.status, b.stderr).toBe(0);
    expect(b.ev.filter((e) => e.type === 'start')).toEqual([]);
    const got = b.ev.find((e) => e.type === 'substituted' && e.path === project.top)!;
    expect((got.signers as string[]).sort()).toEqual(['builder-a-1', 'builder-c-1']);
  });
});

describe('priority', () => {
  it('tries caches in nix-cache-info Priority order, not the order given', async () => {
    const [first, preferred] = [tempDir('prio-50'), tempDir('prio-10')];
    for (const [dir, prio] of [[first, 50], [preferred, 10]] as const) {
      await ok(['copy', '--to', `file://${dir}`, project.top], homeA);
      fs.writeFileSync(path.join(dir, 'nix-cache-info'), `StoreDir: /wpm/store\nWantMassQuery: 1\nPriority: ${prio}\n`);
    }
    const r = await wpmP(['build', '--no-link', '--json', '-A', 'top', project.file, '--substituters', `file://${first} file://${preferred}`, '--trusted-public-keys', pubA], { home: tempDir('prio-b') });
    expect(r.status, r.stderr).toBe(0);
    const from = events(r.stderr).filter((e) => e.type === 'substituted').map((e) => e.cache);
    expect(from).toEqual([`file://${preferred}`, `file://${preferred}`]);
  });
});

describe('uploads', () => {
  it('installs a closure uploaded to wpm serve, references first, checked like a download', async () => {
    const homeD = tempDir('agree-d');
    const s = await serve(homeD, ['--allow-upload', TOKEN]);
    try {
      const up = await wpmP(['copy', '--to', s.url, '--token', TOKEN, '--compression', 'gzip', project.top], { home: homeC });
      expect(up.status, up.stderr).toBe(0);
      expect(up.stderr).toMatch(/2 copied, 0 already in/);
      expect(pathInfo(homeD, project.top)!.references).toContain(project.tiny);
      expect(pathInfo(homeD, project.top)!.narHash).toBe(pathInfo(homeC, project.top)!.narHash);
      const again = await wpmP(['copy', '--to', s.url, '--token', TOKEN, project.top], { home: homeC });
      expect(again.stderr).toMatch(/0 copied, 2 already in/);
      // A narinfo over 1 MiB is refused before it is parsed.
      const big = await fetch(`${s.url}/${'0'.repeat(32)}.narinfo`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: 'x'.repeat((1 << 20) + 1),
      });
      expect(big.status).toBe(413);
      expect(await big.text()).toBe('narinfo too large\n');
    } finally {
      await s.stop();
    }
  });
});

describe('wpm challenge', () => {
  it('reports agreement between the local store and caches', async () => {
    const r = await wpmP(['challenge', project.top, '--caches', served.url], { home: homeC });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${project.top}: agree (2 of 2 have it)`);
  });

  it('reports disagreement, with each source’s hash, and exits 1', async () => {
    const dir = tempDir('liar-cache');
    await ok(['copy', '--to', `file://${dir}`, project.top], homeC);
    // A cache that claims other bytes for the same path.
    const ni = path.join(dir, `${path.basename(project.top).slice(0, 32)}.narinfo`);
    const fake = 'sha256:' + '0'.repeat(52);
    fs.writeFileSync(ni, fs.readFileSync(ni, 'utf8').replace(/^NarHash: .*$/m, `NarHash: ${fake}`));
    const r = await wpmP(['challenge', '--json', project.top, '--caches', `${served.url},file://${dir}`], { home: homeC });
    expect(r.status).toBe(1);
    const verdict = JSON.parse(r.stdout.trim()) as { verdict: string; answers: Array<{ source: string; narHash?: string }> };
    expect(verdict.verdict).toBe('disagree');
    expect(verdict.answers.find((a) => a.source === `file://${dir}`)!.narHash).toBe(fake);
  });
});

describe('wpm challenge with fewer than two sources', () => {
  it('says unknown and exits 4 when only the local store has the path, or a cache is down', async () => {
    const empty = tempDir('empty-cache');
    fs.writeFileSync(path.join(empty, 'nix-cache-info'), 'StoreDir: /wpm/store\n');
    const r = await wpmP(['challenge', project.top, '--caches', `file://${empty}`], { home: homeC });
    expect(r.status).toBe(4);
    expect(r.stdout).toContain(`${project.top}: unknown (only one source has it: nothing to compare)`);
    expect(r.stderr).toContain('1 path could not be compared: fewer than two sources had it');
    const down = await wpmP(['challenge', project.top, '--caches', 'http://127.0.0.1:9'], { home: homeC });
    expect(down.status).toBe(4);
    expect(down.stdout).toContain('unknown');
    expect(down.stdout).not.toContain('agree');
  });
});
