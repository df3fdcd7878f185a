// Ctrl-C reaches the builtins that run in wpm's own process: a download stops at once and is not
// tried again, an unpack stops between entries. Both fail as interrupted, not as broken.
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchToFile } from '../../runtime/builders/fetch/download.js';
import { unpack } from '../../runtime/builders/unpack/extract.js';
import { tempDir } from '../helpers/cli.js';
import { startLoopback, type Loopback } from '../helpers/loopback.js';

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Ctrl-C in a builtin', () => {
  it('stops a download in the middle, and does not try again', async () => {
    let requests = 0;
    server = await startLoopback((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-length': String(1 << 20) });
      res.write(Buffer.alloc(1024)); // then nothing more
    });
    const controller = new AbortController();
    const dest = path.join(tempDir('fetch'), 'file');
    const t = Date.now();
    setTimeout(() => controller.abort(), 300);
    await expect(fetchToFile({ url: `${server.url}/file`, dest, where: 'fetch test', timeoutMs: 30_000, signal: controller.signal })).rejects.toMatchObject({
      code: 'ERR_INTERRUPTED',
      message: 'fetch test: interrupted',
    });
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(requests).toBe(1);
    expect(fs.existsSync(dest)).toBe(false);
  });

  it('stops an unpack between entries', async () => {
    const dir = tempDir('unpack');
    const archive = path.join(dir, 'a.tar');
    const pack = tar.pack();
    for (let i = 0; i < 50; i++) pack.entry({ name: `f${i}` }, `file ${i}\n`);
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    fs.writeFileSync(archive, Buffer.concat(chunks));

    const complete = path.join(dir, 'complete');
    await unpack({ archive, dest: complete, where: 'unpack test' });
    expect(fs.readdirSync(complete)).toHaveLength(50);

    const stopped = path.join(dir, 'stopped');
    await expect(unpack({ archive, dest: stopped, where: 'unpack test', signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_INTERRUPTED',
      message: 'unpack test: interrupted',
    });
    expect(fs.readdirSync(stopped)).toEqual([]);
  });
});
