// Which downloads to believe. A narinfo is accepted when at least `required` DISTINCT trusted keys
// made valid signatures over its fingerprint: two signatures by one key (even under two names)
// count once, because the point of k-of-n is independent builders agreeing on the same bytes.
// The NAR itself is then checked against the signed NarHash and NarSize.
// As in Nix, a path whose name is its content needs no signature: for `CA: fixed:r:sha256:H` the
// store path is computed from H (= NarHash) and the references, so checking the NAR against
// NarHash, which substitution always does, proves it.
// The browser's store (web/store/) takes this same rule through checkTrustAsync (WebCrypto), so
// this file imports only the pure formats and the error type.

import { WpmError } from '../../util/errors.js';
import {
  fingerprintPath,
  formatPublicKey,
  makeFixedOutputPath,
  parseHash,
  parsePublicKey,
  parseStorePath,
  verifySignature,
  verifySignatureAsync,
  type NarInfo,
  type PublicKey,
} from '../format/index.js';

export interface TrustPolicy {
  keys: PublicKey[];
  /** Valid signatures from distinct trusted keys needed; 0 trusts every cache (checks hashes only). */
  required: number;
}

export function makeTrustPolicy(trustedKeys: string[], required: number): TrustPolicy {
  if (!Number.isInteger(required) || required < 0) {
    throw new WpmError('ERR_USAGE', `required signatures must be a whole number ≥ 0, got ${required}`);
  }
  return { keys: trustedKeys.map(parsePublicKey), required };
}

export interface TrustVerdict {
  ok: boolean;
  /** Distinct trusted keys with a valid signature. */
  signers: PublicKey[];
  /** Why it was refused, for the log. */
  reason?: string;
}

type Signed = Pick<NarInfo, 'storePath' | 'narHash' | 'narSize' | 'references' | 'sigs'> & { ca?: string };

/** Whether the store path follows from the NAR hash alone (recursive sha256 content address). */
export function isSelfAuthenticating(info: Signed): boolean {
  if (info.ca !== `fixed:r:${info.narHash}`) return false;
  try {
    const refs = info.references.filter((r) => r !== info.storePath);
    if (refs.length !== info.references.length) return false; // a self-reference cannot be content-addressed
    return makeFixedOutputPath('recursive', parseHash(info.narHash), parseStorePath(info.storePath).name, refs) === info.storePath;
  } catch {
    return false;
  }
}

export function checkTrust(info: Signed, policy: TrustPolicy): TrustVerdict {
  const fingerprint = fingerprintPath(info.storePath, info.narHash, info.narSize, info.references);
  return judge(info, policy, info.sigs.map((sig) => verifySignature(sig, fingerprint, policy.keys)));
}

/** checkTrust where only WebCrypto verifies signatures (a browser): the same verdict, later. */
export async function checkTrustAsync(info: Signed, policy: TrustPolicy): Promise<TrustVerdict> {
  const fingerprint = fingerprintPath(info.storePath, info.narHash, info.narSize, info.references);
  return judge(info, policy, await Promise.all(info.sigs.map((sig) => verifySignatureAsync(sig, fingerprint, policy.keys))));
}

/** The verdict, given which trusted key (if any) made each of `info.sigs`, in order. */
function judge(info: Signed, policy: TrustPolicy, verified: (PublicKey | undefined)[]): TrustVerdict {
  const signers = new Map<string, PublicKey>();
  const invalid: string[] = [];
  for (const [i, sig] of info.sigs.entries()) {
    const key = verified[i];
    const name = sig.slice(0, Math.max(0, sig.indexOf(':')));
    if (key) signers.set(Buffer.from(key.key).toString('hex'), key);
    else if (policy.keys.some((k) => k.name === name)) invalid.push(name);
  }
  const found = [...signers.values()];
  if (found.length >= policy.required || isSelfAuthenticating(info)) return { ok: true, signers: found };
  const names = (ks: PublicKey[]) => ks.map((k) => `'${k.name}'`).join(', ');
  let reason: string;
  if (invalid.length > 0) reason = `invalid signature by ${[...new Set(invalid)].map((n) => `'${n}'`).join(', ')}`;
  else if (info.sigs.length === 0) reason = 'it is not signed';
  else if (found.length === 0) reason = `no signature by a trusted key (signed by ${[...new Set(info.sigs.map((s) => `'${s.split(':')[0]}'`))].join(', ')})`;
  else reason = `signed by ${found.length} trusted key${found.length === 1 ? '' : 's'} (${names(found)})`;
  const distinct = new Set(policy.keys.map((k) => formatPublicKey(k).split(':')[1])).size;
  reason += `; ${policy.required} distinct trusted key${policy.required === 1 ? '' : 's'} must sign it`;
  if (distinct < policy.required) reason += ` but only ${distinct} ${distinct === 1 ? 'is' : 'are'} trusted`;
  return { ok: false, signers: found, reason };
}
