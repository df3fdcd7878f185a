// Runs one REAPI action on this host, as a "host tools" runner does: the input root is fetched
// from the CAS into a fresh directory (file contents through a local blob cache, hard-linked),
// the command runs there with exactly the action's arguments and environment, and the declared
// outputs, stdout and stderr are uploaded; the ActionResult says where they are.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RemoteClient } from '../client.js';
import { digestKey, normalizeDigest, type Digest } from '../digest.js';
import { MerkleBuilder } from '../merkle.js';
import { decodeMessage, encodeMessage, REAPI, type Msg } from '../proto.js';
import type { BlobSource } from '../cas.js';

export interface ExecuteContext {
  client: RemoteClient;
  /** Directory for blob cache and action directories. */
  workDir: string;
  botName: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** A failure the scheduler should see as a gRPC status (not as the command's own exit). */
export class ActionStatus extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const FAILED_PRECONDITION = 9;
const DEADLINE_EXCEEDED = 4;
const CANCELLED = 1;

export async function executeAction(ctx: ExecuteContext, payload: Msg): Promise<Msg> {
  const { client } = ctx;
  const action = await loadAction(ctx, payload);
  const command = decodeMessage(`${REAPI}.Command`, await readBlob(ctx, normalizeDigest(action.command_digest)));
  const dir = fs.mkdtempSync(path.join(ctx.workDir, 'action-'));
  const started = new Date();
  try {
    await materialize(ctx, normalizeDigest(action.input_root_digest), dir);
    const cwd = path.join(dir, command.working_directory || '');
    const outputPaths: string[] = command.output_paths?.length ? command.output_paths : [...(command.output_files ?? []), ...(command.output_directories ?? [])];
    for (const p of outputPaths) fs.mkdirSync(path.dirname(path.join(cwd, p)), { recursive: true });
    const timeoutMs = action.timeout ? Number(action.timeout.seconds ?? 0) * 1000 + Math.floor(Number(action.timeout.nanos ?? 0) / 1e6) : 0;
    const run = await runCommand(command, cwd, dir, timeoutMs, ctx.signal);
    const blobs: BlobSource[] = [];
    const result: Msg = { output_files: [], output_directories: [], exit_code: run.exitCode };
    for (const p of outputPaths) collectOutput(path.join(cwd, p), p, result, blobs);
    for (const [stream, file] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
      const b = new MerkleBuilder(false).host(file);
      if (b.kind === 'file') {
        result[`${stream}_digest`] = b.digest;
        blobs.push({ digest: b.digest, file });
      }
    }
    const missing = new Set((await client.cas.findMissing(blobs.map((b) => b.digest))).map(digestKey));
    await client.cas.upload([...new Map(blobs.filter((b) => missing.has(digestKey(b.digest))).map((b) => [digestKey(b.digest), b])).values()]);
    result.execution_metadata = { worker: ctx.botName, worker_start_timestamp: timestamp(started), worker_completed_timestamp: timestamp(new Date()) };
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function timestamp(d: Date): Msg {
  return { seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1e6 };
}

async function loadAction(ctx: ExecuteContext, payload: Msg): Promise<Msg> {
  const type = String(payload.type_url ?? '').split('/').pop();
  if (type === `${REAPI}.Action`) return decodeMessage(`${REAPI}.Action`, payload.value);
  if (type === `${REAPI}.Digest`) {
    const d = normalizeDigest(decodeMessage(`${REAPI}.Digest`, payload.value) as Digest);
    return decodeMessage(`${REAPI}.Action`, await readBlob(ctx, d));
  }
  throw new ActionStatus(3, `lease payload of type ${type} is not an Action`);
}

async function readBlob(ctx: ExecuteContext, d: Digest): Promise<Buffer> {
  try {
    return await ctx.client.cas.readOne(d);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_REMOTE_MISSING_BLOB') throw new ActionStatus(FAILED_PRECONDITION, (err as Error).message);
    throw err;
  }
}

/** Lay the input root out under `dir`; file contents come from the blob cache, as hard links. */
async function materialize(ctx: ExecuteContext, root: Digest, dir: string): Promise<void> {
  const cacheDir = path.join(ctx.workDir, 'blobs');
  fs.mkdirSync(cacheDir, { recursive: true });
  const files: { digest: Digest; host: string; executable: boolean }[] = [];
  const dirs = new Map<string, Msg>();
  // Directory messages, breadth first, a batch per level.
  let level: { digest: Digest; host: string }[] = [{ digest: root, host: dir }];
  while (level.length > 0) {
    const wanted = level.filter((l) => !dirs.has(digestKey(l.digest))).map((l) => l.digest);
    const got = wanted.length ? await readMany(ctx, wanted) : new Map<string, Buffer>();
    for (const [k, bytes] of got) dirs.set(k, decodeMessage(`${REAPI}.Directory`, bytes));
    const next: typeof level = [];
    for (const l of level) {
      const msg = dirs.get(digestKey(l.digest))!;
      fs.mkdirSync(l.host, { recursive: true });
      for (const f of msg.files ?? []) files.push({ digest: normalizeDigest(f.digest), host: path.join(l.host, safe(f.name)), executable: !!f.is_executable });
      for (const s of msg.symlinks ?? []) fs.symlinkSync(String(s.target), path.join(l.host, safe(s.name)));
      for (const d of msg.directories ?? []) next.push({ digest: normalizeDigest(d.digest), host: path.join(l.host, safe(d.name)) });
    }
    level = next;
  }
  const cached = (f: (typeof files)[number]) => path.join(cacheDir, `${f.digest.hash}${f.executable ? '-x' : ''}`);
  const absent = [...new Map(files.filter((f) => !fs.existsSync(cached(f))).map((f) => [digestKey(f.digest), f.digest])).values()];
  for (let i = 0; i < absent.length; i += 256) {
    const got = await readMany(ctx, absent.slice(i, i + 256));
    for (const [key, bytes] of got) {
      const hash = key.split('/')[0]!;
      for (const x of ['', '-x']) {
        const tmp = path.join(cacheDir, `.tmp-${process.pid}-${hash}${x}`);
        fs.writeFileSync(tmp, bytes, { mode: x ? 0o555 : 0o444 });
        fs.renameSync(tmp, path.join(cacheDir, `${hash}${x}`));
      }
    }
  }
  for (const f of files) fs.linkSync(cached(f), f.host);
}

async function readMany(ctx: ExecuteContext, digests: Digest[]): Promise<Map<string, Buffer>> {
  try {
    return await ctx.client.cas.read(digests);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_REMOTE_MISSING_BLOB') throw new ActionStatus(FAILED_PRECONDITION, (err as Error).message);
    throw err;
  }
}

function safe(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw new ActionStatus(3, `input root entry '${name}' is not a file name`);
  return name;
}

function runCommand(command: Msg, cwd: string, dir: string, timeoutMs: number, signal: AbortSignal): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const v of command.environment_variables ?? []) env[v.name] = v.value;
  const [file, ...args] = command.arguments as string[];
  if (!file) throw new ActionStatus(3, 'the command has no arguments');
  const stdout = path.join(dir, '.bot-stdout');
  const stderr = path.join(dir, '.bot-stderr');
  const out = fs.openSync(stdout, 'w');
  const err = fs.openSync(stderr, 'w');
  return new Promise((resolve, reject) => {
    // argv[0] without a slash is looked up in the action's PATH, else in the bot's own.
    const child = spawn(file, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', out, err] });
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs) : null;
    const abort = () => child.kill('SIGKILL');
    signal.addEventListener('abort', abort, { once: true });
    const done = () => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      fs.closeSync(out);
      fs.closeSync(err);
    };
    child.on('error', (e) => {
      done();
      reject(new ActionStatus(FAILED_PRECONDITION, `cannot run ${file}: ${e.message}`));
    });
    child.on('exit', (code, sig) => {
      done();
      if (signal.aborted) reject(new ActionStatus(CANCELLED, 'cancelled'));
      else if (timedOut) reject(new ActionStatus(DEADLINE_EXCEEDED, `the action exceeded its timeout of ${timeoutMs} ms`));
      else resolve({ exitCode: code ?? 128 + (sig ? 9 : 0), stdout, stderr });
    });
  });
}

/** Add one declared output (file, directory or symlink; absent is fine) to the result. */
function collectOutput(host: string, name: string, result: Msg, blobs: BlobSource[]): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(host);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) {
    (result.output_symlinks ??= []).push({ path: name, target: fs.readlinkSync(host) });
    return;
  }
  const m = new MerkleBuilder(false);
  const node = m.host(host);
  if (node.kind === 'file') {
    result.output_files.push({ path: name, digest: node.digest, is_executable: node.executable });
    blobs.push(...m.blobsOf(m.directory({ f: node })).filter((b) => b.file));
    return;
  }
  if (node.kind !== 'dir') return;
  blobs.push(...m.blobsOf(node.digest));
  const tree = encodeMessage(`${REAPI}.Tree`, { root: m.directoryMessage(node.digest), children: m.childrenOf(node.digest) });
  const treeBlob = m.file(tree);
  if (treeBlob.kind === 'file') {
    blobs.push({ digest: treeBlob.digest, bytes: tree });
    result.output_directories.push({ path: name, tree_digest: treeBlob.digest, is_topologically_sorted: false });
  }
}
