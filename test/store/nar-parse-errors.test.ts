// Bad NARs are refused with a precise error code, and restoreNar leaves nothing behind.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isWpmError } from '../../util/errors.js';
import { parseNar } from '../../store/format/index.js';
import { restoreNar } from '../../store/nar/index.js';
import { chunks, dirNar, entry, fileNode, narBytes, raw, u64 } from './nar-build.js';

const work = mkdtempSync(join(tmpdir(), 'wpm-nar-bad-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isWpmError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

let n = 0;
/** Restores `nar` into a fresh destination; expects `code` and an untouched parent directory. */
async function expectRefused(nar: Uint8Array, code: string, chunkSize?: number): Promise<void> {
  const parent = join(work, `t${n++}`);
  mkdirSync(parent);
  expect(await codeOf(parseNar(chunks(nar, chunkSize)))).toBe(code);
  expect(await codeOf(restoreNar(chunks(nar, chunkSize), join(parent, 'out')))).toBe(code);
  expect(existsSync(join(parent, 'out'))).toBe(false);
  expect(readdirSync(parent)).toEqual([]); // no temporary left behind either
}

const good = dirNar(
  entry('a', fileNode('hello', true)),
  entry('b', ['(', 'type', 'directory', ...entry('c', ['(', 'type', 'symlink', 'target', '../a', ')']), ')']),
  entry('d', fileNode('')),
);

describe('parseNar and restoreNar refuse', () => {
  test('the well-formed control NAR is accepted (so the cases below fail for their own reason)', async () => {
    await parseNar(chunks(good));
    const dest = join(work, 'control');
    await restoreNar(chunks(good, 5), dest);
    expect(readdirSync(dest).sort()).toEqual(['a', 'b', 'd']);
  });

  test('a NAR truncated at any byte', async () => {
    for (let cut = 0; cut < good.length; cut += cut < 64 ? 1 : 3) {
      await expectRefused(good.subarray(0, cut), 'ERR_NAR_TRUNCATED', 3);
    }
  });

  test('bytes after the end of the archive', async () => {
    await expectRefused(Buffer.concat([good, Buffer.alloc(8)]), 'ERR_NAR_TRAILING_BYTES');
    await expectRefused(Buffer.concat([good, Buffer.from([1])]), 'ERR_NAR_TRAILING_BYTES');
  });

  test('a stream that is not a NAR', async () => {
    await expectRefused(narBytes('nix-archive-2', ...fileNode('x')), 'ERR_NAR_BAD_MAGIC');
    await expectRefused(Buffer.from('just some text that is not a NAR at all'), 'ERR_NAR_BAD_MAGIC');
    await expectRefused(narBytes(u64(2n ** 62n)), 'ERR_NAR_BAD_MAGIC');
  });

  test('entries that are not sorted bytewise', async () => {
    await expectRefused(dirNar(entry('b', fileNode('')), entry('a', fileNode(''))), 'ERR_NAR_UNSORTED');
    // UTF-16 order (as JS sorts strings) puts U+1F600 before U+FFFD; byte order does the opposite.
    await expectRefused(dirNar(entry('\u{1F600}', fileNode('')), entry('\uFFFD', fileNode(''))), 'ERR_NAR_UNSORTED');
  });

  test('duplicate entries', async () => {
    await expectRefused(dirNar(entry('a', fileNode('1')), entry('a', fileNode('2'))), 'ERR_NAR_DUPLICATE_ENTRY');
  });

  test.each([
    ['empty', ''],
    ['.', '.'],
    ['..', '..'],
    ['with a slash', 'a/b'],
    ['a lone slash', '/'],
    ['with NUL', 'a\0b'],
  ])('an entry name %s', async (_, name) => {
    await expectRefused(dirNar(entry(name, fileNode(''))), 'ERR_NAR_BAD_NAME');
  });

  test('an entry name longer than 255 bytes, refused by its length prefix', async () => {
    await expectRefused(dirNar(entry('x'.repeat(256), fileNode(''))), 'ERR_NAR_BAD_LENGTH');
  });

  test('absurd length prefixes, before allocating anything', async () => {
    await expectRefused(narBytes('nix-archive-1', '(', 'type', 'regular', 'contents', u64(2n ** 63n)), 'ERR_NAR_BAD_LENGTH');
    await expectRefused(
      narBytes('nix-archive-1', '(', 'type', 'directory', 'entry', '(', 'name', u64(1n << 40n)),
      'ERR_NAR_BAD_LENGTH',
    );
    await expectRefused(
      narBytes('nix-archive-1', '(', 'type', 'symlink', 'target', u64(1n << 32n)),
      'ERR_NAR_BAD_LENGTH',
    );
    // Plausible as a size but not backed by data: streamed, so it is only found to be short.
    await expectRefused(
      narBytes('nix-archive-1', '(', 'type', 'regular', 'contents', u64(1n << 40n), raw([1, 2, 3])),
      'ERR_NAR_TRUNCATED',
    );
  });

  test('non-zero padding', async () => {
    const nar = narBytes('nix-archive-1', ...fileNode('abc'));
    const contentsAt = nar.indexOf('abc');
    const bad = Buffer.from(nar);
    bad[contentsAt + 4] = 1;
    await expectRefused(bad, 'ERR_NAR_BAD_PADDING');
    const badToken = Buffer.from(nar);
    badToken[nar.indexOf('type') + 6] = 0x20;
    await expectRefused(badToken, 'ERR_NAR_BAD_PADDING');
  });

  test('unknown node types and misplaced tokens', async () => {
    await expectRefused(narBytes('nix-archive-1', '(', 'type', 'fifo', ')'), 'ERR_NAR_BAD_TOKEN');
    await expectRefused(narBytes('nix-archive-1', '(', 'type', 'regular', 'size', '1', ')'), 'ERR_NAR_BAD_TOKEN');
    await expectRefused(narBytes('nix-archive-1', '(', 'kind', 'regular'), 'ERR_NAR_BAD_TOKEN');
    await expectRefused(narBytes('nix-archive-1', '(', 'type', 'directory', 'file', ')'), 'ERR_NAR_BAD_TOKEN');
    // Nix writes "executable" "" before "contents" only; any other order is not canonical.
    await expectRefused(
      narBytes('nix-archive-1', '(', 'type', 'regular', 'contents', 'x', 'executable', '', ')'),
      'ERR_NAR_BAD_TOKEN',
    );
    await expectRefused(
      narBytes('nix-archive-1', '(', 'type', 'regular', 'executable', 'yes', 'contents', 'x', ')'),
      'ERR_NAR_BAD_TOKEN',
    );
  });

  test('empty symlink targets and targets with NUL', async () => {
    await expectRefused(narBytes('nix-archive-1', '(', 'type', 'symlink', 'target', '', ')'), 'ERR_NAR_BAD_TARGET');
    await expectRefused(narBytes('nix-archive-1', '(', 'type', 'symlink', 'target', 'a\0', ')'), 'ERR_NAR_BAD_TARGET');
  });

  test('directories nested deeper than the limit', async () => {
    const open = Array.from({ length: 2049 }, () => ['(', 'type', 'directory', 'entry', '(', 'name', 'd', 'node']).flat();
    const nar = narBytes('nix-archive-1', ...open.slice(0, -5));
    expect(await codeOf(parseNar(chunks(nar)))).toBe('ERR_NAR_TOO_DEEP');
    // On disk the path outgrows PATH_MAX first; either way the partial tree is removed.
    const parent = join(work, 'deep');
    mkdirSync(parent);
    expect(await codeOf(restoreNar(chunks(nar), join(parent, 'out')))).toMatch(/^ERR_NAR_(TOO_DEEP|RESTORE_FAILED)$/);
    expect(readdirSync(parent)).toEqual([]);
  });

  test('a bad entry deep inside an otherwise good tree, after files were written', async () => {
    const nar = dirNar(
      entry('a', fileNode('x'.repeat(100_000))),
      entry('b', ['(', 'type', 'directory', ...entry('ok', fileNode('1')), ...entry('..', fileNode('2')), ')']),
    );
    await expectRefused(nar, 'ERR_NAR_BAD_NAME', 1000);
  });
});

describe('restoreNar', () => {
  test('refuses to overwrite an existing destination', async () => {
    const dest = join(work, 'exists');
    await restoreNar(chunks(good), dest);
    expect(await codeOf(restoreNar(chunks(good), dest))).toBe('ERR_NAR_DEST_EXISTS');
  });

  test('restores a single file and a single symlink at the destination', async () => {
    await restoreNar(chunks(narBytes('nix-archive-1', ...fileNode('#!', true))), join(work, 'single'));
    expect(readFileSync(join(work, 'single'), 'utf8')).toBe('#!');
    expect(statSync(join(work, 'single')).mode & 0o100).toBe(0o100);
    await restoreNar(chunks(narBytes('nix-archive-1', '(', 'type', 'symlink', 'target', '/nowhere', ')')), join(work, 'link'));
    expect(readlinkSync(join(work, 'link'))).toBe('/nowhere');
  });

  test('reports a source stream that fails, leaving nothing', async () => {
    const parent = join(work, 'failing');
    mkdirSync(parent);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield good.subarray(0, 200);
      throw new Error('network down');
    }
    await expect(restoreNar(failing(), join(parent, 'out'))).rejects.toThrow();
    expect(readdirSync(parent)).toEqual([]);
  });
});
