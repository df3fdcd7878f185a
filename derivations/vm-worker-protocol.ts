// The messages between the main thread and a VM in a worker (vm-worker-handle.ts, vm-worker.ts).
import type { MessagePort } from 'node:worker_threads';
import { WpmError, isErrorCode, isWpmError } from '../util/index.js';
import type { Derivation } from './derivation.js';
import type { EvalIO, VmSetup } from './jsonnet-vm.js';

/** What a worker is started with. */
export interface VmWorkerStart {
  setup: VmSetup;
  control: SharedArrayBuffer;
  /** [state]: the main thread sets it to 1, and notifies, once an isValidPath answer is on `syncPort`. */
  sync: SharedArrayBuffer;
  /** Where the answers to isValidPath come, read synchronously (receiveMessageOnPort). */
  syncPort: MessagePort;
}

export interface ErrorData {
  code: string;
  message: string;
  hint?: string;
}

/** Derivations made since the last message, by `.drv` path, in the order they were made. */
export type Made = [string, Derivation][];

export type FromWorker =
  | { kind: 'io'; id: number; op: 'addPath'; args: Parameters<EvalIO['addPath']> }
  | { kind: 'io'; id: number; op: 'addText'; args: Parameters<EvalIO['addText']> }
  | { kind: 'valid'; path: string }
  | { kind: 'chunk'; from: number; json: string; made: Made }
  | { kind: 'end'; made: Made; error?: ErrorData };

export type ToWorker = { kind: 'go'; go: boolean } | { kind: 'io'; id: number; result?: string; error?: ErrorData };

export type SyncReply = { valid: boolean } | { error: ErrorData };

export function errorData(err: unknown): ErrorData {
  if (isWpmError(err)) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: 'ERR_EVAL', message: String((err as Error)?.message ?? err) };
}

export function fromErrorData(e: ErrorData): WpmError {
  return new WpmError(isErrorCode(e.code) ? e.code : 'ERR_EVAL', e.message, e.hint ? { hint: e.hint } : {});
}
