// dumpPath on awkward inputs: special files are refused by name, sinks get backpressure, and the
// chunks handed to a sink that keeps them are never overwritten.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isWpmError } from '../../util/errors.js';
import { dumpPath, hashPath, scanReferences } from '../../store/nar/index.js';
import { nixDump } from './nix-oracle.js';

const work = mkdtempSync(join(tmpdir(), 'wpm-nar-dump-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isWpmError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  return { code: 'no error', message: '' };
}

describe('dumpPath refuses special files, naming them', () => {
  test('a FIFO inside a tree', async () => {
    const dir = join(work, 'with-fifo');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a'), 'a');
    execFileSync('mkfifo', [join(dir, 'sub', 'pipe')]);
    for (const run of [() => dumpPath(dir, () => {}), () => hashPath(dir), () => scanReferences(dir, [])]) {
      const r = await refusal(run());
      expect(r.code).toBe('ERR_NAR_UNSUPPORTED_FILE');
      expect(r.message).toContain(join(dir, 'sub', 'pipe'));
      expect(r.message).toContain('FIFO');
    }
  });

  test('a FIFO as the root', async () => {
    const fifo = join(work, 'root-fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await refusal(hashPath(fifo));
    expect(r.code).toBe('ERR_NAR_UNSUPPORTED_FILE');
    expect(r.message).toContain(fifo);
  });

  test('a socket', async () => {
    const dir = join(work, 'with-socket');
    mkdirSync(dir);
    const sock = join(dir, 'daemon.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const r = await refusal(hashPath(dir));
      expect(r.code).toBe('ERR_NAR_UNSUPPORTED_FILE');
      expect(r.message).toContain(sock);
      expect(r.message).toContain('socket');
    } finally {
      server.close();
    }
  });

  test('a character device', async () => {
    const r = await refusal(hashPath('/dev/null'));
    expect(r.code).toBe('ERR_NAR_UNSUPPORTED_FILE');
    expect(r.message).toContain('/dev/null');
  });
});

test('a missing path is a clear error', async () => {
  const r = await refusal(hashPath(join(work, 'nope')));
  expect(r.code).toBe('ERR_NAR_IO');
  expect(r.message).toContain('ENOENT');
});

test('waits for an asynchronous sink and never reuses chunks it kept', async () => {
  const dir = join(work, 'slow-sink');
  mkdirSync(dir);
  for (let i = 0; i < 5; i++) writeFileSync(join(dir, `f${i}`), Buffer.alloc(3 * 1024 * 1024 + i, i + 1));
  const kept: Uint8Array[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  await dumpPath(dir, async (c) => {
    kept.push(c); // kept without copying: later reads must not overwrite it
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
  });
  expect(maxInFlight).toBeLessThanOrEqual(2);
  expect(Buffer.concat(kept).equals(nixDump(dir))).toBe(true);
});

test('a sink that fails stops the dump with its error', async () => {
  const dir = join(work, 'failing-sink');
  mkdirSync(dir);
  writeFileSync(join(dir, 'f'), Buffer.alloc(4 * 1024 * 1024));
  await expect(
    dumpPath(dir, async () => {
      throw new Error('disk full');
    }),
  ).rejects.toThrow('disk full');
});

test('a file that shrinks while it is archived is an error, not a short NAR', async () => {
  const dir = join(work, 'shrinking');
  mkdirSync(dir);
  const f = join(dir, 'log');
  writeFileSync(f, Buffer.alloc(8 * 1024 * 1024, 1));
  let truncated = false;
  const r = await refusal(
    dumpPath(dir, () => {
      if (!truncated) truncateSync(f, 0);
      truncated = true;
    }),
  );
  expect(r.code).toBe('ERR_NAR_FILE_CHANGED');
  expect(r.message).toContain(f);
});
