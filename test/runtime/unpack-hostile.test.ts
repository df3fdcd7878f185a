// builtin:unpack against archives that try to steer it: absolute names, '..', writing through a
// symlink an earlier entry made, hard links through symlinks, a path made first as one kind and
// then as another. Each is refused naming the entry, and no byte of a host file reaches the output
// whatever order the entries come in.
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { unpack } from '../../runtime/builders/unpack/extract.js';
import { tempDir } from '../helpers/cli.js';

const SECRET = 'host-only secret bytes\n';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string; body?: string; mode?: number };

async function archive(dir: string, entries: Entry[]): Promise<string> {
  const pack = tar.pack();
  for (const e of entries) {
    const { body, ...header } = e;
    pack.entry({ type: 'file', mode: 0o644, ...header }, body ?? (header.type === undefined || header.type === 'file' ? '' : undefined));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const file = path.join(dir, `a-${fs.readdirSync(dir).length}.tar`);
  fs.writeFileSync(file, Buffer.concat(chunks));
  return file;
}

/** Every regular file's bytes under a tree, never following links. */
function filesUnder(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    else if (st.isFile()) out.push(fs.readFileSync(p, 'utf8'));
  };
  walk(root);
  return out;
}

/** A host directory with a secret file, standing for what a build must never see. */
function hostSecret(): { dir: string; file: string } {
  const dir = tempDir('host');
  fs.writeFileSync(path.join(dir, 'secret'), SECRET);
  return { dir, file: path.join(dir, 'secret') };
}

async function unpacked(entries: Entry[]): Promise<{ error: unknown; dest: string }> {
  const dir = tempDir('unpack');
  const file = await archive(dir, entries);
  const dest = path.join(dir, 'out');
  const error = await unpack({ archive: file, dest, where: "unpack 'hostile'" }).then(() => undefined, (e: unknown) => e);
  return { error, dest };
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('builtin:unpack refuses archives that steer it', () => {
  const host = hostSecret();
  const cases: [string, Entry[], RegExp][] = [
    ['an absolute name', [{ name: '/etc/evil', body: 'x' }], /archive entry '\/etc\/evil' has an absolute path/],
    ["a '..' name", [{ name: 'a/../../evil', body: 'x' }], /archive entry 'a\/..\/..\/evil' escapes the output with '..'/],
    [
      'a file written through a symlink an earlier entry made',
      [{ name: 'd', type: 'symlink', linkname: host.dir }, { name: 'd/x', body: 'x' }],
      /archive entry 'd\/x' would be written through the symlink 'd'/,
    ],
    [
      'a hard link to a symlink',
      [{ name: 'a', type: 'symlink', linkname: host.file }, { name: 'b', type: 'link', linkname: 'a' }],
      /hard link 'b' points to 'a', which is a symlink/,
    ],
    [
      'a file replaced by a symlink to a host file, then hard-linked',
      [{ name: 'a', body: 'mine' }, { name: 'a', type: 'symlink', linkname: host.file }, { name: 'b', type: 'link', linkname: 'a' }],
      /archive entry 'a' is a symlink, but an earlier entry made 'a' a file/,
    ],
    [
      'a directory replaced by a symlink to a host directory',
      [{ name: 'd', type: 'directory' }, { name: 'd', type: 'symlink', linkname: host.dir }, { name: 'd/secret-copy', type: 'link', linkname: 'd/secret' }],
      /archive entry 'd' is a symlink, but an earlier entry made 'd' a directory/,
    ],
    ['a hard link to a file not in the archive', [{ name: 'b', type: 'link', linkname: host.file.slice(1) }], /hard link 'b' points to '.*secret', which is not a file of the archive/],
    ['a file inside a file', [{ name: 'f', body: 'x' }, { name: 'f/g', body: 'y' }], /archive entry 'f\/g' would be written inside the file 'f'/],
  ];

  for (const [what, entries, message] of cases) {
    it(`refuses ${what}, naming the entry`, async () => {
      const { error, dest } = await unpacked(entries);
      expect(error).toMatchObject({ code: 'ERR_UNPACK_UNSAFE' });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/^unpack 'hostile': /);
      expect(filesUnder(dest)).not.toContain(SECRET);
    });
  }

  it('lets no host byte through, in any order of a file, a symlink to a host file and hard links to both', async () => {
    const entries: Entry[] = [
      { name: 'a', body: 'mine' },
      { name: 'a', type: 'symlink', linkname: host.file },
      { name: 'b', type: 'link', linkname: 'a' },
      { name: 'c', type: 'symlink', linkname: host.dir },
    ];
    let refused = 0;
    for (const order of permutations(entries)) {
      const { error, dest } = await unpacked(order);
      if (error !== undefined) refused++;
      expect(filesUnder(dest)).not.toContain(SECRET);
    }
    expect(refused).toBe(24); // a file and a symlink of the same name never both stand
  });

  it('stops a tar bomb at the output limit', async () => {
    const dir = tempDir('unpack');
    const file = await archive(dir, [{ name: 'a', body: 'x'.repeat(600) }, { name: 'b', type: 'link', linkname: 'a' }]);
    const error = await unpack({ archive: file, dest: path.join(dir, 'out'), where: "unpack 'bomb'", maxBytes: 1000 }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_BUILD_OUTPUT_LIMIT', message: "unpack 'bomb': the archive unpacks to more than the output limit of 1000 bytes" });
  });

  it('unpacks an ordinary archive: directories, files, relative symlinks, hard links, executables', async () => {
    const { error, dest } = await unpacked([
      { name: 'pkg/', type: 'directory' },
      { name: 'pkg/bin/tool', body: '#!x\n', mode: 0o755 },
      { name: 'pkg/lib/a.txt', body: 'a\n' },
      { name: 'pkg/lib/b.txt', type: 'link', linkname: 'pkg/lib/a.txt' },
      { name: 'pkg/lib/current', type: 'symlink', linkname: 'a.txt' },
      { name: 'pkg/lib/a.txt', body: 'a again\n' },
    ]);
    expect(error).toBeUndefined();
    expect(fs.readFileSync(path.join(dest, 'pkg/lib/a.txt'), 'utf8')).toBe('a again\n');
    expect(fs.readFileSync(path.join(dest, 'pkg/lib/b.txt'), 'utf8')).toBe('a\n');
    expect(fs.readlinkSync(path.join(dest, 'pkg/lib/current'))).toBe('a.txt');
    expect(fs.statSync(path.join(dest, 'pkg/bin/tool')).mode & 0o111).not.toBe(0);
  });
});
