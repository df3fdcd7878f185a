// The host lists directories (and the in-memory runner writes NAR entries) in the bytewise order
// of the names' UTF-8, computed without encoding them: the same order as Buffer.compare.
import { describe, expect, it } from 'vitest';
import { compareBytes } from '../../runtime/wasi/vfs.js';

const NAMES = ['a', 'B', 'ab', '', '\u00e9', 'e\u0301', '\uffff', '\u{10000}', '\u{1f600}x', '\u{1f600}', '\ue000', 'z', '_', '\u00e9a', '\u{1f600}\uffff'];

describe('bytewise name order', () => {
  it('sorts names, astral characters included, exactly as Buffer.compare of their UTF-8', () => {
    const byBuffer = [...NAMES].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...NAMES].sort(compareBytes)).toEqual(byBuffer);
    for (const a of NAMES) for (const b of NAMES) expect(Math.sign(compareBytes(a, b)), `${a} vs ${b}`).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)));
  });
});
