// The package set, end to end through the real CLI: wpm's own example packages and sqlite are
// built from a store holding only the downloads (the toolchains, unpacked, and the sqlite tarball;
// see test/helpers/seed.ts), and each program is run. sqlite is built a second time, at the same
// time, in another such store, and the two must be the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, readTree, tempDir, wpm, wpmP, type CliResult } from '../helpers/cli.js';
import { events, started } from '../helpers/build-events.js';
import { seededHome } from '../helpers/seed.js';

const PACKAGES = path.join(REPO, 'packages/default.jsonnet');
// The upstream packages are test/packages/upstream.test.ts's (a subset) and `npm run test:packages`'s.
const OWN = ['b64', 'base64', 'crc32', 'hello', 'hello-component', 'hello-cpp', 'sqlite'];
const pkg = (name: string) => path.join(REPO, 'packages', name, 'default.jsonnet');

describe('wpm build packages/default.jsonnet from an empty store', () => {
  let home: string;
  let homeB: string;
  let all: CliResult;
  let secondB: CliResult;
  let outputs: Record<string, string>;
  const run = (name: string, args: string[] = [], input = '') => wpm(['run', pkg(name), '--', ...args], { home, input });

  beforeAll(async () => {
    home = seededHome('pkgs-a');
    homeB = seededHome('pkgs-b');
    // Concurrently: the second store's build (for the reproducibility check) overlaps the set's.
    // It builds hello-cpp (C++ with libc++); `npm run test:packages` builds the whole set twice,
    // sqlite included, which here cost a second sqlite3.c compile, the suite's longest step.
    [all, secondB] = await Promise.all([
      wpmP(['build', '--no-link', '--json', PACKAGES, ...OWN.flatMap((a) => ['-A', a])], { home }),
      wpmP(['build', '--no-link', '--json', PACKAGES, '-A', 'hello-cpp'], { home: homeB }),
    ]);
    if (all.status !== 0 || !all.stdout.startsWith('[')) {
      const log = path.join(home, 'build-stderr.log');
      fs.writeFileSync(log, all.stderr);
      const ended = new Set(events(all).filter((e) => e.type !== 'start').map((e) => e.drvPath));
      const unfinished = events(all).filter((e) => e.type === 'start' && !ended.has(e.drvPath)).map((e) => e.name);
      const other = all.stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n');
      throw new Error(`building the package set failed (status ${all.status}, stdout '${all.stdout}'); started but never ended: ${unfinished.join(', ')}; full stderr in ${log}:\n${other.slice(-4000)}`);
    }
    outputs = Object.fromEntries((JSON.parse(all.stdout) as { attr: string; outputs: { out: string } }[]).map((t) => [t.attr, t.outputs.out]));
  }, 1_200_000);

  it('builds every package', () => {
    expect(Object.keys(outputs).sort()).toEqual(OWN);
    for (const out of Object.values(outputs)) expect(fs.existsSync(path.join(home, 'store', path.basename(out)))).toBe(true);
  });

  it('takes clang.wasm, python.wasm and the sqlite tarball from the store, and unpacks and builds the rest', () => {
    const steps = started(all);
    expect(steps.filter((s) => s.endsWith('.tgz'))).toEqual([]);
    expect(steps.some((s) => /yowasp-clang|wasm32-wasip1-sysroot|python-wasi/.test(s))).toBe(false);
    expect(steps).toEqual(expect.arrayContaining(['sqlite3-npm-6.0.1-deps', 'sqlite-autoconf-3520000']));
    expect(steps).toContain('install.wasm'); // wpm's own tools are built from source, like the rest
  });

  it('hello (C) greets its arguments', () => {
    const r = run('hello', ['world']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Hello, world! This program was built by clang.wasm under wpm.\n');
  });

  it('hello-component is hello as a WASI 0.2 component, and greets the same way', () => {
    const bin = path.join(home, 'store', path.basename(outputs['hello-component']!), 'bin/hello.wasm');
    expect([...fs.readFileSync(bin).subarray(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
    expect(run('hello-component', ['world'])).toMatchObject({ status: 0, stderr: '', stdout: run('hello', ['world']).stdout });
  });

  it('hello-cpp prints through iostream with libc++ containers and algorithms', () => {
    const r = run('hello-cpp', ['zoe', 'al', 'ann']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      'Hello, al, from C++ and libc++!\nHello, ann, from C++ and libc++!\nHello, zoe, from C++ and libc++!\n3 names, 2 initials\n',
    );
  });

  it('base64 is a library: an archive and its public headers', () => {
    const lib = path.join(home, 'store', path.basename(outputs.base64!));
    expect([...readTree(lib).keys()].sort()).toEqual(['include/base64/base64.h', 'lib/libbase64.a']);
    expect(fs.readFileSync(path.join(lib, 'lib/libbase64.a')).subarray(0, 8).toString()).toBe('!<arch>\n');
  });

  it('b64, the multi-file program using the library, encodes, wraps and decodes', () => {
    const text = 'Many hands make light work.\n';
    const enc = run('b64', [], text);
    expect(enc.stdout).toBe('TWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsuCg==\n');
    expect(run('b64', ['-w', '8'], 'hello').stdout).toBe('aGVsbG8=\n');
    expect(run('b64', ['-w', '4'], 'hello').stdout).toBe('aGVs\nbG8=\n');
    const dec = run('b64', ['-d'], enc.stdout);
    expect(dec.status).toBe(0);
    expect(dec.stdout).toBe(text);
    const bad = run('b64', ['-d'], 'aGV$bG8=');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('b64: invalid input at byte 3\n');
  });

  it('crc32 uses a table generated by a Python step', () => {
    expect(started(all)).toContain('crc32-table');
    const gen = path.join(home, 'store', fs.readdirSync(path.join(home, 'store')).find((f) => f.endsWith('-crc32-table'))!);
    expect(fs.readdirSync(gen).sort()).toEqual(['crc32_table.c', 'crc32_table.h']);
    expect(fs.readFileSync(path.join(gen, 'crc32_table.c'), 'utf8')).toContain('0x77073096u');
    // The check value of CRC-32/ISO-HDLC, and the CRC that gzip stores for "hello".
    expect(run('crc32', [], '123456789').stdout).toBe('cbf43926\n');
    expect(run('crc32', [], 'hello').stdout).toBe('3610a686\n');
  });

  it('sqlite: the real sqlite3 shell answers SQL on stdin', () => {
    const r = run('sqlite', [], 'create table t(x); insert into t values (41); select x+1 from t;');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('42\n');
    expect(run('sqlite', [], 'select sqlite_version(), sqrt(16.0);').stdout).toBe('3.52.0|4.0\n');
  });

  it('sqlite keeps a database in a directory granted with --dir', () => {
    const dir = tempDir('sqlite-db');
    const sql = (s: string) => wpm(['run', pkg('sqlite'), '--dir', `${dir}:/data`, '--', '/data/t.db'], { home, input: s });
    expect(sql("create table kv(k text primary key, v); insert into kv values ('a', 1), ('b', 2);").status).toBe(0);
    expect(fs.statSync(path.join(dir, 't.db')).size).toBeGreaterThan(0);
    expect(sql('select k, v * 10 from kv order by k;').stdout).toBe('a|10\nb|20\n');
    expect(sql("create virtual table docs using fts4(body); insert into docs values ('wasm builds'), ('native code'); select body from docs where docs match 'wasm';").stdout).toBe('wasm builds\n');
  });

  it('builds hello-cpp to the same bytes in a second empty store', () => {
    expect(secondB.status).toBe(0);
    const out = JSON.parse(secondB.stdout)[0].outputs.out as string;
    expect(out).toBe(outputs['hello-cpp']);
    // Both homes really compiled it (packages/hello has a hello.o step too: told apart by .drv).
    const compiled = events(secondB).filter((e) => e.type === 'built' && e.name === 'hello.o');
    expect(compiled).toHaveLength(1);
    expect(events(all).some((e) => e.type === 'built' && e.drvPath === compiled[0]!.drvPath)).toBe(true);
    const a = readTree(path.join(home, 'store', path.basename(out)));
    const b = readTree(path.join(homeB, 'store', path.basename(out)));
    expect([...a.keys()].sort()).toEqual(['bin/hello-cpp.wasm']);
    for (const [file, bytes] of a) expect(b.get(file)!.equals(bytes)).toBe(true);
    const narHash = (h: string) => JSON.parse(wpm(['store', 'path-info', '--json', out], { home: h }).stdout)[0].narHash;
    expect(narHash(homeB)).toBe(narHash(home));
  });
});
