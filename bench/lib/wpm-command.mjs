// How the benchmarks start wpm: bin/wpm.js under node, with the Node flags its #! line gives it
// when wpm runs as a command (read from that line, so the two cannot drift apart).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WPM = fileURLToPath(new URL('../../bin/wpm.js', import.meta.url));

/** The flags after `node` on bin/wpm.js's `#!/usr/bin/env -S node …` line. */
export const NODE_FLAGS = readFileSync(WPM, 'utf8').split('\n')[0].split(/\s+/).slice(3);
