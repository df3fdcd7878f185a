// Builds one derivation on this machine: the step's lifecycle around a Builder (runtime/builders).
// Under the derivation's build lock, the builder writes the outputs into a fresh directory under
// $WPM_HOME/tmp; they are checked (fixed-output hashes, --check comparisons) and registered only
// after it succeeded, so a failure, a trap or Ctrl-C leaves nothing in the store.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError, isWpmError } from '../../util/index.js';
import { isBuiltin, parseDerivation as parseDerivationFile, type Derivation, type DrvLimits, type Step } from '../../derivations/index.js';
import { normalizeTree, removeTree, type LocalStore, type TreeToRegister } from '../../store/index.js';
import type { WasiPool } from '../wasi/index.js';
import { BUILTINS, WasiProgramBuilder, stepLimits, type Builder, type BuiltinTable, type StepLimits } from '../builders/index.js';
import type { EventSink } from './events.js';
import type { StepBuilder } from './scheduler.js';
import { logFileOf, readLogHead, readLogTail } from './logs.js';

/** How much of a succeeded step's output its `built` event carries. */
const OUTPUT_SHOWN_BYTES = 16 * 1024;
import { compareTrees } from './compare-trees.js';
import { verifyFixedOutput } from './fixed-output.js';

export interface LocalBuilderOptions {
  onEvent?: EventSink | undefined;
  /** Ctrl-C: builtins stop too, and steps it stops are reported as interrupted, not failed. */
  signal?: AbortSignal | undefined;
  limits?: StepLimits | undefined;
  /** The host builtins (default: runtime/builders' table). */
  builtins?: BuiltinTable | undefined;
  /** Derivations' own limits by `.drv` path, where evaluation knows them (see DrvLimits). */
  drvLimits?: ReadonlyMap<string, DrvLimits> | undefined;
  /** The builder of steps whose builder is a store path (default: the WASI program builder; a RemoteBuilder runs them on a cluster). `--check` always rebuilds here. */
  program?: Builder | undefined;
}

export class LocalBuilder implements StepBuilder {
  private readonly wasi = new WasiProgramBuilder();
  private readonly builtins: BuiltinTable;

  constructor(
    private readonly store: LocalStore,
    private readonly pool: WasiPool,
    private readonly opts: LocalBuilderOptions = {},
  ) {
    this.builtins = opts.builtins ?? BUILTINS;
  }

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
    // What a step that succeeded wrote (a compiler's warnings): shown once the build is done.
    const output = readLogHead(this.logFile(drvPath), OUTPUT_SHOWN_BYTES);
    this.emit({
      type: 'built',
      drvPath,
      name: drv.name,
      durationMs: Date.now() - started,
      outputs: outs,
      ...(mode === 'check' ? { checked: true as const } : {}),
      ...(output !== '' ? { output } : {}),
    });
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
      fs.mkdirSync(path.join(work, 'scratch'));
      for (const name of Object.keys(drv.outputs)) outHost[name] = path.join(work, 'outputs', name);
      const inputs = this.inputClosure(drv);
      const logFile = this.logFile(drvPath);
      fs.writeFileSync(logFile, '');

      const builder = isBuiltin(drv.builder) ? this.builtins[drv.builder] : mode === 'check' ? this.wasi : (this.opts.program ?? this.wasi);
      if (!builder) throw new WpmError('ERR_DRV_BAD_BUILDER', `${drvPath}: unknown builtin builder '${drv.builder}'`);
      await builder.build(
        { drvPath, drv, inputs, outputs: outHost, work: path.join(work, 'scratch'), logFile },
        { store: this.store, pool: this.pool, limits: stepLimits(this.opts.limits ?? {}, this.opts.drvLimits?.get(drvPath) ?? drv.limits), signal: this.opts.signal },
      );

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
      const trees: TreeToRegister[] = [];
      for (const [name, o] of Object.entries(drv.outputs)) {
        const ca = o.hash ? await verifyFixedOutput(drvPath, drv, outHost[name]!) : undefined;
        trees.push({
          tmpPath: outHost[name]!,
          storePath: o.path,
          // A fixed-output path is trusted for its content alone: it may refer to nothing.
          ...(o.hash ? { references: [] } : { referenceCandidates: candidates }),
          deriver: drvPath,
          ...(ca ? { ca } : {}),
        });
      }
      // All outputs in one batch: one flush, and outputs that refer to each other become valid together.
      await this.store.registerMany(trees);
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
      const input = readDerivation(this.store, inputDrv);
      for (const o of outs) roots.push(input.outputs[o]!.path);
    }
    return this.store.closure(roots);
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
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
