// The web app in Debian's Chromium and Firefox ESR: a page served by `wpm serve --ui` substitutes
// a real closure (packages/hello, built by the CLI, and a two-path project whose top refers to
// its other path; then the clang toolchain) from a second `wpm serve` on another origin into an
// empty OPFS store, and every path and NAR hash equals the CLI's `wpm store path-info`. A forged signature and a
// corrupted NAR are refused with the CLI's error codes and leave nothing valid; the store
// survives a reload.
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir, wpmOk } from '../helpers/cli.js';
import { BROWSERS, launchBrowser, type OpenBrowser } from '../helpers/browser.js';
import { startLoopback, type Loopback } from '../helpers/loopback.js';
import { seededHome } from '../helpers/seed.js';
import { makeTinyProject, serve, type Served } from '../binary-cache/helpers.js';

const HELLO = path.join(REPO, 'packages/hello/default.jsonnet');
const home = seededHome('web-cache');
let pub: string;
let roots: string[];
let expected: Row[];
/** clang.wasm's path (a 100 MB NAR) and the wasm32-wasip1 sysroot, as the seeded home holds them. */
let toolchain: string[];
let toolchainExpected: Row[];
let ui: Served;
let cache: Served;
let gzipped: Served;
let forged: Loopback;
let corrupt: Loopback;

/** A cache in front of `cache` that changes what it answers (another origin, CORS passed on). */
function tampering(change: (url: string, body: Buffer) => Buffer): Promise<Loopback> {
  return startLoopback((req, res) => {
    void (async () => {
      const r = await fetch(cache.url + req.url, { method: req.method });
      const body = change(req.url ?? '', Buffer.from(await r.arrayBuffer()));
      const headers = Object.fromEntries([...r.headers].filter(([k]) => !['content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)));
      res.writeHead(r.status, { ...headers, 'content-length': body.length });
      res.end(body);
    })().catch(() => res.destroy());
  });
}

beforeAll(async () => {
  const hello = await wpmOk(['build', '--no-link', HELLO], { home });
  const tiny = await makeTinyProject();
  const top = await wpmOk(['build', '--no-link', '-A', 'top', tiny.file], { home });
  roots = [hello, top];
  const seedPaths = JSON.parse(await wpmOk(['eval', '--json', '-A', 'paths', path.join(REPO, 'test/fixtures/seed.jsonnet')], { home })) as string[];
  toolchain = seedPaths.slice(0, 2).map((p) => p.split('/').slice(0, 4).join('/'));
  const keys = tempDir('web-keys');
  pub = await wpmOk(['key', 'generate', 'wpm-web-test-1', '--dir', keys], { home });
  await wpmOk(['store', 'sign', '--closure', '--key', path.join(keys, 'wpm-web-test-1.sec'), ...roots, ...toolchain], { home });
  const pathInfo = async (paths: string[]) =>
    (JSON.parse(await wpmOk(['store', 'path-info', '--closure', '--json', ...paths], { home })) as Row[])
      .map(({ path: p, narHash, narSize, references }) => ({ path: p, narHash, narSize, references: [...references].sort() }))
      .sort((a, b) => a.path.localeCompare(b.path));
  expected = await pathInfo(roots);
  toolchainExpected = await pathInfo(toolchain);
  ui = await serve(home, ['--ui']);
  cache = await serve(home);
  gzipped = await serve(home, ['--compression', 'gzip']);
  // The first character of each signature's base64 changed: the name is trusted, the bytes are not.
  forged = await tampering((url, body) =>
    url.endsWith('.narinfo') ? Buffer.from(body.toString('utf8').replace(/^Sig: ([^:]+):(.)/gm, (_, n: string, c: string) => `Sig: ${n}:${c === 'A' ? 'B' : 'A'}`)) : body,
  );
  // One byte of every NAR flipped, past its header: the size is right, the hash is not.
  corrupt = await tampering((url, body) => {
    if (url.startsWith('/nar/') && body.length > 100) body[body.length - 20] ^= 0xff;
    return body;
  });
}, 900_000);

afterAll(async () => {
  await Promise.all([ui?.stop(), cache?.stop(), gzipped?.stop(), forged?.close(), corrupt?.close()]);
});

interface Row {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
}

async function openApp(b: OpenBrowser, q: Record<string, string | string[]>): Promise<Page> {
  // Without the service worker (build-in-tab.test.ts has it): these cases are the substitution's,
  // and pages here abort downloads (a refused NAR stops the others; a closed page stops its own),
  // which Firefox logs, through a service worker, as the worker's error.
  const params = new URLSearchParams({ sw: '0' });
  for (const [k, v] of Object.entries(q)) for (const x of [v].flat()) params.append(k, x);
  const page = await b.open(`${ui.url}/ui/?${params}`);
  await page.waitForSelector('#status[data-ready="true"], #status[data-state="error"]');
  return page;
}

async function rows(page: Page): Promise<Row[]> {
  return page.$$eval('#store-paths tr', (trs) =>
    trs.map((tr) => {
      const [p, h, s] = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '');
      const refs = (tr as HTMLElement).dataset.references ?? '';
      return { path: p!, narHash: h!, narSize: Number(s), references: refs === '' ? [] : refs.split(' ') };
    }),
  );
}

/**
 * Presses the page's Substitute button and waits for its outcome. The button is clicked through
 * the DOM and the status polled from here, because a tab in the background (two at once) gets no
 * animation frames in headless Chromium, which puppeteer's mouse clicks and waits rely on.
 */
async function substitute(page: Page): Promise<{ state: string; text: string }> {
  await page.$eval('#go', (go) => (go as HTMLButtonElement).click());
  for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const status = await page.$eval('#status', (s) => ({ state: (s as HTMLElement).dataset.state ?? '', text: s.textContent ?? '' }));
    if (status.state === 'done' || status.state === 'error') return status;
  }
  throw new Error('the page did not finish substituting within 60 s');
}

describe.each(BROWSERS)('the web app in %s', (name) => {
  let b: OpenBrowser;
  beforeAll(async () => {
    b = await launchBrowser(name);
  }, 120_000);
  afterAll(async () => b?.close());

  it('substitutes a closure from a cache on another origin into an empty store, with the CLI’s paths and NAR hashes', async () => {
    const page = await openApp(b, { cache: cache.url, key: pub, path: roots, store: 'closure' });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(await rows(page)).toEqual([]);
    // hello and the two-path project: at least one path with a reference, so order matters.
    expect(expected.some((e) => e.references.some((r) => r !== e.path))).toBe(true);
    const status = await substitute(page);
    expect(status, status.text).toMatchObject({ state: 'done' });
    expect(status.text).toBe(`${expected.length} paths valid, ${expected.length} substituted`);
    expect(await rows(page)).toEqual(expected);
    await page.close();
  });

  it('still has the store after a reload, and substitutes nothing again', async () => {
    const page = await openApp(b, { cache: cache.url, key: pub, path: roots, store: 'closure' });
    await page.reload();
    await page.waitForSelector('#status[data-ready="true"]');
    expect(await rows(page)).toEqual(expected);
    const status = await substitute(page);
    expect(status.text).toBe(`${expected.length} paths valid, 0 substituted`);
    await page.close();
  });

  it('substitutes gzip-compressed NARs (DecompressionStream) with the same hashes', async () => {
    const narinfo = await (await fetch(`${gzipped.url}/${path.basename(roots[0]!).slice(0, 32)}.narinfo`)).text();
    expect(narinfo).toMatch(/^Compression: gzip$/m);
    const page = await openApp(b, { cache: gzipped.url, key: pub, path: roots, store: 'gzip' });
    const status = await substitute(page);
    expect(status, status.text).toMatchObject({ state: 'done' });
    expect(await rows(page)).toEqual(expected);
    await page.close();
  });

  it('substitutes the clang toolchain (a 100 MB NAR and the sysroot) with the CLI’s NAR hashes', async () => {
    const page = await openApp(b, { cache: cache.url, key: pub, path: toolchain, store: 'toolchain' });
    const status = await substitute(page);
    expect(status, status.text).toMatchObject({ state: 'done' });
    expect(toolchainExpected.some((r) => r.narSize > 50_000_000)).toBe(true);
    expect(await rows(page)).toEqual(toolchainExpected);
    await page.close();
  });

  it('lets two tabs substitute the same closure into one store at once', async () => {
    const q = { cache: cache.url, key: pub, path: roots, store: 'two-tabs' };
    const [one, two] = await Promise.all([openApp(b, q), openApp(b, q)]);
    const [s1, s2] = await Promise.all([substitute(one), substitute(two)]);
    expect([s1.state, s2.state], `${s1.text} / ${s2.text}`).toEqual(['done', 'done']);
    // Each path written once: what one tab wrote, the other found valid under the path's lock.
    const written = [s1, s2].map((s) => Number(/, (\d+) substituted$/.exec(s.text)![1]));
    expect(written[0]! + written[1]!).toBe(expected.length);
    await one.reload();
    await one.waitForSelector('#status[data-ready="true"]');
    expect(await rows(one)).toEqual(expected);
    await Promise.all([one.close(), two.close()]);
  });

  it('does not take a NAR without its info (a tab closed mid-write) as valid, and substitutes over it', async () => {
    const hashPart = path.basename(roots[0]!).slice(0, 32);
    const page = await openApp(b, { cache: cache.url, key: pub, path: roots[0]!, store: 'partial' });
    await page.evaluate(async (name: string) => {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('partial', { create: true });
      const nars = await root.getDirectoryHandle('nar', { create: true });
      const w = await (await nars.getFileHandle(name, { create: true })).createWritable();
      await w.write('nix-archive-1 and then nothing');
      await w.close();
    }, `${hashPart}.nar`);
    await page.reload();
    await page.waitForSelector('#status[data-ready="true"]');
    expect(await rows(page)).toEqual([]);
    const status = await substitute(page);
    expect(status, status.text).toMatchObject({ state: 'done' });
    expect((await rows(page)).map((r) => r.path)).toContain(roots[0]);
    await page.close();
  });

  it('refuses a forged signature under a trusted key’s name, and nothing becomes valid', async () => {
    const page = await openApp(b, { cache: forged.url, key: pub, path: roots, store: 'forged' });
    const status = await substitute(page);
    expect(status.state).toBe('error');
    expect(status.text).toMatch(/^ERR_SUBSTITUTE_UNTRUSTED: refusing \/wpm\/store\/\S+ from http:\/\/127\.0\.0\.1:\d+: invalid signature by 'wpm-web-test-1'/);
    expect(await rows(page)).toEqual([]);
    await page.close();
  });

  it('refuses an untrusted key, naming who signed', async () => {
    const other = 'someone-else-1:' + Buffer.alloc(32, 7).toString('base64');
    const page = await openApp(b, { cache: cache.url, key: other, path: roots, store: 'untrusted' });
    const status = await substitute(page);
    expect(status.text).toMatch(/ERR_SUBSTITUTE_UNTRUSTED: .*no signature by a trusted key \(signed by 'wpm-web-test-1'\)/);
    expect(await rows(page)).toEqual([]);
    await page.close();
  });

  it('refuses a corrupted NAR by its hash, and nothing becomes valid', async () => {
    const page = await openApp(b, { cache: corrupt.url, key: pub, path: roots, store: 'corrupt' });
    const status = await substitute(page);
    expect(status.state).toBe('error');
    expect(status.text).toMatch(/^ERR_SUBSTITUTE_NAR_HASH: the NAR of \/wpm\/store\/\S+ from http:\/\/127\.0\.0\.1:\d+\/nar\/\S+ has hash sha256:\w{52}, its signed narinfo says sha256:\w{52}/);
    expect(await rows(page)).toEqual([]);
    await page.close();
  });

  it('logged no console error and no uncaught page error along the way', () => {
    expect(b.errors).toEqual([]);
  });
});
