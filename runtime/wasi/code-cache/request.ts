// Asking for a warm-up (warm-up.ts): take the key's lock, leave what the warm-up needs in the
// cache directory (the module's bytes, once; for a 'grow', this process's usage) and start it,
// detached, so that it outlives this process; the lock then names the warm-up's pid. Nothing is
// started while another process warms the same key, for a day after a warm-up for it failed,
// or for ten minutes after a usage of it brought nothing new.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { distFile } from '../../../util/dist-dir.js';
import { lockFile, moduleFile, processAlive, recentFailure, recentlyUnchanged, usageFile, writeAtomically } from './layout.js';
import type { WarmJob } from './warm-up.js';

/** Start a warm-up unless one runs or failed lately; returns what was done, for the debug log. */
export function requestWarmUp(job: Omit<WarmJob, 'parentPid'>, wire: Uint8Array, usage?: Uint8Array): string {
  const failed = recentFailure(job.dir, job.key);
  if (failed !== null) return `its last warm-up failed (${failed}); none again for a day`;
  if (job.mode === 'grow' && recentlyUnchanged(job.dir, job.key)) return 'a usage brought nothing new less than ten minutes ago';
  const script = distFile('runtime/wasi/code-cache/warm-process.js');
  if (!fs.existsSync(script)) return `cannot warm it up: no ${script} (npm run build makes it)`;
  fs.mkdirSync(job.dir, { recursive: true });
  const lock = lockFile(job.dir, job.key);
  if (!takeLock(lock)) return 'another process is warming it up';
  try {
    const wasm = moduleFile(job.dir, job.moduleSha);
    if (!fs.existsSync(wasm)) writeAtomically(wasm, [wire]);
    if (usage !== undefined) writeAtomically(usageFile(job.dir, job.key, process.pid), [usage]);
    const child = spawn(process.execPath, [...process.execArgv, script, JSON.stringify({ ...job, parentPid: process.pid })], {
      detached: true,
      stdio: 'ignore',
    });
    child.on('error', () => {});
    child.unref();
    if (child.pid === undefined) throw new Error('the warm-up process did not start');
    writeAtomically(lock, [Buffer.from(JSON.stringify({ pid: child.pid }))]);
  } catch (err) {
    fs.rmSync(lock, { force: true });
    throw err;
  }
  return `a warm-up (${job.mode}) starts once this process ends`;
}

/** Create the lock naming this process, unless a live process holds it. */
function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = 0;
      try {
        holder = (JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number }).pid;
      } catch {
        // being rewritten, or written by a process that died mid-write
      }
      if (holder && processAlive(holder)) return false;
      fs.rmSync(lock, { force: true });
    }
  }
  return false;
}
