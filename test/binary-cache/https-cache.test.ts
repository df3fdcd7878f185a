// A binary cache over https (store/binary-cache/http-cache.ts): every connection shares one TLS
// context built from the trusted authorities (util/trusted-cas.ts), where Node would build one per
// connection and parse every certificate again; and a body that arrives in small TLS records
// reaches its reader gathered into larger chunks, byte for byte, whether wpm's own client reads it
// (http-connection.ts) or Node's, after a redirect; a body cut short is still named as such. A
// private authority signs a loopback server, trusted the way bin/wpm.js leaves it:
// WPM_EXTRA_CA_CERTS set, NODE_EXTRA_CA_CERTS empty.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpCache } from '../../store/binary-cache/http-cache.js';
import { makeTlsAuthority, trustInProcess } from '../helpers/tls-authority.js';

const BIG = Buffer.alloc(1 << 20);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 7 + (i >> 10)) & 0xff;

let server: https.Server;
let base: string;
let handshakes = 0;
let restoreEnv: () => void;

beforeAll(async () => {
  const authority = makeTlsAuthority('https-cache-certs');
  server = https.createServer({ key: authority.key, cert: authority.cert }, (req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/big' });
      res.end();
    } else if (req.url === '/small') {
      // Each answer on a connection of its own.
      res.writeHead(200, { connection: 'close' });
      res.end('small\n');
    } else if (req.url === '/big' || req.url === '/cut') {
      res.writeHead(200, { 'content-length': BIG.length });
      const end = req.url === '/big' ? BIG.length : 300 << 10;
      let at = 0;
      // 4 KiB at a time, each its own TLS record, across several turns of the event loop.
      const more = () => {
        for (let n = 0; n < 64 && at < end; n++, at += 4096) res.write(BIG.subarray(at, Math.min(end, at + 4096)));
        if (at < end) setImmediate(more);
        else if (req.url === '/big') res.end();
        else res.socket?.destroy();
      };
      more();
    } else res.writeHead(404).end();
  });
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  restoreEnv = trustInProcess(authority.caFile);
}, 60_000);

afterAll(
  () =>
    new Promise<void>((r) => {
      restoreEnv?.();
      server?.closeAllConnections();
      server?.close(() => r());
    }),
);

describe('a binary cache over https', () => {
  it('builds one TLS context for all its connections', async () => {
    const contexts = vi.spyOn(tls, 'createSecureContext');
    const cache = new HttpCache(base);
    const before = handshakes;
    try {
      for (let i = 0; i < 5; i++) expect(await cache.getText('small')).toBe('small\n');
      expect(handshakes - before).toBe(5);
      expect(contexts).toHaveBeenCalledTimes(1);
      // And the context trusts what it should: the next connection still verifies the server.
      expect(await cache.getText('small')).toBe('small\n');
      expect(contexts).toHaveBeenCalledTimes(1);
    } finally {
      contexts.mockRestore();
      cache.close();
    }
  });

  /** The body of `rel` as its reader gets it, each chunk copied before the next is asked for. */
  async function chunksOf(rel: string, holdMs = 0): Promise<Buffer[]> {
    const cache = new HttpCache(base);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of (await cache.getStream(rel, { reuseChunks: true }))!) {
        chunks.push(Buffer.from(chunk));
        if (holdMs) await new Promise((r) => setTimeout(r, holdMs));
      }
      return chunks;
    } finally {
      cache.close();
    }
  }

  it("gathers a body sent in 4 KiB records, byte for byte, with wpm's own client", async () => {
    const chunks = await chunksOf('big');
    expect(Buffer.concat(chunks).equals(BIG)).toBe(true);
    expect(chunks.length).toBeLessThanOrEqual(64); // 256 records
    // A reader that holds each chunk a while: records TLS decrypts meanwhile wait their turn.
    expect(Buffer.concat(await chunksOf('big', 5)).equals(BIG)).toBe(true);
  });

  it("gathers it into chunks of 256 KiB with Node's client, which follows a redirect", async () => {
    const chunks = await chunksOf('moved');
    expect(Buffer.concat(chunks).equals(BIG)).toBe(true);
    expect(chunks.length).toBeLessThanOrEqual(5);
    expect(chunks.slice(0, -1).every((c) => c.length >= 256 << 10)).toBe(true);
  });

  it('names a body cut short, with the bytes that came', async () => {
    const cache = new HttpCache(base);
    try {
      const read = async () => {
        for await (const chunk of (await cache.getStream('cut'))!) void chunk;
      };
      await expect(read()).rejects.toMatchObject({ code: 'ERR_CACHE_TRUNCATED', message: expect.stringMatching(/ended after \d+ bytes/) });
    } finally {
      cache.close();
    }
  });
});
