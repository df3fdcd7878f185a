// The local store in this process: registration, normalisation and deletion of awkward trees,
// temporary roots, and how GC roots are resolved.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LocalStore,
  STORE_DIR,
  formatHash,
  hashBytes,
  hashPath,
  makeTextPath,
  normalizeTree,
  readTempRoots,
  removeTree,
  resolveIntoStore,
} from '../../store/index.js';
import { tempDir } from '../helpers/cli.js';
import { outputPathFor } from './store-procs.js';

const roots: string[] = [];
function home(): { dir: string; store: LocalStore } {
  const dir = tempDir('local-store');
  roots.push(dir);
  return { dir, store: LocalStore.open(path.join(dir, 'home'), { durable: false }) };
}
afterAll(() => roots.forEach(removeTree));

describe('LocalStore', () => {
  it('registers an output with its NAR hash and the references found in one walk, itself included', async () => {
    const { dir, store } = home();
    const lib = path.join(dir, 'lib');
    fs.writeFileSync(lib, 'a library');
    const libPath = await store.addPath(lib);
    const self = outputPathFor('refs');
    const out = path.join(store.makeTempDir('build-refs'), 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'uses'), `${libPath}/x and ${self}/bin`);
    // As in Nix, a symlink's target counts; a candidate mentioned nowhere does not.
    const linked = `${STORE_DIR}/00000000000000000000000000000000-linked`;
    const absent = `${STORE_DIR}/11111111111111111111111111111111-absent`;
    fs.symlinkSync(`${linked}/bin`, path.join(out, 'link'));
    const info = await store.register(out, self, { referenceCandidates: [libPath, linked, absent] });
    expect(info.references).toEqual([libPath, linked, self].sort());
    expect(info.narHash).toBe(formatHash((await hashPath(store.toHost(self))).narHash, 'nix32'));
    expect(fs.existsSync(out)).toBe(false); // consumed
    // A source refers to nothing and records its content address.
    expect(store.requirePathInfo(libPath)).toMatchObject({ references: [], ca: expect.stringMatching(/^fixed:r:sha256:/) });
  });

  it('names temporary directories after the owning process', () => {
    const { store } = home();
    expect(path.basename(store.makeTempDir('build-x'))).toMatch(new RegExp(`^${process.pid}-build-x-`));
  });

  it('makes every path it adds or finds valid a temporary root of this process', async () => {
    const { dir, store } = home();
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    const p = await store.addPath(path.join(dir, 'f'));
    const probe = `${STORE_DIR}/11111111111111111111111111111111-probe`;
    expect(store.isValid(probe)).toBe(false);
    const { roots: found } = readTempRoots(store.layout);
    expect(found.has(p)).toBe(true);
    expect(found.has(probe)).toBe(true);
    expect(store.queryPathInfo(p)?.path).toBe(p);
  });

  it('adds text objects in a batch as Nix would, rooting them all and leaving valid ones alone', async () => {
    const { store } = home();
    const [first] = store.addTexts([{ name: 'a.txt', text: 'alpha\n', references: [] }]);
    const before = fs.statSync(store.db.infoFile(first!)).ino;
    const items = [
      { name: 'a.txt', text: 'alpha\n', references: [] },
      { name: 'b.drv', text: '{"b":1}', references: [first!] },
      { name: 'empty', text: '', references: [] },
    ];
    const paths = store.addTexts(items);
    expect(paths).toEqual(items.map((i) => makeTextPath(i.name, i.text, i.references)));
    expect(fs.statSync(store.db.infoFile(first!)).ino).toBe(before); // already valid: not rewritten
    for (const [k, p] of paths.entries()) {
      const host = store.toHost(p);
      expect(fs.readFileSync(host, 'utf8')).toBe(items[k]!.text);
      const st = fs.lstatSync(host);
      expect(st.mode & 0o777).toBe(0o444);
      expect(st.mtimeMs).toBe(1000);
      const info = store.requirePathInfo(p);
      const { narHash, narSize } = await hashPath(host);
      expect(info).toMatchObject({ narHash: formatHash(narHash, 'nix32'), narSize, references: items[k]!.references });
      expect(info.ca).toBe(`text:${formatHash(hashBytes('sha256', items[k]!.text), 'nix32')}`);
    }
    const { roots: found } = readTempRoots(store.layout);
    for (const p of paths) expect(found.has(p)).toBe(true);
    expect(fs.readdirSync(store.layout.tmp)).toEqual([]);
  });

  it('replaces a torn text object left without its info file, and writes over nothing valid', () => {
    // A text object is written in place, then made valid by its info file: a crash in between
    // leaves bytes that are not valid, and the next writer must replace them whole.
    const { store } = home();
    const item = { name: 'torn.drv', text: '{"a":"complete"}', references: [] };
    const storePath = makeTextPath(item.name, item.text, item.references);
    fs.writeFileSync(store.toHost(storePath), '{"a":"comp', { mode: 0o444 });
    expect(store.isValid(storePath)).toBe(false);
    expect(store.addTexts([item])).toEqual([storePath]);
    expect(fs.readFileSync(store.toHost(storePath), 'utf8')).toBe(item.text);
    expect(fs.lstatSync(store.toHost(storePath)).mtimeMs).toBe(1000);
    expect(store.isValid(storePath)).toBe(true);
    expect(fs.readdirSync(store.layout.tmp)).toEqual([]);
  });

  it('normalises and removes a tree 1,000 directories deep with read-only directories', () => {
    const { dir } = home();
    const top = path.join(dir, 'deep');
    let d = top;
    fs.mkdirSync(d);
    for (let i = 0; i < 1000; i++) {
      d = path.join(d, 'a');
      fs.mkdirSync(d);
    }
    fs.writeFileSync(path.join(d, 'leaf'), 'x');
    fs.chmodSync(path.join(d, 'leaf'), 0o755);
    const { files, dirs } = normalizeTree(top);
    expect(files).toHaveLength(1);
    expect(dirs).toHaveLength(1001);
    expect(fs.statSync(path.join(d, 'leaf')).mode & 0o777).toBe(0o555);
    expect(fs.statSync(d).mode & 0o777).toBe(0o555);
    expect(fs.statSync(top).mtimeMs).toBe(1000);
    removeTree(top);
    expect(fs.existsSync(top)).toBe(false);
    removeTree(top); // a missing tree is not an error
  });

  it('refuses special files, naming them', () => {
    const { dir } = home();
    const tree = path.join(dir, 'special');
    fs.mkdirSync(tree);
    const sock = path.join(tree, 'fifo');
    // A FIFO cannot be made from Node; a Unix socket file can.
    return new Promise<void>((resolve) => {
      import('node:net').then((net) => {
        const server = net.createServer().listen(sock, () => {
          expect(() => normalizeTree(tree)).toThrow(expect.objectContaining({ code: 'ERR_STORE_SPECIAL_FILE', message: expect.stringContaining(sock) }));
          server.close(() => resolve());
        });
      });
    });
  });
});

describe('GC roots', () => {
  it('follows result links and chains into the store; dangling or outside links keep nothing', async () => {
    const { dir, store } = home();
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    const p = await store.addPath(path.join(dir, 'f'));
    const result = path.join(dir, 'result');
    fs.symlinkSync(store.toHost(p), result);
    const chain = path.join(dir, 'chain');
    fs.symlinkSync(result, chain);
    const logical = path.join(dir, 'logical');
    fs.symlinkSync(`${p}/inside`, logical);
    const outside = path.join(dir, 'outside');
    fs.symlinkSync(dir, outside);
    const dangling = path.join(dir, 'dangling');
    fs.symlinkSync(path.join(dir, 'nothing-here'), dangling);
    expect(resolveIntoStore(store, result)).toBe(p);
    expect(resolveIntoStore(store, chain)).toBe(p);
    expect(resolveIntoStore(store, logical)).toBe(p);
    expect(resolveIntoStore(store, outside)).toBeUndefined();
    expect(resolveIntoStore(store, dangling)).toBeUndefined();
  });
});
