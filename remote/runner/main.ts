// wpm's step runner, bundled into one file (dist/remote/wpm-runner.mjs) that travels in every
// remote action's input root: `node wpm-runner.mjs` on a worker runs the step under wpm's own
// WASI host with exactly the mounts, environment, seed and limits of a local step, so the
// outputs are the same bytes. The bundle is also its own pool worker (a worker thread loads
// this file again and takes the other branch).
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const { runStepHere } = await import('./run-step.js');
  process.exitCode = await runStepHere(process.argv[2] ?? '.');
} else {
  await import('../../runtime/wasi/worker.js');
}
