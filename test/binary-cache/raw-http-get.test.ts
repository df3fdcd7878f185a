// GETs over HTTP and https are read off the socket by wpm's own client (raw-http-get.ts). Here it
// meets a server that writes its answers byte by byte as a test scripts them, over TCP and over
// TLS (whose records wpm's client gathers, http-connection.ts): every way of framing a body, split
// at awkward places, kept-alive connections the server closes, answers cut short, stalled or
// malformed. NARs are read through HttpCache.getStream with reuseChunks, as the substituter reads
// them; narinfos through getText. A private authority signs the TLS server, trusted the way
// bin/wpm.js leaves it: WPM_EXTRA_CA_CERTS set, NODE_EXTRA_CA_CERTS empty.
import crypto from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpCache } from '../../store/binary-cache/index.js';
import { isWpmError } from '../../util/index.js';
import { makeTlsAuthority, trustInProcess, type TlsAuthority } from '../helpers/tls-authority.js';

/** How the server answers a request for a path: writes pieces, with pauses, then maybe closes. */
type Script = (sock: net.Socket, requestNo: number) => Promise<void> | void;

let base: string;
const scripts = new Map<string, Script>();
/** Connections the server accepted, and requests it read, since the last reset. */
let connections = 0;
let requests = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let authority: TlsAuthority;
let restoreEnv: () => void;

beforeAll(() => {
  authority = makeTlsAuthority('raw-get-certs');
  restoreEnv = trustInProcess(authority.caFile);
});

afterAll(() => restoreEnv?.());

/** A server for `proto` that answers each request by its script. */
async function startServer(proto: 'http' | 'https'): Promise<net.Server> {
  const onSocket = (sock: net.Socket) => {
    connections++;
    let pending = '';
    sock.on('error', () => undefined);
    sock.on('data', async (d) => {
      pending += d.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        const target = head.split(' ')[1]!;
        requests++;
        const script = scripts.get(target) ?? ((s: net.Socket) => void s.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
        await script(sock, requests);
      }
    });
  };
  const server = proto === 'https' ? tls.createServer({ key: authority.key, cert: authority.cert }, onSocket) : net.createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `${proto}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return server;
}

const caches: HttpCache[] = [];
afterEach(() => {
  for (const c of caches.splice(0)) c.close();
  scripts.clear();
  connections = 0;
  requests = 0;
});

function cache(timeoutMs = 2000): HttpCache {
  const c = new HttpCache(base, { timeoutMs });
  caches.push(c);
  return c;
}

/** Writes `pieces` one after another, `gapMs` apart (so each is likely its own TCP segment). */
async function writeSlowly(sock: net.Socket, pieces: (string | Buffer)[], gapMs = 5): Promise<void> {
  for (const p of pieces) {
    sock.write(p);
    await sleep(gapMs);
  }
}

/** Reads a NAR download whole, the way the substituter does (each chunk used before the next). */
async function download(
  c: HttpCache,
  rel: string,
  opts: { signal?: AbortSignal; holdMs?: number; deadlineMs?: number } = {},
): Promise<{ bytes: Buffer; buffers: Set<ArrayBufferLike> } | undefined> {
  const s = await c.getStream(rel, { reuseChunks: true, signal: opts.signal, deadlineMs: opts.deadlineMs });
  if (!s) return undefined;
  const parts: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  for await (const chunk of s) {
    parts.push(Buffer.from(chunk)); // a copy: the chunk's bytes are only valid until the next
    buffers.add(chunk.buffer);
    if (opts.holdMs) await sleep(opts.holdMs);
  }
  return { bytes: Buffer.concat(parts), buffers };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isWpmError(err) ? `${err.code}: ${err.message}` : String(err);
  }
}

const body = crypto.randomBytes(3 << 20);

function withLength(bytes: Buffer, extra = ''): Script {
  return (sock) => void sock.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${bytes.length}\r\n${extra}\r\n`), bytes]));
}

/** `bytes` as chunks of the given sizes, framing split across writes at awkward places. */
function chunked(bytes: Buffer, sizes: number[]): (string | Buffer)[] {
  const out: (string | Buffer)[] = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n', '\r\n'];
  let at = 0;
  for (const n of sizes) {
    const hex = n.toString(16);
    // The size line split in two, then the data, then its CRLF split too.
    out.push(hex.slice(0, 1), `${hex.slice(1)};ext=1\r`, '\n', bytes.subarray(at, at + n), '\r', '\n');
    at += n;
  }
  out.push('0\r\n', 'X-Trailer: yes\r\n', '\r\n');
  return out;
}

describe.each(['http', 'https'] as const)('NAR downloads read off the socket, over %s', (proto) => {
  let server: net.Server;
  beforeAll(async () => {
    server = await startServer(proto);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads a Content-Length body into one reused buffer, over one kept-alive connection', async () => {
    scripts.set('/nar/a.nar', withLength(body));
    const c = cache();
    for (let i = 0; i < 3; i++) {
      const got = await download(c, 'nar/a.nar');
      expect(got!.bytes.equals(body)).toBe(true);
      // Many chunks of 3 MiB, all views of the connection's one buffer: no garbage per chunk.
      expect(got!.buffers.size).toBe(1);
    }
    expect(requests).toBe(3);
    expect(connections).toBe(1);
  });

  it('reads a chunked body whose framing is split across writes, trailers included', async () => {
    const bytes = body.subarray(0, 300_000);
    scripts.set('/nar/c.nar', (sock) => writeSlowly(sock, chunked(bytes, [1, 70_000, 4096, 225_903]), 2));
    const c = cache();
    expect((await download(c, 'nar/c.nar'))!.bytes.equals(bytes)).toBe(true);
    // Its end was found by the framing, so the connection is kept for the next request.
    expect((await download(c, 'nar/c.nar'))!.bytes.equals(bytes)).toBe(true);
    expect(connections).toBe(1);
  });

  it('reads a body that ends with its connection, and does not keep that connection', async () => {
    const bytes = body.subarray(0, 100_000);
    scripts.set('/nar/e.nar', async (sock) => {
      await writeSlowly(sock, ['HTTP/1.0 200 OK\r\n\r\n', bytes.subarray(0, 50_000), bytes.subarray(50_000)]);
      sock.end();
    });
    const c = cache();
    expect((await download(c, 'nar/e.nar'))!.bytes.equals(bytes)).toBe(true);
    expect((await download(c, 'nar/e.nar'))!.bytes.equals(bytes)).toBe(true);
    expect(connections).toBe(2);
  });

  it('opens a new connection after "Connection: close", and after the server closed a kept one', async () => {
    scripts.set('/nar/close.nar', withLength(body.subarray(0, 1000), 'Connection: close\r\n'));
    const c = cache();
    await download(c, 'nar/close.nar');
    await download(c, 'nar/close.nar');
    expect(connections).toBe(2);

    // Kept alive by the client, then closed by the server while idle.
    scripts.set('/nar/k.nar', async (sock) => {
      sock.write(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'), body.subarray(0, 10)]));
      await sleep(20);
      sock.end();
    });
    connections = 0;
    await download(c, 'nar/k.nar');
    await sleep(100);
    expect((await download(c, 'nar/k.nar'))!.bytes.equals(body.subarray(0, 10))).toBe(true);
    expect(connections).toBe(2);
  });

  it('asks again on a fresh connection when a kept one is closed as the request is sent', async () => {
    // The second request on the first connection finds it closed without an answer (a server's
    // keep-alive timeout racing the request); the retry on a new connection is answered.
    scripts.set('/nar/race.nar', (sock, n) => {
      if (n === 2) return void sock.destroy();
      sock.write(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'), body.subarray(0, 5)]));
    });
    const c = cache();
    await download(c, 'nar/race.nar');
    expect((await download(c, 'nar/race.nar'))!.bytes.equals(body.subarray(0, 5))).toBe(true);
    expect(requests).toBe(3);
    expect(connections).toBe(2);
  });

  it('says a missing file is absent and keeps the connection; names an error status; follows a redirect', async () => {
    const c = cache();
    scripts.set('/x.narinfo', (sock) => void sock.write('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nnot here\n\r\n0\r\n\r\n'));
    expect(await download(c, 'nar/missing.nar')).toBeUndefined();
    expect(await c.getText('x.narinfo')).toBeUndefined();
    scripts.set('/y.narinfo', withLength(Buffer.from('StorePath: /wpm/store/y\n')));
    expect(await c.getText('y.narinfo')).toBe('StorePath: /wpm/store/y\n');
    expect(connections).toBe(1); // the 404s' bodies were read and dropped, so the connection stayed

    scripts.set('/nar/broken.nar', (sock) => void sock.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy'));
    expect(await code(download(c, 'nar/broken.nar'))).toBe(`ERR_CACHE_HTTP: ${base}/nar/broken.nar answered HTTP 503`);
    expect(requests).toBe(4); // asked once, not again by Node's client

    scripts.set('/nar/old.nar', (sock) => void sock.write('HTTP/1.1 302 Found\r\nLocation: /nar/new.nar\r\nContent-Length: 0\r\n\r\n'));
    scripts.set('/nar/new.nar', withLength(body.subarray(0, 777)));
    expect((await download(c, 'nar/old.nar'))!.bytes.equals(body.subarray(0, 777))).toBe(true);
  });

  it('refuses a text file larger than asked, and closes its connection', async () => {
    // Larger than a connection's buffer: the answer cannot have been read whole when the reader stops.
    scripts.set('/big.narinfo', withLength(body.subarray(0, 2 << 20)));
    const c = cache();
    expect(await code(c.getText('big.narinfo', 1000))).toBe(`ERR_CACHE_TOO_BIG: ${base}/big.narinfo is larger than 1000 bytes`);
    scripts.set('/small.narinfo', withLength(Buffer.from('ok')));
    expect(await c.getText('small.narinfo')).toBe('ok');
    expect(connections).toBe(2);
  });

  it('maps a body cut short to ERR_CACHE_TRUNCATED, with the bytes it got', async () => {
    scripts.set('/nar/cut.nar', async (sock) => {
      await writeSlowly(sock, [`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`, body.subarray(0, 1234)]);
      sock.destroy();
    });
    scripts.set('/nar/cutc.nar', async (sock) => {
      await writeSlowly(sock, chunked(body.subarray(0, 5000), [5000]).slice(0, 6));
      sock.destroy();
    });
    const c = cache();
    expect(await code(download(c, 'nar/cut.nar'))).toBe(`ERR_CACHE_TRUNCATED: ${base}/nar/cut.nar: the connection ended after 1234 bytes`);
    expect(await code(download(c, 'nar/cutc.nar'))).toMatch(/^ERR_CACHE_TRUNCATED: .*cutc\.nar: the connection ended after 5000 bytes$/);
  });

  it('refuses malformed answers, naming what was wrong', async () => {
    const c = cache();
    const cases: Array<[string, string, RegExp]> = [
      ['bad-status', 'HTTP/2 200\r\n\r\n', /the server sent a bad status line 'HTTP\/2 200'/],
      ['bad-header', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /a bad header line 'no colon here'/],
      ['two-lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n', /a bad Content-Length '6'/],
      ['gzip', 'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nxxxxx', /a Content-Encoding wpm did not ask for: 'gzip'/],
      ['too-long', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n0123456789', /more than its Content-Length 5/],
      ['bad-chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /a bad chunk size 'zz'/],
      ['long-chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n', /a chunk longer than its size/],
      ['huge-head', `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}\r\n\r\n`, /headers longer than 65536 bytes/],
    ];
    for (const [name, answer, message] of cases) {
      scripts.set(`/nar/${name}.nar`, (sock) => void sock.write(answer));
      const got = await code(download(c, `nar/${name}.nar`));
      expect(got, name).toMatch(new RegExp(`^ERR_CACHE_UNREACHABLE: cannot read ${proto}://127\\.0\\.0\\.1:\\d+/nar/[a-z-]+\\.nar: the server sent `));
      expect(got, name).toMatch(message);
    }
  });

  it('times out a stalled download, but not a reader that holds a chunk longer than the timeout', async () => {
    scripts.set('/nar/stall.nar', (sock) => void sock.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n`), body.subarray(0, 40)])));
    // The whole read's deadline is far: the stall is what ends it.
    expect(await code(download(cache(300), 'nar/stall.nar', { deadlineMs: 5000 }))).toMatch(/^ERR_CACHE_TIMEOUT: .*stall\.nar: the download stalled after 40 bytes$/);

    scripts.set('/nar/slow-reader.nar', (sock) => writeSlowly(sock, [`HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n`, body.subarray(0, 10), body.subarray(10, 20), body.subarray(20, 30)], 50));
    const got = await download(cache(300), 'nar/slow-reader.nar', { holdMs: 400, deadlineMs: 5000 });
    expect(got!.bytes.equals(body.subarray(0, 30))).toBe(true);

    scripts.set('/nar/silent.nar', () => undefined);
    expect(await code(download(cache(300), 'nar/silent.nar', { deadlineMs: 5000 }))).toMatch(/^ERR_CACHE_TIMEOUT: .*silent\.nar: no answer within 0\.3 s$/);
  });

  it('stops at once when interrupted', async () => {
    scripts.set('/nar/slow.nar', (sock) => void sock.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n`), body.subarray(0, 40)])));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t = Date.now();
    expect(await code(download(cache(), 'nar/slow.nar', { signal: ac.signal }))).toMatch(/^ERR_INTERRUPTED: .*slow\.nar: interrupted$/);
    expect(Date.now() - t).toBeLessThan(1500);
  });

  it('maps a refused connection to ERR_CACHE_UNREACHABLE', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const c = new HttpCache(`${proto}://127.0.0.1:${port}`);
    caches.push(c);
    expect(await code(download(c, 'nar/x.nar'))).toBe(`ERR_CACHE_UNREACHABLE: cannot reach ${proto}://127.0.0.1:${port}/nar/x.nar: ECONNREFUSED`);
  });
});
