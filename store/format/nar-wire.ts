// Facts of the NAR wire format shared by the writer and the parser. A NAR is a sequence of
// strings, each a u64 little-endian length, the bytes, then zero padding to a multiple of 8.
//
//   nar       = "nix-archive-1" node
//   node      = "(" "type" ( regular | symlink | directory ) ")"
//   regular   = "regular" [ "executable" "" ] "contents" <bytes>
//   symlink   = "symlink" "target" <bytes>
//   directory = "directory" { "entry" "(" "name" <bytes> "node" node ")" }
//
// Entries are sorted strictly by the bytes of their names; only the executable bit is kept.


export const NAR_MAGIC = 'nix-archive-1';

/** Longest entry name accepted: Linux's NAME_MAX, so every parsed NAR can be restored. */
export const MAX_NAME_BYTES = 255;
/** Longest symlink target accepted: PATH_MAX minus the terminating NUL. */
export const MAX_TARGET_BYTES = 4095;
/** Directory nesting beyond this cannot be dumped or restored through PATH_MAX anyway. */
export const MAX_DEPTH = 2048;

export function padding(length: number): number {
  return (8 - (length % 8)) % 8;
}

/** Why a name cannot be a directory entry, or undefined if it can. */
export function badEntryName(name: Uint8Array): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.length > MAX_NAME_BYTES) return `name longer than ${MAX_NAME_BYTES} bytes`;
  if (name.length === 1 && name[0] === 0x2e) return "name '.'";
  if (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e) return "name '..'";
  if (name.includes(0x2f)) return "name containing '/'";
  if (name.includes(0)) return 'name containing NUL';
  return undefined;
}

/** Compares two names as unsigned bytes, the order Nix writes and requires. */
export function compareNames(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export function describeName(name: Uint8Array): string {
  return JSON.stringify(Buffer.from(name).toString('utf8'));
}
