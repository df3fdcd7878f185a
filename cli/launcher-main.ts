// The entry of a profile's launcher (`wpm run --launcher PATH -- ARGS`, which bin/wpm.js sends
// here): bundled into a file of its own (scripts/bundle.mjs) holding exactly what a launcher runs,
// without the command line parser and every command's modules. Through the CLI's entry (then ES
// module chunks), hello's launcher took 80.9 ms instead of 65.6 ms (medians of 30 interleaved
// runs; docs/wasm-code-cache.md).
import { runFramed } from './command-frame.js';
import { runLaunched } from './launch.js';

/** `argv` as bin/wpm.js has it: `run --launcher PATH -- ARGS…`. */
export async function main(argv: string[]): Promise<void> {
  await runFramed(async () => {
    process.exitCode = await runLaunched(argv[2]!, argv.slice(4));
  });
}
