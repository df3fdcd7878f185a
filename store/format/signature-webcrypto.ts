// Ed25519 verification of store-path signatures through WebCrypto (SubtleCrypto), for hosts
// without node:crypto: browser tabs and workers (Chromium and Firefox have Ed25519 in WebCrypto;
// Node 20 does too, which is how the tests hold it to verifySignature's answers). The same rule as
// verifySignature (signature.ts): a malformed signature or an unknown name is simply not valid.
// Asynchronous because SubtleCrypto is; the CLI keeps the synchronous node:crypto path.

import type { PublicKey } from './signature.js';

// Named through the global, so the types come from Node's or the DOM's declarations alike.
type Subtle = typeof globalThis.crypto.subtle;
type Key = Awaited<ReturnType<Subtle['importKey']>>;

const imported = new WeakMap<PublicKey, Promise<Key | undefined>>();

function subtle(): Subtle {
  return globalThis.crypto.subtle;
}

function importKey(k: PublicKey): Promise<Key | undefined> {
  let p = imported.get(k);
  if (!p) {
    // A key the platform refuses cannot have signed anything, as with node:crypto.
    p = subtle()
      .importKey('raw', k.key as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify'])
      .catch(() => undefined);
    imported.set(k, p);
  }
  return p;
}

/**
 * Whether `sig` (`name:base64`) is a valid signature of `fingerprint` by the key of that name
 * among `keys`; resolves to that key, or undefined.
 */
export async function verifySignatureAsync(sig: string, fingerprint: string, keys: Iterable<PublicKey>): Promise<PublicKey | undefined> {
  const colon = sig.indexOf(':');
  if (colon <= 0) return undefined;
  const name = sig.slice(0, colon);
  // Buffer decodes base64 as signature.ts does (leniently); in a browser bundle it is the npm
  // `buffer` package, which decodes the same way.
  const bytes = new Uint8Array(Buffer.from(sig.slice(colon + 1), 'base64'));
  if (bytes.length !== 64) return undefined;
  const data = new TextEncoder().encode(fingerprint);
  for (const k of keys) {
    if (k.name !== name) continue;
    const key = await importKey(k);
    if (!key) continue;
    try {
      if (await subtle().verify({ name: 'Ed25519' }, key, bytes, data)) return k;
    } catch {
      // As above: a refused verification is not a valid signature.
    }
  }
  return undefined;
}
