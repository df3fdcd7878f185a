// The compiled-code cache through the real CLI, with clang.wasm: entries made by real warm-ups
// from what real builds compiled, then builds from them compared byte for byte with builds
// without any cache; damaged, foreign and refused entries; no addon; concurrent processes; the
// size bound. Each home is fresh, so every build below really runs its steps.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../../runtime/wasi/code-cache/addon.js';
import { writeEntry } from '../../runtime/wasi/code-cache/entry.js';
import { REPO, readTree, tempDir, wpm, wpmP, type CliResult } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';

const ON = { WPM_WASM_CODE_CACHE: '1', WPM_DEBUG: '1' };
const OFF = { WPM_WASM_CODE_CACHE: '0' };
const HELLO = path.join(REPO, 'packages/hello/default.jsonnet');
const LONG = 600_000;

const cacheDir = (home: string) => path.join(home, 'cache', 'wasm-code');

function ok(r: CliResult, what: string): CliResult {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stderr}`);
  return r;
}

function buildHello(home: string, env: NodeJS.ProcessEnv, root = REPO): { path: string; tree: Map<string, Buffer>; stderr: string } {
  const r = ok(root === REPO ? wpm(['build', '--no-link', HELLO], { home, env }) : runFrom(root, ['build', '--no-link', HELLO], home, env), 'wpm build');
  const out = r.stdout.trim();
  return { path: out, tree: readTree(path.join(home, 'store', path.basename(out))), stderr: r.stderr };
}

/** Until no warm-up holds a lock in the directory (they are detached from the build that started them). */
async function warmUpsDone(dir: string): Promise<void> {
  const until = Date.now() + LONG;
  let quiet = 0;
  while (quiet < 2) {
    if (Date.now() > until) throw new Error(`warm-ups in ${dir} still running`);
    await new Promise((r) => setTimeout(r, 1000));
    const busy = fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.lock'));
    quiet = busy ? 0 : quiet + 1;
  }
}

/** A fresh seeded home whose cache directory is a copy of `from`. */
function homeWithCache(from: string, prefix: string): string {
  const home = seededHome(prefix);
  fs.mkdirSync(cacheDir(home), { recursive: true });
  for (const f of fs.readdirSync(from)) {
    if (f.endsWith('.code') || f.endsWith('.wasm')) fs.copyFileSync(path.join(from, f), path.join(cacheDir(home), f));
  }
  return home;
}

/** The largest entry: clang's (llvm.core.wasm, 75 MB, against a few kB for the install tool). */
function clangEntry(dir: string): string {
  const entries = fs.readdirSync(dir).filter((f) => f.endsWith('.code'));
  return path.join(dir, entries.sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0]!);
}

function runFrom(root: string, args: string[], home: string, env: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'wpm.js'), ...args], {
    cwd: REPO,
    env: { ...process.env, WPM_HOME: home, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let reference: { path: string; tree: Map<string, Buffer> };
let warm: string;

beforeAll(async () => {
  reference = buildHello(seededHome('cc-off'), OFF);
  // The first build has nothing to load; its warm-ups make entries of what it compiled. A second
  // build, from those entries, may compile functions the first did not reach (and grow them).
  let cache = '';
  for (let round = 0; round < 3; round++) {
    const home = round === 0 ? seededHome('cc-warm') : homeWithCache(cache, 'cc-warm');
    const built = buildHello(home, ON);
    expect(built.tree).toEqual(reference.tree);
    await warmUpsDone(cacheDir(home));
    cache = cacheDir(home);
    if (round > 0 && !/starts once this process ends/.test(built.stderr)) break;
  }
  warm = cache;
}, 3 * LONG);

describe('builds from cached code', () => {
  it('are byte for byte the builds without the cache, under the same store paths', () => {
    const home = homeWithCache(warm, 'cc-hit');
    const built = buildHello(home, ON);
    expect(built.stderr).toMatch(/MiB of code loaded/);
    expect(built.stderr).not.toMatch(/no entry|not a valid entry|refused/);
    expect(built.path).toBe(reference.path);
    expect(built.tree).toEqual(reference.tree);
  }, LONG);

  it.each([
    ['a flipped byte in the code', (f: string) => { const b = fs.readFileSync(f); b[b.length >> 1]! ^= 0x40; fs.writeFileSync(f, b); }, 'checksum mismatch'],
    ['a truncated entry', (f: string) => fs.truncateSync(f, fs.statSync(f).size - 4096), 'bytes of code where the header says'],
    ["another module's entry", (f: string) => {
      const dir = path.dirname(f);
      const other = fs.readdirSync(dir).find((n) => n.endsWith('.code') && path.join(dir, n) !== f)!;
      fs.copyFileSync(path.join(dir, other), f);
    }, 'written for another key'],
  ])('treat %s as a miss, build the same bytes and remove it', (_what, damage, why) => {
    const home = homeWithCache(warm, 'cc-damaged');
    const entry = clangEntry(cacheDir(home));
    damage(entry);
    const built = buildHello(home, ON);
    expect(built.stderr).toContain(why);
    expect(built.tree).toEqual(reference.tree);
    expect(fs.existsSync(entry)).toBe(false);
  }, LONG);

  it('treat code V8 refuses (a whole entry with the right key, for other V8 flags) as a miss, and stop warming that key for a day', () => {
    const home = homeWithCache(warm, 'cc-refused');
    const entry = clangEntry(cacheDir(home));
    const data = fs.readFileSync(entry);
    const headerLength = data.readUInt32LE(8);
    const header = JSON.parse(data.subarray(12, 12 + headerLength).toString('utf8'));
    const code = Buffer.from(data.subarray(12 + headerLength));
    code.writeUInt32LE((code.readUInt32LE(12) ^ 0xffff) >>> 0, 12); // V8's flag hash, the fourth word of its header
    const { addon } = loadAddon();
    writeEntry(entry, { key: header.key, description: header.description }, code, addon!.checksum);
    const built = buildHello(home, ON);
    expect(built.stderr).toContain('V8 refused');
    expect(built.tree).toEqual(reference.tree);
    expect(fs.existsSync(entry)).toBe(false);
    expect(fs.existsSync(entry.replace(/\.code$/, '.failed'))).toBe(true);
  }, LONG);
});

describe('run as a command', () => {
  it("keys entries by the #! line's --single-threaded-gc, which its warm-ups inherit: the next build loads their code and builds the same bytes", async () => {
    // Executed, not given to node: the kernel reads the #! line, as for npm's link and launchers.
    const build = (home: string) =>
      ok(spawnSync(path.join(REPO, 'bin', 'wpm.js'), ['build', '--no-link', HELLO], { cwd: REPO, env: { ...process.env, WPM_HOME: home, ...ON }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }), 'bin/wpm.js build');
    let home = seededHome('cc-command');
    let last = build(home);
    for (let round = 1; round < 3 && !/MiB of code loaded/.test(last.stderr); round++) {
      await warmUpsDone(cacheDir(home));
      home = homeWithCache(cacheDir(home), 'cc-command');
      last = build(home);
    }
    expect(last.stderr).toMatch(/MiB of code loaded/);
    expect(last.stderr).not.toMatch(/refused/);
    expect(readTree(path.join(home, 'store', path.basename(last.stdout.trim())))).toEqual(reference.tree);
    await warmUpsDone(cacheDir(home));
    const data = fs.readFileSync(clangEntry(cacheDir(home)));
    const header = JSON.parse(data.subarray(12, 12 + data.readUInt32LE(8)).toString('utf8')) as { description: string };
    expect((JSON.parse(header.description) as { execArgv: string[] }).execArgv).toContain('--single-threaded-gc');
  }, 3 * LONG);
});

describe('without the addon', () => {
  it('wpm builds the same bytes, and says once (under WPM_DEBUG) that the cache is off', () => {
    // A copy of wpm without native/: as a checkout whose addon did not build.
    const root = tempDir('cc-noaddon');
    for (const d of ['bin', 'dist', 'packages']) fs.cpSync(path.join(REPO, d), path.join(root, d), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
    fs.symlinkSync(fs.realpathSync(path.join(REPO, 'node_modules')), path.join(root, 'node_modules'));
    const built = buildHello(seededHome('cc-noaddon'), ON, root);
    expect(built.stderr.match(/wasm code cache off: the addon is not built/g)).toHaveLength(1);
    expect(built.tree).toEqual(reference.tree);
  }, LONG);
});

describe('wpm run and launchers', () => {
  it('starts a program from cached code once a run has warmed it, with the same output', async () => {
    const home = homeWithCache(warm, 'cc-run');
    const built = buildHello(home, ON);
    const program = built.path;
    const first = ok(wpm(['run', program, '--', 'cache'], { home, env: ON }), 'wpm run');
    await warmUpsDone(cacheDir(home));
    const second = ok(wpm(['run', program, '--', 'cache'], { home, env: ON }), 'wpm run');
    expect(second.stdout).toBe(first.stdout);
    expect(second.stdout).toContain('Hello, cache!');
    expect(second.stderr).toMatch(/MiB of code loaded/);
  }, LONG);

  it("starts an installed program through its launcher from cached code too", async () => {
    const home = homeWithCache(warm, 'cc-launcher');
    ok(wpm(['install', path.dirname(HELLO)], { home, env: ON }), 'wpm install');
    // As a user's shell after `eval "$(wpm env)"`: the launcher finds its home through its own path.
    const exported = /^export PATH=(.*)$/m.exec(ok(wpm(['env'], { home }), 'wpm env').stdout)![1]!;
    const bins = [...exported.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
    const launch = (): CliResult => {
      const env = { ...process.env, ...ON, PATH: [...bins, process.env.PATH].join(':') };
      delete env.WPM_HOME;
      const r = spawnSync('sh', ['-c', 'hello cache'], { env, encoding: 'utf8' });
      return ok({ status: r.status, stdout: r.stdout, stderr: r.stderr }, 'the hello launcher');
    };
    const first = launch();
    await warmUpsDone(cacheDir(home));
    const second = launch();
    expect(second.stdout).toBe(first.stdout);
    expect(second.stdout).toContain('Hello, cache!');
    expect(second.stderr).toMatch(/MiB of code loaded/);
  }, LONG);
});

describe('concurrent processes', () => {
  it('warm one key once; every process gets its output and the entry is whole', async () => {
    const home = homeWithCache(warm, 'cc-concurrent');
    const program = buildHello(home, ON).path;
    const runs = await Promise.all([1, 2, 3].map((i) => wpmP(['run', program, '--', `p${i}`], { home, env: ON })));
    runs.forEach((r, i) => expect(r.stdout).toContain(`Hello, p${i + 1}!`));
    const requested = runs.filter((r) => /starts once this process ends/.test(r.stderr)).length;
    expect(requested).toBeGreaterThanOrEqual(1);
    await warmUpsDone(cacheDir(home));
    const log = fs.readFileSync(path.join(cacheDir(home), 'warm.log'), 'utf8').trim().split('\n');
    const keys = log.filter((l) => / wrote /.test(l)).map((l) => l.split(' ')[2]);
    expect(new Set(keys).size).toBe(keys.length); // no key written twice
    const again = ok(wpm(['run', program, '--', 'p4'], { home, env: ON }), 'wpm run');
    expect(again.stdout).toContain('Hello, p4!');
    expect(again.stderr).toMatch(/MiB of code loaded/);
    expect(again.stderr).not.toMatch(/not a valid entry|refused/);
  }, LONG);
});

describe('the size bound', () => {
  it('keeps the directory within it, code that alone exceeds it not written, and the build unchanged', async () => {
    const home = seededHome('cc-small');
    const built = buildHello(home, { ...ON, WPM_WASM_CODE_CACHE_SIZE: '1' });
    expect(built.tree).toEqual(reference.tree);
    await warmUpsDone(cacheDir(home));
    const dir = cacheDir(home);
    const counted = fs.readdirSync(dir).filter((f) => f.endsWith('.code') || f.endsWith('.wasm'));
    const total = counted.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
    expect(counted.some((f) => fs.statSync(path.join(dir, f)).size > 50 * 1024 * 1024)).toBe(false); // clang's module went
  }, LONG);
});
