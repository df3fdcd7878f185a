// Run before each test file (vitest setupFiles): what the file's tests made in the temp
// directory goes once the file is done, store trees with read-only directories included.
import { afterAll } from 'vitest';
import { removeTree } from '../store/index.js';
import { takeScratchDirs } from './helpers/cli.js';

// The compiled-code cache stays off in the wpm commands the suites run: every test home is
// fresh, so each build would end by starting warm-up processes (seconds to a minute of CPU each,
// in the background of the next tests). test/cli/code-cache.test.ts turns it on where it is tested.
process.env.WPM_WASM_CODE_CACHE ??= '0';

afterAll(() => {
  for (const dir of takeScratchDirs()) removeTree(dir);
});
