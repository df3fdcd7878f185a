// The native flush (native/syncfs, built into dist/native by `npm run build`): store batches are
// made durable through it, so it must flush, and fail loudly with the path when it cannot.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers/cli.js';

const addon = path.join(REPO, 'dist/native/syncfs.node');

describe('native syncfs', () => {
  it('is built on Linux by npm run build', () => {
    expect(fs.existsSync(addon)).toBe(true);
  });

  it('resolves for a directory of a real file system', async () => {
    const { syncfs } = createRequire(import.meta.url)(addon) as { syncfs(p: string): Promise<void> };
    const dir = tempDir('syncfs');
    fs.writeFileSync(path.join(dir, 'f'), Buffer.alloc(1 << 20, 7));
    await expect(syncfs(dir)).resolves.toBeUndefined();
  });

  it('rejects with the errno and the path when the path does not exist', async () => {
    const { syncfs } = createRequire(import.meta.url)(addon) as { syncfs(p: string): Promise<void> };
    await expect(syncfs('/nonexistent/wpm-syncfs')).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringContaining('/nonexistent/wpm-syncfs') });
  });

  // strace (Debian package strace, installed by .ci/run) sees the system call itself.
  it('is what wpm store add uses: syncfs(2) succeeds, no `sync` process is started', () => {
    const home = tempDir('syncfs-home');
    const src = tempDir('syncfs-src');
    // Past store/tree/flush-batch.ts's SYNCFS_FROM entries a batch is flushed by one syncfs.
    for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(src, `f${i}`), `${i}`);
    const r = spawnSync('strace', ['-f', '-e', 'trace=execve,syncfs', '-o', path.join(home, 'trace'), process.execPath, path.join(REPO, 'bin/wpm.js'), 'store', 'add', src], { env: { ...process.env, WPM_HOME: home }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const trace = fs.readFileSync(path.join(home, 'trace'), 'utf8');
    expect(trace).toMatch(/syncfs\(\d+\)\s+= 0/);
    expect(trace).not.toMatch(/execve\("[^"]*\/sync"/);
  });
});
