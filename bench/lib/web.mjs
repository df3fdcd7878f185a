// Shared by the benchmarks that drive a browser tab (web-clang, web-substitute) and by those that
// need `wpm serve`: the server started on a free port, and Debian's browsers through puppeteer-core.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { WPM } from './closure.mjs';

/** `wpm serve --port 0 …args` over `home`; resolves with its URL (its first line) and the process. */
export async function startWpmServe(home, args = []) {
  const child = spawn(WPM, ['serve', '--port', '0', ...args], { env: { ...process.env, WPM_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(http:\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
  });
  return { url, child, stop: () => child.kill('SIGTERM') };
}

/** Headless Debian chromium (CDP) or firefox-esr (WebDriver BiDi) with a fresh profile under `work`. */
export async function launchBrowser(work, name) {
  const profile = join(work, `profile-${name}`);
  mkdirSync(profile);
  return puppeteer.launch({
    browser: name === 'firefox' ? 'firefox' : 'chrome',
    executablePath: name === 'firefox' ? '/usr/bin/firefox-esr' : '/usr/bin/chromium',
    protocol: name === 'firefox' ? 'webDriverBiDi' : 'cdp',
    headless: true,
    userDataDir: profile,
    args: name === 'chromium' ? ['--no-sandbox', '--disable-dev-shm-usage'] : [],
  });
}
