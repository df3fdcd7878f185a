// A closure wider than a round's jobs (`max-substitution-jobs`, 16 by default): 40 paths and a
// root referring to all of them, substituted from a file:// cache and from `wpm serve` in one
// process. Every path lands valid and verified, and the process says nothing on stderr beyond its
// own lines (each of the round's reads listens to its signal; none may be left behind, and Node's
// listener-leak warning must not reach the user).
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../store/index.js';
import { tempDir, wpmP } from '../helpers/cli.js';
import { pathInfo, serve, signIntoFileCache } from './helpers.js';

const WIDTH = 40;
const homeA = tempDir('wide-a');
let paths: string[];
let root: string;
let pub: string;
let cache: string;

beforeAll(async () => {
  const store = LocalStore.open(homeA);
  paths = [];
  for (let i = 0; i < WIDTH; i++) paths.push(await store.addText(`leaf-${i}`, `leaf ${i}\n`.repeat(1 + i * 100), []));
  root = await store.addText('wide-root', paths.join('\n') + '\n', paths);
  ({ pub, cache } = await signIntoFileCache(homeA, root, 'wide-test-1'));
}, 60_000);

async function substituteFrom(url: string): Promise<void> {
  const home = tempDir('wide-b');
  const r = await wpmP(['copy', '--from', url, '--trusted-public-keys', pub, root], { home });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/Warning/);
  for (const p of [...paths, root]) expect(pathInfo(home, p)?.narHash, p).toBe(pathInfo(homeA, p)!.narHash);
  const v = await wpmP(['store', 'verify', '--json'], { home });
  expect(v.status, v.stderr).toBe(0);
  expect(JSON.parse(v.stdout)).toMatchObject({ checked: WIDTH + 1, problems: [] });
}

describe('a closure wider than the substitution jobs', () => {
  it('is substituted from a file:// cache, all paths verified, no warning', async () => {
    await substituteFrom(`file://${cache}`);
  });

  it('is substituted from wpm serve, all paths verified, no warning', async () => {
    const served = await serve(homeA);
    try {
      await substituteFrom(served.url);
    } finally {
      await served.stop();
    }
  });
});
