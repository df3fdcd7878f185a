// An output directory as a worker reported it (a REAPI `Tree`: the root `Directory` and every
// directory below it) written out on this host. Every name is checked, so a worker cannot reach
// outside the destination, and every file's bytes are checked against their digest by the CAS
// reader (cas.ts): what a worker returned is only ever written into a fresh scratch directory.
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { WpmError } from '../util/errors.js';
import type { Cas } from './cas.js';
import type { CallOptions } from './grpc-service.js';
import { digestKey, digestOf, normalizeDigest, type Digest } from './digest.js';
import { decodeMessage, REAPI, type Msg } from './proto.js';

/** Root and children of a Tree blob, each child by the digest of its own bytes as sent. */
export function splitTree(bytes: Uint8Array): { root: Msg; children: Map<string, Msg> } {
  const r = protobuf.Reader.create(bytes);
  let root: Msg | null = null;
  const children = new Map<string, Msg>();
  while (r.pos < r.len) {
    const tag = r.uint32();
    if ((tag & 7) !== 2) {
      r.skipType(tag & 7);
      continue;
    }
    const raw = r.bytes();
    const field = tag >>> 3;
    if (field === 1) root = decodeMessage(`${REAPI}.Directory`, raw);
    else if (field === 2) children.set(digestKey(digestOf(raw)), decodeMessage(`${REAPI}.Directory`, raw));
  }
  if (root === null) throw new WpmError('ERR_REMOTE_BAD_RESULT', 'the remote result has an output tree without a root directory');
  return { root, children };
}

function checkName(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new WpmError('ERR_REMOTE_BAD_RESULT', `the remote result names an output entry '${name}', which is not a plain file name`);
  }
  return name;
}

/** Write the tree under `dest` (which must not exist yet). */
export async function writeTree(cas: Cas, treeBytes: Uint8Array, dest: string, opts: CallOptions = {}): Promise<void> {
  const { root, children } = splitTree(treeBytes);
  const files: { digest: Digest; host: string; executable: boolean }[] = [];
  const walk = (dir: Msg, host: string, depth: number) => {
    if (depth > 256) throw new WpmError('ERR_REMOTE_BAD_RESULT', 'the remote output tree is deeper than 256 levels');
    fs.mkdirSync(host);
    for (const f of dir.files ?? []) files.push({ digest: normalizeDigest(f.digest), host: path.join(host, checkName(f.name)), executable: !!f.is_executable });
    for (const s of dir.symlinks ?? []) fs.symlinkSync(String(s.target), path.join(host, checkName(s.name)));
    for (const d of dir.directories ?? []) {
      const child = children.get(digestKey(normalizeDigest(d.digest)));
      if (!child) throw new WpmError('ERR_REMOTE_BAD_RESULT', `the remote output tree lacks directory ${d.digest?.hash} ('${d.name}')`);
      walk(child, path.join(host, checkName(d.name)), depth + 1);
    }
  };
  walk(root, dest, 0);
  await writeFiles(cas, files, opts);
}

/** Fetch files by digest (checked) and write each, batched so memory holds one batch at a time. */
export async function writeFiles(cas: Cas, files: { digest: Digest; host: string; executable: boolean }[], opts: CallOptions = {}): Promise<void> {
  const BATCH = 32 * 1024 * 1024;
  for (let i = 0; i < files.length; ) {
    const group: typeof files = [];
    let bytes = 0;
    while (i < files.length && (group.length === 0 || bytes + files[i]!.digest.size_bytes <= BATCH)) {
      bytes += files[i]!.digest.size_bytes;
      group.push(files[i++]!);
    }
    const got = await cas.read(group.map((f) => f.digest), opts);
    for (const f of group) fs.writeFileSync(f.host, got.get(digestKey(f.digest))!, { mode: f.executable ? 0o755 : 0o644, flag: 'wx' });
  }
}
