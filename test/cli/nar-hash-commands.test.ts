// `wpm nar` and `wpm hash`: outputs equal Nix's tools; the NAR stream respects backpressure.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, expect, test, vi } from 'vitest';
import { isWpmError } from '../../util/errors.js';
import { register as registerHash } from '../../cli/commands/hash.js';
import { narDump, register as registerNar } from '../../cli/commands/nar.js';
import { nixDump, nixHashConvert, nixHashFile, nixHashPath } from '../store/nix-oracle.js';

const work = mkdtempSync(join(tmpdir(), 'wpm-cli-nar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const tree = join(work, 'tree');
mkdirSync(join(tree, 'bin'), { recursive: true });
writeFileSync(join(tree, 'bin', 'tool'), '#!/bin/sh\n');
chmodSync(join(tree, 'bin', 'tool'), 0o755);
writeFileSync(join(tree, 'data'), Buffer.alloc(3 * 1024 * 1024, 7));
symlinkSync('bin/tool', join(tree, 'link'));

/** Runs `wpm <args>` against a program holding only these commands; returns stdout. */
async function wpm(...args: string[]): Promise<string> {
  const program = new Command('wpm').exitOverride();
  registerNar(program);
  registerHash(program);
  for (const c of program.commands) c.exitOverride();
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

test('wpm hash path prints the NAR hash nix-hash prints', async () => {
  expect(await wpm('hash', 'path', tree, join(tree, 'data'))).toBe(
    `sha256:${nixHashPath(tree)}\nsha256:${nixHashPath(join(tree, 'data'))}\n`,
  );
  const hex = nixHashConvert('base16', 'sha256', nixHashPath(tree));
  expect(await wpm('hash', 'path', '--sri', tree)).toBe(nixHashConvert('sri', 'sha256', hex) + '\n');
  expect(await wpm('hash', 'path', '--base16', tree)).toBe(`sha256:${hex}\n`);
});

test('wpm hash file prints the flat hash nix-hash --flat prints, for any algorithm', async () => {
  expect(await wpm('hash', 'file', join(tree, 'data'))).toBe(`sha256:${nixHashFile(join(tree, 'data'))}\n`);
  expect(await wpm('hash', 'file', '--type', 'sha512', join(tree, 'data'))).toBe(
    `sha512:${nixHashFile(join(tree, 'data'), 'sha512')}\n`,
  );
});

test('wpm hash file on a directory says to use wpm hash path', async () => {
  try {
    await wpm('hash', 'file', tree);
    expect.unreachable();
  } catch (err) {
    expect(isWpmError(err, 'ERR_HASH_IO')).toBe(true);
    expect((err as { hint?: string }).hint).toContain('wpm hash path');
  }
});

test('wpm hash convert moves between forms', async () => {
  const nix32 = `sha256:${nixHashPath(tree)}`;
  const sri = (await wpm('hash', 'convert', '--sri', nix32)).trim();
  expect(await wpm('hash', 'convert', sri)).toBe(nix32 + '\n');
});

test('wpm nar dump writes the bytes of nix-store --dump, waiting for a slow reader', async () => {
  const chunks: Buffer[] = [];
  let waits = 0;
  // A tiny buffer forces write() to report "full" and the dump to wait for 'drain'.
  const slow = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      waits++;
      setImmediate(cb);
    },
  });
  await narDump(tree, slow);
  expect(waits).toBeGreaterThan(1);
  expect(Buffer.concat(chunks).equals(nixDump(tree))).toBe(true);
});

test('wpm nar dump fails cleanly when the reader goes away', async () => {
  const out = new PassThrough({ highWaterMark: 1024 });
  out.once('data', () => out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
  try {
    await narDump(tree, out);
    expect.unreachable();
  } catch (err) {
    expect(isWpmError(err, 'ERR_OUTPUT_CLOSED')).toBe(true);
  }
});
