// Real browsers for the web app's tests: Debian's chromium (over CDP) and firefox-esr (over
// WebDriver BiDi), both driven by puppeteer-core. Each launch gets a fresh profile directory, so
// OPFS starts empty and persists only across reloads within one launch. A missing browser fails
// the test with the apt package to install; nothing skips.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export type BrowserName = 'chromium' | 'firefox';

export const BROWSERS: readonly BrowserName[] = ['chromium', 'firefox'];

const EXECUTABLE: Record<BrowserName, { path: string; apt: string }> = {
  chromium: { path: '/usr/bin/chromium', apt: 'chromium' },
  firefox: { path: '/usr/bin/firefox-esr', apt: 'firefox-esr' },
};

export interface OpenBrowser {
  name: BrowserName;
  browser: Browser;
  /** Console errors and uncaught page errors seen so far, across every page opened. */
  errors: string[];
  /** A new tab at `url`, loaded. */
  open(url: string): Promise<Page>;
  /** Closes the browser, kills it if it does not close, removes the profile. */
  close(): Promise<void>;
}

function executable(name: BrowserName): string {
  const { path: exe, apt } = EXECUTABLE[name];
  if (!fs.existsSync(exe)) {
    throw new Error(`${name} is not installed (${exe} is missing): install the Debian package '${apt}' (apt-get install ${apt}; .ci/run does)`);
  }
  return exe;
}

export async function launchBrowser(name: BrowserName): Promise<OpenBrowser> {
  const exe = executable(name);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), `wpm-${name}-profile-`));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: name === 'firefox' ? 'firefox' : 'chrome',
      executablePath: exe,
      headless: true,
      userDataDir: profile,
      protocol: name === 'firefox' ? 'webDriverBiDi' : 'cdp',
      // Chromium as root (CI containers) needs --no-sandbox; /dev/shm is small in containers.
      args: name === 'chromium' ? ['--no-sandbox', '--disable-dev-shm-usage'] : [],
      ...(name === 'firefox' ? { extraPrefsFirefox: { 'browser.shell.checkDefaultBrowser': false } } : {}),
    });
  } catch (err) {
    // puppeteer kills a browser that failed to start; the profile is ours to remove.
    fs.rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const proc = browser.process();
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e instanceof Error ? e.message : String(e)));
  };
  return {
    name,
    browser,
    errors,
    async open(url) {
      const page = await browser.newPage();
      watch(page);
      await page.goto(url, { waitUntil: 'load' });
      return page;
    },
    async close() {
      try {
        await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10_000))]);
      } finally {
        // A browser that did not close in time is killed, not left behind.
        if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
