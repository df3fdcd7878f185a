// The writer refuses event sequences that would not make a valid, canonical NAR.

import { describe, expect, test } from 'vitest';
import { isWpmError } from '../../util/errors.js';
import { NarWriter } from '../../store/format/index.js';
import { dirNar, entry, fileNode, narBytes } from './nar-build.js';

function collect(build: (w: NarWriter) => void): Buffer {
  const out: Buffer[] = [];
  const w = new NarWriter((c) => {
    out.push(Buffer.from(c));
  });
  build(w);
  w.end();
  return Buffer.concat(out);
}

function codeOf(build: (w: NarWriter) => void): string {
  try {
    collect(build);
  } catch (err) {
    if (isWpmError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

describe('NarWriter', () => {
  test('writes a file whose contents arrive in pieces', () => {
    const nar = collect((w) => {
      w.file(true, 11);
      w.contents(Buffer.from('hello '));
      w.contents(Buffer.from('world'));
    });
    expect(nar.equals(narBytes('nix-archive-1', ...fileNode('hello world', true)))).toBe(true);
  });

  test('writes nested directories and symlinks', () => {
    const nar = collect((w) => {
      w.startDirectory();
      w.entry('a');
      w.symlink('b');
      w.endEntry();
      w.entry('d');
      w.startDirectory();
      w.endDirectory();
      w.endEntry();
      w.endDirectory();
    });
    expect(
      nar.equals(dirNar(entry('a', ['(', 'type', 'symlink', 'target', 'b', ')']), entry('d', ['(', 'type', 'directory', ')']))),
    ).toBe(true);
  });

  test.each<[string, (w: NarWriter) => void, string]>([
    ['entries out of byte order', (w) => { w.startDirectory(); w.entry('\u{1F600}'); w.file(false, 0); w.endEntry(); w.entry('\uFFFD'); }, 'ERR_NAR_UNSORTED'],
    ['a duplicate entry', (w) => { w.startDirectory(); w.entry('a'); w.file(false, 0); w.endEntry(); w.entry('a'); }, 'ERR_NAR_UNSORTED'],
    ['an entry named ..', (w) => { w.startDirectory(); w.entry('..'); }, 'ERR_NAR_BAD_NAME'],
    ['an entry name with a slash', (w) => { w.startDirectory(); w.entry('a/b'); }, 'ERR_NAR_BAD_NAME'],
    ['more contents than declared', (w) => { w.file(false, 1); w.contents(Buffer.from('ab')); }, 'ERR_NAR_WRITER_STATE'],
    ['fewer contents than declared', (w) => { w.file(false, 2); w.contents(Buffer.from('a')); }, 'ERR_NAR_WRITER_STATE'],
    ['two root nodes', (w) => { w.file(false, 0); w.file(false, 0); }, 'ERR_NAR_WRITER_STATE'],
    ['a node without entry()', (w) => { w.startDirectory(); w.file(false, 0); }, 'ERR_NAR_WRITER_STATE'],
    ['an entry without a node', (w) => { w.startDirectory(); w.entry('a'); w.endEntry(); }, 'ERR_NAR_WRITER_STATE'],
    ['an unclosed directory', (w) => { w.startDirectory(); }, 'ERR_NAR_WRITER_STATE'],
    ['nothing at all', () => {}, 'ERR_NAR_WRITER_STATE'],
    ['an empty symlink target', (w) => { w.symlink(''); }, 'ERR_NAR_WRITER_STATE'],
  ])('refuses %s', (_, build, code) => {
    expect(codeOf(build)).toBe(code);
  });
});
