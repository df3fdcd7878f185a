// The derivations of the package set and the toolchains, against the paths recorded in
// test/fixtures/package-store-paths.json: a change to wpm itself (not to a package) must not
// alter a single derivation. Record again with `node scripts/record-store-paths.mjs` when a
// package or cc.libsonnet changes its derivations on purpose.
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { FIXTURE, currentStorePaths } from '../../scripts/record-store-paths.mjs';

it('evaluates every package and toolchain to the recorded .drv paths', () => {
  const recorded = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, Record<string, string>>;
  expect(currentStorePaths()).toEqual(recorded);
  // Read-only evaluations of the whole set, checks included (each package's `checks` is a visible
  // field): about 30 s on a quiet 2-core machine, several times that on a loaded one.
}, 600_000);
