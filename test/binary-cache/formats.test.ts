// narinfo text, signatures and the k-of-n trust policy, against Nix's formats and Nix's own keys.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fingerprintPath,
  formatNarInfo,
  formatPublicKey,
  generateKeyPair,
  parseNarInfo,
  parsePublicKey,
  parseSecretKey,
  publicKeyOf,
  signFingerprint,
  verifySignature,
  verifySignatureAsync,
  makeSourcePath,
  parseHash,
  type NarInfo,
} from '../../store/format/index.js';
import { checkTrust, checkTrustAsync, makeTrustPolicy } from '../../store/binary-cache/index.js';
import { tempDir } from '../helpers/cli.js';
import { NIX_ENV } from '../store/nix-oracle.js';

const P = '/wpm/store/qjwf4qmxw939r2x2a5rzspdbqzdrnlq5-tiny';
const R = '/wpm/store/m0nl8wp43p6l9f5jqz6h3i2fg5al9yy3-d';
const NAR_HASH = 'sha256:1jpg5v8rcf4d08rlpq51vnd1w800l64h34r0bw4vkb6z3qlk089k';

// As Nix's NarInfo::to_string writes it: this order, References always present.
const TEXT = `StorePath: ${P}
URL: nar/1jpg5v8rcf4d08rlpq51vnd1w800l64h34r0bw4vkb6z3qlk089k.nar.xz
Compression: xz
FileHash: sha256:1jpg5v8rcf4d08rlpq51vnd1w800l64h34r0bw4vkb6z3qlk089k
FileSize: 200
NarHash: ${NAR_HASH}
NarSize: 288
References: m0nl8wp43p6l9f5jqz6h3i2fg5al9yy3-d qjwf4qmxw939r2x2a5rzspdbqzdrnlq5-tiny
Deriver: gpbkzp4mz38abhdlmibp59zygs3shl4f-tiny.drv
Sig: a:AAAA
Sig: b:BBBB
CA: fixed:r:sha256:1jpg5v8rcf4d08rlpq51vnd1w800l64h34r0bw4vkb6z3qlk089k
`;

describe('narinfo', () => {
  it('round-trips Nix’s text byte for byte', () => {
    const info = parseNarInfo(TEXT, 'test');
    expect(info.references).toEqual([R, P]);
    expect(info.deriver).toBe('/wpm/store/gpbkzp4mz38abhdlmibp59zygs3shl4f-tiny.drv');
    expect(info.sigs).toEqual(['a:AAAA', 'b:BBBB']);
    expect(formatNarInfo(info)).toBe(TEXT);
  });

  it('defaults Compression to bzip2 and ignores unknown keys, as Nix does', () => {
    const info = parseNarInfo(`StorePath: ${P}\nURL: x.nar.bz2\nNarHash: ${NAR_HASH}\nNarSize: 5\nSystem: x86_64-linux\n`, 'test');
    expect(info.compression).toBe('bzip2');
    expect(info.references).toEqual([]);
  });

  it('accepts NarHash in base16 and normalises it to nix32', () => {
    const hex = Buffer.alloc(32, 7).toString('hex');
    expect(parseNarInfo(`StorePath: ${P}\nURL: u\nNarHash: sha256:${hex}\nNarSize: 5\n`, 't').narHash).toMatch(/^sha256:[0-9a-z]{52}$/);
  });

  it.each([
    ['no StorePath', `URL: u\nNarHash: ${NAR_HASH}\nNarSize: 1\n`],
    ['a path outside /wpm/store', `StorePath: /nix/store/qjwf4qmxw939r2x2a5rzspdbqzdrnlq5-tiny\nURL: u\nNarHash: ${NAR_HASH}\nNarSize: 1\n`],
    ['NarSize 0', `StorePath: ${P}\nURL: u\nNarHash: ${NAR_HASH}\nNarSize: 0\n`],
    ['a md5 NarHash', `StorePath: ${P}\nURL: u\nNarHash: md5:${'0'.repeat(32)}\nNarSize: 1\n`],
    ['a bad reference', `StorePath: ${P}\nURL: u\nNarHash: ${NAR_HASH}\nNarSize: 1\nReferences: ../etc\n`],
    ['a line without a colon', `StorePath: ${P}\ngarbage\n`],
  ])('refuses a narinfo with %s, naming where it came from', (_what, text) => {
    expect(() => parseNarInfo(text, 'http://cache/x.narinfo')).toThrow(/http:\/\/cache\/x\.narinfo: corrupt narinfo/);
  });
});

describe('signatures', () => {
  const info: NarInfo = { ...parseNarInfo(TEXT, 't'), sigs: [] };
  const fp = fingerprintPath(info.storePath, info.narHash, info.narSize, info.references);

  it('signs Nix’s fingerprint', () => {
    expect(fp).toBe(`1;${P};${NAR_HASH};288;${R},${P}`);
    const { secret, public: pub } = generateKeyPair('k-1');
    expect(publicKeyOf(secret)).toEqual(pub);
    const sig = signFingerprint(secret, fp);
    expect(sig).toMatch(/^k-1:[A-Za-z0-9+/]{86}==$/);
    expect(verifySignature(sig, fp, [pub])).toBe(pub);
    expect(verifySignature(sig, fp.replace('288', '289'), [pub])).toBeUndefined();
    expect(verifySignature(sig.replace('k-1:', 'k-2:'), fp, [pub])).toBeUndefined();
  });

  it('uses keys made by nix-store --generate-binary-cache-key, and Nix reads wpm’s', () => {
    const dir = tempDir('nixkey');
    const sec = path.join(dir, 'n.sec');
    const pub = path.join(dir, 'n.pub');
    execFileSync('nix-store', ['--generate-binary-cache-key', 'nix-made-1', sec, pub], { env: NIX_ENV });
    const secret = parseSecretKey(fs.readFileSync(sec, 'utf8'));
    const publicKey = parsePublicKey(fs.readFileSync(pub, 'utf8'));
    expect(publicKeyOf(secret)).toEqual(publicKey);
    expect(verifySignature(signFingerprint(secret, fp), fp, [publicKey])).toBeDefined();
  });
});

// The CLI verifies with node:crypto, a browser with WebCrypto: one conformance suite for both.
describe.each([
  ['node:crypto', checkTrust],
  ['WebCrypto', checkTrustAsync],
] as const)('trust policy (%s): k valid signatures from distinct trusted keys', (_, check) => {
  const base: NarInfo = { ...parseNarInfo(TEXT, 't'), sigs: [] };
  const fp = fingerprintPath(base.storePath, base.narHash, base.narSize, base.references);
  const a = generateKeyPair('a');
  const c = generateKeyPair('c');
  const x = generateKeyPair('x');
  const sA = signFingerprint(a.secret, fp);
  const sC = signFingerprint(c.secret, fp);
  const keys = [formatPublicKey(a.public), formatPublicKey(c.public)];

  it('accepts one trusted signature when one is required', async () => {
    expect((await check({ ...base, sigs: [sA] }, makeTrustPolicy(keys, 1))).ok).toBe(true);
  });

  it('refuses one signature when two are required, and says how many it had', async () => {
    const v = await check({ ...base, sigs: [sA] }, makeTrustPolicy(keys, 2));
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/signed by 1 trusted key \('a'\); 2 distinct trusted keys must sign it/);
  });

  it('accepts two signatures by different trusted keys', async () => {
    expect((await check({ ...base, sigs: [sC, sA] }, makeTrustPolicy(keys, 2))).signers.map((k) => k.name).sort()).toEqual(['a', 'c']);
  });

  it('counts one key under two names once', async () => {
    const again = `a2:${sA.split(':')[1]}`;
    const policy = makeTrustPolicy([...keys, `a2:${formatPublicKey(a.public).split(':')[1]}`], 2);
    expect((await check({ ...base, sigs: [sA, again] }, policy)).ok).toBe(false);
  });

  it('refuses a forged signature under a trusted name', async () => {
    const forged = `a:${signFingerprint(x.secret, fp).split(':')[1]}`;
    const v = await check({ ...base, sigs: [forged] }, makeTrustPolicy(keys, 1));
    expect(v.reason).toMatch(/invalid signature by 'a'/);
  });

  it('refuses an unsigned path, or one signed by an untrusted key', async () => {
    expect((await check(base, makeTrustPolicy(keys, 1))).reason).toMatch(/not signed/);
    expect((await check({ ...base, sigs: [signFingerprint(x.secret, fp)] }, makeTrustPolicy(keys, 1))).reason).toMatch(/no signature by a trusted key \(signed by 'x'\)/);
  });

  it('needs no signature for a path whose name follows from its NAR hash (CA fixed:r:sha256), as in Nix', async () => {
    const narHash = NAR_HASH;
    const storePath = makeSourcePath(parseHash(narHash), 'd');
    const ca = { ...base, storePath, narHash, references: [], ca: `fixed:r:${narHash}` };
    expect((await check(ca, makeTrustPolicy(keys, 2))).ok).toBe(true);
    // A claimed CA that does not produce the path, or a different hash, proves nothing.
    expect((await check({ ...ca, storePath: P }, makeTrustPolicy(keys, 1))).ok).toBe(false);
    expect((await check({ ...ca, ca: 'fixed:r:sha256:' + '0'.repeat(52) }, makeTrustPolicy(keys, 1))).ok).toBe(false);
  });

  it('with 0 required, trusts any narinfo (its NAR is still checked against NarHash)', async () => {
    expect((await check(base, makeTrustPolicy([], 0))).ok).toBe(true);
  });
});

describe('signature verification through WebCrypto agrees with node:crypto', () => {
  const a = generateKeyPair('a');
  const fp = fingerprintPath(P, NAR_HASH, 42, [R]);
  const good = signFingerprint(a.secret, fp);

  it('accepts what verifySignature accepts and refuses what it refuses', async () => {
    const flipped = Buffer.from(good.split(':')[1]!, 'base64');
    flipped[7] ^= 1;
    const cases = [good, `a:${flipped.toString('base64')}`, `b:${good.split(':')[1]}`, 'a:', ':x', 'a:AAAA', good.replace('a:', 'a:!')];
    for (const sig of cases) {
      expect((await verifySignatureAsync(sig, fp, [a.public]))?.name, sig).toBe(verifySignature(sig, fp, [a.public])?.name);
    }
    expect(await verifySignatureAsync(good, fp + ' ', [a.public])).toBeUndefined();
  });
});
