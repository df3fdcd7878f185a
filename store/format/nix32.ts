// Nix's base-32 ("nix32"): a 32-letter alphabet without e, o, u, t (to avoid accidental words),
// read from the *last* byte first. Needed for store-path hash parts and `sha256:<nix32>` hashes.

import { WpmError } from '../../util/errors.js';

export const NIX32_ALPHABET = '0123456789abcdfghijklmnpqrsvwxyz';

// Character code → digit value, 0xff for characters outside the alphabet.
const DIGIT = new Uint8Array(256).fill(0xff);
for (let i = 0; i < NIX32_ALPHABET.length; i++) DIGIT[NIX32_ALPHABET.charCodeAt(i)] = i;

/** True for the 32 ASCII letters/digits of the nix32 alphabet (used by the reference scanner too). */
export function isNix32Char(code: number): boolean {
  return code < 256 && DIGIT[code] !== 0xff;
}

/** Number of characters nix32 needs for `byteLength` bytes: ceil(8n / 5). */
export function nix32Length(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 5);
}

export function nix32Encode(bytes: Uint8Array): string {
  const len = nix32Length(bytes.length);
  let out = '';
  // Character n (counting from the right end of the string) holds bits [5n, 5n+5) of the
  // little-endian bit string, which is what makes nix32 differ from RFC 4648 base32.
  for (let n = len - 1; n >= 0; n--) {
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    const lo = bytes[i] >> j;
    const hi = i + 1 < bytes.length ? bytes[i + 1] << (8 - j) : 0;
    out += NIX32_ALPHABET[(lo | hi) & 0x1f];
  }
  return out;
}

/** Byte length encoded by a nix32 string of `charLength` characters, or -1 if no length fits. */
function decodedLength(charLength: number): number {
  const bytes = Math.floor((charLength * 5) / 8);
  return nix32Length(bytes) === charLength ? bytes : -1;
}

export function nix32Decode(s: string): Uint8Array {
  const size = decodedLength(s.length);
  if (size < 0) {
    throw new WpmError('ERR_BAD_NIX32', `invalid nix32 string length ${s.length}: '${s}'`);
  }
  const out = new Uint8Array(size);
  for (let n = 0; n < s.length; n++) {
    const code = s.charCodeAt(s.length - n - 1);
    const digit = code < 256 ? DIGIT[code] : 0xff;
    if (digit === 0xff) {
      throw new WpmError('ERR_BAD_NIX32', `invalid character '${s[s.length - n - 1]}' in nix32 string '${s}'`, {
        hint: `nix32 uses only the characters ${NIX32_ALPHABET}`,
      });
    }
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    out[i] |= (digit << j) & 0xff;
    const carry = digit >> (8 - j);
    if (i + 1 < size) out[i + 1] |= carry;
    else if (carry !== 0) {
      // The top character may only use the bits that fit: otherwise two strings would decode alike.
      throw new WpmError('ERR_BAD_NIX32', `nix32 string '${s}' has bits set beyond its length`);
    }
  }
  return out;
}
