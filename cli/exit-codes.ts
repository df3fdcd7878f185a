// wpm's exit codes, documented in `wpm --help`. `wpm run` exits with the program's own code.
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
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    a build step failed
  2    bad command line
  3    evaluation failed (Jsonnet error, bad derivation)
  4    other error (store, file system)
  130  interrupted (Ctrl-C; 143 for SIGTERM)
  wpm run exits with the program's own exit code.`;
