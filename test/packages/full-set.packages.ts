// The whole upstream package set with all its checks (`npm run test:packages`, not part of the
// default suite, which builds a subset: upstream.test.ts). Each package is built with its checks
// in one store, in dependency order, timed; a second empty store builds every package at once
// and must give byte-identical outputs; every program runs on a real input; every output's closure
// is itself alone. The run writes the table of docs/packages.md (scripts/packages-table.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm, wpmP, type CliResult } from '../helpers/cli.js';
import { events } from '../helpers/build-events.js';
import { seededHome } from '../helpers/seed.js';
import { expectClosureAlone, pathInfo } from './closure.js';
import { PACKAGES, PROGRAMS, type Runner } from './upstream-programs.js';

interface Meta {
  version: string;
  checks: number;
  source: { channel: string; name: string; version: string };
  programs: string[];
  leftOut: Record<string, string>;
}
// Packages of the set that use another: built after it, so that each row's time is its own.
const AFTER: Record<string, string[]> = { jq: ['oniguruma'], libdeflate: ['zlib'], libxml2: ['zlib', 'xz'], libpng: ['zlib'] };

function targets(r: CliResult): Record<string, string> {
  return Object.fromEntries((JSON.parse(r.stdout) as { attr: string; outputs: { out: string } }[]).map((t) => [t.attr, t.outputs.out]));
}

describe('the full upstream package set, with every check, from empty stores', () => {
  const r: Runner = { home: '' };
  const metas: Record<string, Meta> = {};
  const outputs: Record<string, string> = {};
  const rows: unknown[] = [];
  let order: string[] = [];
  let second: CliResult;
  let sameBytes: string[] = [];

  beforeAll(async () => {
    r.home = seededHome('full-a');
    const homeB = seededHome('full-b');
    const set = JSON.parse(wpm(['eval', '--json', PACKAGES], { home: r.home }).stdout) as Record<string, { meta?: Meta; checks?: object }>;
    for (const [name, v] of Object.entries(set)) if (v.meta) metas[name] = { ...v.meta, checks: Object.keys(v.checks ?? {}).length };
    // A package without checks (sqlite's tarball carries none) is built alone: an empty object
    // of checks is no target.
    const attrsOf = (n: string) => ['-A', n, ...(metas[n]!.checks > 0 ? ['-A', `${n}.checks`] : [])];
    const names = Object.keys(metas).sort();
    order = names.filter((n) => !AFTER[n]).concat(names.filter((n) => AFTER[n]));
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim();
    const file = path.join(tempDir('packages-record'), 'record.json');
    // The table is written after the first store's builds and again after the second's, so that
    // a run stopped during the second build still leaves its first half, saying so.
    const writeTable = (reproducible: { status: number | null; compared: number; same: number }) => {
      const record = {
        commit,
        date: new Date().toISOString().slice(0, 10),
        machine: `${os.availableParallelism()} cores, -j ${os.availableParallelism()}`,
        packages: rows,
        reproducible,
      };
      fs.writeFileSync(file, JSON.stringify(record, null, 2));
      const table = spawnSync(process.execPath, [path.join(REPO, 'scripts/packages-table.mjs'), file], { encoding: 'utf8' });
      if (table.status !== 0) throw new Error(table.stderr);
    };
    for (const name of order) {
      const t = performance.now();
      const b = await wpmP(['build', '--no-link', '--json', '--keep-going', PACKAGES, ...attrsOf(name)], { home: r.home });
      const seconds = (performance.now() - t) / 1000;
      const built = b.stdout.startsWith('[') ? targets(b) : {};
      Object.assign(outputs, built);
      const checks = Object.keys(built).filter((a) => a.startsWith(`${name}.checks.`));
      const run = metas[name]!.checks;
      const failed = events(b).filter((e) => e.type === 'failed' || e.type === 'skipped').map((e) => e.name);
      const out = built[name];
      const { checks: _count, ...meta } = metas[name]!;
      rows.push({
        name,
        ...meta,
        steps: events(b).filter((e) => e.type === 'start').length,
        seconds,
        closureBytes: out ? pathInfo(r.home, [out])[0]!.narSize : 0,
        checks: { run, passed: b.status === 0 ? checks.length : checks.length - failed.filter((f) => f?.startsWith('check-')).length },
        status: b.status,
        failed,
      });
    }
    writeTable({ status: null, compared: 0, same: 0 });
    // The second store builds the packages alone: the claim is about the set's outputs, and the
    // checks (a third of the steps, most of the time) only add test logs to compare.
    second = await wpmP(['build', '--no-link', '--json', PACKAGES, ...order.flatMap((n) => ['-A', n])], { home: homeB });
    const b = second.status === 0 ? targets(second) : {};
    const compared = order.filter((n) => outputs[n]);
    const same = (sameBytes = compared.filter((a) => b[a] === outputs[a] && pathInfo(homeB, [b[a]!])[0]!.narHash === pathInfo(r.home, [outputs[a]!])[0]!.narHash));
    writeTable({ status: second.status, compared: compared.length, same: same.length });
  }, 7_200_000);

  it('builds every package and passes every check', () => {
    for (const row of rows as { name: string; status: number; failed: string[] }[]) expect({ name: row.name, status: row.status, failed: row.failed }).toEqual({ name: row.name, status: 0, failed: [] });
  });

  it('builds the same bytes in a second empty store', () => {
    expect(second.status).toBe(0);
    expect(sameBytes.sort()).toEqual([...order].sort());
  });

  it('keeps every package output alone in its closure', () => {
    for (const name of order) expectClosureAlone(r.home, outputs[name]!);
  });

  it('has a program test for every program of the set', () => {
    for (const name of order) expect({ name, programs: metas[name]!.programs.filter(() => !PROGRAMS[name]) }).toEqual({ name, programs: [] });
  });

  for (const [pkg, cases] of Object.entries(PROGRAMS)) {
    for (const [name, test] of Object.entries(cases)) it(`${pkg}: ${name}`, () => test(r));
  }
});
