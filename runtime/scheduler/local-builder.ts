// Builds one derivation on this machine: a WASI builder in the worker pool, or a host builtin.
// The step runs in a fresh directory under $WPM_HOME/tmp; its outputs are registered only after
// it succeeded, so a failure, a trap or Ctrl-C leaves nothing in the store.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError, isWpmError } from '../../util/index.js';
import { canonicalJson, parseDerivation as parseDerivationFile, placeholder, type Derivation } from '../../derivations/index.js';
import { STORE_DIR, hashBytes, normalizeTree, removeTree, type LocalStore } from '../../store/index.js';
import { type Mount, type WasiPool } from '../wasi/index.js';
import { readBuilder, runnableFor, type Runnable } from './component-cache.js';
import type { EventSink } from './events.js';
import type { Step } from './plan.js';
import type { StepBuilder } from './scheduler.js';
import { logFileOf, readLogTail } from './logs.js';
import { compareTrees } from './compare-trees.js';
import { verifyFixedOutput } from './fixed-output.js';

/** Limits every step runs under. */
export interface StepLimits {
  /** Wall-clock limit of a step. */
  timeoutMs?: number;
  /** builtin:fetch gives up after this long without data. */
  fetchTimeoutMs?: number;
}

export interface LocalBuilderOptions {
  onEvent?: EventSink | undefined;
  /** Ctrl-C: builtins stop too, and steps it stops are reported as interrupted, not failed. */
  signal?: AbortSignal | undefined;
  limits?: StepLimits | undefined;
}

export class LocalBuilder implements StepBuilder {
  private readonly modules = new Map<string, Promise<Runnable>>();

  constructor(
    private readonly store: LocalStore,
    private readonly pool: WasiPool,
    private readonly opts: LocalBuilderOptions = {},
  ) {}

  private emit: EventSink = (e) => this.opts.onEvent?.(e);

  async build(step: Step): Promise<void> {
    const { drvPath, drv } = step;
    const outputs = Object.values(drv.outputs).map((o) => o.path);
    // One build of a derivation at a time across processes sharing the store.
    const lock = await this.store.buildLock(drvPath, () =>
      this.emit({ type: 'waiting-for-lock', drvPath, name: drv.name }),
    );
    try {
      let cached: boolean;
      try {
        cached = outputs.every((p) => this.store.isValid(p));
      } catch (error) {
        this.failed(step, error);
      }
      if (cached) this.emit({ type: 'cached', drvPath, name: drv.name });
      else await this.reported(step, 'register');
    } finally {
      lock.release();
    }
  }

  logFile(drvPath: string): string {
    return logFileOf(this.store.layout, drvPath);
  }

  /**
   * `--check`: build a step whose outputs are already valid again, in a scratch directory, and
   * compare the result with what is registered. Registers nothing.
   */
  async check(step: Step): Promise<void> {
    await this.reported(step, 'check');
  }

  /** Run a step between its `start` event and its `built` or `failed` one. */
  private async reported(step: Step, mode: 'register' | 'check'): Promise<void> {
    const { drvPath, drv } = step;
    this.emit({ type: 'start', drvPath, name: drv.name });
    const started = Date.now();
    try {
      await this.run(drvPath, drv, mode);
    } catch (error) {
      this.failed(step, error);
    }
    const outs: Record<string, string> = {};
    for (const [name, o] of Object.entries(drv.outputs)) outs[name] = o.path;
    this.emit({ type: 'built', drvPath, name: drv.name, durationMs: Date.now() - started, outputs: outs, ...(mode === 'check' ? { checked: true as const } : {}) });
  }

  private failed({ drvPath, drv }: Step, error: unknown): never {
    // Stopped by Ctrl-C (the pool's abort, or a builtin's) rather than failed on its own.
    const stopped = this.opts.signal?.aborted && isWpmError(error) && (error.code === 'ERR_WASI_ABORTED' || error.code === 'ERR_INTERRUPTED');
    if (stopped) this.emit({ type: 'interrupted', drvPath, name: drv.name });
    else this.emit({ type: 'failed', drvPath, name: drv.name, message: (error as Error).message, logTail: readLogTail(this.logFile(drvPath)) });
    throw error;
  }

  private async run(drvPath: string, drv: Derivation, mode: 'register' | 'check'): Promise<void> {
    const work = this.store.makeTempDir(`build-${drv.name}`);
    try {
      const outHost: Record<string, string> = {};
      fs.mkdirSync(path.join(work, 'outputs'));
      for (const name of Object.keys(drv.outputs)) outHost[name] = path.join(work, 'outputs', name);
      const inputs = this.inputClosure(drv);
      const logFile = this.logFile(drvPath);
      fs.writeFileSync(logFile, '');

      if (drv.builder === 'builtin:unpack') await this.runUnpack(drvPath, drv, outHost.out!);
      else if (drv.builder === 'builtin:fetch') await this.runFetch(drvPath, drv, outHost.out!);
      else if (drv.builder === 'builtin:component-new') await this.runComponentNew(drvPath, drv, inputs, outHost.out!, logFile);
      else await this.runWasi(drvPath, drv, inputs, work, outHost, logFile);

      for (const [name, o] of Object.entries(drv.outputs)) {
        if (!fs.existsSync(outHost[name]!) && !isSymlink(outHost[name]!)) {
          throw new WpmError('ERR_BUILD_NO_OUTPUT', `${drvPath}: builder finished but did not create output '${name}' (${o.path})`);
        }
      }
      if (mode === 'check') {
        for (const [name, o] of Object.entries(drv.outputs)) {
          normalizeTree(outHost[name]!);
          const differing = compareTrees(this.store.toHost(o.path), outHost[name]!);
          if (differing.length > 0) {
            throw new WpmError(
              'ERR_BUILD_NOT_REPRODUCIBLE',
              differing[0] === '.'
                ? `'${drv.name}' (${drvPath}) is not reproducible: rebuilding ${o.path} gave different content`
                : `'${drv.name}' (${drvPath}) is not reproducible: rebuilding ${o.path} gave different files: ${differing.join(', ')}`,
            );
          }
        }
        return;
      }
      const candidates = [...inputs, ...Object.values(drv.outputs).map((o) => o.path)];
      for (const [name, o] of Object.entries(drv.outputs)) {
        const ca = o.hash ? await verifyFixedOutput(drvPath, drv, outHost[name]!) : undefined;
        await this.store.register(outHost[name]!, o.path, {
          // A fixed-output path is trusted for its content alone: it may refer to nothing.
          ...(o.hash ? { references: [] } : { referenceCandidates: candidates }),
          deriver: drvPath,
          ...(ca ? { ca } : {}),
        });
      }
    } finally {
      // removeTree, not fs.rmSync: a checked or half-registered output has read-only directories,
      // which only root could delete without first making them writable.
      removeTree(work);
    }
  }

  /** Every store path the step may see: the closure of its sources and input outputs. */
  private inputClosure(drv: Derivation): string[] {
    const roots = [...drv.inputSrcs];
    for (const [inputDrv, outs] of Object.entries(drv.inputDrvs)) {
      const input = this.loadDerivation(inputDrv);
      for (const o of outs) roots.push(input.outputs[o]!.path);
    }
    return this.store.closure(roots);
  }

  private loadDerivation(drvPath: string): Derivation {
    return readDerivation(this.store, drvPath);
  }

  /** The builder as a pool runnable: a core module, or a WASI 0.2 component (issue 9, by content). */
  private moduleFor(builder: string): Promise<Runnable> {
    // The promise is kept, so steps starting together read and compile a builder once.
    let m = this.modules.get(builder);
    if (!m) {
      m = (async () => runnableFor(this.store, readBuilder(this.store, builder), `builder ${builder}`))();
      m.catch(() => this.modules.delete(builder));
      this.modules.set(builder, m);
    }
    return m;
  }

  private async runWasi(
    drvPath: string,
    drv: Derivation,
    inputs: string[],
    work: string,
    outHost: Record<string, string>,
    logFile: string,
  ): Promise<void> {
    const rewrite = placeholderRewriter(drv);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(drv.env)) env[k] = rewrite(v);
    for (const [name, o] of Object.entries(drv.outputs)) env[name] = o.path;
    env.TMPDIR = '/tmp';
    env.HOME = '/homeless';
    env.SOURCE_DATE_EPOCH = '1';
    fs.mkdirSync(path.join(work, 'build'));
    fs.mkdirSync(path.join(work, 'tmp'));
    fs.mkdirSync(path.join(work, 'store'));
    const mounts: Mount[] = [
      // The step's view of the store directory takes new entries, because tools such as wasm-ld
      // write a temporary file next to their output and rename it into place. Only the declared
      // outputs are kept; inputs inside it stay read-only.
      { guest: STORE_DIR, host: path.join(work, 'store'), writable: true },
      ...inputs.map((p) => ({ guest: p, host: this.store.toHost(p), writable: false })),
      { guest: '/build', host: path.join(work, 'build'), writable: true },
      { guest: '/tmp', host: path.join(work, 'tmp'), writable: true },
    ];
    const stdin = drv.stdin === null ? new Uint8Array(0) : new TextEncoder().encode(rewrite(canonicalJson(drv.stdin)));
    const module = await this.moduleFor(drv.builder);
    const result = await this.pool.run(module, {
      args: drv.args.map(rewrite),
      env,
      stdin,
      mounts,
      outputs: Object.entries(drv.outputs).map(([name, o]) => ({ guest: o.path, host: outHost[name]! })),
      cwd: '/build',
      seed: hashBytes('sha256', drvPath).digest,
      stdout: { file: logFile },
      stderr: { file: logFile },
      limits: { ...(this.opts.limits?.timeoutMs ? { timeoutMs: this.opts.limits?.timeoutMs } : {}) },
    });
    if (result.exitCode !== 0) {
      throw new WpmError('ERR_BUILD_FAILED', `builder for '${drv.name}' (${drvPath}) exited with status ${result.exitCode}`);
    }
  }

  private async runFetch(drvPath: string, drv: Derivation, dest: string): Promise<void> {
    const req = (drv.stdin ?? {}) as { url?: string; npm?: { package: string; version: string }; executable?: boolean };
    // Loaded on demand, like every builtin: most builds (and every no-op) never need them.
    const { fetchToFile } = await import('../builtins/fetch.js');
    await fetchToFile({
      ...(req.url ? { url: req.url } : {}),
      ...(req.npm ? { npm: req.npm } : {}),
      dest,
      executable: req.executable === true,
      where: `fetch '${drv.name}' (${drvPath})`,
      ...(this.opts.limits?.fetchTimeoutMs ? { timeoutMs: this.opts.limits?.fetchTimeoutMs } : {}),
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
    });
  }

  private async runUnpack(drvPath: string, drv: Derivation, dest: string): Promise<void> {
    const req = (drv.stdin ?? {}) as { src?: string; strip?: number; subdir?: string };
    if (typeof req.src !== 'string' || !req.src.startsWith(STORE_DIR + '/')) {
      throw new WpmError('ERR_BUILD_BAD_INPUT', `${drvPath}: builtin:unpack needs stdin.src, a store path`);
    }
    const { unpack } = await import('../builtins/unpack.js');
    await unpack({
      archive: this.store.toHost(req.src),
      dest,
      strip: req.strip ?? 0,
      ...(req.subdir ? { subdir: req.subdir } : {}),
      where: `unpack '${drv.name}'`,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
    });
  }

  /** wasm-tools' component-new, itself WebAssembly, run in the pool (runtime/builtins/component-new.ts). */
  private async runComponentNew(drvPath: string, drv: Derivation, inputs: string[], dest: string, logFile: string): Promise<void> {
    const { componentNewStep } = await import('../builtins/component-new.js');
    await componentNewStep({
      stdin: drv.stdin,
      inputs,
      toHost: (p) => this.store.toHost(p),
      dest,
      pool: this.pool,
      seed: hashBytes('sha256', drvPath).digest,
      logFile,
      ...(this.opts.limits?.timeoutMs ? { timeoutMs: this.opts.limits?.timeoutMs } : {}),
      where: `component-new '${drv.name}' (${drvPath})`,
    });
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Replaces each output's placeholder by the output's real path. */
function placeholderRewriter(drv: Derivation): (s: string) => string {
  const pairs = Object.entries(drv.outputs).map(([name, o]) => [placeholder(name), o.path] as const);
  return (s) => {
    let r = s;
    for (const [from, to] of pairs) if (r.includes(from)) r = r.split(from).join(to);
    return r;
  };
}

export function readDerivation(store: LocalStore, drvPath: string): Derivation {
  let text: string;
  try {
    text = fs.readFileSync(store.toHost(drvPath), 'utf8');
  } catch (cause) {
    throw new WpmError('ERR_STORE_NOT_VALID', `derivation ${drvPath} is not in the store`, {
      cause,
      hint: 'evaluate the file that makes it again (wpm eval --read-only writes no .drv files)',
    });
  }
  return parseDerivationFile(text, drvPath);
}
