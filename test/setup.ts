// Run before each test file (vitest setupFiles): what the file's tests made in the temp
// directory goes once the file is done, store trees with read-only directories included.
import { afterAll } from 'vitest';
import { removeTree } from '../store/index.js';
import { takeScratchDirs } from './helpers/cli.js';

afterAll(() => {
  for (const dir of takeScratchDirs()) removeTree(dir);
});
