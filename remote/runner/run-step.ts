// The runner's work (main.ts): read the step, mount its inputs from the input root, run the
// builder in a one-worker pool, leave outputs, log and status under RESULT_DIR.
import fs from 'node:fs';
import path from 'node:path';
import { WasiPool } from '../../runtime/wasi/pool.js';
import { compileModule, useBaselineCompilerOnly } from '../../runtime/wasi/module.js';
import { STORE_DIR } from '../../runtime/wasi/host.js';
import type { Mount } from '../../runtime/wasi/types.js';
import { isWpmError } from '../../util/errors.js';
import { RESULT_DIR, STDIN_FILE, STEP_FILE, STEP_FORMAT, STORE_ROOT, type RemoteStepSpec, type RunnerStatus } from '../step-spec.js';

/** Run the step whose input root is `root`; returns the process's exit status. */
export async function runStepHere(rootArg: string): Promise<number> {
  const root = path.resolve(rootArg);
  const result = path.join(root, RESULT_DIR);
  fs.mkdirSync(path.join(result, 'outputs'), { recursive: true });
  const log = path.join(result, 'log');
  fs.writeFileSync(log, '');
  const status = (s: RunnerStatus) => fs.writeFileSync(path.join(result, 'status.json'), JSON.stringify(s));
  const scratch = fs.mkdtempSync(path.join(root, 'wpm-scratch-'));
  let pool: WasiPool | null = null;
  try {
    const spec = JSON.parse(fs.readFileSync(path.join(root, STEP_FILE), 'utf8')) as RemoteStepSpec;
    if (spec.format !== STEP_FORMAT) throw new Error(`step format ${spec.format}, this runner reads ${STEP_FORMAT}`);
    const inRoot = (storePath: string) => path.join(root, STORE_ROOT, storePath.slice(STORE_DIR.length + 1));
    for (const d of ['build', 'tmp', 'store']) fs.mkdirSync(path.join(scratch, d));
    // The same mounts as the local builder's (runtime/scheduler/local-builder.ts, runWasi).
    const mounts: Mount[] = [
      { guest: STORE_DIR, host: path.join(scratch, 'store'), writable: true },
      ...spec.inputs.map((p) => ({ guest: p, host: inRoot(p), writable: false })),
      { guest: '/build', host: path.join(scratch, 'build'), writable: true },
      { guest: '/tmp', host: path.join(scratch, 'tmp'), writable: true },
    ];
    useBaselineCompilerOnly();
    const module = compileModule(fs.readFileSync(builderFile(spec, inRoot)));
    pool = new WasiPool({ size: 1, workerScript: { filename: new URL(import.meta.url) } });
    const stdinFile = path.join(root, STDIN_FILE);
    const run = await pool.run(module, {
      args: spec.args,
      env: spec.env,
      stdin: fs.existsSync(stdinFile) ? fs.readFileSync(stdinFile) : new Uint8Array(0),
      mounts,
      outputs: Object.entries(spec.outputs).map(([name, guest]) => ({ guest, host: path.join(result, 'outputs', name) })),
      cwd: spec.cwd,
      seed: Buffer.from(spec.seed, 'hex'),
      stdout: { file: log },
      stderr: { file: log },
      limits: spec.limits,
    });
    status({ exitCode: run.exitCode, durationMs: Math.round(run.durationMs) });
    return run.exitCode === 0 ? 0 : Math.min(255, Math.max(1, run.exitCode));
  } catch (err) {
    const e = err as Error;
    const code = isWpmError(err) ? err.code : 'ERR_REMOTE_RUNNER';
    status({ error: { code, message: e.message ?? String(err), ...(isWpmError(err) && err.hint ? { hint: err.hint } : {}) } });
    process.stderr.write(`wpm-runner: ${e.message ?? String(err)}\n`);
    return 1;
  } finally {
    await pool?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The builder's file on this worker: inside one of the step's inputs, symlinks followed (as runtime/builders/inputs.ts does locally). */
function builderFile(spec: RemoteStepSpec, inRoot: (p: string) => string): string {
  const parts = spec.builder.split('/');
  const input = parts.slice(0, 4).join('/');
  if (parts.some((c, i) => i > 0 && (c === '' || c === '.' || c === '..')) || !spec.inputs.includes(input)) {
    throw new Error(`the builder ${spec.builder} is not a file of the step's inputs`);
  }
  const real = fs.realpathSync(inRoot(spec.builder));
  const root = fs.realpathSync(inRoot(input));
  if (real !== root && !real.startsWith(root + path.sep)) throw new Error(`the builder ${spec.builder} leads outside ${input}`);
  return real;
}
