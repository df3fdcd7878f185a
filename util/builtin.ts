// Node's builtin modules loaded on first use. A command's modules are all evaluated when the
// command starts (the bundle keeps only whole commands lazy), so a builtin imported at the top of
// a module is loaded even by runs that never use it: http, https, tls, net and child_process
// together took about 6 ms of every `wpm copy --from file://`, which uses none of them.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** A getter for builtin `name`, loading it on the first call. */
export function builtin<T>(name: `node:${string}`): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(name) as T);
}
