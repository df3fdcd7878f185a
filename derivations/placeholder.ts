// Nix's placeholder for an output, on its own so that a step's world (runtime/builders/step-run.ts)
// can be computed without the evaluator, in a browser worker too.
import { hashBytes } from '../store/format/hash.js';
import { nix32Encode } from '../store/format/nix32.js';

/** Replaced by the real output path when the step runs. */
export function placeholder(output: string): string {
  return '/' + nix32Encode(hashBytes('sha256', `nix-output:${output}`).digest);
}
