// What the store knows about a valid path. Kept as one JSON file per path; the file's existence is
// what makes the path valid, so it is always written last and atomically.

export interface PathInfo {
  /** Logical store path, /wpm/store/<hash>-<name>. */
  path: string;
  /** sha256 of the NAR serialisation, `sha256:<nix32>`. */
  narHash: string;
  narSize: number;
  /** Store paths this one refers to (possibly itself), sorted. */
  references: string[];
  /** The `.drv` that built it, if any. */
  deriver?: string;
  /** Nix-format signatures `keyname:base64`. */
  signatures: string[];
  /** Content address, e.g. `text:sha256:…` or `fixed:r:sha256:…`, for content-addressed paths. */
  ca?: string;
}
