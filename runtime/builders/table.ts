// The host builtins, by the name a derivation's `builder` gives: the one list of them. Evaluation
// reads what each takes (builtinRequests); the scheduler picks the builder of a step here. Every
// other builder is a store path, built by the WASI program builder. Adding a builtin is a file
// implementing Builder and a line below.
import type { BuiltinRequests } from '../../derivations/index.js';
import type { Builder } from './builder.js';
import { buildenvBuiltin } from './buildenv.js';
import { componentNewBuiltin } from './component-new.js';
import { fetchBuiltin } from './fetch.js';
import { unpackBuiltin } from './unpack.js';

export type BuiltinTable = Readonly<Record<string, Builder>>;

export const BUILTINS: BuiltinTable = {
  'builtin:fetch': fetchBuiltin,
  'builtin:unpack': unpackBuiltin,
  'builtin:component-new': componentNewBuiltin,
  'builtin:buildenv': buildenvBuiltin,
};

/** What each builtin takes, for the evaluator (plain data: it crosses to evaluation workers). */
export function builtinRequests(table: BuiltinTable = BUILTINS): BuiltinRequests {
  return Object.fromEntries(Object.entries(table).map(([name, b]) => [name, b.request]));
}
