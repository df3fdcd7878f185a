// wpm's Remote Execution API v2 client and what it puts on the wire (see docs/remote.md).
export { RemoteClient, RemoteStatusError, isRetryable, type ExecuteOutcome, type ServerCapabilities, type Stage } from './client.js';
export { Cas, type BlobSource } from './cas.js';
export { parseEndpoint, type RemoteEndpoint } from './endpoint.js';
export { digestKey, digestOf, digestOfFile, normalizeDigest, sameDigest, type Digest } from './digest.js';
export { MerkleBuilder, type DirEntries, type TreeNode } from './merkle.js';
export { splitTree, writeTree } from './output-tree.js';
export { decodeMessage, encodeMessage, packAny, unpackAny, REAPI, type Msg } from './proto.js';
