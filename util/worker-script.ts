// Where a worker's code is (the WASI pool's, the .drv writer's, or a Jsonnet VM's). From dist/
// it is its one-file bundle, e.g. dist/bundle/runtime.wasi.worker.js (scripts/bundle.mjs), else
// the compiled module, dist/runtime/wasi/worker.js; when the sources run
// as TypeScript (vitest, which transforms in-process), the worker gets a small loader hook that
// transpiles the .ts files with the `typescript` package instead.

import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';
import { distFile, distModule } from './dist-dir.js';

const HOOKS = `
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
let ts;
export async function resolve(spec, ctx, next) {
  if (spec.startsWith('.') && spec.endsWith('.js') && ctx.parentURL?.endsWith('.ts')) {
    const u = new URL(spec, ctx.parentURL);
    if (!existsSync(fileURLToPath(u))) return { url: u.href.slice(0, -3) + '.ts', shortCircuit: true };
  }
  return next(spec, ctx);
}
export async function load(url, ctx, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, ctx);
  ts ??= createRequire(url)('typescript');
  const out = ts.transpileModule(readFileSync(fileURLToPath(url), 'utf8'), {
    fileName: fileURLToPath(url),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}`;

const BOOT = `
const { register } = require('node:module');
const { workerData } = require('node:worker_threads');
register('data:text/javascript,' + encodeURIComponent(workerData.hooks));
import(workerData.entry);`;

/**
 * How to start a worker running one of wpm's modules (by its path under dist/ without extension).
 * The worker finds `data` as `workerData.data` either way; `transfer` lists the ports in it.
 */
export function workerScript(
  module: string,
  data?: unknown,
  transfer: WorkerOptions['transferList'] = [],
): { filename: string | URL; options: WorkerOptions } {
  const bundled = distFile(`bundle/${module.replaceAll('/', '.')}.js`);
  const worker = distModule(module);
  const compiled = fs.existsSync(bundled) ? pathToFileURL(bundled) : worker.compiled ? worker.url : undefined;
  if (compiled) return { filename: compiled, options: { workerData: { data }, transferList: transfer } };
  return { filename: BOOT, options: { eval: true, workerData: { hooks: HOOKS, entry: worker.url.href, data }, transferList: transfer } };
}
