// Binary caches: the Nix cache layout over HTTP or in a directory, substitution with a k-of-n
// signature policy, serving the local store, uploading closures.

export type { BinaryCache, PutBody } from './cache.js';
export { UNREACHABLE_CODES } from './cache.js';
export { DEFAULT_PRIORITY, formatCacheInfo, parseCacheInfo, readCacheInfo } from './cache-info.js';
export type { CacheInfo } from './cache-info.js';
export { FileCache } from './file-cache.js';
export { HttpCache } from './http-cache.js';
export type { HttpCacheOptions } from './http-cache.js';
export { checkCacheUrl, closeCache, openCache } from './open-cache.js';
export { compress, compressionExtension, decompress, isCompressionSupported, supportedCompressions } from './compression.js';
export type { Compression } from './compression.js';
export { checkTrust, checkTrustAsync, isSelfAuthenticating, makeTrustPolicy } from './trust.js';
export type { TrustPolicy, TrustVerdict } from './trust.js';
export { addSignatures, installNar } from './install-nar.js';
export { CacheSubstituter } from './substituter.js';
export type { CacheSubstituterOptions, SubstituteMessage } from './substituter.js';
export { narInfoFor, referencesFirst, signPathInfo } from './path-narinfo.js';
export { narSource } from './nar-source.js';
export { createCacheServer } from './server.js';
export type { CacheServerOptions } from './server.js';
export { copyToCache } from './copy-to-cache.js';
export type { CopyToCacheOptions } from './copy-to-cache.js';
