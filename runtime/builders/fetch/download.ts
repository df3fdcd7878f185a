// builtin:fetch — download a URL (or an npm package's tarball) for a fixed-output derivation. The
// bytes are streamed to a file; the caller verifies them against the declared hash before anything
// is registered, so a wrong hash or a broken download stores nothing.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { WpmError } from '../../../util/index.js';
import { trustedSecureContext, unknownAuthorityHint } from '../../../util/trusted-cas.js';
import { loadNpmConfig, npmTarball } from './npm-registry.js';

export interface FetchRequest {
  /** Either a URL … */
  url?: string;
  /** … or an npm package, resolved with the user's npm configuration. */
  npm?: { package: string; version: string };
  /** Host path to write; must not exist. */
  dest: string;
  executable?: boolean;
  /** Names the step in errors. */
  where: string;
  /** Give up when no data arrives for this long (default 60 s). */
  timeoutMs?: number;
  /** Tries before a network failure, a stall or a 5xx answer is final (default 3). */
  attempts?: number;
  /** Ctrl-C: the download stops and is not tried again. */
  signal?: AbortSignal | undefined;
  /** Bytes the download may have (max-output-size); more is ERR_BUILD_OUTPUT_LIMIT, not tried again. */
  maxBytes?: number | undefined;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);
/** As fetch() allows. */
const MAX_REDIRECTS = 20;

export async function fetchToFile(req: FetchRequest): Promise<void> {
  let url: string;
  let headers: Record<string, string> = {};
  if (req.npm) {
    ({ url, headers } = npmTarball(loadNpmConfig(), req.npm.package, req.npm.version));
  } else if (req.url) {
    url = req.url;
  } else {
    throw new WpmError('ERR_FETCH_BAD_REQUEST', `${req.where}: builtin:fetch needs stdin.url or stdin.npm`);
  }
  if (!/^https?:\/\//.test(url)) {
    throw new WpmError('ERR_FETCH_BAD_REQUEST', `${req.where}: only http(s) URLs can be fetched, not ${url}`);
  }
  // Networks and registries fail transiently; a 4xx answer is final (as in Nix, which retries too).
  const attempts = req.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      await downloadOnce(url, headers, req);
      break;
    } catch (err) {
      fs.rmSync(req.dest, { force: true });
      if (req.signal?.aborted) throw new WpmError('ERR_INTERRUPTED', `${req.where}: interrupted`, { cause: err });
      const final = err instanceof WpmError && (err.code !== 'ERR_FETCH_FAILED' || (err.status !== undefined && err.status >= 400 && err.status < 500));
      if (final || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
  if (req.executable) fs.chmodSync(req.dest, 0o755);
}

async function downloadOnce(url: string, headers: Record<string, string>, req: FetchRequest): Promise<void> {
  // A download that stops sending is abandoned after `idleMs` without a byte. The timer is a
  // real (ref'd) one: AbortSignal.timeout's is not, and a stalled socket alone may not keep
  // Node's event loop alive, which would end the process in the middle of the build.
  const idleMs = req.timeoutMs ?? 60_000;
  const controller = new AbortController();
  let idle = setTimeout(() => controller.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  const interrupt = () => controller.abort(new Error('interrupted'));
  if (req.signal?.aborted) interrupt();
  req.signal?.addEventListener('abort', interrupt);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => controller.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  };
  try {
    let body: http.IncomingMessage;
    try {
      body = await get(url, headers, controller.signal, req.where);
    } catch (cause) {
      if (cause instanceof WpmError) throw cause;
      // An untrusted certificate is not transient: not tried again.
      const hint = unknownAuthorityHint(cause);
      const code = hint ? 'ERR_FETCH_UNTRUSTED' : 'ERR_FETCH_FAILED';
      throw new WpmError(code, `${req.where}: cannot download ${url}: ${reason(cause, controller)}`, { cause, ...(hint ? { hint } : {}) });
    }
    const status = body.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      body.resume();
      throw new WpmError('ERR_FETCH_FAILED', `${req.where}: downloading ${url} failed with HTTP ${status}`, { status });
    }
    body.on('data', touch);
    let got = 0;
    let tooLarge: WpmError | undefined;
    body.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (req.maxBytes !== undefined && got > req.maxBytes && tooLarge === undefined) {
        tooLarge = new WpmError('ERR_BUILD_OUTPUT_LIMIT', `${req.where}: ${url} is larger than the output limit of ${req.maxBytes} bytes`);
        body.destroy(tooLarge);
      }
    });
    try {
      await pipeline(body, fs.createWriteStream(req.dest, { flags: 'wx' }));
    } catch (cause) {
      if (tooLarge) throw tooLarge;
      throw new WpmError('ERR_FETCH_FAILED', `${req.where}: download of ${url} broke off: ${reason(cause, controller)}`, { cause });
    }
  } finally {
    clearTimeout(idle);
    req.signal?.removeEventListener('abort', interrupt);
  }
}

let agent: https.Agent | undefined;

/** Connections kept alive, as by Node's global agent, all with one TLS context (util/trusted-cas.ts). */
function tlsAgent(): https.Agent {
  return (agent ??= new https.Agent({ keepAlive: true, secureContext: trustedSecureContext() }));
}

/**
 * GET `url`, following redirects as fetch() does. http(s) rather than fetch(): Node 20's fetch
 * cannot be given certificate authorities, and wpm hands them over itself (util/trusted-cas.ts).
 */
async function get(url: string, headers: Record<string, string>, signal: AbortSignal, where: string): Promise<http.IncomingMessage> {
  let u = new URL(url);
  let sent: Record<string, string> = { 'user-agent': 'wpm', ...headers };
  for (let redirects = 0; ; redirects++) {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const opts = { headers: sent, signal };
      const req = u.protocol === 'https:' ? https.get(u, { ...opts, agent: tlsAgent() }, resolve) : http.get(u, opts, resolve);
      req.on('error', reject);
    });
    const location = res.headers.location;
    if (!REDIRECT.has(res.statusCode ?? 0) || location === undefined) return res;
    res.resume();
    const next = new URL(location, u);
    if (redirects >= MAX_REDIRECTS || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
      throw new WpmError('ERR_FETCH_FAILED', `${where}: ${url} redirects ${redirects >= MAX_REDIRECTS ? `more than ${MAX_REDIRECTS} times` : `to ${next.href}, which is not http(s)`}`);
    }
    // A token for one host is not sent to another (as fetch() does).
    if (next.origin !== u.origin) sent = Object.fromEntries(Object.entries(sent).filter(([k]) => k.toLowerCase() !== 'authorization'));
    u = next;
  }
}

function reason(cause: unknown, controller: AbortController): string {
  if (controller.signal.aborted && controller.signal.reason instanceof Error) return controller.signal.reason.message;
  return (cause as Error).message;
}
