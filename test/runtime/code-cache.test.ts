// The compiled-code cache's parts, in this process: the entry format (every kind of damage is a
// miss), eviction, the key, and the native addon (which npm install builds; these tests fail,
// rather than skip, when it is missing).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAddon, compileStreaming, type StreamingRequest } from '../../runtime/wasi/code-cache/addon.js';
import { readEntry, writeEntry } from '../../runtime/wasi/code-cache/entry.js';
import { evict } from '../../runtime/wasi/code-cache/evict.js';
import { cacheKey, keyDescription } from '../../runtime/wasi/code-cache/key.js';
import { tempDir } from '../helpers/cli.js';
import { parse } from '@bytecodealliance/jco';

function addon() {
  const { addon, problem } = loadAddon();
  if (addon === null) throw new Error(`the code cache addon is required by these tests: ${problem}`);
  return addon;
}

const KEY = 'a'.repeat(64);
const CODE = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);

function written(): { dir: string; file: string } {
  const dir = tempDir('code-cache');
  const file = path.join(dir, `${KEY}.code`);
  writeEntry(file, { key: KEY, description: 'test' }, CODE, addon().checksum);
  return { dir, file };
}

describe('cache entries', () => {
  it('reads back the code it wrote', () => {
    const { file } = written();
    const r = readEntry(file, KEY, addon().checksum);
    expect('code' in r && Buffer.from(r.code).equals(Buffer.from(CODE))).toBe(true);
  });

  it('treats a missing entry as absent', () => {
    expect(readEntry(path.join(tempDir('code-cache'), 'none.code'), KEY, addon().checksum)).toEqual({ miss: 'absent' });
  });

  it.each([
    ['a flipped bit in the code', (b: Buffer) => { b[b.length - 500]! ^= 1; return b; }, 'checksum mismatch'],
    ['a truncated file', (b: Buffer) => b.subarray(0, b.length - 1), 'bytes of code where the header says'],
    ['a file cut inside its header', (b: Buffer) => b.subarray(0, 20), 'truncated header'],
    ['a damaged header', (b: Buffer) => { b[12] = 0x78; return b; }, 'unreadable header'],
    ['another format', (b: Buffer) => { b[0] = 0x00; return b; }, 'not a wpm code cache entry'],
    ['an empty file', () => Buffer.alloc(0), 'not a wpm code cache entry'],
    ['trailing bytes', (b: Buffer) => Buffer.concat([b, Buffer.from([0])]), 'bytes of code where the header says'],
  ])('treats %s as an invalid entry', (_what, damage, why) => {
    const { file } = written();
    fs.writeFileSync(file, damage(fs.readFileSync(file)));
    const r = readEntry(file, KEY, addon().checksum);
    expect(r).toMatchObject({ miss: 'invalid' });
    expect((r as { why: string }).why).toContain(why);
  });

  it("treats another key's entry as invalid", () => {
    const { file } = written();
    const r = readEntry(file, 'b'.repeat(64), addon().checksum);
    expect(r).toEqual({ miss: 'invalid', why: 'written for another key' });
  });

  it('replaces an entry whole, leaving no temporary file', () => {
    const { dir, file } = written();
    writeEntry(file, { key: KEY, description: 'test' }, CODE.subarray(0, 10), addon().checksum);
    expect(fs.readdirSync(dir)).toEqual([`${KEY}.code`]);
    const r = readEntry(file, KEY, addon().checksum);
    expect('code' in r && r.code.length).toBe(10);
  });
});

describe('eviction', () => {
  function entry(dir: string, name: string, size: number, ageS: number): void {
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.alloc(size));
    const t = new Date(Date.now() - ageS * 1000);
    fs.utimesSync(file, t, t);
  }

  it('removes the least recently used entries beyond the bound', () => {
    const dir = tempDir('code-cache');
    entry(dir, 'old.code', 400, 300);
    entry(dir, 'mid.code', 400, 200);
    entry(dir, 'new.code', 400, 100);
    expect(evict(dir, 1000).sort()).toEqual(['old.code']);
    expect(fs.readdirSync(dir).sort()).toEqual(['mid.code', 'new.code']);
  });

  it('keeps the entry just written even when it alone fills the bound', () => {
    const dir = tempDir('code-cache');
    entry(dir, 'other.code', 400, 10);
    entry(dir, 'mine.code', 900, 300);
    expect(evict(dir, 1000, ['mine.code'])).toEqual(['other.code']);
  });

  it('counts module copies with the entries', () => {
    const dir = tempDir('code-cache');
    entry(dir, 'm.wasm', 600, 300);
    entry(dir, 'k.code', 600, 100);
    expect(evict(dir, 1000)).toEqual(['m.wasm']);
  });

  it('removes what crashed processes left behind once it is an hour old, and nothing else', () => {
    const dir = tempDir('code-cache');
    entry(dir, '.tmp-1-x.code', 10, 7200);
    entry(dir, 'k.123.usage', 10, 7200);
    entry(dir, '.tmp-2-y.code', 10, 60);
    entry(dir, 'k.456.usage', 10, 60);
    entry(dir, 'k.lock', 10, 7200);
    expect(evict(dir, 1 << 20).sort()).toEqual(['.tmp-1-x.code', 'k.123.usage']);
    expect(fs.readdirSync(dir).sort()).toEqual(['.tmp-2-y.code', 'k.456.usage', 'k.lock']);
  });
});

describe('keys', () => {
  const parts = { moduleSha: '0'.repeat(64), v8Flags: ['--liftoff-only', '--wasm-lazy-validation'] };

  it('are stable and name this Node, its V8 and the CPU', () => {
    expect(cacheKey(parts)).toBe(cacheKey({ ...parts, v8Flags: [...parts.v8Flags] }));
    const d = JSON.parse(keyDescription(parts));
    expect(d).toMatchObject({ node: process.version, v8: process.versions.v8, flags: parts.v8Flags });
    expect(d.cpu).toContain(process.arch);
  });

  it('differ with the module and with the flags, their order included', () => {
    const k = cacheKey(parts);
    expect(cacheKey({ ...parts, moduleSha: '1'.repeat(64) })).not.toBe(k);
    expect(cacheKey({ ...parts, v8Flags: ['--wasm-lazy-validation'] })).not.toBe(k);
    expect(cacheKey({ ...parts, v8Flags: [...parts.v8Flags].reverse() })).not.toBe(k);
  });
});

describe('the addon', () => {
  it('checksums detect any single flipped bit and any change of length', () => {
    const a = addon();
    const base = a.checksum(CODE);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    for (const at of [0, 1, 31, 32, 4096, CODE.length - 1]) {
      for (const bit of [0, 7]) {
        const c = Uint8Array.from(CODE);
        c[at]! ^= 1 << bit;
        expect(a.checksum(c)).not.toBe(base);
      }
    }
    expect(a.checksum(CODE.subarray(0, CODE.length - 1))).not.toBe(base);
    expect(a.checksum(Uint8Array.from([...CODE, 0]))).not.toBe(base);
  });

  // Serialized code that V8 takes back is made in a process of its own (the warm-up, which
  // changes V8's flags): test/cli/code-cache.test.ts.
  it('gives a working module when V8 refuses the code, and says so', async () => {
    const a = addon();
    const wire = await parse('(module (func (export "f") (param i32) (result i32) local.get 0 i32.const 41 i32.add))');
    a.install();
    const run = (m: WebAssembly.Module) => (new WebAssembly.Instance(m).exports.f as (x: number) => number)(1);
    const foreign: StreamingRequest = { wire, code: new Uint8Array(64).fill(7) };
    expect(run(await compileStreaming(foreign))).toBe(42);
    expect(foreign.accepted).toBe(false);
    const none: StreamingRequest = { wire };
    expect(run(await compileStreaming(none))).toBe(42);
    expect(none.accepted).toBe(false);
  });

  it('refuses what is not its request', async () => {
    addon().install();
    await expect(compileStreaming({} as StreamingRequest)).rejects.toThrow(/wpm's compiled-code cache/);
  });
});
