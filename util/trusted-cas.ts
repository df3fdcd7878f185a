// The certificate authorities wpm's TLS clients trust: Node's own, plus the file named by
// NODE_EXTRA_CA_CERTS, without paying for that file at every start.
//
// Node 20 reads NODE_EXTRA_CA_CERTS when the process starts, and parses its own ~140 root
// certificates with it: 35–55 ms of CPU on a machine whose variable names the system's bundle
// (against 25–35 ms for all the rest of `node -e 0`). Every wpm command paid it, whether it opened
// a connection or not. Node 22 and later wait for the first TLS connection. So bin/wpm.js's #!
// line moves the variable aside (into WPM_EXTRA_CA_CERTS, leaving NODE_EXTRA_CA_CERTS empty), and
// each TLS client wpm makes (binary caches, builtin:fetch, remote execution) gets the same
// authorities from here, read once, when the first of them is made. docs/design.md, "Starting".
import fs from 'node:fs';
import type Tls from 'node:tls';
import { builtin } from './builtin.js';

const tls = builtin<typeof Tls>('node:tls');

let cached: { cas: string[] | undefined } | undefined;

/**
 * The `ca` option for a TLS client: undefined when Node's default store already holds the extra
 * authorities (NODE_EXTRA_CA_CERTS was left in place) or there are none; otherwise Node's root
 * certificates and the moved-aside file. An unreadable file is reported once and left out, as
 * Node does with NODE_EXTRA_CA_CERTS.
 */
export function trustedCas(): string[] | undefined {
  if (cached) return cached.cas;
  const moved = process.env.WPM_EXTRA_CA_CERTS;
  if (process.env.NODE_EXTRA_CA_CERTS || !moved) {
    cached = { cas: undefined };
    return undefined;
  }
  try {
    cached = { cas: [...tls().rootCertificates, fs.readFileSync(moved, 'utf8')] };
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    process.stderr.write(`warning: cannot read the certificate authorities in ${moved} (NODE_EXTRA_CA_CERTS): ${why}; not trusting them\n`);
    cached = { cas: undefined };
  }
  return cached.cas;
}

let context: { ctx: Tls.SecureContext | undefined } | undefined;

/**
 * The same authorities as one TLS context, built once, for clients that open many connections.
 * Given `ca`, Node builds a context for every connection and parses each certificate again: 55 ms
 * of the main thread for Node's 144 roots and a system bundle of 144, per connection.
 * Undefined where trustedCas() is: Node's default context, which it keeps, serves then.
 */
export function trustedSecureContext(): Tls.SecureContext | undefined {
  if (!context) {
    const ca = trustedCas();
    context = { ctx: ca && tls().createSecureContext({ ca }) };
  }
  return context.ctx;
}

/** Node's codes for a certificate chain that ends at an authority it does not trust. */
const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

/** What to do about a TLS connection refused for its certificate's authority; undefined for any other failure. */
export function unknownAuthorityHint(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !UNKNOWN_AUTHORITY.has(code)) return undefined;
  return "the server's certificate comes from an authority wpm does not trust; if your network or organisation signs it, name that authority's certificate (PEM) in NODE_EXTRA_CA_CERTS";
}
