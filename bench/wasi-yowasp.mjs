// Benchmark peer: the same clang.wasm `-O2 -c shell.c` under YoWASP's own runtime (the
// `commands` API of @yowasp/clang: jco-transpiled component, in-memory file tree), to set
// against bench/wasi-clang.mjs's figures for wpm's host and node:wasi. Run that one first: it
// fetches sqlite's sources into node_modules/.cache/wpm-bench/sqlite.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '@yowasp/clang';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SQLITE = path.join(ROOT, 'node_modules/.cache/wpm-bench/sqlite');
const FLAGS = ['-O2', '-D_WASI_EMULATED_SIGNAL', '-D_WASI_EMULATED_PROCESS_CLOCKS', '-D_WASI_EMULATED_GETPID', '-DSQLITE_OMIT_LOAD_EXTENSION', '-DSQLITE_THREADSAFE=0'];
const file = process.argv[2] ?? 'shell.c';

const files = { [file]: fs.readFileSync(path.join(SQLITE, file)), 'sqlite3.h': fs.readFileSync(path.join(SQLITE, 'sqlite3.h')) };
await commands.clang(['--version'], {}, { stdout: null, stderr: null }); // fetch resources first
const t = performance.now();
const out = await commands.clang(['--target=wasm32-wasip1', ...FLAGS, '-c', file, '-o', 'out.o'], files, { stdout: null, stderr: null, decodeASCII: false });
const s = (performance.now() - t) / 1000;
console.log(`YoWASP runtime: clang -O2 -c ${file}: ${s.toFixed(2)} s (object ${out['out.o']?.length ?? 0} bytes)`);
