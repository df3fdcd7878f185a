// A warm-up: turn what processes compiled of a module into an entry of TurboFan code (V8's
// optimizing compiler) that they will accept. It runs in a process of its own (warm-process.ts),
// started detached by the process that needed it and working once that process has ended,
// because it changes V8's process-wide flags and takes a while.
//
// An entry holds optimized code for the functions builds use, not for all of them: V8 serializes
// TurboFan code only, a function without it is recorded as compiled lazily or, if it had
// Liftoff code, as to be compiled at load. Loading clang.wasm's 120,000 functions optimized
// (212 MB) cost a fresh process more than compiling the few it needs; the functions a compile of
// sqlite's shell.c uses are 46 MB. So the entry grows with what processes use:
//   seed  no entry yet, and the process that wanted one ran on Liftoff only, which V8 cannot
//         serialize at all: compile with TurboFan what the module's start-up runs (its _start,
//         with every import trapping), enough for V8 to serialize and for processes to record
//         their usage from then on. A small module (under 8 MB) is compiled whole instead.
//   grow  a process's usage (V8's serialization of its module: optimized code from the entry it
//         loaded, and a mark on each function it ran on Liftoff, which V8 knows from the
//         function's tiering budget; hence module.ts keeps dynamic tiering on, with a budget no
//         build step exhausts, instead of --liftoff-only). V8 compiles marked functions after
//         loading, with TurboFan when Liftoff is off (V8 11.3 at once, 12.4 and 13.6 in the
//         background), but refuses code whose header hashes other flags than its own: the
//         usage's flag hash is rewritten to this process's (all code inside was compiled by
//         warm-ups with these very flags), loaded, and serialized once compiling is done and the
//         flags are the consumers' again. The entry is replaced only by larger code.
// The header of V8's serialization is four 32-bit words: magic number, V8 version hash, CPU
// features, flag hash (V8 11.3 to 13.6). Only the fourth is rewritten, and only when the first
// three are this process's own; the result must carry the consumers' flag hash again, or it is
// not written.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { compileStreaming, loadAddon, type CodeCacheAddon } from './addon.js';
import { entrySize, writeEntry } from './entry.js';
import { evict } from './evict.js';
import { entryFile, failedFile, lockFile, logFile, markFailed, moduleFile, processAlive, unchangedFile, usageFile, writeAtomically } from './layout.js';

export interface WarmJob {
  mode: 'seed' | 'grow';
  dir: string;
  key: string;
  description: string;
  moduleSha: string;
  /** V8 flags the consumers set, in order (module.ts). */
  flags: string[];
  /** The process that asked; for 'grow', its usage is usageFile(dir, key, parentPid). */
  parentPid: number;
  maxBytes: number;
}

const HEADER_WORDS = 4;
const IDLE_CPU_MS = 50;
const SETTLE_LIMIT_MS = 10 * 60_000;
const FLAG_HASH_OFFSET = 12;
const SMALL_MODULE = 8 * 1024 * 1024;
const SEED_TIME_LIMIT_MS = 120_000;

// TurboFan at each function's first compile (--no-liftoff-only first: it forbids TurboFan).
const TURBOFAN = ['--no-liftoff-only', '--no-liftoff'];
// Back to V8's defaults for what TURBOFAN and eager compilation changed, directly or by
// implication (--no-liftoff turns dynamic tiering off), before the consumers' flags go on again.
const DEFAULTS_AGAIN = ['--liftoff', '--wasm-lazy-compilation', '--wasm-dynamic-tiering', '--no-liftoff-only'];

function setFlags(flags: readonly string[]): void {
  for (const f of flags) v8.setFlagsFromString(f);
}

/** The smallest module with one function: compiled eagerly, its serialization shows this process's header. */
const TINY = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 7, 5, 1, 1, 0x66, 0, 0, 0x0a, 6, 1, 4, 0, 0x41, 1, 0x0b]);

function ownHeader(addon: CodeCacheAddon): Buffer {
  v8.setFlagsFromString('--no-wasm-lazy-compilation');
  const m = new WebAssembly.Module(TINY);
  v8.setFlagsFromString('--wasm-lazy-compilation');
  const out = addon.serialize(m);
  if (out === undefined) throw new Error('V8 serialized nothing for a module compiled with TurboFan');
  return Buffer.from(out, 0, HEADER_WORDS * 4);
}

/**
 * Instantiate the module in a worker, as a build step would (V8 records how its imports are
 * bound, and serializes that too), and run its start-up until the first import call, which
 * throws; `run` false stops after instantiating.
 */
async function runStartUp(module: WebAssembly.Module, run: boolean): Promise<void> {
  const script = `
    const { workerData: { module, run }, parentPort } = require('node:worker_threads');
    const imports = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind !== 'function') throw new Error('it imports a ' + imp.kind);
      (imports[imp.module] ??= {})[imp.name] = () => { throw new Error('stop'); };
    }
    const exports = new WebAssembly.Instance(module, imports).exports;
    const start = exports._start ?? exports._initialize;
    if (run && typeof start !== 'function') throw new Error('it exports no _start or _initialize');
    if (run) try { start(); } catch {}
    parentPort.postMessage('done');`;
  const worker = new Worker(script, { eval: true, workerData: { module, run }, resourceLimits: { stackSizeMb: 64 } });
  const timer = setTimeout(() => void worker.terminate(), SEED_TIME_LIMIT_MS);
  try {
    await new Promise<void>((resolve, reject) => {
      worker.on('message', () => resolve());
      worker.on('error', reject);
      worker.on('exit', () => resolve());
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

async function seed(job: WarmJob, addon: CodeCacheAddon, wire: Uint8Array): Promise<Uint8Array | undefined> {
  setFlags(job.flags);
  setFlags(TURBOFAN);
  let module: WebAssembly.Module;
  if (wire.length < SMALL_MODULE) {
    v8.setFlagsFromString('--no-wasm-lazy-compilation');
    module = new WebAssembly.Module(wire);
    await runStartUp(module, false).catch(() => {}); // only to bind imports as a step does
  } else {
    module = new WebAssembly.Module(wire);
    await runStartUp(module, true);
  }
  setFlags(DEFAULTS_AGAIN);
  setFlags(job.flags);
  const out = addon.serialize(module);
  return out && new Uint8Array(out);
}

/**
 * Wait until V8's background compilation is over: this process does nothing else, so the first
 * second in which it used (almost) no CPU ends it. At low priority on a busy machine that may
 * come too early; the entry then lacks a few functions, which the next usage brings back.
 */
async function compilationSettled(): Promise<void> {
  let last = process.cpuUsage();
  const until = Date.now() + SETTLE_LIMIT_MS;
  let quiet = 0;
  while (Date.now() < until && quiet < 2) {
    await new Promise((r) => setTimeout(r, 500));
    const now = process.cpuUsage();
    const busyMs = (now.user + now.system - last.user - last.system) / 1000;
    last = now;
    quiet = busyMs < IDLE_CPU_MS ? quiet + 1 : 0;
  }
}

async function grow(job: WarmJob, addon: CodeCacheAddon, wire: Uint8Array, usage: Buffer): Promise<{ code: Uint8Array | undefined; consumerHash: Buffer }> {
  setFlags(job.flags);
  setFlags(TURBOFAN);
  const own = ownHeader(addon);
  if (usage.length < own.length || !usage.subarray(0, FLAG_HASH_OFFSET).equals(own.subarray(0, FLAG_HASH_OFFSET))) {
    throw new Error('the usage was serialized by another V8 or for another CPU');
  }
  const consumerHash = Buffer.from(usage.subarray(FLAG_HASH_OFFSET, FLAG_HASH_OFFSET + 4));
  const relabelled = Buffer.from(usage);
  own.copy(relabelled, FLAG_HASH_OFFSET, FLAG_HASH_OFFSET, FLAG_HASH_OFFSET + 4);
  addon.install();
  const request = { wire, code: relabelled as Uint8Array, accepted: undefined as boolean | undefined };
  const module = await compileStreaming(request);
  if (!request.accepted) throw new Error('V8 does not accept the relabelled usage');
  await compilationSettled();
  setFlags(DEFAULTS_AGAIN);
  setFlags(job.flags);
  const out = addon.serialize(module);
  return { code: out && new Uint8Array(out), consumerHash };
}

function log(job: WarmJob, line: string): void {
  try {
    fs.appendFileSync(logFile(job.dir), `${new Date().toISOString()} ${job.mode} ${job.key.slice(0, 16)} ${line}\n`);
  } catch {
    // the directory is gone
  }
}

/** The lock request.ts took names this process (or, for a moment, the one that started it). */
function holdsLock(job: WarmJob): boolean {
  try {
    const { pid } = JSON.parse(fs.readFileSync(lockFile(job.dir, job.key), 'utf8')) as { pid: number };
    return pid === process.pid || pid === job.parentPid;
  } catch {
    return false;
  }
}

/** The module's bytes from the cache directory, proven to be the module the key names. */
function readModule(job: WarmJob): Buffer {
  const file = moduleFile(job.dir, job.moduleSha);
  const wire = fs.readFileSync(file);
  if (crypto.createHash('sha256').update(wire).digest('hex') !== job.moduleSha) {
    fs.rmSync(file, { force: true });
    throw new Error(`${file} is not the module it is named after`);
  }
  const now = new Date();
  fs.utimesSync(file, now, now);
  return wire;
}

export async function warmUp(job: WarmJob): Promise<void> {
  const usagePath = usageFile(job.dir, job.key, job.parentPid);
  try {
    os.setPriority(19);
  } catch {
    // not permitted: run at normal priority
  }
  if (!holdsLock(job)) {
    fs.rmSync(usagePath, { force: true });
    return;
  }
  const started = performance.now();
  let wrote = false;
  try {
    // Not while the build that asked is running: it starts once that process has ended.
    while (processAlive(job.parentPid)) await new Promise((r) => setTimeout(r, 250));
    const { addon, problem } = loadAddon();
    if (addon === null) throw new Error(problem ?? 'no addon');
    const wire = readModule(job);
    let code: Uint8Array | undefined;
    if (job.mode === 'seed') {
      code = await seed(job, addon, wire);
      if (code === undefined) throw new Error("the module's start-up reached no function V8 would serialize");
    } else {
      const usage = fs.readFileSync(usagePath);
      const grown = await grow(job, addon, wire, usage);
      code = grown.code;
      if (code === undefined) throw new Error('V8 serialized nothing');
      if (!Buffer.from(code.buffer, code.byteOffset + FLAG_HASH_OFFSET, 4).equals(grown.consumerHash)) {
        throw new Error("the code does not carry the consumers' flag hash");
      }
    }
    // An entry is replaced only by larger code: a usage brings the code of the entry it came
    // from, so one that is not larger brought nothing (or raced a warm-up that wrote more).
    const current = entrySize(entryFile(job.dir, job.key));
    if (current !== null && code.length <= current) {
      writeAtomically(unchangedFile(job.dir, job.key), [Buffer.from(String(Date.now()))]);
      log(job, `nothing new: ${code.length} bytes of code, the entry has ${current}`);
      return;
    }
    if (code.length > job.maxBytes) throw new Error(`the code (${code.length} bytes) is larger than the cache (${job.maxBytes} bytes)`);
    writeEntry(entryFile(job.dir, job.key), { key: job.key, description: job.description }, code, addon.checksum);
    fs.rmSync(failedFile(job.dir, job.key), { force: true });
    fs.rmSync(unchangedFile(job.dir, job.key), { force: true });
    wrote = true;
    log(job, `wrote ${code.length} bytes of code for a module of ${wire.length} bytes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    const why = (err as Error).message;
    log(job, `failed: ${why}`);
    markFailed(job.dir, job.key, why);
  } finally {
    fs.rmSync(usagePath, { force: true });
    // Whatever happened, the directory is brought within its bound (the module's bytes, written
    // for this warm-up, may be what exceeds it); a new entry and its module stay if they fit.
    const removed = evict(job.dir, job.maxBytes, wrote ? [`${job.key}.code`, `${job.moduleSha}.wasm`] : []);
    if (removed.length > 0) log(job, `evicted ${removed.join(', ')}`);
    fs.rmSync(lockFile(job.dir, job.key), { force: true });
  }
}
