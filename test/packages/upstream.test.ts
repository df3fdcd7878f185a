// Upstream projects in the default suite: a representative subset of the package set (zlib,
// bzip2, lz4, snappy in C++, oniguruma and jq, which depends on it), each built with its checks
// (upstream's own tests, run as build steps) from a store holding only the toolchains and the
// sources; their programs run on real inputs, and every output holds itself alone. The whole
// set, twice, with the table of docs/packages.md: `npm run test:packages`.
import { beforeAll, describe, expect, it } from 'vitest';
import { wpmP, type CliResult } from '../helpers/cli.js';
import { events } from '../helpers/build-events.js';
import { seededHome } from '../helpers/seed.js';
import { expectClosureAlone, filesOf } from './closure.js';
import { PACKAGES, PROGRAMS, type Runner } from './upstream-programs.js';

const SUBSET = ['zlib', 'bzip2', 'lz4', 'snappy', 'oniguruma', 'jq'];

describe('upstream packages, built with their checks from an empty store', () => {
  const r: Runner = { home: '' };
  let build: CliResult;
  let outputs: Record<string, string>;

  beforeAll(async () => {
    r.home = seededHome('upstream');
    build = await wpmP(['build', '--no-link', '--json', PACKAGES, ...SUBSET.flatMap((p) => ['-A', p, '-A', `${p}.checks`])], { home: r.home });
    if (build.status !== 0) {
      const other = build.stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n');
      throw new Error(`building the upstream subset failed (status ${build.status}):\n${other.slice(-4000)}`);
    }
    outputs = Object.fromEntries((JSON.parse(build.stdout) as { attr: string; outputs: { out: string } }[]).map((t) => [t.attr, t.outputs.out]));
  }, 1_500_000);

  it('passes every check: upstream test programs run as build steps', () => {
    const checks = Object.keys(outputs).filter((a) => a.includes('.checks.'));
    expect(checks.length).toBeGreaterThanOrEqual(20);
    const built = new Set(events(build).filter((e) => e.type === 'built').map((e) => e.name));
    for (const c of checks) expect(built).toContain(`check-${c.split('.').pop()}`);
  });

  it('puts the library and the programs of a package into one output', () => {
    expect(filesOf(r.home, outputs.zlib!)).toEqual(['bin/minigzip.wasm', 'include/zconf.h', 'include/zlib.h', 'lib/libz.a']);
    expect(filesOf(r.home, outputs.bzip2!)).toEqual(['bin/bzip2.wasm', 'include/bzlib.h', 'lib/libbz2.a']);
    expect(filesOf(r.home, outputs.snappy!)).toEqual(['include/snappy-c.h', 'include/snappy-sinksource.h', 'include/snappy-stubs-public.h', 'include/snappy.h', 'lib/libsnappy.a']);
    expect(filesOf(r.home, outputs.jq!)).toEqual(['bin/jq.wasm', 'include/jq.h', 'include/jv.h', 'lib/libjq.a']);
  });

  it('keeps no store path in any output: each closure is the package alone', () => {
    for (const p of SUBSET) expectClosureAlone(r.home, outputs[p]!);
  });

  for (const pkg of SUBSET) {
    for (const [name, test] of Object.entries(PROGRAMS[pkg] ?? {})) it(`${pkg}: ${name}`, () => test(r));
  }
});
