// wpm in a browser tab, end to end, in Debian's Chromium and Firefox ESR: a `wpm serve --ui` home
// holding only the clang toolchain and the `.drv` closures of packages/hello and packages/b64
// (sources included, no package output) serves the page, which builds each package from an empty
// browser store on step workers; every path the tab then holds must equal the CLI's record of it
// (path, NAR hash, size, references, and the deriver of each built output) in a home where the
// CLI built the same packages. Then src/options.c of b64 is edited in the page and rebuilt: one
// compile, the link and the install step run, and the new output equals what the CLI builds for
// the edited copy; an edit that does not compile fails that step, shows clang's error in its log
// and runs nothing after it. Then the server is stopped: the page reloads from its service
// worker, a second edit is rebuilt from the tab's store alone, and hello is built into a new, empty
// store from what the service worker kept (the toolchain's NARs and the .drv closure).
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir, wpmOk } from '../helpers/cli.js';
import { BROWSERS, launchBrowser, type OpenBrowser } from '../helpers/browser.js';
import { seededHome } from '../helpers/seed.js';
import { serve, type Served } from '../binary-cache/helpers.js';

interface Info {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
  deriver?: string;
}

interface Target {
  drvPath: string;
  out: string;
  /** The steps the CLI runs from a home holding only the toolchain, by name. */
  steps: string[];
}

const EDITS = [
  (t: string) => t.replace('usage: b64 ', 'usage (edited in a tab): b64 '),
  (t: string) => t.replace('usage: b64 ', 'usage (edited offline): b64 '),
];
const OPTIONS_C = path.join(REPO, 'packages/b64/src/options.c');
/** A step that never ends (test/fixtures/tools/step.c), and the step tool it runs. */
const RUNAWAY = path.join(REPO, 'test/fixtures/runaway/default.jsonnet');
let forever: { drvPath: string; tool: string };

const cliHome = seededHome('web-build-cli');
const served = tempDir('web-build-served');
let pub: string;
const targets: Record<string, Target> = {};
/** What the CLI builds for each edit of src/options.c (a copy of b64 and base64, edited). */
let edited: Promise<Info[]>;

async function dryRun(dir: string, home: string): Promise<Target> {
  const dry = JSON.parse(await wpmOk(['build', '--dry-run', '--json', dir], { home })) as { toBuild: string[]; targets: { drvPath: string; outputs: Record<string, string> }[] };
  return { drvPath: dry.targets[0]!.drvPath, out: dry.targets[0]!.outputs.out!, steps: dry.toBuild.map((p) => p.slice(44, -4)).sort() };
}

async function pathInfos(home: string, paths: string[]): Promise<Info[]> {
  const all = JSON.parse(await wpmOk(['store', 'path-info', '--json', ...paths], { home })) as Info[];
  return all
    .map(({ path: p, narHash, narSize, references, deriver }) => ({ path: p, narHash, narSize, references: [...references].sort(), ...(deriver ? { deriver } : {}) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

beforeAll(async () => {
  for (const pkg of ['hello', 'b64']) targets[pkg] = await dryRun(path.join(REPO, 'packages', pkg), cliHome);
  const shows = await Promise.all(['hello', 'b64'].map(async (pkg) => JSON.parse(await wpmOk(['show-derivation', '-r', path.join(REPO, 'packages', pkg)], { home: cliHome })) as Record<string, { builder: string; outputs: Record<string, { path: string }> }>));
  const toolchain = [...new Set(shows.flatMap((s) => Object.values(s).filter((d) => d.builder.startsWith('builtin:')).flatMap((d) => Object.values(d.outputs).map((o) => o.path))))]
    .filter((p) => fs.existsSync(path.join(cliHome, 'db', `${p.slice(11, 43)}.json`)));
  // The served home: the toolchain and the .drv closures only, signed, moved over a file:// cache.
  const keys = tempDir('web-build-keys');
  pub = (await wpmOk(['key', 'generate', 'wpm-tab-test-1', '--dir', keys], { home: cliHome })).trim();
  const sec = path.join(keys, 'wpm-tab-test-1.sec');
  const runaway = JSON.parse(await wpmOk(['build', '--dry-run', '--json', RUNAWAY, '-A', 'forever'], { home: cliHome })) as { targets: { drvPath: string }[] };
  const foreverDrv = runaway.targets[0]!.drvPath;
  const shown = JSON.parse(await wpmOk(['show-derivation', foreverDrv], { home: cliHome })) as Record<string, { inputDrvs: Record<string, string[]> }>;
  forever = { drvPath: foreverDrv, tool: Object.keys(shown[foreverDrv]!.inputDrvs)[0]! };
  const roots = [...toolchain, targets.hello!.drvPath, targets.b64!.drvPath, foreverDrv];
  const file = `file://${tempDir('web-build-cache')}`;
  await wpmOk(['copy', '--to', file, '--sign-key', sec, ...roots], { home: cliHome });
  await wpmOk(['copy', '--from', file, '--trusted-public-keys', pub, ...roots], { home: served });
  await wpmOk(['store', 'sign', '--closure', '--key', sec, ...roots], { home: served });
  // From that home, the CLI would run every WASI step of both packages.
  for (const pkg of ['hello', 'b64']) expect((await dryRun(path.join(REPO, 'packages', pkg), served)).steps).toEqual(targets[pkg]!.steps);
  expect(fs.existsSync(path.join(served, 'db', `${targets.hello!.out.slice(11, 43)}.json`))).toBe(false);
  // The oracle: the CLI builds both packages, and each edited copy of b64, in its own home.
  for (const pkg of ['hello', 'b64']) await wpmOk(['build', '--no-link', path.join(REPO, 'packages', pkg)], { home: cliHome });
  edited = (async () => {
    const out: Info[] = [];
    for (const [i, edit] of EDITS.entries()) {
      const root = tempDir(`web-build-edit-${i}`);
      for (const p of ['b64', 'base64']) fs.cpSync(path.join(REPO, 'packages', p), path.join(root, p), { recursive: true });
      fs.writeFileSync(path.join(root, 'b64/src/options.c'), edit(fs.readFileSync(OPTIONS_C, 'utf8')));
      const built = await wpmOk(['build', '--no-link', path.join(root, 'b64')], { home: cliHome });
      out.push((await pathInfos(cliHome, [built.trim()]))[0]!);
    }
    return out;
  })();
  edited.catch(() => undefined); // awaited by the edit cases
}, 900_000);

/** Presses a button through the DOM and polls the build's status (a background tab gets no animation frames). */
async function press(page: Page, button: string, minutes = 8): Promise<{ state: string; text: string }> {
  await page.$eval(button, (b) => (b as HTMLButtonElement).click());
  for (const until = Date.now() + minutes * 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
    const s = await page.$eval('#build-status', (e) => ({ state: (e as HTMLElement).dataset.state ?? '', text: e.textContent ?? '' }));
    if (s.state === 'done' || s.state === 'error') return s;
  }
  throw new Error(`the page did not finish ${button} within ${minutes} minutes`);
}

/** The steps the page ran (its build graph): name → state. */
async function stepsRun(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries(await page.$$eval('#steps tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.name!, (tr as HTMLElement).dataset.state ?? ''])));
}

async function storeRows(page: Page, store = 'tab'): Promise<Info[]> {
  return page.evaluate(async (name: string) => {
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle(name)).getDirectoryHandle('info');
    const out: Info[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) {
      const { path: p, narHash, narSize, references, deriver } = JSON.parse(await (await (await dir.getFileHandle(name)).getFile()).text()) as Info;
      out.push({ path: p, narHash, narSize, references: [...references].sort(), ...(deriver ? { deriver } : {}) });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : 1));
  }, store);
}

/** Replaces the editor's text by an edit of options.c; `shown` is the edit the editor must show first (none: the file as it is). */
async function editOptions(page: Page, edit: (t: string) => string, shown?: (t: string) => string): Promise<void> {
  const original = fs.readFileSync(OPTIONS_C, 'utf8');
  const current = await page.$eval('#editor', (t) => (t as HTMLTextAreaElement).value);
  await page.$eval('#editor', (t, v) => ((t as HTMLTextAreaElement).value = v), edit(original));
  expect(current).toBe(shown ? shown(original) : original);
}

describe.each(BROWSERS)('building in a %s tab', (name) => {
  let b: OpenBrowser;
  let ui: Served;
  let page: Page;
  /** Console errors with the URL they are about, and whether the server was down by then. */
  const consoleErrors: { text: string; url: string; offline: boolean }[] = [];
  let offline = false;
  beforeAll(async () => {
    ui = await serve(served, ['--ui']);
    b = await launchBrowser(name);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await ui?.stop();
  });

  const open = async (target: string) => {
    page = await b.open(`${ui.url}/ui/?${new URLSearchParams({ key: pub, store: 'tab', target, edit: 'options.c' })}`);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push({ text: m.text(), url: m.location()?.url ?? '', offline });
    });
    await page.waitForSelector('#status[data-ready="true"]');
    await page.waitForSelector('#status[data-offline]');
  };

  it.each(['hello', 'b64'])('builds packages/%s from an empty store, every path equal to the CLI’s', async (pkg) => {
    const t = targets[pkg]!;
    if (pkg === 'hello') {
      await open(t.drvPath);
      expect(await page.$eval('#status', (s) => (s as HTMLElement).dataset.offline)).toBe('true');
      expect(await storeRows(page)).toEqual([]);
    } else {
      await page.$eval('#target', (i, v) => ((i as HTMLInputElement).value = v), t.drvPath);
    }
    const status = await press(page, '#build');
    expect(status, status.text).toMatchObject({ state: 'done' });
    const steps = await stepsRun(page);
    // b64's install step takes the same tool as hello's (install.o, install.wasm), built for hello already.
    expect(Object.keys(steps).sort()).toEqual(pkg === 'hello' ? t.steps : t.steps.filter((n) => !targets.hello!.steps.includes(n)));
    expect(Object.values(steps).every((s) => s === 'done')).toBe(true);
    expect(await page.$eval('#outputs tr[data-output="out"]', (tr) => (tr as HTMLElement).dataset.path)).toBe(t.out);
    const rows = await storeRows(page);
    expect(rows.map((r) => r.path)).toContain(t.out);
    expect(rows).toEqual(await pathInfos(cliHome, rows.map((r) => r.path)));
  }, 600_000);

  it('rebuilds after an edit of src/options.c: one compile, the link and the install step, the CLI’s output', async () => {
    await page.waitForFunction(() => (document.getElementById('source') as HTMLSelectElement).selectedOptions[0]?.textContent === 'options.c');
    await editOptions(page, EDITS[0]!);
    const status = await press(page, '#rebuild');
    expect(status, status.text).toMatchObject({ state: 'done' });
    expect(await stepsRun(page)).toEqual({ 'options.o': 'done', 'b64.wasm': 'done', b64: 'done' });
    const cli = (await edited)[0]!;
    const out = (await storeRows(page)).find((r) => r.path === cli.path);
    expect(out).toEqual(cli);
  }, 600_000);

  it('shows a compile error in the failed step’s log, runs nothing after it, and registers nothing of it', async () => {
    await editOptions(page, (t) => t.replace(/\n}\s*$/, '\n  this is not C;\n}\n'), EDITS[0]!);
    const status = await press(page, '#rebuild');
    expect(status.state).toBe('error');
    expect(status.text).toMatch(/^ERR_BUILD_FAILED: builder for 'options\.o' \(\/wpm\/store\/\S+-options\.o\.drv\) exited with status 1/);
    expect(await stepsRun(page)).toEqual({ 'options.o': 'failed', 'b64.wasm': 'waiting', b64: 'waiting' });
    const failed = await page.$eval('#steps tr[data-name="options.o"]', (tr) => (tr as HTMLElement).dataset.drv!);
    await page.$eval('#steps tr[data-name="options.o"] td', (td) => (td as HTMLElement).click());
    expect(await page.$eval('#log', (l) => (l as HTMLElement).dataset.drv)).toBe(failed);
    expect(await page.$eval('#log', (l) => l.textContent)).toMatch(/options\.c:\d+:\d+: error: /);
    // Nothing the failed step would have made is valid.
    const rows = await storeRows(page);
    expect(rows.filter((r) => r.deriver === failed)).toEqual([]);
  }, 600_000);

  it('stops a step that runs past the page’s time limit (?timeout=, as the CLI’s --timeout), ends its worker and registers nothing of it', async () => {
    // The step tool first, without a limit; then the step that never ends, in a page with one.
    await page.$eval('#target', (i, v) => ((i as HTMLInputElement).value = v), forever.tool);
    const tool = await press(page, '#build');
    expect(tool, tool.text).toMatchObject({ state: 'done' });
    const limited = await b.open(`${ui.url}/ui/?${new URLSearchParams({ key: pub, store: 'tab', target: forever.drvPath, timeout: '2' })}`);
    try {
      await limited.waitForSelector('#status[data-ready="true"]');
      const started = Date.now();
      const status = await press(limited, '#build', 2);
      expect(status.state).toBe('error');
      expect(status.text).toContain(`ERR_WASI_TIMEOUT: 'forever' (${forever.drvPath}) was stopped: it ran longer than 2 s, the step time limit (timeout)`);
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(await stepsRun(limited)).toEqual({ forever: 'failed' });
      expect((await storeRows(limited)).filter((r) => r.deriver === forever.drvPath)).toEqual([]);
    } finally {
      await limited.close();
    }
  }, 600_000);

  it('with the server stopped, reloads from its service worker and rebuilds a second edit from the tab’s store', async () => {
    await ui.stop();
    offline = true;
    await page.reload();
    await page.waitForSelector('#status[data-ready="true"]');
    // The reloaded page starts from the target in its address (b64 before the edits): all valid.
    await page.$eval('#target', (i, v) => ((i as HTMLInputElement).value = v), targets.b64!.drvPath);
    const loaded = await press(page, '#build');
    expect(loaded, loaded.text).toMatchObject({ state: 'done' });
    expect(await stepsRun(page)).toEqual({});
    await page.waitForFunction(() => (document.getElementById('editor') as HTMLTextAreaElement).value.length > 0);
    await editOptions(page, EDITS[1]!);
    const status = await press(page, '#rebuild');
    expect(status, status.text).toMatchObject({ state: 'done' });
    expect(await stepsRun(page)).toEqual({ 'options.o': 'done', 'b64.wasm': 'done', b64: 'done' });
    const cli = (await edited)[1]!;
    expect((await storeRows(page)).find((r) => r.path === cli.path)).toEqual(cli);
  }, 600_000);

  it('still offline, builds packages/hello into an empty store from what its service worker kept: the compiler included', async () => {
    const t = targets.hello!;
    await page.$eval('#store', (i) => ((i as HTMLInputElement).value = 'fresh'));
    await page.$eval('#target', (i, v) => ((i as HTMLInputElement).value = v), t.drvPath);
    const status = await press(page, '#build');
    expect(status, status.text).toMatchObject({ state: 'done' });
    // The toolchain (clang.wasm's 100 MB NAR, the sysroot) came from the service worker's cache.
    expect(status.text).toMatch(/, 2 paths fetched, /);
    const steps = await stepsRun(page);
    expect(Object.keys(steps).sort()).toEqual(t.steps);
    const rows = await storeRows(page, 'fresh');
    expect(rows.map((r) => r.path)).toContain(t.out);
    expect(rows.some((r) => /-yowasp-clang-[^/]+$/.test(r.path) && r.narSize > 50_000_000)).toBe(true);
    expect(rows).toEqual(await pathInfos(cliHome, rows.map((r) => r.path)));
  }, 600_000);

  it('logged no console error and no uncaught page error along the way, but the misses it asked about', () => {
    // A cache says "not here" with a 404: Chromium logs each as an error (the narinfos of the
    // outputs the tab then built), and offline, both browsers log the lookups that could not reach
    // the server. Chromium's text has no URL: the URLs come from this test's own listener.
    const narinfo = /\/[0-9a-df-np-sv-z]{32}\.narinfo$/;
    expect(consoleErrors.filter((e) => (/status of 404/.test(e.text) ? !narinfo.test(e.url) : /net::ERR_/.test(e.text) && !e.offline))).toEqual([]);
    const expected = (t: string) => /status of 404|net::ERR_/.test(t) || /^Failed to load ‘http:\/\/[^’]*\/[0-9a-df-np-sv-z]{32}\.narinfo’\. A ServiceWorker .* NetworkError/.test(t);
    expect(b.errors.filter((t) => !expected(t))).toEqual([]);
  });
});
