// Where a REAPI server is and how to talk to it: `grpc://HOST:PORT` (plain HTTP/2, as Bazel's
// --remote_executor takes it), `grpcs://HOST[:PORT]` (TLS, port 443 by default), an instance name,
// and headers sent with every call (`Authorization: Bearer …`, `x-buildbuddy-api-key: …`).
import * as grpc from '@grpc/grpc-js';
import { WpmError } from '../util/errors.js';
import { trustedCas } from '../util/trusted-cas.js';

export interface RemoteEndpoint {
  /** The URL as the user gave it. */
  url: string;
  /** host:port for grpc-js. */
  target: string;
  tls: boolean;
  instance: string;
  headers: Record<string, string>;
}

export function parseEndpoint(url: string, opts: { instance?: string; headers?: string[] } = {}): RemoteEndpoint {
  const m = /^(grpcs?):\/\/([^/?#]+)\/?$/.exec(url.trim());
  if (!m) {
    throw new WpmError('ERR_REMOTE_URL', `'${url}' is not a remote execution endpoint`, {
      hint: 'use grpc://HOST:PORT (plain) or grpcs://HOST[:PORT] (TLS)',
    });
  }
  const tls = m[1] === 'grpcs';
  const hostPort = m[2]!;
  const hasPort = /:\d+$/.test(hostPort) && !/^\[[^\]]*\]$/.test(hostPort);
  if (!tls && !hasPort) throw new WpmError('ERR_REMOTE_URL', `'${url}' names no port`, { hint: 'grpc://HOST:PORT' });
  const headers: Record<string, string> = {};
  for (const h of opts.headers ?? []) {
    const at = h.indexOf(':') > 0 ? h.indexOf(':') : h.indexOf('=');
    if (at <= 0) throw new WpmError('ERR_REMOTE_HEADER', `remote header '${h}' is not NAME: VALUE (or NAME=VALUE)`);
    headers[h.slice(0, at).trim().toLowerCase()] = h.slice(at + 1).trim();
  }
  return { url, target: hasPort ? hostPort : `${hostPort}:443`, tls, instance: opts.instance ?? '', headers };
}

export function channelCredentials(ep: RemoteEndpoint): grpc.ChannelCredentials {
  if (!ep.tls) return grpc.credentials.createInsecure();
  // grpc-js reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH itself when given no roots.
  const cas = process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH ? undefined : trustedCas();
  return grpc.credentials.createSsl(cas ? Buffer.from(cas.join('\n')) : null);
}

export function callMetadata(ep: RemoteEndpoint): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(ep.headers)) md.set(k, v);
  return md;
}
