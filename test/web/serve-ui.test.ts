// `wpm serve` for browsers, over plain HTTP: CORS on the cache's read routes (404s included, so a
// page can tell a miss from a refusal), a preflight that grants reads only, and with --ui the web
// app under /ui/, cross-origin isolated, and nothing outside dist/web/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { serve, type Served } from '../binary-cache/helpers.js';

let withUi: Served;
let plain: Served;

beforeAll(async () => {
  const home = tempDir('serve-ui');
  [withUi, plain] = await Promise.all([serve(home, ['--ui']), serve(home)]);
});
afterAll(async () => Promise.all([withUi?.stop(), plain?.stop()]));

describe('wpm serve and browsers', () => {
  it('lets any origin read nix-cache-info, narinfos and misses', async () => {
    for (const url of [`${plain.url}/nix-cache-info`, `${plain.url}/${'0'.repeat(32)}.narinfo`]) {
      const r = await fetch(url, { headers: { origin: 'http://elsewhere.test' } });
      expect(r.headers.get('access-control-allow-origin'), url).toBe('*');
      expect(r.headers.get('cross-origin-resource-policy'), url).toBe('cross-origin');
    }
  });

  it('answers a preflight with reads only, so a page cannot upload', async () => {
    const r = await fetch(`${plain.url}/nar/x.nar`, {
      method: 'OPTIONS',
      headers: { origin: 'http://elsewhere.test', 'access-control-request-method': 'PUT' },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-methods')).toBe('GET, HEAD');
  });

  it('serves the web app under /ui/ with COOP and COEP, only with --ui', async () => {
    const page = await fetch(`${withUi.url}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    const app = await fetch(`${withUi.url}/ui/app.js`);
    expect([app.status, app.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await fetch(`${withUi.url}/`, { redirect: 'manual' })).headers.get('location')).toBe('/ui/');
    expect((await fetch(`${plain.url}/ui/`)).status).toBe(404);
  });

  it('serves nothing outside the app’s directory', async () => {
    for (const p of ['/ui/..%2f..%2fpackage.json', '/ui/%2e%2e/cli/main.js', '/ui/.hidden', '/ui//etc/passwd']) {
      expect((await fetch(`${withUi.url}${p}`)).status, p).toBe(404);
    }
  });
});
