// The evaluation cache: a no-op `wpm build` should not pay for libjsonnet. An evaluation's result
// is reused when nothing it could have read has changed: the same wpm, file, attribute and
// arguments, the same bytes in every file of its import closure, every wpm.path still mapping to
// the same store path (checked through the metadata-fingerprinted path cache), and every store
// path it produced or relied on still valid.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { distFile } from '../util/index.js';
import type { DrvLimits, EvalArg, EvalIO, EvalResult, Json } from '../derivations/index.js';
import type { LocalStore } from '../store/index.js';
import type { ImportClosure } from './import-closure.js';

interface PathCall {
  hostPath: string;
  name: string;
  exclude: string[];
  storePath: string;
}

interface Entry {
  value: Json;
  /** Derivations' own step limits, by `.drv` path: not in the .drv files, so kept here. */
  limits?: Record<string, DrvLimits>;
  pathCalls: PathCall[];
  /** Store paths the evaluation produced (text objects, .drv files) or found valid. */
  mustBeValid: string[];
}

export interface EvalCacheRequest {
  file: string;
  attrPath: string;
  args: EvalArg[];
  libDirs: string[];
  maxStack?: number | undefined;
}

let codeSalt: string | undefined;
/** Changes whenever wpm's own evaluation code changes, so an upgrade never reuses old results. */
function salt(): string {
  if (codeSalt) return codeSalt;
  const h = crypto.createHash('sha256');
  const dir = distFile('derivations');
  for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.js')) h.update(fs.readFileSync(path.join(dir, f)));
  codeSalt = h.digest('hex');
  return codeSalt;
}

export class EvalCache {
  private readonly dir: string;

  constructor(private readonly store: LocalStore) {
    this.dir = path.join(store.layout.cache, 'eval');
  }

  /** The cache key: the request, wpm's own code, and the bytes of every file it can import. */
  key(req: EvalCacheRequest, closure: ImportClosure): string {
    const h = crypto.createHash('sha256');
    h.update(JSON.stringify([salt(), path.resolve(req.file), req.attrPath, req.args, req.libDirs, req.maxStack ?? null]));
    for (const [file, { bytes }] of [...closure.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      h.update(`\0${file}\0`);
      h.update(bytes === null ? 'missing' : crypto.createHash('sha256').update(bytes).digest('hex'));
    }
    return h.digest('hex');
  }

  async lookup(key: string, io: EvalIO): Promise<{ value: Json; limits: Record<string, DrvLimits>; pathCalls: PathCall[] } | undefined> {
    let entry: Entry;
    try {
      entry = JSON.parse(fs.readFileSync(path.join(this.dir, `${key}.json`), 'utf8')) as Entry;
    } catch {
      return undefined;
    }
    if (!this.store.areValid(entry.mustBeValid).every(Boolean)) return undefined;
    for (const call of entry.pathCalls) {
      try {
        if ((await io.addPath(call.hostPath, { name: call.name, exclude: call.exclude })) !== call.storePath) return undefined;
      } catch {
        return undefined; // e.g. the file is gone: evaluate again for the real error
      }
    }
    return { value: entry.value, limits: entry.limits ?? {}, pathCalls: entry.pathCalls };
  }

  save(key: string, result: EvalResult, recorder: EvalRecorder): void {
    const entry: Entry = {
      value: result.value,
      pathCalls: recorder.pathCalls,
      mustBeValid: [...new Set([...recorder.validPaths, ...result.derivations.keys()])].sort(),
      limits: Object.fromEntries([...result.derivations].flatMap(([p, d]) => (d.limits ? [[p, d.limits]] : []))),
    };
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `${key}.json`);
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(entry));
    fs.renameSync(tmp, file);
  }
}

/** Wraps an EvalIO to remember what an evaluation read, for the cache entry. */
export class EvalRecorder implements EvalIO {
  /** Each VM of a parallel evaluation adds the sources it meets; one record of each is kept. */
  private readonly calls = new Map<string, PathCall>();
  readonly validPaths = new Set<string>();

  constructor(private readonly inner: EvalIO) {}

  get pathCalls(): PathCall[] {
    return [...this.calls.values()];
  }

  async addPath(hostPath: string, opts: { name: string; exclude: string[] }): Promise<string> {
    const storePath = await this.inner.addPath(hostPath, opts);
    this.calls.set(JSON.stringify([hostPath, opts.name, opts.exclude, storePath]), { hostPath, name: opts.name, exclude: opts.exclude, storePath });
    return storePath;
  }

  async addText(name: string, text: string, references: string[]): Promise<string> {
    const storePath = await this.inner.addText(name, text, references);
    this.validPaths.add(storePath);
    return storePath;
  }

  isValidPath(storePath: string): boolean {
    const valid = this.inner.isValidPath(storePath);
    if (valid) this.validPaths.add(storePath);
    return valid;
  }
}
