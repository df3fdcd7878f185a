// The CLI's own view of a package, the oracle for the tab's build loop (web/loop): what
// `wpm build --dry-run --json` would build and `wpm show-derivation -r` shows, and the `.drv`
// texts and validity of a real home's store, read as the tab would read its store or a cache.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Derivation } from '../../derivations/index.js';
import { parseStorePath } from '../../store/format/index.js';
import type { DrvClosure } from '../../web/loop/index.js';
import { wpm, type CliResult } from '../helpers/cli.js';

export interface CliView {
  target: string;
  outputs: Record<string, string>;
  /** `.drv` paths the CLI would build in this home, sorted. */
  toBuild: string[];
  /** show-derivation -r: every derivation of the closure as JSON, by `.drv` path. */
  derivations: Record<string, unknown>;
}

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Evaluate a package directory with the CLI (which writes its `.drv` files into the home). */
export function cliView(home: string, dir: string): CliView {
  const dry = JSON.parse(ok(wpm(['build', '--dry-run', '--json', dir], { home }))) as {
    toBuild: string[];
    targets: { drvPath: string; outputs: Record<string, string> }[];
  };
  expect(dry.targets).toHaveLength(1);
  const derivations = JSON.parse(ok(wpm(['show-derivation', '-r', dir], { home }))) as Record<string, unknown>;
  return { target: dry.targets[0]!.drvPath, outputs: dry.targets[0]!.outputs, toBuild: dry.toBuild, derivations };
}

/** A `.drv` text from the home's store, undefined where the store has no such file. */
export function storeReader(home: string): (drvPath: string) => Promise<string | undefined> {
  return async (drvPath) => {
    try {
      return await fs.promises.readFile(path.join(home, 'store', path.basename(drvPath)), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
}

/** Is the path valid in the home's store (its path-info record exists: store/path-info-db.ts)? */
export function validIn(home: string): (storePath: string) => boolean {
  return (storePath) => fs.existsSync(path.join(home, 'db', `${parseStorePath(storePath).hashPart}.json`));
}

/** The one derivation of a closure with this name. */
export function byName(closure: DrvClosure, name: string): [string, Derivation] {
  const found = [...closure.derivations].filter(([, d]) => d.name === name);
  expect(found.map(([p]) => p), name).toHaveLength(1);
  return found[0]!;
}
