// A cache that is down, slow or wrong is a miss: the build warns, names the path and the cache,
// builds locally, and the store holds nothing that came from the bad cache. The cache here is a
// small server in the test process that serves A's real paths and can misbehave in every way;
// B is a real `wpm build` process (spawned asynchronously so this process can keep serving).
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStore, dumpPath, formatNarInfo, formatPublicKey, generateKeyPair, type PathInfo } from '../../store/index.js';
import { narInfoFor } from '../../store/binary-cache/index.js';
import { readTree, tempDir, wpmAsync, wpmP } from '../helpers/cli.js';
import { refusedUrl, startLoopback, type Loopback } from '../helpers/loopback.js';
import { events, makeTinyProject, pathInfo, tmpLeftovers, type TinyProject } from './helpers.js';

type Mode = 'good' | '500' | 'slow' | 'bad-hash' | 'truncated' | 'bad-sig' | 'unsigned' | 'untrusted' | 'lying-size' | 'drip-narinfo' | 'drip-nar';

const key = generateKeyPair('cache-a-1');
const other = generateKeyPair('someone-else-1');
const TRUSTED = formatPublicKey(key.public);
let project: TinyProject;
let homeA: string;
let storeA: LocalStore;
let server: Loopback;
let url: string;
let mode: Mode = 'good';
/** Requests for NARs so far (a test waits for the download to start). */
let narRequests = 0;

/** Send `bytes` one at a time, `everyMs` apart, as a cache that never stalls but never finishes. */
function drip(res: http.ServerResponse, bytes: Buffer, everyMs: number): void {
  res.writeHead(200, { 'content-length': bytes.length });
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed || i >= bytes.length) return clearInterval(timer);
    res.write(bytes.subarray(i, ++i));
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

async function nar(info: PathInfo): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await dumpPath(storeA.toHost(info.path), (c) => void chunks.push(Buffer.from(c)));
  return Buffer.concat(chunks);
}

function narinfoFor(info: PathInfo): string {
  const file = { url: `nar/${info.path.slice(11, 43)}.nar`, compression: 'none' };
  const ni = narInfoFor({ ...info, signatures: [] }, file, mode === 'unsigned' ? [] : mode === 'untrusted' ? [other.secret] : [key.secret]);
  if (mode === 'bad-sig') ni.sigs = [`cache-a-1:${Buffer.alloc(64, 1).toString('base64')}`];
  return formatNarInfo(ni);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (mode === 'slow') return; // never answers
  if (mode === '500') {
    res.writeHead(500).end('internal error');
    return;
  }
  const u = req.url ?? '';
  if (u === '/nix-cache-info') return void res.end('StoreDir: /wpm/store\nWantMassQuery: 1\nPriority: 30\n');
  const m = /^\/(nar\/)?([0-9a-z]{32})\.nar(info)?$/.exec(u);
  const info = m && storeA.db.getByHashPart(m[2]);
  if (!m || !info) return void res.writeHead(404).end();
  if (m[3] && mode === 'drip-narinfo') return drip(res, Buffer.from(narinfoFor(info)), 300);
  if (m[3]) return void res.end(narinfoFor(info));
  narRequests++;
  const bytes = await nar(info);
  if (mode === 'drip-nar') return drip(res, bytes, 300);
  if (mode === 'bad-hash') {
    // Same size, one byte of file content changed: only the hash can tell.
    const at = bytes.lastIndexOf(Buffer.from('tiny payload'));
    if (at >= 0) bytes[at] ^= 0x20;
    else bytes[bytes.length - 20] ^= 0x20;
  }
  if (mode === 'truncated') {
    res.writeHead(200, { 'content-length': bytes.length });
    res.write(bytes.subarray(0, bytes.length >> 1));
    setTimeout(() => res.destroy(), 20);
    return;
  }
  if (mode === 'lying-size') return void res.end(Buffer.concat([bytes, Buffer.alloc(8)]));
  res.end(bytes);
}

beforeAll(async () => {
  project = await makeTinyProject();
  homeA = tempDir('cache-a');
  const built = await wpmP(['build', '--no-link', '-A', 'top', project.file], { home: homeA });
  expect(built.status, built.stderr).toBe(0);
  storeA = LocalStore.open(homeA);
  server = await startLoopback((req, res) => void handle(req, res).catch(() => res.destroy()));
  url = server.url;
});

afterAll(() => server.close());

async function buildB(opts: { substituters?: string; required?: number } = {}) {
  const home = tempDir('home-b');
  const r = await wpmP(
    ['build', '--no-link', '--json', '-A', 'top', project.file, '--substituters', opts.substituters ?? url, '--trusted-public-keys', TRUSTED, ...(opts.required !== undefined ? ['--required-signatures', String(opts.required)] : [])],
    { home, env: { WPM_SUBSTITUTE_TIMEOUT: '1' } },
  );
  return { ...r, home, ev: events(r.stderr) };
}

/** B built everything itself and kept nothing of the cache's. */
function expectBuiltLocallyWithNothingFromCache(b: Awaited<ReturnType<typeof buildB>>): void {
  expect(b.status, b.stderr).toBe(0);
  expect(b.stdout).toContain(project.top);
  expect(b.ev.filter((e) => e.type === 'start').length).toBe(2);
  expect(b.ev.filter((e) => e.type === 'substituted')).toEqual([]);
  for (const p of [project.tiny, project.top]) {
    const info = pathInfo(b.home, p)!;
    expect(info.signatures).toEqual([]);
    expect(info.narHash).toBe(storeA.requirePathInfo(p).narHash);
  }
  expect(readTree(path.join(b.home, 'store', path.basename(project.tiny))).get('src/sub/hello.txt')!.toString()).toBe('tiny payload\n');
  expect(tmpLeftovers(b.home)).toEqual([]);
}

function warnings(b: Awaited<ReturnType<typeof buildB>>): string {
  return b.ev.filter((e) => e.type === 'substitute-warning').map((e) => String(e.message)).join('\n');
}

describe('substituting from a cache that misbehaves', () => {
  it('substitutes from a good cache, references first, and builds nothing', async () => {
    mode = 'good';
    const b = await buildB();
    expect(b.status, b.stderr).toBe(0);
    expect(b.ev.filter((e) => e.type === 'start')).toEqual([]);
    expect(b.ev.filter((e) => e.type === 'substituted').map((e) => e.path)).toEqual([project.tiny, project.top]);
    expect(pathInfo(b.home, project.top)!.references).toContain(project.tiny);
    expect(pathInfo(b.home, project.top)!.signatures).toHaveLength(1);
  });

  it('takes substituters, keys and required signatures from the settings when no flag is given', async () => {
    mode = 'good';
    const home = tempDir('home-env');
    const env = { WPM_SUBSTITUTERS: url, WPM_TRUSTED_PUBLIC_KEYS: TRUSTED, WPM_REQUIRED_SIGNATURES: '1' };
    const r = await wpmP(['build', '--no-link', '--json', '-A', 'top', project.file], { home, env });
    expect(r.status, r.stderr).toBe(0);
    expect(events(r.stderr).filter((e) => e.type === 'start')).toEqual([]);
    // A flag overrides the setting: 2 required now, with one signature, so it builds.
    const home2 = tempDir('home-env2');
    const r2 = await wpmP(['build', '--no-link', '--json', '-A', 'top', project.file, '--required-signatures', '2'], { home: home2, env });
    expect(events(r2.stderr).filter((e) => e.type === 'start')).toHaveLength(2);
  });

  it('builds locally when the cache is down, and says so', async () => {
    const down = await refusedUrl();
    const b = await buildB({ substituters: down });
    expect(warnings(b)).toMatch(new RegExp(`cannot reach ${down.replaceAll('.', '\\.')}/nix-cache-info: ECONNREFUSED`));
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('gives up on a cache that does not answer within the timeout, once', async () => {
    mode = 'slow';
    const started = Date.now();
    const b = await buildB();
    expect(warnings(b)).toMatch(/nix-cache-info: no answer within 1 s/);
    expect(b.ev.filter((e) => e.type === 'substitute-warning')).toHaveLength(1);
    expectBuiltLocallyWithNothingFromCache(b);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('gives up on a narinfo that trickles in a byte at a time, at the deadline, once', async () => {
    mode = 'drip-narinfo';
    const started = Date.now();
    const b = await buildB();
    expect(warnings(b)).toMatch(/\.narinfo: not done within 1 s \(a cache this slow is not used\)/);
    expect(b.ev.filter((e) => e.type === 'substitute-warning')).toHaveLength(1);
    expectBuiltLocallyWithNothingFromCache(b);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('gives up on a NAR slower than its deadline (the timeout and a second per MB)', async () => {
    mode = 'drip-nar';
    const b = await buildB();
    expect(warnings(b)).toMatch(/nar\/[0-9a-z]{32}\.nar: not done within 1\.\d+ s/);
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('stops a download at the first SIGTERM, registering nothing', async () => {
    mode = 'drip-nar';
    const home = tempDir('home-term');
    const before = narRequests;
    const run = wpmAsync(['build', '--no-link', '-A', 'top', project.file, '--substituters', url, '--trusted-public-keys', TRUSTED], {
      home,
      env: { WPM_SUBSTITUTE_TIMEOUT: '120' },
    });
    while (narRequests === before) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(r.status).toBe(143);
    expect(r.stderr).toContain('wpm: SIGTERM, stopping builds');
    expect(r.stderr).not.toContain('warning:');
    expect(pathInfo(home, project.tiny)).toBeUndefined();
    expect(pathInfo(home, project.top)).toBeUndefined();
    expect(tmpLeftovers(home)).toEqual([]);
  });

  it('builds locally when the cache answers 500', async () => {
    mode = '500';
    const b = await buildB();
    expect(warnings(b)).toMatch(/nix-cache-info answered HTTP 500/);
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('rejects a NAR whose hash does not match the signed NarHash', async () => {
    mode = 'bad-hash';
    const b = await buildB();
    expect(warnings(b)).toMatch(new RegExp(`NAR hash mismatch for ${project.tiny.replace(/\./g, '\\.')}`));
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('rejects a truncated download', async () => {
    mode = 'truncated';
    const b = await buildB();
    expect(warnings(b)).toMatch(/nar\/[0-9a-z]{32}\.nar: the connection ended after \d+ bytes/);
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('rejects a NAR longer than its NarSize', async () => {
    mode = 'lying-size';
    const b = await buildB();
    expect(warnings(b)).toMatch(/is longer than its NarSize|NarSize says/);
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('rejects a bad signature under a trusted key name', async () => {
    mode = 'bad-sig';
    const b = await buildB();
    expect(warnings(b)).toMatch(new RegExp(`refusing ${project.tiny.replace(/\./g, '\\.')} from ${url}: invalid signature by 'cache-a-1'`));
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('rejects an unsigned narinfo', async () => {
    mode = 'unsigned';
    const b = await buildB();
    expect(warnings(b)).toMatch(/: it is not signed; 1 distinct trusted key must sign it/);
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('rejects a narinfo signed only by an untrusted key', async () => {
    mode = 'untrusted';
    const b = await buildB();
    expect(warnings(b)).toMatch(/no signature by a trusted key \(signed by 'someone-else-1'\)/);
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('rejects too few signatures for required-signatures', async () => {
    mode = 'good';
    const b = await buildB({ required: 2 });
    expect(warnings(b)).toMatch(/signed by 1 trusted key \('cache-a-1'\); 2 distinct trusted keys must sign it but only 1 is trusted/);
    expectBuiltLocallyWithNothingFromCache(b);
  });

  it('wpm copy --from fails on a bad cache and registers nothing', async () => {
    mode = 'bad-hash';
    const home = tempDir('home-c');
    const r = await wpmP(['copy', '--from', url, '--trusted-public-keys', TRUSTED, project.top], { home });
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/NAR hash mismatch/);
    expect(r.stderr).toContain(`could not copy ${project.top} from ${url}`);
    expect(fs.readdirSync(path.join(home, 'store'))).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'db'))).toEqual([]);
    expect(tmpLeftovers(home)).toEqual([]);
  });
});
