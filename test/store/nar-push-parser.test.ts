// The push parser sees the same tree however a NAR is cut into chunks, and keeps nothing of a
// chunk after push() returns: substitution reads a file cache into one buffer, again and again.

import { describe, expect, test } from 'vitest';
import { NarPushParser, type NarVisitor } from '../../store/format/index.js';
import { dirNar, entry, fileNode, narBytes } from './nar-build.js';

/** A visitor that writes every event down, with contents copied out of the chunk. */
function recorder(): { events: string[]; visitor: NarVisitor } {
  const events: string[] = [];
  const text = (b: Uint8Array) => JSON.stringify(Buffer.from(b).toString('latin1'));
  let contents: Buffer[] = [];
  return {
    events,
    visitor: {
      file: (executable, size) => void events.push(`file ${executable} ${size}`),
      contents: (chunk) => void contents.push(Buffer.from(chunk)),
      endFile: () => {
        events.push(`contents ${text(Buffer.concat(contents))}`, 'endFile');
        contents = [];
      },
      symlink: (target) => void events.push(`symlink ${text(target)}`),
      startDirectory: () => void events.push('dir'),
      entry: (name) => void events.push(`entry ${text(name)}`),
      endEntry: () => void events.push('endEntry'),
      endDirectory: () => void events.push('endDir'),
    },
  };
}

/** Feeds `nar` in chunks of `size`, each copied into the same buffer, overwritten after push(). */
function parseReusing(nar: Uint8Array, size: number): string[] {
  const { events, visitor } = recorder();
  const parser = new NarPushParser(visitor);
  const buf = new Uint8Array(size);
  for (let i = 0; i < nar.length; i += size) {
    const n = Math.min(size, nar.length - i);
    buf.set(nar.subarray(i, i + n));
    parser.push(buf.subarray(0, n));
    buf.fill(0xee); // anything the parser kept a view of is now garbage
  }
  parser.end();
  return events;
}

// Long names and a symlink target of 4,000 bytes straddle chunks of every size below.
const longTarget = 'x/'.repeat(2000);
const big = 'abcdefghij'.repeat(3000);
const nar = dirNar(
  entry('a'.repeat(200), fileNode('hello', true)),
  entry('b', ['(', 'type', 'directory', ...entry('c', ['(', 'type', 'symlink', 'target', longTarget, ')']), ')']),
  entry('d', fileNode('')),
  entry('e', fileNode(big)),
);

describe('NarPushParser', () => {
  const whole = parseReusing(nar, nar.length);

  test('sees the whole tree from one chunk', () => {
    expect(whole).toEqual([
      'dir',
      `entry ${JSON.stringify('a'.repeat(200))}`,
      'file true 5',
      'contents "hello"',
      'endFile',
      'endEntry',
      'entry "b"',
      'dir',
      'entry "c"',
      `symlink ${JSON.stringify(longTarget)}`,
      'endEntry',
      'endDir',
      'endEntry',
      'entry "d"',
      'file false 0',
      'contents ""',
      'endFile',
      'endEntry',
      'entry "e"',
      'file false 30000',
      `contents ${JSON.stringify(big)}`,
      'endFile',
      'endEntry',
      'endDir',
    ]);
  });

  test.each([1, 3, 7, 8, 13, 4096, 4103, 65536])('sees the same tree from chunks of %i bytes in one reused buffer', (size) => {
    expect(parseReusing(nar, size)).toEqual(whole);
  });

  test('a single file and a single symlink are archives too', () => {
    const file = parseReusing(narBytes('nix-archive-1', ...fileNode('x')), 2);
    expect(file).toEqual(['file false 1', 'contents "x"', 'endFile']);
    const link = parseReusing(narBytes('nix-archive-1', '(', 'type', 'symlink', 'target', 'a', ')'), 5);
    expect(link).toEqual(['symlink "a"']);
  });

  test('what the visitor returns to wait for is handed to the driver', async () => {
    const order: string[] = [];
    const parser = new NarPushParser({
      endFile: () => new Promise<void>((resolve) => setTimeout(() => resolve(order.push('endFile settled') as unknown as void), 5)),
    });
    parser.push(nar);
    order.push('push returned');
    await parser.takePending();
    expect(order).toEqual(['push returned', 'endFile settled', 'endFile settled', 'endFile settled']);
    expect(parser.takePending()).toBeUndefined();
    parser.end();
  });
});
