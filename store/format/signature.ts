// Ed25519 signatures on store paths, as Nix makes them: over the fingerprint
// `1;<path>;<narHash sha256:nix32>;<narSize>;<comma-separated full reference paths>`, with keys and
// signatures written `name:base64`. Nix's secret key is libsodium's 64 bytes (seed ‖ public key).

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { WpmError } from '../../util/errors.js';

export interface PublicKey {
  name: string;
  /** The 32 raw bytes. */
  key: Uint8Array;
}

export interface SecretKey {
  name: string;
  /** The 64 bytes Nix stores: 32-byte seed then the 32-byte public key. */
  key: Uint8Array;
}

/** What a signature covers; `narHash` is `sha256:<nix32>`, references are full store paths. */
export function fingerprintPath(storePath: string, narHash: string, narSize: number, references: Iterable<string>): string {
  if (!narHash.startsWith('sha256:') || narHash.length !== 7 + 52) {
    throw new WpmError('ERR_BAD_HASH', `cannot fingerprint ${storePath}: NAR hash '${narHash}' is not sha256 in nix32`);
  }
  return `1;${storePath};${narHash};${narSize};${[...references].sort().join(',')}`;
}

function splitNamed(text: string, what: string, size: number): { name: string; bytes: Uint8Array } {
  const colon = text.indexOf(':');
  const bad = (why: string) =>
    new WpmError('ERR_BAD_KEY', `invalid ${what} '${text.length > 40 ? text.slice(0, 40) + '…' : text}': ${why}`, {
      hint: `${what}s look like 'name:base64', as written by 'wpm key generate' or 'nix-store --generate-binary-cache-key'`,
    });
  if (colon <= 0) throw bad('no name');
  const name = text.slice(0, colon);
  const b64 = text.slice(colon + 1).trim();
  const bytes = Buffer.from(b64, 'base64');
  // Buffer skips junk silently; re-encoding proves the text was base64.
  if (bytes.toString('base64') !== b64) throw bad('malformed base64');
  if (bytes.length !== size) throw bad(`${bytes.length} bytes, expected ${size}`);
  return { name, bytes: new Uint8Array(bytes) };
}

export function parsePublicKey(text: string): PublicKey {
  const { name, bytes } = splitNamed(text.trim(), 'public key', 32);
  return { name, key: bytes };
}

export function parseSecretKey(text: string): SecretKey {
  const { name, bytes } = splitNamed(text.trim(), 'secret key', 64);
  return { name, key: bytes };
}

export function formatPublicKey(k: PublicKey): string {
  return `${k.name}:${Buffer.from(k.key).toString('base64')}`;
}

export function formatSecretKey(k: SecretKey): string {
  return `${k.name}:${Buffer.from(k.key).toString('base64')}`;
}

export function generateKeyPair(name: string): { secret: SecretKey; public: PublicKey } {
  if (name === '' || name.includes(':')) throw new WpmError('ERR_BAD_KEY', `invalid key name '${name}': it must be non-empty and have no ':'`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  return {
    secret: { name, key: new Uint8Array(Buffer.concat([seed, pub])) },
    public: { name, key: new Uint8Array(pub) },
  };
}

export function publicKeyOf(secret: SecretKey): PublicKey {
  // Derive rather than trust the stored half, so a damaged key file cannot make bad signatures.
  const jwk = createPublicKey(privateKeyObject(secret)).export({ format: 'jwk' });
  return { name: secret.name, key: new Uint8Array(Buffer.from(jwk.x!, 'base64url')) };
}

// DER wrappers for raw Ed25519 keys (RFC 8410): Node imports PKCS#8 and SPKI, not raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function privateKeyObject(secret: SecretKey): KeyObject {
  const der = Buffer.concat([PKCS8_PREFIX, secret.key.subarray(0, 32)]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** `name:base64(signature)` over `fingerprint`. */
export function signFingerprint(secret: SecretKey, fingerprint: string): string {
  const sig = sign(null, Buffer.from(fingerprint), privateKeyObject(secret));
  return `${secret.name}:${sig.toString('base64')}`;
}

const publicObjects = new WeakMap<PublicKey, KeyObject>();

function publicKeyObject(k: PublicKey): KeyObject {
  let o = publicObjects.get(k);
  if (!o) {
    o = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, k.key]), format: 'der', type: 'spki' });
    publicObjects.set(k, o);
  }
  return o;
}

/**
 * Whether `sig` (`name:base64`) is a valid signature of `fingerprint` by the key of that name
 * among `keys`. A malformed signature or an unknown name is simply not valid.
 */
export function verifySignature(sig: string, fingerprint: string, keys: Iterable<PublicKey>): PublicKey | undefined {
  const colon = sig.indexOf(':');
  if (colon <= 0) return undefined;
  const name = sig.slice(0, colon);
  const bytes = Buffer.from(sig.slice(colon + 1), 'base64');
  if (bytes.length !== 64) return undefined;
  for (const k of keys) {
    if (k.name !== name) continue;
    try {
      if (verify(null, Buffer.from(fingerprint), publicKeyObject(k), bytes)) return k;
    } catch {
      // A key Node refuses cannot have signed anything.
    }
  }
  return undefined;
}
