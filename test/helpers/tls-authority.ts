// A private certificate authority and a certificate for 127.0.0.1 signed by it, made with openssl
// (EC keys: quick), for tests that serve over TLS on loopback; and trusting that authority the way
// bin/wpm.js's #! line leaves the variables (util/trusted-cas.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './cli.js';

export interface TlsAuthority {
  /** Where the files are. */
  dir: string;
  /** The authority's certificate (PEM), for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** The server's key and certificate, for https.createServer or tls.createServer. */
  key: Buffer;
  cert: Buffer;
}

export function makeTlsAuthority(prefix: string): TlsAuthority {
  const dir = tempDir(prefix);
  const openssl = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=wpm test authority']);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext']);
  return { dir, caFile: path.join(dir, 'ca.pem'), key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.pem')) };
}

/**
 * This process trusts `caFile` as a wpm command would after its #! line: WPM_EXTRA_CA_CERTS names
 * it, NODE_EXTRA_CA_CERTS is empty. util/trusted-cas.ts reads them at the first TLS connection.
 * Returns what puts them back (one that was unset is unset again, not the string "undefined").
 */
export function trustInProcess(caFile: string): () => void {
  const saved = { WPM_EXTRA_CA_CERTS: process.env.WPM_EXTRA_CA_CERTS, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS };
  process.env.WPM_EXTRA_CA_CERTS = caFile;
  process.env.NODE_EXTRA_CA_CERTS = '';
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
