// Shared by the binary-cache suites: a tiny two-step project built by host builtins only (fast,
// and its top output refers to the other, so references are substituted first), a closure signed
// into a directory cache, `wpm serve` as a real process, and looks into a home's store.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WPM, tempDir, wpmOk, wpmP } from '../helpers/cli.js';

export interface TinyProject {
  file: string;
  /** Output paths of the steps: `top` refers to `tiny`. */
  tiny: string;
  top: string;
}

function tar(dir: string, out: string, entry: string): void {
  execFileSync('tar', ['-C', dir, '--sort=name', '--mtime=@1', '--owner=0', '--group=0', '-cf', out, entry]);
}

/** A project whose `top` output contains the path of its input `tiny`, so it references it. */
export async function makeTinyProject(): Promise<TinyProject> {
  const dir = tempDir('tiny-project');
  fs.mkdirSync(path.join(dir, 'a', 'src', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a', 'src', 'sub', 'hello.txt'), 'tiny payload\n');
  fs.writeFileSync(path.join(dir, 'a', 'src', 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  tar(path.join(dir, 'a'), path.join(dir, 'tiny.tar'), 'src');
  const file = path.join(dir, 'default.jsonnet');
  fs.writeFileSync(
    file,
    `local wpm = import 'wpm.libsonnet';
local tiny = wpm.unpack('tiny', wpm.path(std.thisFile, 'tiny.tar'));
{
  tiny: tiny,
  top: wpm.derivation({
    name: 'top',
    builder: 'builtin:unpack',
    stdin: { src: wpm.path(std.thisFile, 'top.tar'), strip: 0 },
    env: { DEP: tiny.out },
  }),
}
`,
  );
  // The tiny output's path is fixed by the project; learn it, then write it into top's archive.
  const probe = await wpmP(['build', '--no-link', '-A', 'tiny', file], { home: tempDir('probe') });
  if (probe.status !== 0) throw new Error(`probe build failed: ${probe.stderr}`);
  const tiny = probe.stdout.trim();
  fs.mkdirSync(path.join(dir, 'b', 'top'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'b', 'top', 'dep.txt'), `built on ${tiny}\n`);
  tar(path.join(dir, 'b'), path.join(dir, 'top.tar'), 'top');
  const ev = await wpmP(['eval', '--json', '-A', 'top.out', file], { home: tempDir('probe') });
  if (ev.status !== 0) throw new Error(`eval failed: ${ev.stderr}`);
  return { file, tiny, top: JSON.parse(ev.stdout) as string };
}

/**
 * `root`'s closure in `home`, signed with a fresh key named `keyName` and copied to a new
 * directory cache (`wpm copy --to file://…` with its defaults). Returns the public key and the cache.
 */
export async function signIntoFileCache(home: string, root: string, keyName: string): Promise<{ pub: string; cache: string }> {
  const keys = tempDir(`${keyName}-keys`);
  const pub = await wpmOk(['key', 'generate', keyName, '--dir', keys], { home });
  await wpmOk(['store', 'sign', '-r', '--key', path.join(keys, `${keyName}.sec`), root], { home });
  const cache = tempDir(`${keyName}-cache`);
  await wpmOk(['copy', '--to', `file://${cache}`, root], { home });
  return { pub, cache };
}

export interface Served {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** `wpm serve --port 0` on loopback for a home; resolves once it printed its URL. */
export function serve(home: string, args: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [WPM, 'serve', '--port', '0', ...args], {
    env: { ...process.env, WPM_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => reject(new Error(`wpm serve exited with ${code}: ${err}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^(http:\/\/\S+)\n/.exec(out);
      if (m) {
        resolve({
          url: m[1],
          child,
          stderr: () => err,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
  });
}

export interface PathInfoJson {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
  signatures: string[];
}

export function pathInfo(home: string, storePath: string): PathInfoJson | undefined {
  const f = path.join(home, 'db', `${path.basename(storePath).slice(0, 32)}.json`);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as PathInfoJson) : undefined;
}

/** Everything left in a home's tmp/ (a failed substitution must leave nothing). */
export function tmpLeftovers(home: string): string[] {
  const dir = path.join(home, 'tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n !== 'uploads') : [];
}

export { events } from '../helpers/build-events.js';
