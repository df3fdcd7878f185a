// builtin:fetch — download a URL (or an npm package's tarball) for a fixed-output derivation. The
// bytes are streamed to a file; the caller verifies them against the declared hash before anything
// is registered, so a wrong hash or a broken download stores nothing.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WpmError } from '../../util/index.js';
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
  timeoutMs?: number;
}

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
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(req.timeoutMs ?? 300_000) });
  } catch (cause) {
    throw new WpmError('ERR_FETCH_FAILED', `${req.where}: cannot download ${url}: ${(cause as Error).message}`, { cause });
  }
  if (!response.ok || !response.body) {
    throw new WpmError('ERR_FETCH_FAILED', `${req.where}: downloading ${url} failed with HTTP ${response.status}`);
  }
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), fs.createWriteStream(req.dest, { flags: 'wx' }));
  } catch (cause) {
    throw new WpmError('ERR_FETCH_FAILED', `${req.where}: download of ${url} broke off: ${(cause as Error).message}`, { cause });
  }
  if (req.executable) fs.chmodSync(req.dest, 0o755);
}
