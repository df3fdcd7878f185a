// The NAR grammar as a state machine over pushed chunks (docs/store-formats.md, "NAR"): each
// chunk is parsed synchronously, with no promise per token, and the tree goes to a NarVisitor
// (nar-parser.ts) as events. Fields come from NarFieldReader (nar-fields.ts).

import { WpmError } from '../../util/errors.js';
import type { ErrorCode } from '../../util/error-codes.js';
import { NarFieldReader } from './nar-fields.js';
import type { NarVisitor } from './nar-parser.js';
import { MAX_DEPTH, MAX_TARGET_BYTES, MAX_NAME_BYTES, NAR_MAGIC, badEntryName, compareNames, describeName, padding } from './nar-wire.js';

// The longest token in the format is "nix-archive-1" (13 bytes).
const MAX_TOKEN_BYTES = 16;
// Contents larger than this cannot be counted exactly in a JS number; no real file gets near it.
const MAX_CONTENTS = Number.MAX_SAFE_INTEGER;
const EMPTY = new Uint8Array(0);

/** What the parser expects next; each string state reads one length-prefixed, padded string. */
const enum S {
  Magic,
  Open, // "("
  TypeKeyword, // "type"
  Type, // "regular" | "symlink" | "directory"
  RegularAttr, // "executable" | "contents"
  ExecutableMarker, // ""
  ContentsKeyword, // "contents" (after the executable marker)
  ContentsLength,
  Contents,
  ContentsPadding,
  RegularClose, // ")"
  TargetKeyword, // "target"
  Target,
  SymlinkClose, // ")"
  DirectoryItem, // "entry" | ")"
  EntryOpen, // "("
  NameKeyword, // "name"
  Name,
  NodeKeyword, // "node"
  EntryClose, // ")"
  End,
}

/** States that read one fixed token and go on to the next, with nothing else to do. */
const KEYWORDS = new Map<S, [token: string, next: S]>([
  [S.Open, ['(', S.TypeKeyword]],
  [S.TypeKeyword, ['type', S.Type]],
  [S.ContentsKeyword, ['contents', S.ContentsLength]],
  [S.TargetKeyword, ['target', S.Target]],
  [S.EntryOpen, ['(', S.NameKeyword]],
  [S.NameKeyword, ['name', S.Name]],
]);

function notANar(cause?: unknown): WpmError {
  // Whatever is wrong with the first string, the plain truth is that this is no NAR.
  return new WpmError('ERR_NAR_BAD_MAGIC', `not a NAR: it does not start with "${NAR_MAGIC}"`, cause === undefined ? {} : { cause });
}

/** What each state is reading, for "ends early while reading …". */
function describe(state: S): string {
  switch (state) {
    case S.ContentsLength:
    case S.Contents:
      return 'file contents';
    case S.ContentsPadding:
      return 'the padding of file contents';
    case S.Target:
      return 'a symlink target';
    case S.Name:
      return 'an entry name';
    case S.ExecutableMarker:
      return 'the executable marker';
    default:
      return 'a token';
  }
}

export class NarPushParser {
  readonly #v: NarVisitor;
  readonly #dirs: { lastName: Uint8Array | undefined }[] = [];
  #state = S.Magic;
  readonly #r = new NarFieldReader();
  #executable = false;
  #size = 0;
  #left = 0; // contents bytes still to come
  #target: Uint8Array = EMPTY;
  #name: Uint8Array = EMPTY;
  #pending: Promise<void>[] = [];

  constructor(visitor: NarVisitor = {}) {
    this.#v = visitor;
  }

  /** Offset of the next unread byte from the start of the archive. */
  get offset(): number {
    return this.#r.offset;
  }

  /** Parses all of `chunk`. Throws a WpmError (ERR_NAR_*) at the first byte that is wrong. */
  push(chunk: Uint8Array): void {
    this.#r.feed(chunk);
    while (this.#r.more) this.#step();
  }

  /** The archive ended: throws if it is incomplete. */
  end(): void {
    if (this.#state !== S.End) {
      throw new WpmError('ERR_NAR_TRUNCATED', `NAR ends early at byte ${this.offset} while reading ${describe(this.#state)}`);
    }
  }

  /** What the visitor returned to wait for since the last call, or undefined. */
  takePending(): Promise<unknown> | undefined {
    if (this.#pending.length === 0) return undefined;
    const all = this.#pending.length === 1 ? this.#pending[0]! : Promise.all(this.#pending);
    this.#pending = [];
    return all;
  }

  #call(r: void | Promise<void>): void {
    if (r !== undefined) this.#pending.push(r);
  }

  #fail(code: ErrorCode, message: string): WpmError {
    return this.#r.fail(code, message);
  }

  #token(): string | undefined {
    const b = this.#r.string(MAX_TOKEN_BYTES, 'a token');
    return b === undefined ? undefined : Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  }

  /** True when `token` was read; false when more bytes are needed. */
  #expect(token: string): boolean {
    const got = this.#token();
    if (got === undefined) return false;
    if (got !== token) throw this.#fail('ERR_NAR_BAD_TOKEN', `expected ${JSON.stringify(token)}, found ${JSON.stringify(got)}`);
    return true;
  }

  /** After a file or symlink: the entry holding it closes, or the archive ends. */
  #leafDone(): void {
    this.#state = this.#dirs.length > 0 ? S.EntryClose : S.End;
  }

  /** Advances by at most one field; returns with the position at the chunk's end if it needs more. */
  #step(): void {
    const keyword = KEYWORDS.get(this.#state);
    if (keyword !== undefined) {
      if (this.#expect(keyword[0])) this.#state = keyword[1];
      return;
    }
    switch (this.#state) {
      case S.Magic: {
        let got: string | undefined;
        try {
          got = this.#token();
        } catch (err) {
          throw notANar(err);
        }
        if (got === undefined) return;
        if (got !== NAR_MAGIC) throw notANar();
        this.#state = S.Open;
        return;
      }
      case S.Type: {
        const type = this.#token();
        if (type === undefined) return;
        if (type === 'regular') {
          this.#executable = false;
          this.#state = S.RegularAttr;
        } else if (type === 'symlink') {
          this.#state = S.TargetKeyword;
        } else if (type === 'directory') {
          if (this.#dirs.length >= MAX_DEPTH) throw this.#fail('ERR_NAR_TOO_DEEP', `directories nested deeper than ${MAX_DEPTH}`);
          this.#dirs.push({ lastName: undefined });
          this.#state = S.DirectoryItem;
          this.#call(this.#v.startDirectory?.());
        } else {
          throw this.#fail('ERR_NAR_BAD_TOKEN', `unknown node type ${JSON.stringify(type)}`);
        }
        return;
      }
      case S.RegularAttr: {
        const token = this.#token();
        if (token === undefined) return;
        if (token === 'executable') {
          this.#executable = true;
          this.#state = S.ExecutableMarker;
        } else if (token === 'contents') {
          this.#state = S.ContentsLength;
        } else {
          throw this.#fail('ERR_NAR_BAD_TOKEN', `expected "contents", found ${JSON.stringify(token)}`);
        }
        return;
      }
      case S.ExecutableMarker: {
        const marker = this.#r.string(MAX_TOKEN_BYTES, 'the executable marker');
        if (marker === undefined) return;
        if (marker.length !== 0) throw this.#fail('ERR_NAR_BAD_TOKEN', 'the executable marker must be empty');
        this.#state = S.ContentsKeyword;
        return;
      }
      case S.ContentsLength: {
        const size = this.#r.length(MAX_CONTENTS, 'file contents');
        if (size === undefined) return;
        this.#size = this.#left = size;
        this.#state = this.#left > 0 ? S.Contents : S.ContentsPadding;
        this.#call(this.#v.file?.(this.#executable, this.#size));
        return;
      }
      case S.Contents: {
        // Straight from the chunk: contents are never gathered, whatever their size.
        const view = this.#r.some(this.#left);
        this.#left -= view.length;
        if (this.#left === 0) this.#state = S.ContentsPadding;
        this.#call(this.#v.contents?.(view));
        return;
      }
      case S.ContentsPadding:
        if (this.#r.padding(padding(this.#size), 'file contents')) this.#state = S.RegularClose;
        return;
      case S.RegularClose:
        if (!this.#expect(')')) return;
        this.#leafDone();
        this.#call(this.#v.endFile?.());
        return;
      case S.Target: {
        const target = this.#r.string(MAX_TARGET_BYTES, 'a symlink target');
        if (target === undefined) return;
        if (target.length === 0) throw this.#fail('ERR_NAR_BAD_TARGET', 'empty symlink target');
        if (target.includes(0)) throw this.#fail('ERR_NAR_BAD_TARGET', 'symlink target contains NUL');
        // Copied: the visitor gets it after ")", which may come in a later chunk.
        this.#target = Uint8Array.from(target);
        this.#state = S.SymlinkClose;
        return;
      }
      case S.SymlinkClose:
        if (!this.#expect(')')) return;
        this.#leafDone();
        this.#call(this.#v.symlink?.(this.#target));
        return;
      case S.DirectoryItem: {
        const token = this.#token();
        if (token === undefined) return;
        if (token === 'entry') {
          this.#state = S.EntryOpen;
        } else if (token === ')') {
          this.#dirs.pop();
          this.#state = this.#dirs.length > 0 ? S.EntryClose : S.End;
          this.#call(this.#v.endDirectory?.());
        } else {
          throw this.#fail('ERR_NAR_BAD_TOKEN', `expected "entry" or ")" in a directory, found ${JSON.stringify(token)}`);
        }
        return;
      }
      case S.Name: {
        const name = this.#r.string(MAX_NAME_BYTES, 'an entry name');
        if (name === undefined) return;
        const why = badEntryName(name);
        if (why) throw this.#fail('ERR_NAR_BAD_NAME', `bad entry ${describeName(name)}: ${why}`);
        const dir = this.#dirs[this.#dirs.length - 1]!;
        if (dir.lastName) {
          const order = compareNames(dir.lastName, name);
          if (order === 0) throw this.#fail('ERR_NAR_DUPLICATE_ENTRY', `duplicate entry ${describeName(name)}`);
          if (order > 0) {
            throw this.#fail('ERR_NAR_UNSORTED', `entry ${describeName(name)} comes after ${describeName(dir.lastName)} but sorts before it`);
          }
        }
        // Copied: the name must outlive the chunk it was read from.
        this.#name = dir.lastName = Uint8Array.from(name);
        this.#state = S.NodeKeyword;
        return;
      }
      case S.NodeKeyword:
        if (!this.#expect('node')) return;
        this.#state = S.Open;
        this.#call(this.#v.entry?.(this.#name));
        return;
      case S.EntryClose:
        if (!this.#expect(')')) return;
        this.#state = S.DirectoryItem;
        this.#call(this.#v.endEntry?.());
        return;
      case S.End:
        throw this.#fail('ERR_NAR_TRAILING_BYTES', 'bytes after the end of the archive');
    }
  }
}

