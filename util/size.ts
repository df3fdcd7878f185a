// Sizes as people write them in settings, flags and derivations: bytes, or a number with K, M or
// G (powers of 1024), e.g. '512M', '4G', '1.5G'.

export function parseSize(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * 1024 ** ' KMG'.indexOf((m[2] || ' ').toUpperCase());
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : undefined;
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** A size for messages: '600 MiB', '4.00 GiB', '512 bytes'. */
export function formatSize(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(2)} GiB`;
  if (n >= MiB) return `${Math.round(n / MiB)} MiB`;
  return `${n} bytes`;
}
