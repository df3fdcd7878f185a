// Just enough of the wasm binary format to lower a module's memory maximum: the memory
// limit is enforced by V8 itself (memory.grow returns -1), not by watching the guest.

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const IMPORT_MEMORY = 2;

class Reader {
  constructor(readonly b: Uint8Array, public p = 0) {}
  byte(): number {
    if (this.p >= this.b.length) throw new Error('unexpected end of wasm module');
    return this.b[this.p++];
  }
  leb(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const x = this.byte();
      result += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return result;
      mul *= 128;
    }
  }
  skip(n: number): void {
    this.p += n;
  }
  name(): void {
    this.skip(this.leb());
  }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let x = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) x |= 0x80;
    out.push(x);
  } while (n > 0);
  return out;
}

export class InitialMemoryTooLarge extends Error {
  constructor(readonly initialPages: number) {
    super(`the module's initial memory (${initialPages} pages) exceeds the limit`);
  }
}

/** Re-encode a `limits` at r.p with max lowered to maxPages; appends the bytes to out. */
function lowerLimits(r: Reader, out: number[], maxPages: number): void {
  const flags = r.byte();
  const min = r.leb();
  const oldMax = flags & 1 ? r.leb() : Infinity;
  if (min > maxPages) throw new InitialMemoryTooLarge(min);
  out.push(flags | 1, ...leb(min), ...leb(Math.min(oldMax, maxPages)));
}

/** A copy of `bytes` whose defined and imported memories have at most `maxPages` pages. */
export function withMemoryMaximum(bytes: Uint8Array, maxPages: number): Uint8Array {
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) throw new Error('not a wasm module');
  const r = new Reader(bytes, 8);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  while (r.p < bytes.length) {
    const start = r.p;
    const id = r.byte();
    const size = r.leb();
    const bodyStart = r.p;
    const end = bodyStart + size;
    if (id === SECTION_MEMORY || id === SECTION_IMPORT) {
      const body: number[] = [];
      const count = r.leb();
      body.push(...leb(count));
      for (let i = 0; i < count; i++) {
        if (id === SECTION_MEMORY) {
          lowerLimits(r, body, maxPages);
          continue;
        }
        const entryStart = r.p;
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === IMPORT_MEMORY) {
          for (let k = entryStart; k < r.p; k++) body.push(bytes[k]);
          lowerLimits(r, body, maxPages);
          continue;
        }
        if (kind === 0) r.leb();
        else if (kind === 1) {
          r.byte();
          const flags = r.byte();
          r.leb();
          if (flags & 1) r.leb();
        } else if (kind === 3) r.skip(2);
        else if (kind === 4) {
          r.byte();
          r.leb();
        } else throw new Error(`unknown import kind ${kind}`);
        for (let k = entryStart; k < r.p; k++) body.push(bytes[k]);
      }
      if (r.p !== end) throw new Error('malformed wasm section');
      parts.push(Uint8Array.from([id, ...leb(body.length), ...body]));
    } else {
      parts.push(bytes.subarray(start, end));
    }
    r.p = end;
  }
  return Buffer.concat(parts);
}
