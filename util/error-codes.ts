// Every error code wpm raises, with the exit code a command ends with when it is the cause, and
// whether the fix lies in the user's own input (command line, configuration, Jsonnet files,
// derivations, the programs a build runs) rather than in wpm, the machine or a remote cache.
// WpmError accepts only these codes, so a new one is added here or it does not compile.

/** wpm's exit codes, documented in `wpm --help`. `wpm run` exits with the program's own code. */
export const EXIT = {
  OK: 0,
  /** A build step failed (or an output could not be produced). */
  BUILD_FAILED: 1,
  /** Bad command line. */
  USAGE: 2,
  /** The Jsonnet could not be evaluated into derivations. */
  EVAL_FAILED: 3,
  /** Any other error: the store, the file system, an internal error. */
  ERROR: 4,
  /** Interrupted by Ctrl-C (128 + SIGINT); SIGTERM gives 143, carried on the error. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface ErrorKind {
  exit: ExitCode;
  /** The user's to fix (their input), as against wpm's, the machine's or a remote's. */
  user: boolean;
}

const usage = { exit: EXIT.USAGE, user: true } as const;
const evaluation = { exit: EXIT.EVAL_FAILED, user: true } as const;
const build = { exit: EXIT.BUILD_FAILED, user: true } as const;
/** A step that could not run for a reason outside the derivation (the machine, the network). */
const buildEnvironment = { exit: EXIT.BUILD_FAILED, user: false } as const;
const userError = { exit: EXIT.ERROR, user: true } as const;
const systemError = { exit: EXIT.ERROR, user: false } as const;

export const ERROR_CODES = {
  // The command line and settings.
  ERR_USAGE: usage,
  ERR_CONFIG: userError,
  ERR_INTERRUPTED: { exit: EXIT.INTERRUPTED, user: true },
  ERR_RESULT_LINK: userError,
  ERR_RUN_NO_PROGRAM: userError,
  ERR_LOG_NONE: userError,
  ERR_KEY_EXISTS: userError,
  ERR_KEY_FILE: userError,
  ERR_BAD_KEY: userError,
  ERR_OUTPUT_CLOSED: systemError,
  ERR_SERVE_LISTEN: systemError,
  ERR_INTERNAL: systemError,

  // Evaluation: Jsonnet, wpm's library calls, derivation specs.
  ERR_EVAL: evaluation,
  ERR_EVAL_ARG: evaluation,
  ERR_EVAL_CYCLE: evaluation,
  /** The evaluator's stack was exhausted (libjsonnet's max_stack). */
  ERR_EVAL_STACK: evaluation,
  /** An evaluation ran past its time or memory limit; the process ends (its thread cannot be stopped). */
  ERR_EVAL_LIMIT: evaluation,
  ERR_EVAL_FILE: evaluation,
  ERR_EVAL_NO_DERIVATION: evaluation,
  ERR_EVAL_PATH_MISSING: evaluation,
  ERR_EVAL_TEXT_REF: evaluation,
  ERR_EVAL_TEXT_TYPE: evaluation,
  ERR_DRV: evaluation,
  ERR_DRV_BAD_BUILDER: evaluation,
  ERR_DRV_BAD_HASH: evaluation,
  ERR_DRV_BAD_NAME: evaluation,
  /** Derivations that depend on each other in a circle (only hand-written .drv files can). */
  ERR_DRV_CYCLE: evaluation,
  ERR_DRV_ENV_CLASH: evaluation,
  ERR_DRV_FIELD_TYPE: evaluation,
  ERR_DRV_FIXED_OUTPUTS: evaluation,
  ERR_DRV_PARSE: evaluation,
  ERR_DRV_PATH_MISMATCH: evaluation,
  ERR_DRV_UNKNOWN_FIELD: evaluation,
  ERR_DRV_UNKNOWN_PATH: evaluation,
  /** A `.drv` a closure needs that the store or cache it is read from does not have (the browser tab). */
  ERR_DRV_MISSING: userError,
  /** A builtin step the browser tab cannot run and no cache gives the output of (the toolchain). */
  ERR_WEB_NOT_SUBSTITUTABLE: buildEnvironment,
  /** An edit in the tab of a source that no derivation of the closure uses, or that is not one file. */
  ERR_WEB_EDIT_SOURCE: userError,
  /** A builder or `.drv` the tab reads out of a NAR is missing there, or not a regular file. */
  ERR_WEB_NOT_A_FILE: buildEnvironment,

  // Build steps.
  ERR_BUILD: build,
  ERR_BUILD_BAD_HASH: build,
  ERR_BUILD_BAD_INPUT: build,
  ERR_BUILD_BUILDER: build,
  ERR_BUILD_FAILED: build,
  ERR_BUILD_HASH_MISMATCH: build,
  ERR_BUILD_NOT_REPRODUCIBLE: build,
  ERR_BUILD_NO_OUTPUT: build,
  /** A builtin's output grew past max-output-size (a WASI step's is ERR_WASI_OUTPUT_LIMIT). */
  ERR_BUILD_OUTPUT_LIMIT: build,
  ERR_WASI: build,
  ERR_WASI_ABORTED: build,
  ERR_WASI_COMPONENT_IMPORT: build,
  ERR_WASI_HOST: buildEnvironment,
  ERR_WASI_INVALID_MODULE: build,
  ERR_WASI_MEMORY_LIMIT: build,
  ERR_WASI_OUTPUT_LIMIT: build,
  ERR_WASI_LOG_LIMIT: build,
  ERR_WASI_SILENT: build,
  ERR_WASI_TIMEOUT: build,
  ERR_WASI_TRAP: build,
  ERR_COMPONENT_NEW: build,
  ERR_UNPACK: build,
  ERR_UNPACK_FAILED: build,
  ERR_UNPACK_UNSAFE: build,
  ERR_UNPACK_UNSUPPORTED: build,
  ERR_FETCH_BAD_REQUEST: userError,
  /** A download failed; `status` carries the HTTP status where the server answered. */
  ERR_FETCH_FAILED: { exit: EXIT.ERROR, user: false },
  /** The server's certificate comes from an authority wpm does not trust (not tried again). */
  ERR_FETCH_UNTRUSTED: userError,

  // The store.
  ERR_BAD_STORE_PATH: userError,
  ERR_BAD_STORE_PATH_NAME: userError,
  ERR_BAD_HASH: userError,
  ERR_BAD_HASH_PART: userError,
  ERR_BAD_NIX32: userError,
  ERR_BAD_FIXED_OUTPUT: userError,
  ERR_STORE_ADD: userError,
  ERR_STORE_CORRUPT: systemError,
  ERR_STORE_CORRUPT_INFO: systemError,
  ERR_STORE_HASH_MISMATCH: { exit: EXIT.BUILD_FAILED, user: false },
  ERR_STORE_IO: systemError,
  ERR_STORE_NOT_VALID: userError,
  ERR_STORE_SPECIAL_FILE: userError,
  ERR_LOCK_TIMEOUT: systemError,
  ERR_HASH_IO: userError,

  // NAR archives.
  ERR_NAR_BAD_LENGTH: userError,
  ERR_NAR_BAD_MAGIC: userError,
  ERR_NAR_BAD_NAME: userError,
  ERR_NAR_BAD_PADDING: userError,
  ERR_NAR_BAD_TARGET: userError,
  ERR_NAR_BAD_TOKEN: userError,
  ERR_NAR_DEST_EXISTS: userError,
  ERR_NAR_DUPLICATE_ENTRY: userError,
  ERR_NAR_FILE_CHANGED: systemError,
  ERR_NAR_IO: systemError,
  ERR_NAR_RESTORE_FAILED: systemError,
  ERR_NAR_TOO_DEEP: userError,
  ERR_NAR_TRAILING_BYTES: userError,
  ERR_NAR_TRUNCATED: userError,
  ERR_NAR_UNSORTED: userError,
  ERR_NAR_UNSUPPORTED_FILE: userError,
  ERR_NAR_WRITER_STATE: systemError,

  // Binary caches, substitution and uploads.
  ERR_CACHE: systemError,
  ERR_CACHE_BAD_URL: usage,
  ERR_CACHE_COMPRESSION: userError,
  ERR_CACHE_DECOMPRESS: systemError,
  ERR_CACHE_DISAGREES: systemError,
  /** `status` carries the HTTP status. */
  ERR_CACHE_HTTP: systemError,
  ERR_CACHE_INFO: systemError,
  ERR_CACHE_STORE_DIR: systemError,
  ERR_CACHE_TIMEOUT: systemError,
  ERR_CACHE_TOO_BIG: systemError,
  ERR_CACHE_TRUNCATED: systemError,
  ERR_CACHE_UNREACHABLE: systemError,
  ERR_CACHE_UPLOAD_DENIED: userError,
  ERR_CACHE_WRITE: systemError,
  ERR_NARINFO_CORRUPT: systemError,
  ERR_SUBSTITUTE: systemError,
  ERR_SUBSTITUTE_BAD_NAR: systemError,
  ERR_SUBSTITUTE_FAILED: systemError,
  ERR_SUBSTITUTE_NAR_HASH: systemError,
  ERR_SUBSTITUTE_NAR_SIZE: systemError,
  ERR_SUBSTITUTE_NO_NAR: systemError,
  ERR_SUBSTITUTE_REFERENCE: systemError,
  ERR_SUBSTITUTE_UNTRUSTED: systemError,
  ERR_UPLOAD_BAD_NAME: userError,
  /** The browser's store (web/store/): OPFS refused a read or write, or the browser lacks an API. */
  ERR_WEB_STORE: systemError,
  ERR_WEB_UNSUPPORTED: systemError,
  /** `wpm serve --ui` where dist/web/ was not built. */
  ERR_WEB_NOT_BUILT: systemError,
  ERR_UPLOAD_FILE_HASH: userError,
  ERR_UPLOAD_MISSING_REFERENCE: userError,
  ERR_UPLOAD_NO_NAR: userError,

  // Remote execution (runtime/builders/remote/, remote/).
  ERR_REMOTE_URL: usage,
  ERR_REMOTE_HEADER: usage,
  /** dist/remote/protos.json is missing: wpm was not built. */
  ERR_REMOTE_PROTOS: systemError,
  ERR_REMOTE_UNREACHABLE: buildEnvironment,
  ERR_REMOTE_UNSUPPORTED: buildEnvironment,
  /** A gRPC status from the server that retries did not get past. */
  ERR_REMOTE_STATUS: buildEnvironment,
  ERR_REMOTE_UPLOAD: buildEnvironment,
  ERR_REMOTE_MISSING_BLOB: buildEnvironment,
  /** A blob whose bytes do not hash to the digest it was fetched by: rejected. */
  ERR_REMOTE_DIGEST_MISMATCH: buildEnvironment,
  /** A result that breaks the contract (no result directory, a bad name, no status). */
  ERR_REMOTE_BAD_RESULT: buildEnvironment,
  /** The step runner on a worker failed for a reason of its own (not the step's). */
  ERR_REMOTE_RUNNER: buildEnvironment,

  // Store queries and deletions.
  /** `wpm store delete` of a path a root, a running process or another valid path still needs. */
  ERR_STORE_PATH_LIVE: userError,
  /** `wpm why-depends A B` where B is not in A's closure. */
  ERR_NOT_A_DEPENDENCY: userError,

  // Profiles, generations and launchers.
  /** A profile name that is no plain name, or a profile path that is not a profile. */
  ERR_PROFILE_NAME: usage,
  /** Two installed packages provide the same file at the same priority. */
  ERR_PROFILE_COLLISION: build,
  /** A profile manifest (share/wpm/manifest.json, or builtin:buildenv's stdin) that wpm cannot read. */
  ERR_PROFILE_MANIFEST: userError,
  /** A package to install whose output is no directory, or that provides what the profile reserves. */
  ERR_PROFILE_PACKAGE: userError,
  ERR_PROFILE_NOT_INSTALLED: userError,
  ERR_PROFILE_NO_GENERATION: userError,
  /** Deleting the generation the profile points at. */
  ERR_PROFILE_CURRENT: userError,
  /** `wpm run --launcher` of a file that is not a launcher of a profile generation. */
  ERR_LAUNCHER: userError,
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
