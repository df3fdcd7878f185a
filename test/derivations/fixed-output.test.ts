// Fixed-output derivations: downloads trusted for their hash, over real HTTP on loopback.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, wpmP as wpm } from '../helpers/cli.js';
import { startLoopback, type Loopback } from '../helpers/loopback.js';

const BODY = Buffer.from('the bytes a fixed-output derivation promises\n');
const SRI = `sha256-${crypto.createHash('sha256').update(BODY).digest('base64')}`;
let server: Loopback;
let base: string;
let hits = 0;
let flaky = 0;

beforeAll(async () => {
  server = await startLoopback((req, res) => {
    hits++;
    if (req.url?.startsWith('/file') || req.url?.startsWith('/mirror/file')) res.end(BODY);
    else if (req.url?.startsWith('/flaky')) {
      // Fails every other time: a transient server error is retried.
      flaky++;
      if (flaky % 2 === 1) {
        res.statusCode = 503;
        res.end();
      } else res.end(BODY);
    } else if (req.url?.startsWith('/stall')) {
      // Headers and a few bytes, then silence: a download that hangs.
      res.writeHead(200, { 'content-length': String(BODY.length) });
      res.write(BODY.subarray(0, 5));
    }
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  base = server.url;
});
afterAll(() => server.close());

function project(url: string, hash: string): string {
  const dir = tempDir('fod');
  fs.writeFileSync(
    path.join(dir, 'default.jsonnet'),
    `local wpm = import 'wpm.libsonnet';
local src = wpm.fetchurl({ url: '${url}', hash: '${hash}', name: 'payload.txt' });
{
  src: src,
  // A dependent: only its inputs' output paths matter to its own paths.
  user: wpm.derivation({ name: 'user', builder: src.out, args: ['x', src.out] }),
}
`,
  );
  return path.join(dir, 'default.jsonnet');
}

describe('fixed-output derivations', () => {
  it('downloads once, stores the file, and does not fetch again while it is valid', async () => {
    const home = tempDir('home');
    const file = project(`${base}/file`, SRI);
    const before = hits;
    const r = await wpm(['build', '--no-link', '-A', 'src', file], { home });
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const out = r.stdout.trim();
    expect(out).toMatch(/^\/wpm\/store\/[0-9a-z]{32}-payload\.txt$/);
    expect(fs.readFileSync(path.join(home, 'store', path.basename(out)))).toEqual(BODY);
    expect(hits).toBe(before + 1);
    expect((await wpm(['build', '--no-link', '-A', 'src', file], { home })).status).toBe(0);
    expect(hits).toBe(before + 1);
  });

  it('fails on a wrong hash, showing both hashes, and stores nothing', async () => {
    const home = tempDir('home');
    const wrong = `sha256-${crypto.createHash('sha256').update('something else').digest('base64')}`;
    const file = project(`${base}/file`, wrong);
    const r = await wpm(['build', '--no-link', '-A', 'src', file], { home });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`specified: ${wrong}`);
    expect(r.stderr).toContain(`got:       ${SRI}`);
    const outPath = JSON.parse((await wpm(['eval', '--json', '-A', 'src', file], { home })).stdout).out as string;
    expect(fs.existsSync(path.join(home, 'store', path.basename(outPath)))).toBe(false);
    expect((await wpm(['store', 'path-info', outPath], { home })).status).not.toBe(0);
  });

  it('reports a download that fails with its URL and status', async () => {
    const r = await wpm(['build', '--no-link', '-A', 'src', project(`${base}/missing`, SRI)], { home: tempDir('home') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${base}/missing`);
    expect(r.stderr).toContain('HTTP 404');
  });

  it('retries a transient server error', async () => {
    const home = tempDir('home');
    const before = flaky;
    const r = await wpm(['build', '--no-link', '-A', 'src', project(`${base}/flaky`, SRI)], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(flaky).toBe(before + 2);
  });

  it('gives up on a download that stalls, naming the URL, and stores nothing', async () => {
    const home = tempDir('home');
    const file = project(`${base}/stall`, SRI);
    const r = await wpm(['build', '--no-link', '-A', 'src', file], { home, env: { WPM_FETCH_TIMEOUT: '2' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${base}/stall`);
    expect(r.stderr).toContain('no data for 2 s');
    expect(fs.readdirSync(path.join(home, 'store')).filter((f) => f.endsWith('-payload.txt'))).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'tmp')).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it("follows a registry's redirect, sending its npm token to the registry and not to the other host", async () => {
    const seen: { where: string; auth: string | undefined }[] = [];
    const mirror = await startLoopback((req, res) => {
      seen.push({ where: 'mirror', auth: req.headers.authorization });
      res.end(BODY);
    });
    const registry = await startLoopback((req, res) => {
      seen.push({ where: 'registry', auth: req.headers.authorization });
      res.writeHead(302, { location: `${mirror.url}/tarballs/left-pad-1.3.0.tgz` });
      res.end();
    });
    try {
      const dir = tempDir('fod-npm');
      const hostPath = registry.url.replace(/^http:/, '');
      fs.writeFileSync(path.join(dir, 'npmrc'), `${hostPath}/:_authToken=s3cret\n`);
      fs.writeFileSync(
        path.join(dir, 'default.jsonnet'),
        `(import 'wpm.libsonnet').fetchNpm({ package: 'left-pad', version: '1.3.0', integrity: '${SRI}' })\n`,
      );
      const home = tempDir('home');
      const r = await wpm(['build', '--no-link', path.join(dir, 'default.jsonnet')], {
        home,
        // npm run and npx set npm_config_* for their children, and those win: set them too.
        env: { npm_config_userconfig: path.join(dir, 'npmrc'), npm_config_registry: `${registry.url}/` },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(fs.readFileSync(path.join(home, 'store', path.basename(r.stdout.trim())))).toEqual(BODY);
      expect(seen).toEqual([
        { where: 'registry', auth: 'Bearer s3cret' },
        { where: 'mirror', auth: undefined },
      ]);
    } finally {
      await registry.close();
      await mirror.close();
    }
  });

  it("changing the URL but not the hash changes neither the output nor dependents' paths", async () => {
    const home = tempDir('home');
    const a = JSON.parse((await wpm(['eval', '--json', project(`${base}/file`, SRI)], { home })).stdout);
    const b = JSON.parse((await wpm(['eval', '--json', project(`${base}/mirror/file`, SRI)], { home })).stdout);
    expect(b.src.drvPath).not.toBe(a.src.drvPath);
    expect(b.src.out).toBe(a.src.out);
    expect(b.user.out).toBe(a.user.out);
  });
});
