// Output paths and `.drv` paths, the way Nix computes them. A derivation's output paths come from
// its hash *modulo fixed-output inputs*: a fixed-output input contributes only its declared content
// hash and path, so changing where a tarball is fetched from does not rebuild its dependents.
// Files, not store/format's index, which reaches node:crypto's ed25519 (signature.ts): the
// browser tab computes these paths too.
import { formatHash, hashBytes, parseHash, type Hash } from '../store/format/hash.js';
import { makeFixedOutputPath, makeOutputPath, makeTextPath } from '../store/format/store-path.js';
import { derivationText, isFixedOutput, type Derivation } from './derivation.js';

/** Returns the hash modulo of an input derivation, by its `.drv` path. */
export type InputHashLookup = (drvPath: string) => Hash;

export function hashDerivationModulo(drv: Derivation, inputHash: InputHashLookup): Hash {
  if (isFixedOutput(drv)) {
    const out = drv.outputs.out!;
    const h = parseHash(out.hash!);
    const method = out.method === 'recursive' ? 'r:' : '';
    return hashBytes('sha256', `fixed:out:${method}${h.algo}:${formatHash(h, 'base16')}:${out.path}`);
  }
  // Replace each input derivation by its own hash modulo, merging outputs wanted from
  // derivations that hash the same (Nix does the same in hashDerivationModulo).
  const inputs: Record<string, string[]> = {};
  for (const [drvPath, outputs] of Object.entries(drv.inputDrvs)) {
    const key = formatHash(inputHash(drvPath), 'base16');
    inputs[key] = [...new Set([...(inputs[key] ?? []), ...outputs])].sort();
  }
  return hashBytes('sha256', derivationText({ ...drv, inputDrvs: inputs }));
}

/**
 * Fill in the output paths of a derivation whose outputs are declared with empty paths.
 * Fixed-output derivations get the path of their declared hash; others are input-addressed.
 */
export function withOutputPaths(drv: Derivation, inputHash: InputHashLookup): Derivation {
  const outputs: Derivation['outputs'] = {};
  if (isFixedOutput(drv)) {
    const out = drv.outputs.out!;
    const path = makeFixedOutputPath(out.method ?? 'flat', parseHash(out.hash!), drv.name);
    outputs.out = { ...out, path };
    return { ...drv, outputs };
  }
  const masked: Derivation = { ...drv, outputs: {} };
  for (const [name, o] of Object.entries(drv.outputs)) masked.outputs[name] = { ...o, path: '' };
  const h = hashDerivationModulo(masked, inputHash);
  for (const [name, o] of Object.entries(drv.outputs)) {
    outputs[name] = { ...o, path: makeOutputPath(h, name, drv.name) };
  }
  return { ...drv, outputs };
}

const serialized = new WeakMap<Derivation, string>();

/**
 * The `.drv` file's bytes. Remembered per object (derivations are never changed once made):
 * the `.drv` path and the `.drv` file of one derivation need the same bytes.
 */
export function serializeDerivation(drv: Derivation): string {
  let text = serialized.get(drv);
  if (text === undefined) {
    text = derivationText(drv);
    serialized.set(drv, text);
  }
  return text;
}

/** The `.drv` file's store path: a text object referring to its input sources and derivations. */
export function derivationPath(drv: Derivation): string {
  const refs = [...drv.inputSrcs, ...Object.keys(drv.inputDrvs)].sort();
  return makeTextPath(`${drv.name}.drv`, serializeDerivation(drv), refs);
}
