// Directory trees as REAPI Merkle trees: each directory is a `Directory` message (entries sorted
// by name, as the spec requires, so one tree has one digest), stored in the CAS under the digest
// of its encoding. Host trees are read once per builder: store paths never change, so a store
// path's digest is kept for the life of the process.
import fs from 'node:fs';
import path from 'node:path';
import { digestKey, digestOf, digestOfFile, type Digest } from './digest.js';
import type { BlobSource } from './cas.js';
import { encodeMessage, REAPI, type Msg } from './proto.js';

export type TreeNode =
  | { kind: 'file'; digest: Digest; executable: boolean }
  | { kind: 'dir'; digest: Digest }
  | { kind: 'symlink'; target: string };

export interface DirEntries {
  [name: string]: TreeNode;
}

const byName = (a: Msg, b: Msg) => Buffer.compare(Buffer.from(String(a.name)), Buffer.from(String(b.name)));

export class MerkleBuilder {
  /** Every blob of every tree built so far: file contents (by host file or bytes) and directory messages. */
  private readonly blobs = new Map<string, BlobSource>();
  /** Directory messages by digest key. */
  private readonly directories = new Map<string, Msg>();
  private readonly hostNodes = new Map<string, TreeNode>();

  /** `cacheHostTrees`: remember host trees by path, for paths that cannot change (store paths). */
  constructor(private readonly cacheHostTrees = true) {}

  /** The `Directory` of `entries`, its blob added; returns its digest. */
  directory(entries: DirEntries): Digest {
    const msg = directoryMessage(entries);
    const bytes = encodeMessage(`${REAPI}.Directory`, msg);
    const d = digestOf(bytes);
    this.blobs.set(digestKey(d), { digest: d, bytes });
    this.directories.set(digestKey(d), msg);
    return d;
  }

  file(bytes: Uint8Array, executable = false): TreeNode {
    const d = digestOf(bytes);
    this.blobs.set(digestKey(d), { digest: d, bytes });
    return { kind: 'file', digest: d, executable };
  }

  /** A host file, directory or symlink as a node; directories recursively. */
  host(hostPath: string): TreeNode {
    const known = this.cacheHostTrees ? this.hostNodes.get(hostPath) : undefined;
    if (known) return known;
    const node = this.readHost(hostPath);
    if (this.cacheHostTrees) this.hostNodes.set(hostPath, node);
    return node;
  }

  /** The blobs a tree needs: its directory messages and its files. */
  blobsOf(root: Digest): BlobSource[] {
    const out = new Map<string, BlobSource>();
    const walk = (d: Digest, isDir: boolean) => {
      const key = digestKey(d);
      if (out.has(key)) return;
      const blob = this.blobs.get(key);
      if (!blob) throw new Error(`merkle: no blob ${key}`);
      out.set(key, blob);
      if (!isDir) return;
      const dir = this.directories.get(key)!;
      for (const f of dir.files) walk(f.digest, false);
      for (const c of dir.directories) walk(c.digest, true);
    };
    walk(root, true);
    return [...out.values()];
  }

  /** Directory messages of a tree below its root (a REAPI `Tree`'s children), each once. */
  childrenOf(root: Digest): Msg[] {
    const out = new Map<string, Msg>();
    const walk = (d: Digest) => {
      for (const c of this.directories.get(digestKey(d))!.directories) {
        const key = digestKey(c.digest);
        if (out.has(key)) continue;
        out.set(key, this.directories.get(key)!);
        walk(c.digest);
      }
    };
    walk(root);
    return [...out.values()];
  }

  directoryMessage(d: Digest): Msg {
    return this.directories.get(digestKey(d))!;
  }

  private readHost(hostPath: string): TreeNode {
    const st = fs.lstatSync(hostPath);
    if (st.isSymbolicLink()) return { kind: 'symlink', target: fs.readlinkSync(hostPath) };
    if (st.isFile()) {
      const digest = digestOfFile(hostPath);
      this.blobs.set(digestKey(digest), { digest, file: hostPath });
      return { kind: 'file', digest, executable: (st.mode & 0o111) !== 0 };
    }
    if (st.isDirectory()) {
      const entries: DirEntries = {};
      for (const name of fs.readdirSync(hostPath)) entries[name] = this.readHost(path.join(hostPath, name));
      return { kind: 'dir', digest: this.directory(entries) };
    }
    throw new Error(`${hostPath}: not a file, directory or symlink`);
  }
}

export function directoryMessage(entries: DirEntries): Msg {
  const files: Msg[] = [];
  const directories: Msg[] = [];
  const symlinks: Msg[] = [];
  for (const [name, n] of Object.entries(entries)) {
    if (n.kind === 'file') files.push({ name, digest: n.digest, is_executable: n.executable });
    else if (n.kind === 'dir') directories.push({ name, digest: n.digest });
    else symlinks.push({ name, target: n.target });
  }
  return { files: files.sort(byName), directories: directories.sort(byName), symlinks: symlinks.sort(byName) };
}
