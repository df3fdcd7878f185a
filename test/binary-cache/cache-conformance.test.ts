// One suite for the BinaryCache interface, run against every transport: a directory (FileCache)
// and HTTP (HttpCache, against a small static server over a directory, as nginx or S3 would be).
// Then the HTTP-only failure modes, each mapped to its error code.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCache, HttpCache, type BinaryCache } from '../../store/binary-cache/index.js';
import { isWpmError } from '../../util/index.js';
import { tempDir } from '../helpers/cli.js';
import { refusedUrl, startLoopback, type Loopback } from '../helpers/loopback.js';

const httpRoot = tempDir('conf-http');
let server: Loopback;
let base: string;
let misbehave: 'no' | '500' | 'stall' | 'cut' | 'redirect' = 'no';

beforeAll(async () => {
  server = await startLoopback((req, res) => {
    if (misbehave === '500') return void res.writeHead(500).end();
    if (misbehave === 'stall') return;
    const rel = decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\/+/, '');
    if (misbehave === 'redirect' && !rel.startsWith('moved/')) return void res.writeHead(302, { location: `/moved/${rel}` }).end();
    const file = path.join(httpRoot, rel.replace(/^moved\//, ''));
    if (req.method === 'PUT') {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      req.pipe(fs.createWriteStream(file)).on('finish', () => res.writeHead(201).end());
      return;
    }
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end();
    const bytes = fs.readFileSync(file);
    res.writeHead(200, { 'content-length': bytes.length });
    if (req.method === 'HEAD') return void res.end();
    if (misbehave === 'cut') {
      res.write(bytes.subarray(0, bytes.length >> 1));
      setTimeout(() => res.destroy(), 10);
      return;
    }
    res.end(bytes);
  });
  base = server.url;
});

afterAll(() => server.close());

const backends: Array<[string, () => BinaryCache]> = [
  ['FileCache (file://)', () => new FileCache(`file://${tempDir('conf-file')}`)],
  ['HttpCache (http://)', () => new HttpCache(base, { timeoutMs: 2000 })],
];

async function collect(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe.each(backends)('BinaryCache conformance: %s', (_name, make) => {
  it('says a missing file is absent, not an error', async () => {
    misbehave = 'no';
    const c = make();
    expect(await c.getText('nope.narinfo')).toBeUndefined();
    expect(await c.getStream('nar/nope.nar')).toBeUndefined();
    expect(await c.exists('nope.narinfo')).toBe(false);
  });

  it('reads back what was put, text and large binary files alike', async () => {
    misbehave = 'no';
    const c = make();
    await c.put('nix-cache-info', 'StoreDir: /wpm/store\n');
    expect(await c.getText('nix-cache-info')).toBe('StoreDir: /wpm/store\n');
    expect(await c.exists('nix-cache-info')).toBe(true);
    const big = crypto.randomBytes(5 << 20);
    const src = path.join(tempDir('conf-src'), 'f.nar');
    fs.writeFileSync(src, big);
    await c.put('nar/abc.nar', { file: src });
    expect((await collect((await c.getStream('nar/abc.nar'))!)).equals(big)).toBe(true);
    // A reader done with each chunk before the next may get them all in one buffer: the bytes
    // must still be the file's, copied out chunk by chunk.
    const copied: Buffer[] = [];
    for await (const chunk of (await c.getStream('nar/abc.nar', { reuseChunks: true }))!) copied.push(Buffer.from(chunk));
    expect(Buffer.concat(copied).equals(big)).toBe(true);
  });

  it('refuses to read a text file larger than asked', async () => {
    misbehave = 'no';
    const c = make();
    await c.put('big.narinfo', 'x'.repeat(5000));
    await expect(c.getText('big.narinfo', 1000)).rejects.toMatchObject({ code: 'ERR_CACHE_TOO_BIG' });
  });
});

describe('FileCache specifics', () => {
  it('leaves no temporary file behind and stays inside its root', async () => {
    const dir = tempDir('conf-file2');
    const c = new FileCache(`file://${dir}`);
    await c.put('a/b.narinfo', 'x');
    expect(fs.readdirSync(path.join(dir, 'a'))).toEqual(['b.narinfo']);
    await expect(c.getText('../../etc/passwd')).rejects.toMatchObject({ code: 'ERR_CACHE_BAD_URL' });
  });
});

describe('HttpCache failures', () => {
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'resolved';
    } catch (err) {
      return isWpmError(err) ? err.code : String(err);
    }
  };

  it('maps a 500 to ERR_CACHE_HTTP, naming the URL', async () => {
    misbehave = '500';
    await expect(new HttpCache(base).getText('x.narinfo')).rejects.toThrow(`${base}/x.narinfo answered HTTP 500`);
  });

  it('maps silence to ERR_CACHE_TIMEOUT after the timeout', async () => {
    misbehave = 'stall';
    const t = Date.now();
    expect(await code(new HttpCache(base, { timeoutMs: 300 }).getText('x.narinfo'))).toBe('ERR_CACHE_TIMEOUT');
    expect(Date.now() - t).toBeLessThan(3000);
  });

  it('maps a body cut short to ERR_CACHE_TRUNCATED', async () => {
    misbehave = 'no';
    fs.mkdirSync(path.join(httpRoot, 'nar'), { recursive: true });
    fs.writeFileSync(path.join(httpRoot, 'nar', 'cut.nar'), crypto.randomBytes(1 << 20));
    misbehave = 'cut';
    const s = await new HttpCache(base).getStream('nar/cut.nar');
    expect(await code(collect(s!))).toBe('ERR_CACHE_TRUNCATED');
  });

  it('maps a refused connection to ERR_CACHE_UNREACHABLE', async () => {
    expect(await code(new HttpCache(await refusedUrl()).getText('nix-cache-info'))).toBe('ERR_CACHE_UNREACHABLE');
  });

  it('follows redirects', async () => {
    misbehave = 'no';
    fs.writeFileSync(path.join(httpRoot, 'r.narinfo'), 'moved here');
    misbehave = 'redirect';
    expect(await new HttpCache(base).getText('r.narinfo')).toBe('moved here');
    misbehave = 'no';
  });
});
