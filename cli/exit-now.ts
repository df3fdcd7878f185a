// Ending the process while an evaluation still runs on one of libuv's pool threads, which
// process.exit() would wait for forever (see native/hard-exit). wpm's exit handlers run first
// (they delete this process's temporary GC roots), then _exit(2). Without the native helper
// (no compiler at install), the process kills itself: the message is out, the code is 137.
import { loadNative } from '../util/index.js';

export function exitNow(code: number): never {
  process.emit('exit', code);
  loadNative<{ hardExit(code: number): never }>('hard-exit')?.hardExit(code); // not built: fall through
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}
