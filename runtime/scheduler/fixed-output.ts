// Fixed-output derivations (downloads) are trusted for their declared hash alone, so their output
// is checked against it before anything is registered: flat (the file's own hash) or recursive
// (the NAR hash of the tree, sha256 only, as in Nix).
import fs from 'node:fs';
import { WpmError } from '../../util/index.js';
import type { Derivation } from '../../derivations/index.js';
import { formatHash, hashEquals, hashFlatFile, hashPath, parseHash, type Hash } from '../../store/index.js';

/**
 * Check a fixed-output derivation's output against its declared hash; returns the content address.
 * A mismatch names both hashes, and the caller registers nothing.
 */
export async function verifyFixedOutput(drvPath: string, drv: Derivation, hostPath: string): Promise<string> {
  const out = drv.outputs.out!;
  const expected = parseHash(out.hash!);
  let got: Hash;
  if (out.method === 'recursive') {
    if (expected.algo !== 'sha256') {
      throw new WpmError('ERR_BUILD_BAD_HASH', `${drvPath}: recursive fixed outputs must use sha256, not ${expected.algo}`);
    }
    got = (await hashPath(hostPath)).narHash;
  } else {
    const st = fs.lstatSync(hostPath);
    if (!st.isFile()) throw new WpmError('ERR_BUILD_NO_OUTPUT', `${drvPath}: a flat fixed output must be a single file`);
    got = await hashFlatFile(hostPath, expected.algo);
  }
  if (!hashEquals(expected, got)) {
    throw new WpmError(
      'ERR_BUILD_HASH_MISMATCH',
      `hash mismatch in fixed-output derivation '${drv.name}' (${drvPath}):\n  specified: ${formatHash(expected, 'sri')}\n  got:       ${formatHash(got, 'sri')}`,
      { hint: `if the new content is right, set the hash to ${formatHash(got, 'sri')}` },
    );
  }
  return `fixed:${out.method === 'recursive' ? 'r:' : ''}${formatHash(expected, 'nix32')}`;
}
