// A seeded generator for the fuzz suites: the same seed gives the same cases on every run, so a
// failure can be replayed (WPM_FUZZ_SEED=<n> picks another seed, WPM_FUZZ_CASES another count).

export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** xorshift32: plenty for choosing cases. */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x100000000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }
}

export const SEED = Number(process.env.WPM_FUZZ_SEED ?? 20261203);
export const CASES = Number(process.env.WPM_FUZZ_CASES ?? 300);

/** Byte-level damage: flips, truncation, a duplicated or dropped run, inserted junk. */
export function mutate(r: Random, good: Buffer): Buffer {
  const b = Buffer.from(good);
  switch (r.int(5)) {
    case 0:
      for (let k = 1 + r.int(4); k > 0; k--) b[r.int(b.length)] ^= 1 << r.int(8);
      return b;
    case 1:
      return b.subarray(0, r.int(b.length));
    case 2: {
      const at = r.int(b.length);
      const len = 1 + r.int(64);
      return Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
    }
    case 3: {
      const at = r.int(b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + r.int(32))]);
    }
    default: {
      const at = r.int(b.length);
      return Buffer.concat([b.subarray(0, at), r.bytes(1 + r.int(16)), b.subarray(at)]);
    }
  }
}

/** Does an error look like a crash rather than a refusal (not a WpmError, or a stack in its text)? */
export function crashOf(err: unknown): string | undefined {
  const isWpm = err instanceof Error && err.name === 'WpmError';
  if (!isWpm) return `not a WpmError: ${err instanceof Error ? err.stack : String(err)}`;
  if (/\n\s+at .+:\d+:\d+/.test((err as Error).message)) return `a stack trace in the message: ${(err as Error).message}`;
  return undefined;
}
