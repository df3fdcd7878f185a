// Hash parsing and printing in every form Nix uses, checked against `nix hash to-*`.

import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { codeOf } from '../helpers/errors.js';
import { type HashAlgo, HashSink, formatHash, hashBytes, hashEquals, parseHash } from '../../store/format/index.js';
import { nixHashConvert } from './nix-oracle.js';


const ALGOS: HashAlgo[] = ['md5', 'sha1', 'sha256', 'sha512'];

describe.each(ALGOS)('%s', (algo) => {
  const h = hashBytes(algo, randomBytes(32));
  const hex = Buffer.from(h.digest).toString('hex');

  test('prints the same nix32, base16 and SRI forms as Nix', () => {
    expect(formatHash(h)).toBe(`${algo}:${nixHashConvert('base32', algo, hex)}`);
    expect(formatHash(h, 'base16')).toBe(`${algo}:${hex}`);
    expect(formatHash(h, 'sri')).toBe(nixHashConvert('sri', algo, hex));
  });

  test('parses every form Nix prints back to the same digest', () => {
    const forms = [
      `${algo}:${nixHashConvert('base32', algo, hex)}`,
      `${algo}:${nixHashConvert('base16', algo, hex)}`,
      `${algo}:${nixHashConvert('base64', algo, hex)}`,
      nixHashConvert('sri', algo, hex),
      `${algo}:${hex.toUpperCase()}`,
    ];
    for (const f of forms) expect(hashEquals(parseHash(f), h), f).toBe(true);
  });
});

describe('parseHash refuses', () => {
  const good = formatHash(hashBytes('sha256', 'x'));
  test.each([
    ['no algorithm', good.slice('sha256:'.length)],
    ['an unknown algorithm', good.replace('sha256', 'sha3')],
    ['a wrong length', good.slice(0, -1)],
    ['nix32 with a forbidden letter', good.slice(0, -1) + 'e'],
    ['base16 with a non-hex digit', `sha256:${'g'.repeat(64)}`],
    ['base64 with junk', `sha256-${'!'.repeat(44)}`],
    ['SRI of the wrong length', `sha256-${Buffer.alloc(20).toString('base64')}`],
    ['an empty string', ''],
  ])('%s', (_, s) => {
    expect(codeOf(() => parseHash(s))).toBe('ERR_BAD_HASH');
  });
});

describe('HashSink', () => {
  test('hashes a stream of chunks like a one-shot hash, and counts its bytes', () => {
    const data = randomBytes(100_000);
    const sink = new HashSink('sha256');
    for (let i = 0; i < data.length; i += 777) sink.update(data.subarray(i, i + 777));
    expect(sink.size).toBe(data.length);
    expect(Buffer.from(sink.digest().digest).equals(createHash('sha256').update(data).digest())).toBe(true);
  });

  test('hashBytes accepts strings as UTF-8', () => {
    expect(hashEquals(hashBytes('sha256', 'é'), hashBytes('sha256', Buffer.from('é', 'utf8')))).toBe(true);
  });
});
