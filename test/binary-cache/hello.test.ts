// Two homes stand for two machines. A builds packages/hello, signs what it built and serves its
// store; B builds the same file with A as a substituter and builds nothing: every output comes
// from A, byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, readTree, tempDir, wpmP } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';
import { events, pathInfo, serve, tmpLeftovers, type Served } from './helpers.js';

const HELLO = path.join(REPO, 'packages/hello/default.jsonnet');
// A starts from the seeded toolchain downloads (as every package test does), not from the registry.
const homeA = seededHome('hello-a');
const keys = tempDir('hello-keys');
let pub: string;
let out: string;
let served: Served;

beforeAll(async () => {
  const built = await wpmP(['build', '--no-link', HELLO], { home: homeA });
  expect(built.status, built.stderr).toBe(0);
  out = built.stdout.trim();
  pub = (await wpmP(['key', 'generate', 'machine-a-1', '--dir', keys], { home: homeA })).stdout.trim();
  const signed = await wpmP(['store', 'sign', '--closure', '--key', path.join(keys, 'machine-a-1.sec'), out], { home: homeA });
  expect(signed.status, signed.stderr).toBe(0);
  served = await serve(homeA);
});

afterAll(async () => served?.stop());

describe('B substitutes packages/hello from A', () => {
  it('runs no builder and gets byte-identical outputs (--json)', async () => {
    const homeB = tempDir('hello-b');
    const b = await wpmP(['build', '--no-link', '--json', HELLO, '--substituters', served.url, '--trusted-public-keys', pub], { home: homeB });
    expect(b.status, b.stderr).toBe(0);
    const ev = events(b.stderr);
    expect(ev.filter((e) => e.type === 'start')).toEqual([]);
    expect(ev.find((e) => e.type === 'plan')).toMatchObject({ toBuild: 0 });
    expect(ev.filter((e) => e.type === 'substituted').map((e) => e.path)).toContain(out);
    expect(ev.filter((e) => e.type === 'substitute-warning')).toEqual([]);
    const result = JSON.parse(b.stdout) as Array<{ outputs: Record<string, string> }>;
    expect(result[0]!.outputs.out).toBe(out);
    const a = readTree(path.join(homeA, 'store', path.basename(out)));
    const bt = readTree(path.join(homeB, 'store', path.basename(out)));
    expect([...bt.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(bt.get(k)!.equals(v)).toBe(true);
    expect(pathInfo(homeB, out)!.narHash).toBe(pathInfo(homeA, out)!.narHash);
    expect(pathInfo(homeB, out)!.signatures).toEqual(pathInfo(homeA, out)!.signatures);
    expect(tmpLeftovers(homeB)).toEqual([]);
  });

  it('prints no "building" line in plain progress, and the program runs', async () => {
    const homeB = tempDir('hello-b2');
    const cwd = tempDir('hello-cwd');
    const b = await wpmP(['build', HELLO, '--substituters', served.url, '--trusted-public-keys', pub], { home: homeB, cwd });
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).not.toMatch(/^building /m);
    expect(b.stderr).toContain(`copied ${out} from ${served.url}`);
    const run = await wpmP(['run', './result', '--', 'cache'], { home: homeB, cwd });
    expect(run.stdout).toContain('Hello, cache!');
    expect(fs.existsSync(path.join(cwd, 'result'))).toBe(true);
  });
});
