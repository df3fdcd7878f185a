// How many NARs download at once (store/binary-cache/download-limit.ts): few while the main thread
// is busy, doubling up to `max-substitution-jobs` while it waits for the network. The rule is
// tested with a probe the test controls; the event loop's own probe and a whole substitution from
// a slow server show that the real signal drives it.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventLoopProbe, mapAdaptive, START_JOBS } from '../../store/binary-cache/download-limit.js';
import { LocalStore } from '../../store/index.js';
import { tempDir, wpmP } from '../helpers/cli.js';
import { pathInfo, signIntoFileCache } from './helpers.js';

/** Runs `n` items of `ms` each through mapAdaptive; returns the most that ran at once. */
async function peak(n: number, ms: number, opts: Parameters<typeof mapAdaptive>[1]): Promise<{ peak: number; out: number[] }> {
  let running = 0;
  let most = 0;
  const out = await mapAdaptive(Array.from({ length: n }, (_, i) => i), opts, async (i) => {
    most = Math.max(most, ++running);
    await sleep(ms);
    running--;
    return i * 10;
  });
  return { peak: most, out };
}

describe('mapAdaptive', () => {
  it('starts few and stays there while the main thread is busy', async () => {
    const r = await peak(24, 30, { max: 16, probe: () => 1 });
    expect(r.peak).toBe(START_JOBS);
    expect(r.out).toEqual(Array.from({ length: 24 }, (_, i) => i * 10));
  });

  it('doubles up to the maximum while the main thread waits', async () => {
    const grown = await peak(40, 150, { max: 16, probe: () => 0 });
    expect(grown.peak).toBe(16);
    const capped = await peak(40, 150, { max: 6, probe: () => 0 });
    expect(capped.peak).toBe(6);
  });

  it('never starts more than the maximum, even at the start', async () => {
    expect((await peak(10, 20, { max: 2, probe: () => 0 })).peak).toBe(2);
    expect((await peak(10, 20, { max: 1, probe: () => 0 })).peak).toBe(1);
    expect((await peak(0, 20, { max: 16 })).out).toEqual([]);
  });

  it('starts nothing after a failure, waits for what runs, and throws the first failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapAdaptive([0, 1, 2, 3, 4, 5, 6, 7], { max: 16, probe: () => 1 }, async (i) => {
      started.push(i);
      if (i === 1) throw new Error('first');
      if (i === 2) {
        await sleep(5);
        throw new Error('second');
      }
      await sleep(40);
      finished.push(i);
      return i;
    });
    await expect(run).rejects.toThrow('first');
    expect(started).toEqual([0, 1, 2, 3]);
    expect(finished.sort()).toEqual([0, 3]);
  });

  it('turns a synchronous throw into the rejection', async () => {
    await expect(
      mapAdaptive([1], { max: 4 }, () => {
        throw new Error('at once');
      }),
    ).rejects.toThrow('at once');
  });
});

describe("the event loop's probe", () => {
  it('reads an idle loop as idle and a busy one as busy', async () => {
    const probe = eventLoopProbe();
    await sleep(60);
    expect(probe()).toBeLessThan(0.5);
    const until = performance.now() + 60;
    while (performance.now() < until);
    expect(probe()).toBeGreaterThan(0.5);
  });
});

// A cache whose NARs take a while to start (as across the internet): wpm's main thread idles, so
// downloads grow past START_JOBS to max-substitution-jobs.
describe('a substitution from a slow cache', () => {
  const WIDTH = 40;
  const homeA = tempDir('slow-a');
  let cache: string;
  let pub: string;
  let root: string;
  let paths: string[];

  beforeAll(async () => {
    const store = LocalStore.open(homeA);
    paths = [];
    for (let i = 0; i < WIDTH; i++) paths.push(await store.addText(`slow-${i}`, `slow ${i}\n`, []));
    root = await store.addText('slow-root', paths.join('\n') + '\n', paths);
    ({ pub, cache } = await signIntoFileCache(homeA, root, 'slow-test-1'));
  }, 60_000);

  /** Serves `cache`, each NAR after `delayMs`; counts the NARs being answered at once. */
  async function slowServer(delayMs: number) {
    let running = 0;
    let most = 0;
    const server = http.createServer((req, res) => {
      const file = path.join(cache, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
      if (!file.startsWith(cache + path.sep) || !fs.existsSync(file)) return res.writeHead(404).end();
      if (!file.endsWith('.nar')) return res.end(fs.readFileSync(file));
      most = Math.max(most, ++running);
      setTimeout(() => {
        running--;
        res.end(fs.readFileSync(file));
      }, delayMs);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, peak: () => most, stop: () => new Promise((r) => server.close(r)) };
  }

  async function substitute(env: NodeJS.ProcessEnv): Promise<number> {
    const server = await slowServer(250);
    try {
      const home = tempDir('slow-b');
      const r = await wpmP(['copy', '--from', server.url, '--trusted-public-keys', pub, root], { home, env });
      expect(r.status, r.stderr).toBe(0);
      for (const p of [...paths, root]) expect(pathInfo(home, p)?.narHash, p).toBe(pathInfo(homeA, p)!.narHash);
      return server.peak();
    } finally {
      await server.stop();
    }
  }

  it('grows to max-substitution-jobs', async () => {
    expect(await substitute({})).toBe(16);
    expect(await substitute({ WPM_MAX_SUBSTITUTION_JOBS: '10' })).toBe(10);
  }, 60_000);

  it('never passes a smaller max-substitution-jobs', async () => {
    expect(await substitute({ WPM_MAX_SUBSTITUTION_JOBS: '3' })).toBe(3);
  }, 60_000);
});
