// Why does A depend on B (`nix why-depends --precise`)? The shortest chain of references from A
// to B, and at each link the files of the referrer in which the reference occurs, with the bytes
// around it: a reference is a hash part found by scanning, so the file is the answer to "why".
// With `all`, every edge on a path from A to B, each path expanded once.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../../util/index.js';
import { parseStorePath } from '../format/index.js';
import { closureSet, type InfoOf } from './closure.js';

const CONN = '├───';
const LAST = '└───';
const LINE = '│   ';
const NONE = '    ';
/** Bytes shown either side of a reference (Nix's margin). */
const MARGIN = 32;
const HASH_LEN = 32;

export interface WhyDependsOptions {
  /** Every edge leading to the dependency, not one shortest chain. */
  all?: boolean;
  /** Dress a hash part found in a file (colour on a terminal); `dependency` for B's own. */
  hilite?: (hash: string, dependency: boolean) => string;
  /** Dress a path shown again (with `all`), as Nix greys it. */
  dim?: (line: string) => string;
}

interface Node {
  path: string;
  refs: string[];
  dist: number;
  visited: boolean;
}

/** The lines `wpm why-depends A B` prints. Throws ERR_NOT_A_DEPENDENCY if B is not in A's closure. */
export function whyDepends(from: string, to: string, infoOf: InfoOf, toHost: (storePath: string) => string, opts: WhyDependsOptions = {}): string[] {
  const closure = closureSet([from], infoOf);
  if (!closure.has(to)) throw new WpmError('ERR_NOT_A_DEPENDENCY', `${from} does not depend on ${to}`, { hint: `its closure: wpm store path-info -r ${from}` });
  const graph = distancesTo(to, closure, infoOf);
  const hilite = opts.hilite ?? ((h: string) => h);
  const dim = opts.dim ?? ((l: string) => l);
  const toHash = parseStorePath(to).hashPart;
  const lines: string[] = [];
  const all = opts.all ?? false;
  let done = false;

  const visit = (node: Node, pad: string): void => {
    lines.push(pad === '' ? node.path : (node.visited ? dim : (l: string) => l)(`${pad}→ ${node.path}`));
    // One chain: it ends at the dependency.
    if (node.path === to && !all && from !== to) {
      done = true;
      return;
    }
    if (node.visited) return;
    node.visited = true;
    const refs = node.refs
      .filter((r) => (r !== node.path || from === to) && graph.get(r)!.dist !== Infinity)
      .map((r) => graph.get(r)!)
      .sort((a, b) => a.dist - b.dist || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const hashes = [...new Set(refs.map((r) => parseStorePath(r.path).hashPart))].sort();
    const hits = findHits(toHost(node.path), hashes, (h) => hilite(h, h === toHash));
    for (const [k, ref] of refs.entries()) {
      if (done) return;
      const last = all ? k === refs.length - 1 : true;
      const found = hits.get(parseStorePath(ref.path).hashPart) ?? [];
      for (const [i, hit] of (all ? found : found.slice(0, 1)).entries()) {
        lines.push(`${pad}${i === 0 ? (last ? LAST : CONN) : last ? NONE : LINE}${hit}`);
      }
      visit(ref, pad + (last ? NONE : LINE));
    }
  };
  visit(graph.get(from)!, '');
  return lines;
}

/** Each path's distance to `to` in references (breadth first over the referrers, within the closure). */
function distancesTo(to: string, closure: Set<string>, infoOf: InfoOf): Map<string, Node> {
  const graph = new Map<string, Node>();
  const referrers = new Map<string, string[]>();
  for (const p of closure) {
    const refs = infoOf(p).references;
    graph.set(p, { path: p, refs, dist: Infinity, visited: false });
    for (const r of refs) {
      if (!referrers.has(r)) referrers.set(r, []);
      referrers.get(r)!.push(p);
    }
  }
  graph.get(to)!.dist = 0;
  let frontier = [to];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const p of frontier) {
      const d = graph.get(p)!.dist + 1;
      for (const r of referrers.get(p) ?? []) {
        const n = graph.get(r)!;
        if (d < n.dist) {
          n.dist = d;
          next.push(r);
        }
      }
    }
    frontier = next;
  }
  return graph;
}

/**
 * For each hash part, where it occurs in the tree at `root`: "FILE: …bytes around it…" for the
 * first occurrence in each file, "LINK -> TARGET" for a symlink, in NAR order (names sorted bytewise).
 */
function findHits(root: string, hashes: string[], hilite: (hash: string) => string): Map<string, string[]> {
  const hits = new Map<string, string[]>();
  if (hashes.length === 0) return hits;
  const add = (hash: string, line: string) => {
    if (!hits.has(hash)) hits.set(hash, []);
    hits.get(hash)!.push(line);
  };
  const walk = (host: string, rel: string): void => {
    const st = fs.lstatSync(host);
    if (st.isDirectory()) {
      const names = fs.readdirSync(host).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const name of names) walk(path.join(host, name), rel === '/' ? name : `${rel}/${name}`);
    } else if (st.isFile()) {
      const bytes = fs.readFileSync(host);
      for (const hash of hashes) {
        const pos = bytes.indexOf(hash, 0, 'latin1');
        if (pos < 0) continue;
        const start = Math.max(0, pos - MARGIN);
        const shown = printable(bytes.subarray(start, pos + HASH_LEN + MARGIN));
        const at = pos - start;
        add(hash, `${rel}: …${shown.slice(0, at)}${hilite(shown.slice(at, at + HASH_LEN))}${shown.slice(at + HASH_LEN)}…`);
      }
    } else if (st.isSymbolicLink()) {
      const target = fs.readlinkSync(host);
      for (const hash of hashes) {
        const pos = target.indexOf(hash);
        if (pos >= 0) add(hash, `${rel} -> ${target.slice(0, pos)}${hilite(hash)}${target.slice(pos + HASH_LEN)}`);
      }
    }
  };
  walk(root, '/');
  return hits;
}

/** Bytes as text, anything but printable ASCII shown as '.' (as Nix does). */
function printable(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return s;
}
