// How the benchmarks start wpm: bin/wpm.js executed itself, so that the kernel reads its #! line as
// for a user's shell, npm's link and launchers. A benchmark that runs wpm's code in a script of its
// own (bench/wasm-code-cache.mjs) gets the environment and the Node flags that line gives wpm, read
// from it, so the two cannot drift apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WPM = fileURLToPath(new URL('../../bin/wpm.js', import.meta.url));

/** The words after `#!/usr/bin/env -S`: NAME=VALUE assignments, `node`, then Node's flags. */
const words = readFileSync(WPM, 'utf8').split('\n')[0].split(/\s+/).slice(2);
const nodeAt = words.indexOf('node');
if (nodeAt < 0) throw new Error(`bin/wpm.js's #! line runs no 'node': ${words.join(' ')}`);

/** The flags after `node` on bin/wpm.js's #! line. */
export const NODE_FLAGS = words.slice(nodeAt + 1);
const ASSIGNMENTS = words.slice(0, nodeAt).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]);

/** `env` as the #! line hands it to Node: its assignments made, each ${NAME} read from `env` itself. */
export function commandEnv(env) {
  const out = { ...env };
  for (const [name, value] of ASSIGNMENTS) out[name] = value.replace(/\$\{(\w+)\}/g, (_, n) => env[n] ?? '');
  return out;
}
