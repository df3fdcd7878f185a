// A generation's store path from a manifest: a builtin:buildenv derivation over the packages,
// made here (not by the user's Jsonnet), written as a `.drv` and realised like any other step.
import { WpmError } from '../util/index.js';
import { Instantiator, serializeDerivation, type Derivation } from '../derivations/index.js';
import { builtinRequests } from '../runtime/builders/index.js';
import type { LocalStore } from '../store/index.js';
import type { ProfileManifest } from '../runtime/builders/index.js';

/** Builds derivations whose `.drv` files are written (the CLI's, with its progress and Ctrl-C). */
export type Realise = (drvPath: string, derivations: Map<string, Derivation>) => Promise<void>;

/** The name of every generation's store path, as Nix's `user-environment`. */
export const GENERATION_NAME = 'profile';

/** The derivation of the generation holding `manifest`'s packages (which must be valid), written to the store. */
export async function generationDerivation(store: LocalStore, manifest: ProfileManifest): Promise<{ drvPath: string; outPath: string; derivations: Map<string, Derivation> }> {
  // Sorted, so that the same packages make the same generation whatever the order of commands.
  const packages = [...manifest.packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const instantiator = new Instantiator((p) => store.isValid(p), { builtins: builtinRequests() });
  const made = instantiator.instantiate(JSON.stringify({ name: GENERATION_NAME, builder: 'builtin:buildenv', stdin: { manifest: { version: 1, packages } } }));
  const drv = instantiator.derivations.get(made.drvPath)!;
  const written = await store.addText(`${drv.name}.drv`, serializeDerivation(drv), [...drv.inputSrcs, ...Object.keys(drv.inputDrvs)].sort());
  if (written !== made.drvPath) throw new WpmError('ERR_INTERNAL', `the generation's derivation was written as ${written}, not ${made.drvPath}`);
  return { drvPath: made.drvPath, outPath: made.out, derivations: instantiator.derivations };
}

/** Build the generation for `manifest`; returns its store path. */
export async function buildGeneration(store: LocalStore, manifest: ProfileManifest, realise: Realise): Promise<string> {
  const { drvPath, outPath, derivations } = await generationDerivation(store, manifest);
  await realise(drvPath, derivations);
  if (!store.isValid(outPath)) throw new WpmError('ERR_INTERNAL', `building ${drvPath} did not make ${outPath}`);
  return outPath;
}
