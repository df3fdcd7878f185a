// A profile: a link ($WPM_HOME/profiles/NAME, or a path of the user's) to its current generation,
// whose numbered generations are GC roots under gcroots/profiles (store/gc/root-links.ts).
// Switching writes the new generation's root first, then replaces the profile's link at once, so a
// crash at any moment leaves the previous generation current. Changes take the profile's lock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../util/index.js';
import {
  acquireLock,
  addGenerationLink,
  generationLinkPath,
  listGenerationLinks,
  removeGenerationLink,
  replaceSymlink,
  type LocalStore,
  type Lock,
} from '../store/index.js';
import { MANIFEST_FILE, emptyManifest, parseManifest, type ProfileManifest } from '../runtime/builders/index.js';

export const DEFAULT_PROFILE = 'default';
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export interface Generation {
  number: number;
  /** Its store path; undefined if its root no longer leads into the store. */
  path: string | undefined;
  createdMs: number;
  current: boolean;
}

export class Profile {
  private constructor(
    readonly store: LocalStore,
    /** What the user called it: a name, or the path given. */
    readonly name: string,
    /** The prefix of its generation links: the name, or for a path '@<hash>-<basename>'. */
    readonly key: string,
    /** The profile's own link. */
    readonly link: string,
    private readonly named: boolean,
  ) {}

  /** A profile by name ($WPM_HOME/profiles/NAME) or, if `spec` has a slash, at that path. */
  static open(store: LocalStore, spec: string = DEFAULT_PROFILE): Profile {
    if (!spec.includes('/')) {
      if (!NAME.test(spec)) throw new WpmError('ERR_PROFILE_NAME', `'${spec}' is not a profile name (letters, digits, '.', '_' and '-')`, { hint: 'or give a path, such as ./my-profile' });
      return new Profile(store, spec, spec, path.join(store.layout.profiles, spec), true);
    }
    const abs = path.resolve(spec);
    const base = path.basename(abs).replace(/[^A-Za-z0-9._-]/g, '_');
    const key = `@${crypto.createHash('sha256').update(abs).digest('hex').slice(0, 12)}-${base}`;
    return new Profile(store, abs, key, abs, false);
  }

  /** The directory to put on PATH (through the link, so that it follows every switch). */
  get binDir(): string {
    return path.join(this.link, 'bin');
  }

  /** Every generation, oldest first. */
  generations(): Generation[] {
    const current = this.currentNumber();
    return listGenerationLinks(this.store, this.key).map((g) => ({ number: g.number, path: g.path, createdMs: g.createdMs, current: g.number === current }));
  }

  /** The generation the profile's link points at, if it has one. */
  current(): Generation | undefined {
    return this.generations().find((g) => g.current);
  }

  private currentNumber(): number | undefined {
    let target: string;
    try {
      target = fs.readlinkSync(this.link);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'EINVAL') throw new WpmError('ERR_PROFILE_NAME', `${this.link} is not a profile: it is not a symbolic link`);
      throw cause;
    }
    const m = /-([0-9]+)-link$/.exec(path.basename(target));
    if (!m || path.basename(target) !== `${this.key}-${m[1]}-link`) {
      throw new WpmError('ERR_PROFILE_NAME', `${this.link} is not a wpm profile: it points to ${target}`);
    }
    return Number(m[1]);
  }

  /** The manifest of a generation (the current one by default); empty for a profile without one. */
  manifest(gen: Generation | undefined = this.current()): ProfileManifest {
    if (!gen) return emptyManifest();
    if (!gen.path || !this.store.isValid(gen.path)) {
      throw new WpmError('ERR_PROFILE_NO_GENERATION', `generation ${gen.number} of profile ${this.name} is no longer in the store`, { hint: 'switch to another generation, or delete this one' });
    }
    const file = path.join(this.store.toHost(gen.path), MANIFEST_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (cause) {
      throw new WpmError('ERR_PROFILE_MANIFEST', `${gen.path} is not a profile generation: it has no ${MANIFEST_FILE}`, { cause });
    }
    return parseManifest(JSON.parse(text), `${gen.path}/${MANIFEST_FILE}`);
  }

  /** Held while the profile changes, so that two commands never make the same generation number. */
  lock(onWait?: () => void): Promise<Lock> {
    return acquireLock(path.join(this.store.layout.locks, `profile-${this.key}.lock`), onWait ? { onWait } : {});
  }

  /** Make `storePath` the next generation and switch to it (with the lock held). */
  addGeneration(storePath: string): Generation {
    const all = this.generations();
    const n = (all.length > 0 ? all[all.length - 1]!.number : 0) + 1;
    addGenerationLink(this.store, this.key, n, storePath);
    this.point(n);
    return { number: n, path: storePath, createdMs: Date.now(), current: true };
  }

  /** Point the profile at an existing generation (with the lock held). */
  switchTo(n: number): Generation {
    const gen = this.generations().find((g) => g.number === n);
    if (!gen) throw new WpmError('ERR_PROFILE_NO_GENERATION', `profile ${this.name} has no generation ${n}`, { hint: 'wpm generations lists them' });
    if (!gen.path) throw new WpmError('ERR_PROFILE_NO_GENERATION', `generation ${n} of profile ${this.name} is no longer in the store`);
    this.point(n);
    return { ...gen, current: true };
  }

  /** Forget generations (never the current one); GC then frees what only they kept. */
  deleteGenerations(numbers: number[]): void {
    const current = this.currentNumber();
    if (numbers.includes(current!)) throw new WpmError('ERR_PROFILE_CURRENT', `generation ${current} is the current generation of profile ${this.name}`, { hint: 'switch to another one first (wpm rollback)' });
    const known = new Set(this.generations().map((g) => g.number));
    for (const n of numbers) if (!known.has(n)) throw new WpmError('ERR_PROFILE_NO_GENERATION', `profile ${this.name} has no generation ${n}`);
    for (const n of numbers) removeGenerationLink(this.store, this.key, n);
  }

  private point(n: number): void {
    const genLink = generationLinkPath(this.store, this.key, n);
    if (this.named) {
      fs.mkdirSync(path.dirname(this.link), { recursive: true });
      // Relative, so that a home moved as a whole keeps its profiles.
      replaceSymlink(this.link, path.relative(path.dirname(this.link), genLink), { durable: this.store.durable });
    } else {
      const st = fs.lstatSync(this.link, { throwIfNoEntry: false });
      if (st && !st.isSymbolicLink()) throw new WpmError('ERR_PROFILE_NAME', `${this.link} exists and is not a profile link: not replacing it`);
      replaceSymlink(this.link, genLink, { durable: this.store.durable });
    }
  }
}
