// Bundles what remote execution sends or runs elsewhere, each as one self-contained file a
// machine with Node and nothing of wpm can run (after tsc and fetch-protos.mjs):
//   dist/remote/wpm-runner.mjs  the step runner, in every action's input root (remote/runner/);
//   dist/remote/wpm-bot.mjs     the Remote Workers API bot for BuildGrid (remote/bot/), with
//                               gRPC and the protocol descriptors inlined.
import fs from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // A bundle of CommonJS packages (grpc-js) in an ES module needs a require of its own.
  banner: { js: "import { createRequire as __wpmCreateRequire } from 'node:module'; const require = __wpmCreateRequire(import.meta.url);" },
};

await build({ ...common, entryPoints: ['dist/remote/runner/main.js'], outfile: 'dist/remote/wpm-runner.mjs' });

if (fs.existsSync('dist/remote/bot/main.js')) {
  await build({
    ...common,
    entryPoints: ['dist/remote/bot/main.js'],
    outfile: 'dist/remote/wpm-bot.mjs',
    define: { __WPM_PROTOS_JSON__: JSON.stringify(fs.readFileSync('dist/remote/protos.json', 'utf8')) },
  });
}
