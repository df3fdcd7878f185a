// Runs one WASI command under Node's own node:wasi, as the second host the determinism
// tests compare against. A child process, because node:wasi (Node 20) can abort the process:
// nothing keeps the WASI object alive during start(), and if a GC collects it mid-run its
// destructor aborts in uv_mutex_destroy. `keepAlive` below avoids that.
// Usage: node node-wasi-run.mjs <module.wasm> <json {args, env, preopens}>
import fs from 'node:fs';
import { WASI } from 'node:wasi';

process.removeAllListeners('warning');
const [file, json] = process.argv.slice(2);
const { args, env, preopens } = JSON.parse(json);
const module = await WebAssembly.compile(fs.readFileSync(file));
const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
const t0 = performance.now();
globalThis.keepAlive = wasi;
const code = wasi.start(instance);
fs.writeSync(2, `\nnode:wasi exit=${code} ms=${(performance.now() - t0).toFixed(0)}\n`);
process.exit(code);
