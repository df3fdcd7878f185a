// A Jsonnet VM of a parallel evaluation, in a worker thread of its own (started by
// vm-worker-handle.ts). Every derivation costs a native call: a round trip from libjsonnet's thread
// to a JavaScript thread, which instantiates it. Here those round trips are answered by this
// thread, at the same time as the first VM's are answered by the main thread, instead of all VMs
// waiting in turn for the main thread. The worker has its own Instantiator: a derivation's paths
// follow from its spec alone, so every thread gives it the same. The store is the main thread's.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Derivation } from './derivation.js';
import { Instantiator } from './instantiate.js';
import { createVm, registerSync, runVm, type EvalIO, type NativeGate } from './jsonnet-vm.js';
import { CHUNK_SNIPPET, ChunkControl } from './package-set.js';
import { errorData, fromErrorData, type FromWorker, type Made, type SyncReply, type ToWorker, type VmWorkerStart } from './vm-worker-protocol.js';

const data = workerData as { data: VmWorkerStart };
const { setup } = data.data;
const control = new ChunkControl(data.data.control);
const sync = new Int32Array(data.data.sync);
const post = (m: FromWorker) => parentPort!.postMessage(m);

let made: Made = [];
const takeMade = () => {
  const out = made;
  made = [];
  return out;
};

const calls = new Map<number, { resolve: (path: string) => void; reject: (err: unknown) => void }>();
let nextCall = 0;
function call(m: { op: 'addPath'; args: Parameters<EvalIO['addPath']> } | { op: 'addText'; args: Parameters<EvalIO['addText']> }): Promise<string> {
  return new Promise((resolve, reject) => {
    const id = nextCall++;
    calls.set(id, { resolve, reject });
    post({ kind: 'io', id, ...m });
  });
}

/** The main thread's store, reached by messages; a validity check waits for its answer. */
const io: EvalIO = {
  addPath: (hostPath, opts) => call({ op: 'addPath', args: [hostPath, opts] }),
  addText: (name, text, references) => call({ op: 'addText', args: [name, text, references] }),
  isValidPath(path) {
    Atomics.store(sync, 0, 0);
    post({ kind: 'valid', path });
    Atomics.wait(sync, 0, 0);
    const reply = receiveMessageOnPort(data.data.syncPort)?.message as SyncReply | undefined;
    if (reply === undefined) throw new Error(`internal error: no answer from the main thread on ${path}`);
    if ('error' in reply) throw fromErrorData(reply.error);
    return reply.valid;
  },
};

/** The main thread's word: is the value a package set, to take chunks of? */
let word: boolean | undefined;
let hear: (go: boolean) => void;
const told = new Promise<boolean>((resolve) => (hear = resolve));
/**
 * Until the word comes, native calls wait: importing the file evaluates its top expression, and
 * the first VM does that work itself if the value is no package set. After a no, they fail.
 */
const going = told.then((go) => {
  if (!go) throw 'stopped: the value is not a package set';
});
going.catch(() => {}); // handled by each call that waits on it
const gate: NativeGate = { stopped: () => control.failed(), wait: () => (word === true ? undefined : going) };

const onMessage = (m: ToWorker) => {
  if (m.kind === 'go') {
    word = m.go;
    hear(m.go);
    return;
  }
  const pending = calls.get(m.id);
  calls.delete(m.id);
  if (m.error !== undefined) pending?.reject(fromErrorData(m.error));
  else pending?.resolve(m.result!);
};
parentPort!.on('message', onMessage);

async function evaluateChunks(): Promise<void> {
  // Started late (once the first VM counted the fields), the worker may find every chunk taken:
  // then it has nothing to import the file for.
  if (control.exhausted()) return;
  const instantiator = new Instantiator(io.isValidPath, {
    builtins: setup.builtins,
    onInstantiated: (drvPath: string, drv: Derivation) => {
      made.push([drvPath, drv]);
    },
  });
  const vm = await createVm(setup, instantiator, io, gate);
  vm.nativeCallback('wpm.go', () => told, 'imported');
  registerSync(vm, 'wpm.next', () => control.take());
  registerSync(
    vm,
    'wpm.done',
    (from: unknown, json: unknown) => {
      try {
        post({ kind: 'chunk', from: Number(from), json: String(json), made: takeMade() });
        return 0;
      } catch (err) {
        return Promise.reject(String(err)); // a callback must not throw (see jsonnet-vm.ts)
      }
    },
    'from',
    'json',
  );
  await runVm(vm, setup, CHUNK_SNIPPET);
}

try {
  await evaluateChunks();
  post({ kind: 'end', made: takeMade() });
} catch (err) {
  post({ kind: 'end', made: takeMade(), error: errorData(err) });
}
// Nothing is left to wait for: the worker ends.
parentPort!.off('message', onMessage);
