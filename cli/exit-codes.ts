// The help text of wpm's exit codes (util/error-codes.ts says which error ends with which).
export { EXIT } from '../util/index.js';

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    a build step failed
  2    bad command line
  3    evaluation failed (Jsonnet error, bad derivation)
  4    other error (store, file system)
  130  interrupted (Ctrl-C; 143 for SIGTERM)
  wpm run exits with the program's own exit code.`;
