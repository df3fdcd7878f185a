// Pure formats of the store: nix32, hashes, store paths, NAR. No file system access here.

export { NIX32_ALPHABET, isNix32Char, nix32Decode, nix32Encode, nix32Length } from './nix32.js';
export { HASH_SIZES, HashSink, formatHash, hashBytes, hashEquals, isHashAlgo, parseHash } from './hash.js';
export type { Hash, HashAlgo } from './hash.js';
export {
  HASH_PART_LENGTH,
  MAX_NAME_LENGTH,
  STORE_DIR,
  makeFixedOutputPath,
  makeOutputPath,
  makeSourcePath,
  makeStorePath,
  makeTextPath,
  makeTextPathFromHash,
  isStorePath,
  isStoreRef,
  outputPathName,
  parseStorePath,
  parseStoreRef,
  NAME_CHARS,
  validateStorePathName,
} from './store-path.js';
export type { ParsedStorePath, StoreRef } from './store-path.js';
export { MAX_DEPTH, MAX_NAME_BYTES, MAX_TARGET_BYTES, NAR_MAGIC, compareNames } from './nar-wire.js';
export { NarWriter } from './nar-writer.js';
export { NarPushParser, parseNar } from './nar-parser.js';
export type { NarVisitor } from './nar-parser.js';
export { RefScanner } from './ref-scanner.js';
export { formatNarInfo, parseNarInfo } from './narinfo.js';
export type { NarInfo } from './narinfo.js';
export {
  fingerprintPath,
  formatPublicKey,
  formatSecretKey,
  generateKeyPair,
  parsePublicKey,
  parseSecretKey,
  publicKeyOf,
  signFingerprint,
  verifySignature,
} from './signature.js';
export { verifySignatureAsync } from './signature-webcrypto.js';
export type { PublicKey, SecretKey } from './signature.js';
