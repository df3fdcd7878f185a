// NAR compression for binary caches. gzip and brotli come from node:zlib; zstd too where Node has
// it (22.15 and later; Node 20 does not), else from the system's `zstd` program (Debian package
// zstd) as a pipe. xz is what most Nix caches use, but no npm package streams it well, so wpm
// runs the system's `xz` (xz-utils) as a pipe when it is installed. Either program runs in a
// process of its own, so (de)compression is off the main thread, as node:zlib's is (it works on
// libuv's pool). A NAR in a format this machine cannot decompress is a miss, never an error.
// Nix 2.8 reads and writes all of none, gzip, br, xz and zstd (and bzip2, lz4, lzip).

import type ChildProcess from 'node:child_process';
import { PassThrough, Readable, Transform, pipeline } from 'node:stream';
import type Zlib from 'node:zlib';
import { WpmError } from '../../util/index.js';
import { builtin } from '../../util/builtin.js';

const childProcess = builtin<typeof ChildProcess>('node:child_process');
const zlibModule = builtin<typeof Zlib>('node:zlib');

export type Compression = 'none' | 'gzip' | 'br' | 'xz' | 'zstd' | 'bzip2';

const ALL: Compression[] = ['none', 'gzip', 'br', 'xz', 'zstd', 'bzip2'];

type ZstdZlib = { createZstdCompress?: () => Transform; createZstdDecompress?: () => Transform };
const zstd = () => zlibModule() as unknown as ZstdZlib;

const found = new Map<string, boolean>();
function hasProgram(name: 'xz' | 'zstd'): boolean {
  let ok = found.get(name);
  if (ok === undefined) {
    ok = childProcess().spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
    found.set(name, ok);
  }
  return ok;
}

const nodeZstd = () => typeof zstd().createZstdDecompress === 'function';

export function isCompressionSupported(name: string): name is Compression {
  switch (name) {
    case 'none':
    case 'gzip':
    case 'br':
      return true;
    case 'zstd':
      return nodeZstd() || hasProgram('zstd');
    case 'xz':
      return hasProgram('xz');
    default:
      return false;
  }
}

export function supportedCompressions(): Compression[] {
  return ALL.filter(isCompressionSupported);
}

/** The file name suffix after `.nar`, as Nix names them (Nix gives gzip none; `.gz` is clearer). */
export function compressionExtension(name: Compression): string {
  return { none: '', gzip: '.gz', br: '.br', xz: '.xz', zstd: '.zst', bzip2: '.bz2' }[name];
}

function unsupported(name: string, where: string): WpmError {
  return new WpmError('ERR_CACHE_COMPRESSION', `${where}: compression '${name}' is not supported on this machine`, {
    hint: `supported here: ${supportedCompressions().join(', ')}${name === 'xz' ? " (xz needs the 'xz' program, Debian package xz-utils)" : name === 'zstd' ? " (zstd needs Node 22.15 or the 'zstd' program, Debian package zstd)" : ''}`,
  });
}

function toReadable(source: AsyncIterable<Uint8Array>): Readable {
  return source instanceof Readable ? source : Readable.from(source, { objectMode: false });
}

/** Pipes `source` through a Node transform; an error on either side ends the iteration with it. */
function through(source: AsyncIterable<Uint8Array>, t: Transform): AsyncIterable<Uint8Array> {
  pipeline(toReadable(source), t, () => {
    // pipeline destroys `t` with the error, which the consumer's iteration then throws.
  });
  return t;
}

/** Pipes `source` through an external program (xz), failing if it exits non-zero. */
async function* throughProgram(source: AsyncIterable<Uint8Array>, cmd: string, args: string[], where: string): AsyncGenerator<Uint8Array> {
  const child = childProcess().spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  let inputError: unknown;
  const input = toReadable(source);
  pipeline(input, child.stdin, (err) => {
    if (err && (err as NodeJS.ErrnoException).code !== 'EPIPE') inputError = err;
  });
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) yield chunk;
    const code = await exited;
    if (inputError) throw inputError;
    if (code !== 0) {
      throw new WpmError('ERR_CACHE_DECOMPRESS', `${where}: ${cmd} ${args.join(' ')} failed: ${stderr.trim() || `exit ${code}`}`);
    }
  } finally {
    if (child.exitCode === null) child.kill();
    input.destroy();
  }
}

/** The decompressed bytes of `source`. `where` (a URL) names the file in errors. */
export function decompress(name: string, source: AsyncIterable<Uint8Array>, where: string): AsyncIterable<Uint8Array> {
  if (!isCompressionSupported(name)) throw unsupported(name, where);
  switch (name) {
    case 'none':
      return source;
    case 'gzip':
      return through(source, zlibModule().createGunzip());
    case 'br':
      return through(source, zlibModule().createBrotliDecompress());
    case 'zstd':
      return nodeZstd() ? through(source, zstd().createZstdDecompress!()) : throughProgram(source, 'zstd', ['-d', '-c', '-q'], where);
    case 'xz':
      return throughProgram(source, 'xz', ['-d', '-c', '-q'], where);
  }
  throw unsupported(name, where);
}

/** The compressed bytes of `source`, at settings that favour speed over the last few percent. */
export function compress(name: string, source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  if (!isCompressionSupported(name)) throw unsupported(name, 'compressing a NAR');
  switch (name) {
    case 'none':
      return through(source, new PassThrough());
    case 'gzip':
      return through(source, zlibModule().createGzip({ level: 6 }));
    case 'br':
      // Quality 11 (the default) runs at about 1 MB/s; 5 is within a few percent of it on NARs.
      return through(source, zlibModule().createBrotliCompress({ params: { [zlibModule().constants.BROTLI_PARAM_QUALITY]: 5 } }));
    case 'zstd':
      // Level 3, zstd's default (and Nix's): fast at a ratio close to xz's on NARs.
      return nodeZstd() ? through(source, zstd().createZstdCompress!()) : throughProgram(source, 'zstd', ['-c', '-q', '-3', '-T0'], 'compressing a NAR');
    case 'xz':
      return throughProgram(source, 'xz', ['-c', '-q', '-6', '-T0'], 'compressing a NAR');
  }
  throw unsupported(name, 'compressing a NAR');
}
