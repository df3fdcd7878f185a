// A wpm step as a REAPI Action: the Command runs the step runner (`node --single-threaded-gc
// wpm-runner.mjs .`) in an input root holding the runner, the step description, stdin and the
// input closure under
// wpm/store/; the one declared output is the directory wpm-result/. Everything that decides the
// step's bytes is in the input root, so the action digest is a cache key as good as the .drv's.
import { digestKey, type Digest } from './digest.js';
import { MerkleBuilder, type DirEntries } from './merkle.js';
import type { BlobSource } from './cas.js';
import { encodeMessage, REAPI, type Msg } from './proto.js';
import { RESULT_DIR, RUNNER_FILE, STDIN_FILE, STEP_FILE, STORE_ROOT, type RemoteStepSpec } from './step-spec.js';

/** The platform property that selects workers able to run wpm's steps (Node on PATH). */
export const DEFAULT_PLATFORM: Record<string, string> = { 'wpm-runner': 'node' };

export interface ActionInputs {
  spec: RemoteStepSpec;
  stdin: Uint8Array;
  /** The bundled step runner's bytes. */
  runner: Uint8Array;
  /** Host path of each store path in spec.inputs. */
  toHost: (storePath: string) => string;
  platform: Record<string, string>;
  /** The server speaks REAPI 2.1 or later (output_paths). */
  outputPaths: boolean;
}

export interface BuiltAction {
  digest: Digest;
  /** Every blob the action needs in the CAS: the Action, the Command, the input tree. */
  blobs: BlobSource[];
}

export function buildAction(m: MerkleBuilder, a: ActionInputs): BuiltAction {
  const store: DirEntries = {};
  for (const p of a.spec.inputs) store[p.slice('/wpm/store/'.length)] = m.host(a.toHost(p));
  const [first, second] = STORE_ROOT.split('/') as [string, string];
  const root = m.directory({
    [RUNNER_FILE]: m.file(a.runner),
    [STEP_FILE]: m.file(Buffer.from(JSON.stringify(a.spec))),
    [STDIN_FILE]: m.file(a.stdin),
    [first]: { kind: 'dir', digest: m.directory({ [second]: { kind: 'dir', digest: m.directory(store) } }) },
  });
  const platform = { properties: Object.entries(a.platform).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([name, value]) => ({ name, value })) };
  const command: Msg = {
    // The GC flag of bin/wpm.js's #! line: a step's memory growths each start a major GC, cheaper
    // marked on its own thread (docs/wasm-code-cache.md).
    arguments: ['node', '--single-threaded-gc', RUNNER_FILE, '.'],
    environment_variables: [],
    ...(a.outputPaths ? { output_paths: [RESULT_DIR] } : { output_directories: [RESULT_DIR] }),
    platform,
  };
  const commandBytes = encodeMessage(`${REAPI}.Command`, command);
  const commandNode = m.file(commandBytes);
  const timeoutMs = a.spec.limits.timeoutMs;
  const action: Msg = {
    command_digest: commandNode.kind === 'file' ? commandNode.digest : undefined,
    input_root_digest: root,
    // The runner enforces the step's own limit; the worker's is a backstop a minute later.
    ...(timeoutMs ? { timeout: { seconds: Math.ceil(timeoutMs / 1000) + 60, nanos: 0 } } : {}),
    do_not_cache: false,
    platform,
  };
  const actionBytes = encodeMessage(`${REAPI}.Action`, action);
  const actionNode = m.file(actionBytes);
  const digest = actionNode.kind === 'file' ? actionNode.digest : root;
  const blobs = new Map<string, BlobSource>();
  for (const b of m.blobsOf(root)) blobs.set(digestKey(b.digest), b);
  blobs.set(digestKey(digest), { digest, bytes: actionBytes });
  const cd = (commandNode as { digest: Digest }).digest;
  blobs.set(digestKey(cd), { digest: cd, bytes: commandBytes });
  return { digest, blobs: [...blobs.values()] };
}
