// Turn what V8 throws out of a guest into a trap kind (the spec's wording) and the wasm
// function it happened in (named when the module has a name section).

/** The kind of a trap on a guest that recursed deeper than its thread's stack allows. */
export const STACK_EXHAUSTED = 'call stack exhausted';

const KINDS: [RegExp, string][] = [
  [/unreachable/i, 'unreachable'],
  [/memory access out of bounds/i, 'out of bounds memory access'],
  [/divide by zero/i, 'integer divide by zero'],
  [/remainder by zero/i, 'integer divide by zero'],
  [/divide result unrepresentable/i, 'integer overflow'],
  [/float unrepresentable in integer range/i, 'invalid conversion to integer'],
  [/table index is out of bounds/i, 'undefined element'],
  [/null function or function signature mismatch|function signature mismatch/i, 'indirect call type mismatch'],
  [/maximum call stack size exceeded/i, STACK_EXHAUSTED],
];

export interface TrapInfo {
  kind: string;
  /** The innermost wasm function, e.g. 'abort' or 'wasm-function[123]'. */
  func: string | null;
  message: string;
}

export function isTrap(err: unknown): boolean {
  return err instanceof WebAssembly.RuntimeError || (err instanceof RangeError && /call stack/i.test(err.message));
}

export function describeTrap(err: Error): TrapInfo {
  const kind = KINDS.find(([re]) => re.test(err.message))?.[1] ?? err.message;
  return { kind, func: wasmFunction(err.stack ?? ''), message: err.message };
}

function wasmFunction(stack: string): string | null {
  for (const line of stack.split('\n')) {
    // "    at name (wasm://wasm/abcd1234:wasm-function[12]:0x345)" or without the name
    const named = /^\s*at (.+?) \(wasm:\/\/wasm\/[^:]*:(wasm-function\[\d+\])/.exec(line);
    if (named) return named[1];
    const anon = /^\s*at (?:wasm:\/\/wasm\/[^:]*:)?(wasm-function\[\d+\])/.exec(line);
    if (anon) return anon[1];
  }
  return null;
}
