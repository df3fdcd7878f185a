// builtin:component-new — turn a WASI preview1 core module into a WASI 0.2 component with the
// preview1 adapter (what `wasm-tools component new --adapt` does), as a build step. The work is
// done by WebAssembly, not by the host: wasm-tools' core module (a wasip1 reactor from a pinned
// store path) runs in the worker pool under wpm's hermetic preview1 host — no preopens, empty
// environment, randomness seeded by the derivation, the step's limits — and the host only moves
// bytes in and out of it (component-new-abi.ts). So the step has one output on every machine.
//
// stdin: { wasmTools: PATH, module: PATH, adapters: { IMPORT-MODULE: PATH, … }, output?: FILE }
// Every PATH is a file in the step's input closure (a store path, or a file inside one). The
// component is written to $out, or to $out/FILE when `output` (a relative path) is given.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError, distModule, isWpmError } from '../../../util/index.js';
import { compileModule, isComponent, type WasiLimits, type WasiPool } from '../../wasi/index.js';
import type { ComponentNewInput, ComponentNewResult } from './abi.js';
import { inputFile } from '../inputs.js';

export interface ComponentNewRequest {
  /** The step's stdin (see above). */
  stdin: unknown;
  /** Store paths the step may read: its input closure. */
  inputs: readonly string[];
  /** Host path of a store path. */
  toHost: (storePath: string) => string;
  /** Host path of $out, which does not exist yet. */
  dest: string;
  pool: WasiPool;
  /** 32 bytes: the guest's random_get stream (the derivation's seed, as for any step). */
  seed: Uint8Array;
  /** The step's log: wasm-tools' stdout and stderr. */
  logFile: string;
  /** The step's limits, as the host takes them. */
  limits: WasiLimits;
  /** Names the step in errors. */
  where: string;
}

interface Spec {
  wasmTools: string;
  module: string;
  adapters: [string, string][];
  output: string | null;
}

// The driver runs in a worker, which imports it by URL: compiled JavaScript next to this file,
// or the TypeScript source when the sources run untranspiled (the worker then has a loader hook).
function driverUrl(): string {
  return distModule('runtime/builders/component-new/abi').url.href;
}

function parseSpec(stdin: unknown, where: string): Spec {
  const bad = (what: string) => new WpmError('ERR_BUILD_BAD_INPUT', `${where}: builtin:component-new needs ${what}`);
  if (stdin === null || typeof stdin !== 'object' || Array.isArray(stdin)) throw bad('a JSON object on stdin');
  const s = stdin as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!['wasmTools', 'module', 'adapters', 'output'].includes(key)) throw bad(`only stdin.wasmTools, module, adapters and output, not '${key}'`);
  }
  if (typeof s.wasmTools !== 'string') throw bad("stdin.wasmTools, the store path of wasm-tools' core module");
  if (typeof s.module !== 'string') throw bad('stdin.module, the store path of the module to wrap');
  const adapters = s.adapters ?? {};
  if (typeof adapters !== 'object' || adapters === null || Array.isArray(adapters) || Object.values(adapters).some((v) => typeof v !== 'string')) {
    throw bad('stdin.adapters, an object from import module name to the store path of its adapter');
  }
  let output: string | null = null;
  if (s.output !== undefined) {
    if (typeof s.output !== 'string' || s.output === '' || s.output.startsWith('/') || s.output.split('/').some((p) => p === '' || p === '.' || p === '..')) {
      throw bad(`stdin.output to be a relative file path inside $out, not ${JSON.stringify(s.output)}`);
    }
    output = s.output;
  }
  return { wasmTools: s.wasmTools, module: s.module, adapters: Object.entries(adapters as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1)), output };
}

/** Read a file named by its guest path, which must lie in the step's input closure. */
function readInput(guest: string, field: string, req: ComponentNewRequest): Uint8Array {
  return fs.readFileSync(inputFile({ ref: guest, field: `stdin.${field}`, where: req.where, inputs: req.inputs, toHost: req.toHost }));
}

export async function componentNewStep(req: ComponentNewRequest): Promise<void> {
  const spec = parseSpec(req.stdin, req.where);
  const toolBytes = readInput(spec.wasmTools, 'wasmTools', req);
  let tool: WebAssembly.Module;
  try {
    tool = compileModule(toolBytes);
  } catch (cause) {
    throw new WpmError('ERR_BUILD_BAD_INPUT', `${req.where}: stdin.wasmTools '${spec.wasmTools}' is not a WebAssembly module: ${(cause as Error).message}`, { cause });
  }
  const input: ComponentNewInput = {
    binary: readInput(spec.module, 'module', req),
    adapters: spec.adapters.map(([name, p]) => [name, readInput(p, `adapters.${name}`, req)]),
  };

  let value: unknown;
  try {
    const result = await req.pool.run(
      { kind: 'reactor', module: tool, driver: driverUrl(), input },
      {
        args: ['wasm-tools', 'component', 'new'],
        env: {},
        mounts: [],
        cwd: '/',
        seed: req.seed,
        stdout: { file: req.logFile },
        stderr: { file: req.logFile },
        limits: req.limits,
      },
    );
    if (result.exitCode !== 0) throw new WpmError('ERR_BUILD_FAILED', `wasm-tools exited with status ${result.exitCode}`);
    if (!('value' in result)) throw new WpmError('ERR_BUILD_FAILED', 'wasm-tools exited before component-new returned');
    value = result.value;
  } catch (err) {
    // A trap, a time or memory limit, or a module that is not wasm-tools: keep the pool's code.
    const code = isWpmError(err) ? err.code : 'ERR_BUILD_FAILED';
    throw new WpmError(code, `${req.where}: ${(err as Error).message}`, { cause: err, ...(isWpmError(err) && err.hint ? { hint: err.hint } : {}) });
  }

  const r = value as ComponentNewResult;
  if ('err' in r) {
    // The message is the error's; the log keeps only what wasm-tools itself printed (a panic).
    throw new WpmError('ERR_COMPONENT_NEW', `${req.where}: wasm-tools could not make a component of ${spec.module}: ${r.err}`);
  }
  if (!isComponent(r.ok)) throw new WpmError('ERR_COMPONENT_NEW', `${req.where}: wasm-tools returned bytes that are not a component`);
  const file = spec.output === null ? req.dest : path.join(req.dest, ...spec.output.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, r.ok, { mode: 0o644 });
}
