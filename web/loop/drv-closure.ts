// The derivations a target needs, from `.drv` texts alone. The tab has no Jsonnet evaluator: it
// is given a target's `.drv` path (written by the CLI) and reads the texts from its own store or
// a binary cache. Each text is checked against its path before it is believed.
// Files, not the folders' indexes: those of util/, store/format/ and derivations/ reach Node's
// modules (dist-dir.ts, signature.ts's ed25519, the Jsonnet evaluator), and this runs in a tab.
import { WpmError } from '../../util/errors.js';
import { isStorePath, makeTextPath } from '../../store/format/store-path.js';
import { parseDerivation, type Derivation } from '../../derivations/derivation.js';

/**
 * Gives a `.drv` file's text, or undefined when the store or cache reading it has no such path.
 * Throwing is taken as the same miss, with the error kept as the cause.
 */
export type ReadDrv = (drvPath: string) => Promise<string | undefined>;

export interface DrvClosure {
  target: string;
  /** Every derivation the target needs, itself included, by `.drv` path. */
  derivations: ReadonlyMap<string, Derivation>;
}

/**
 * Read and parse the target and every input derivation, recursively. Texts are read a level of
 * the graph at a time, all of a level at once: over HTTP the round trips, not the bytes, cost.
 */
export async function readDrvClosure(target: string, readDrv: ReadDrv): Promise<DrvClosure> {
  checkDrvPath(target, 'the target');
  const derivations = new Map<string, Derivation>();
  /** Who first asked for each path, for errors: the user does not know the toolchain's .drv paths. */
  const neededBy = new Map<string, string | undefined>([[target, undefined]]);
  let level = [target];
  while (level.length > 0) {
    const parsed = await Promise.all(level.map((p) => readOne(p, neededBy.get(p), readDrv)));
    const next: string[] = [];
    for (const [i, drvPath] of level.entries()) {
      const drv = parsed[i]!;
      derivations.set(drvPath, drv);
      for (const input of Object.keys(drv.inputDrvs)) {
        if (neededBy.has(input)) continue;
        checkDrvPath(input, drvPath);
        neededBy.set(input, drvPath);
        next.push(input);
      }
    }
    level = next;
  }
  return { target, derivations };
}

async function readOne(drvPath: string, referrer: string | undefined, readDrv: ReadDrv): Promise<Derivation> {
  const via = referrer === undefined ? '' : ` (an input of ${referrer})`;
  let text: string | undefined;
  let cause: unknown;
  try {
    text = await readDrv(drvPath);
  } catch (err) {
    cause = err;
  }
  if (text === undefined) {
    throw new WpmError('ERR_DRV_MISSING', `${drvPath}${via} could not be read`, {
      hint: 'derivations come from the CLI: `wpm copy` the target\'s .drv closure to the binary cache the page reads',
      cause,
    });
  }
  const drv = parseDerivation(text, drvPath);
  // The path is the hash of the text and its references: a cache cannot swap one text for another.
  const refs = [...drv.inputSrcs, ...Object.keys(drv.inputDrvs)].sort();
  const expected = makeTextPath(`${drv.name}.drv`, text, refs);
  if (expected !== drvPath) {
    throw new WpmError('ERR_DRV_PATH_MISMATCH', `${drvPath}${via}: the text read is not that derivation's (it hashes to ${expected})`, {
      hint: 'the store or cache it came from holds something else under that path',
    });
  }
  return drv;
}

function checkDrvPath(p: string, where: string): void {
  if (!isStorePath(p) || !p.endsWith('.drv')) {
    throw new WpmError('ERR_BAD_STORE_PATH', `${where}: '${p}' is not the store path of a .drv file`);
  }
}
