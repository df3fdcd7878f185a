// Fuzzing the two archive readers with hostile input: builtin:unpack with random entry sequences
// (names with '..', '/', duplicates; symlinks and hard links aimed at a host secret) and damaged
// tarballs, and restoreNar with damaged NARs. Every case either succeeds or is refused with a
// WpmError; none crashes, none shows a stack trace, and no byte of the host secret lands in an
// output.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { unpack } from '../../runtime/builders/unpack/extract.js';
import { restoreNar } from '../../store/nar/index.js';
import { dumpPath } from '../../store/index.js';
import { tempDir } from '../helpers/cli.js';
import { CASES, Random, SEED, crashOf, mutate } from './random.js';

const SECRET = 'host-only secret bytes';

function hostSecret(): { dir: string; file: string } {
  const dir = tempDir('fuzz-host');
  fs.writeFileSync(path.join(dir, 'secret'), SECRET);
  return { dir, file: path.join(dir, 'secret') };
}

/** Every regular file's text under a tree, never following a link. */
function texts(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    else if (st.isFile()) out.push(fs.readFileSync(p, 'latin1'));
  };
  walk(root);
  return out;
}

type Entry = tar.Headers & { body?: string };

async function tarball(entries: Entry[], gzip: boolean): Promise<Buffer> {
  const pack = tar.pack();
  for (const { body, ...h } of entries) pack.entry(h, h.type === 'file' ? (body ?? '') : undefined);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const t = Buffer.concat(chunks);
  return gzip ? zlib.gzipSync(t) : t;
}

function randomEntries(r: Random, host: { dir: string; file: string }): Entry[] {
  const names = ['a', 'b', 'd', 'd/x', 'd/y/z', '..', '../a', 'a/../../x', '/abs', './a', 'd/', 'e/../../..', 'd//x', 'x\u00e9', '.'];
  const targets = [host.file, host.dir, host.dir + '/secret', '../../..', 'a', 'd', 'd/x', '/', '/etc/passwd', 'missing'];
  return Array.from({ length: 1 + r.int(6) }, (): Entry => {
    const kind = r.pick(['file', 'file', 'directory', 'symlink', 'link'] as const);
    const name = r.pick(names);
    if (kind === 'file') return { name, type: 'file', mode: r.pick([0o644, 0o755]), body: r.pick(['mine', '', 'x'.repeat(100)]) };
    if (kind === 'directory') return { name, type: 'directory', mode: 0o755 };
    return { name, type: kind, linkname: kind === 'link' ? r.pick([...targets, ...names]) : r.pick(targets) };
  });
}

describe(`fuzzing builtin:unpack (${CASES} cases each, seed ${SEED})`, () => {
  it('random entry sequences: refused or unpacked, never a crash, never a host byte', async () => {
    const r = new Random(SEED);
    const host = hostSecret();
    const work = tempDir('fuzz-unpack');
    const outcomes = { unpacked: 0, refused: 0 };
    for (let i = 0; i < CASES; i++) {
      const entries = randomEntries(r, host);
      const archive = path.join(work, `${i}.tar`);
      fs.writeFileSync(archive, await tarball(entries, r.chance(0.5)));
      const dest = path.join(work, `out-${i}`);
      const err = await unpack({ archive, dest, where: `case ${i}`, strip: r.chance(0.2) ? 1 : 0 }).then(() => undefined, (e: unknown) => e);
      if (err === undefined) outcomes.unpacked++;
      else {
        outcomes.refused++;
        expect(crashOf(err), JSON.stringify(entries)).toBeUndefined();
      }
      expect(texts(dest).some((t) => t.includes(SECRET)), JSON.stringify(entries)).toBe(false);
      expect(fs.readdirSync(host.dir)).toEqual(['secret']);
    }
    console.log(`unpack, random entries: ${outcomes.unpacked} unpacked, ${outcomes.refused} refused`);
    expect(outcomes.unpacked).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('damaged tarballs: refused or unpacked, never a crash', async () => {
    const r = new Random(SEED + 1);
    const work = tempDir('fuzz-tgz');
    const good = await tarball(
      [
        { name: 'pkg/', type: 'directory', mode: 0o755 },
        { name: 'pkg/a.c', type: 'file', mode: 0o644, body: 'int main(void) { return 0; }\n'.repeat(20) },
        { name: 'pkg/link', type: 'symlink', linkname: 'a.c' },
        { name: 'pkg/hard', type: 'link', linkname: 'pkg/a.c' },
      ],
      true,
    );
    let refused = 0;
    for (let i = 0; i < CASES; i++) {
      const archive = path.join(work, `${i}.tgz`);
      fs.writeFileSync(archive, mutate(r, good));
      const err = await unpack({ archive, dest: path.join(work, `out-${i}`), where: `case ${i}` }).then(() => undefined, (e: unknown) => e);
      if (err !== undefined) {
        refused++;
        expect(crashOf(err)).toBeUndefined();
      }
    }
    console.log(`unpack, damaged tarballs: ${refused} of ${CASES} refused`);
    expect(refused).toBeGreaterThan(CASES / 2);
  });
});

describe(`fuzzing restoreNar (${CASES} cases, seed ${SEED})`, () => {
  it('damaged NARs: refused or restored, never a crash, nothing left beside the destination', async () => {
    const r = new Random(SEED + 2);
    const src = tempDir('fuzz-nar-src');
    fs.mkdirSync(path.join(src, 'dir'));
    fs.writeFileSync(path.join(src, 'dir/file'), 'some contents\n'.repeat(10));
    fs.writeFileSync(path.join(src, 'exe'), '#!x\n', { mode: 0o755 });
    fs.symlinkSync('dir/file', path.join(src, 'link'));
    const parts: Buffer[] = [];
    await dumpPath(src, (c) => void parts.push(Buffer.from(c)));
    const good = Buffer.concat(parts);
    let refused = 0;
    for (let i = 0; i < CASES; i++) {
      const parent = tempDir('fuzz-nar');
      const bytes = mutate(r, good);
      const err = await restoreNar((async function* () { yield bytes; })(), path.join(parent, 'out')).then(() => undefined, (e: unknown) => e);
      if (err !== undefined) {
        refused++;
        expect(crashOf(err)).toBeUndefined();
        expect(fs.readdirSync(parent)).toEqual([]);
      } else expect(fs.readdirSync(parent)).toEqual(['out']);
    }
    console.log(`restoreNar, damaged NARs: ${refused} of ${CASES} refused`);
    expect(refused).toBeGreaterThan(CASES / 2);
  });
});
