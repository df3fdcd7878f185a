// node:crypto in the browser bundle. The format modules import it for SHA-256 (hash.ts,
// store-path.ts) and Ed25519 (signature.ts); the browser store does not call those paths (it
// hashes whole NARs with WebCrypto and verifies through checkTrustAsync), so each stand-in throws
// a clear error should one be reached. The portable SHA-256 seam (issue 25, part A) replaces
// the hash half.
import { WpmError } from '../../util/errors.js';

function unavailable(name: string): never {
  throw new WpmError('ERR_WEB_UNSUPPORTED', `node:crypto ${name} is not available in the browser`);
}

export const createHash = (): never => unavailable('createHash');
export const hash = (): never => unavailable('hash');
export const createPublicKey = (): never => unavailable('createPublicKey');
export const createPrivateKey = (): never => unavailable('createPrivateKey');
export const generateKeyPairSync = (): never => unavailable('generateKeyPairSync');
export const sign = (): never => unavailable('sign');
export const verify = (): never => unavailable('verify');
export default { createHash, hash, createPublicKey, createPrivateKey, generateKeyPairSync, sign, verify };
