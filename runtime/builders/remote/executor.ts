// Runs a wpm step on a Remote Execution API cluster (docs/remote.md): the step becomes an Action
// (remote/action.ts), the Action Cache is asked first, then the action is executed; its outputs
// are fetched from the CAS (every blob checked against its digest) into the local builder's
// scratch directory, where they are NAR-hashed, scanned and registered as if built here.
// Whatever goes wrong with the server is a warning and a local build, unless remoteOnly.
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { WpmError, isWpmError } from '../../../util/errors.js';
import { isErrorCode } from '../../../util/error-codes.js';
import { distFile } from '../../../util/dist-dir.js';
import {
  MerkleBuilder, RemoteClient, RemoteStatusError, digestKey, isRetryable, parseEndpoint, writeTree,
  type BlobSource, type Msg, type RemoteEndpoint, type Stage,
} from '../../../remote/index.js';
import { buildAction, DEFAULT_PLATFORM } from '../../../remote/action.js';
import { resultTree } from '../../../remote/local-result.js';
import { RESULT_DIR, STEP_FORMAT, type RemoteStepSpec, type RunnerStatus } from '../../../remote/step-spec.js';

export interface RemoteSettings {
  /** grpc://HOST:PORT or grpcs://HOST[:PORT]. */
  url: string;
  instance?: string;
  /** 'NAME: VALUE' each. */
  headers?: string[];
  /** Only the Action Cache: look results up, never execute (--remote-cache). */
  cacheOnly?: boolean;
  /** Upload what was built locally to the Action Cache (--remote-upload). */
  uploadLocal?: boolean;
  /** Fail instead of building locally when the server cannot be used (--remote-only). */
  remoteOnly?: boolean;
  /** Steps run remotely at once (--remote-jobs). */
  jobs?: number;
  platform?: Record<string, string>;
}

/** What the executor needs of a step: the local builder's view, already rewritten. */
export interface RemoteStepRequest {
  drvPath: string;
  name: string;
  builder: string;
  args: string[];
  env: Record<string, string>;
  stdin: Uint8Array;
  outputs: Record<string, string>;
  inputs: string[];
  seed: Uint8Array;
  limits: RemoteStepSpec['limits'];
  /** Host path of a store path. */
  toHost: (storePath: string) => string;
  /** Where each output goes (absent), the log file, a scratch directory of the step's own. */
  outHost: Record<string, string>;
  logFile: string;
  work: string;
  signal?: AbortSignal;
}

export type RemoteEvent =
  | { type: 'remote'; drvPath: string; name: string; state: 'cache-hit' | 'executing' | 'queued' | 'done' | 'uploaded'; server: string }
  | { type: 'remote-warning'; message: string };

export type RemoteOutcome = 'built' | 'local';

const MAX_ATTEMPTS = 4;

export class RemoteExecutor {
  private client: Promise<RemoteClient | null> | null = null;
  private readonly endpoint: RemoteEndpoint;
  private readonly merkle = new MerkleBuilder(true);
  private runner: Buffer | null = null;
  private warned = false;
  /** Digests the server is known to hold (found or uploaded by this process). */
  private readonly present = new Set<string>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Actions executed (not answered from the cache) by this process, for tests and benchmarks. */
  readonly stats = { executed: 0, cacheHits: 0, uploaded: 0, fallbacks: 0, retries: 0 };

  constructor(
    readonly settings: RemoteSettings,
    private readonly onEvent: (e: RemoteEvent) => void = () => {},
  ) {
    this.endpoint = parseEndpoint(settings.url, { ...(settings.instance ? { instance: settings.instance } : {}), ...(settings.headers ? { headers: settings.headers } : {}) });
  }

  /** Steps the remote side may take: WASI core modules (builtins and components stay local). */
  handles(builderHost: string): boolean {
    const fd = fs.openSync(builderHost, 'r');
    try {
      const head = Buffer.alloc(8);
      fs.readSync(fd, head, 0, 8, 0);
      return head.readUInt32LE(0) === 0x6d736100 && head.readUInt32LE(4) === 1;
    } finally {
      fs.closeSync(fd);
    }
  }

  get uploadsLocal(): boolean {
    return !!this.settings.uploadLocal;
  }

  private warn(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.onEvent({ type: 'remote-warning', message });
  }

  private connect(): Promise<RemoteClient | null> {
    this.client ??= RemoteClient.connect(this.endpoint, { timeoutMs: 10_000 }).then(
      (c) => {
        if (!this.settings.cacheOnly && !c.caps.execEnabled) {
          if (this.settings.remoteOnly) throw new WpmError('ERR_REMOTE_UNSUPPORTED', `${this.endpoint.url} does not execute actions`, { hint: 'use --remote-cache for a cache-only server' });
          this.warn(`${this.endpoint.url} does not execute actions: building locally, using it as a cache`);
        }
        return c;
      },
      (err) => {
        if (this.settings.remoteOnly) throw err;
        this.warn(`${(err as Error).message}; building locally`);
        return null;
      },
    );
    return this.client;
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    const limit = this.settings.jobs ?? 16;
    while (this.running >= limit) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private runnerBytes(): Buffer {
    this.runner ??= fs.readFileSync(distFile('remote/wpm-runner.mjs'));
    return this.runner;
  }

  private action(req: RemoteStepRequest, client: RemoteClient) {
    const spec: RemoteStepSpec = {
      format: STEP_FORMAT, drvPath: req.drvPath, name: req.name, builder: req.builder, args: req.args, env: req.env,
      outputs: req.outputs, inputs: req.inputs, seed: Buffer.from(req.seed).toString('hex'), cwd: '/build', limits: req.limits,
    };
    return buildAction(this.merkle, {
      spec, stdin: req.stdin, runner: this.runnerBytes(), toHost: req.toHost,
      platform: { ...DEFAULT_PLATFORM, ...(this.settings.platform ?? {}) },
      outputPaths: client.caps.highApi.major > 2 || client.caps.highApi.minor >= 1,
    });
  }

  /**
   * Build the step remotely into `req.outHost`. 'local' means: build it here instead (the server
   * is unusable, or cache-only and missing). Throws the step's own failure as the local builder would.
   */
  async build(req: RemoteStepRequest): Promise<RemoteOutcome> {
    // Every remote step listens for Ctrl-C on the build's one signal, many at once.
    if (req.signal) setMaxListeners(0, req.signal);
    const client = await this.connect();
    if (client === null) return 'local';
    return this.slot(async () => {
      try {
        const action = this.action(req, client);
        const cached = await client.getActionResult(action.digest, req.signal ? { signal: req.signal } : {});
        if (cached && cached.exit_code === 0) {
          await this.take(client, cached, req);
          this.stats.cacheHits++;
          this.onEvent({ type: 'remote', drvPath: req.drvPath, name: req.name, state: 'cache-hit', server: this.endpoint.url });
          return 'built';
        }
        if (this.settings.cacheOnly || !client.caps.execEnabled) return 'local';
        for (let attempt = 1; ; attempt++) {
          await this.uploadMissing(client, action.blobs);
          try {
            const onStage = (stage: Stage) => {
              if (stage === 'EXECUTING' || stage === 'QUEUED') this.onEvent({ type: 'remote', drvPath: req.drvPath, name: req.name, state: stage === 'EXECUTING' ? 'executing' : 'queued', server: this.endpoint.url });
            };
            const out = await client.execute(action.digest, { ...(req.signal ? { signal: req.signal } : {}), onStage });
            if (out.cachedResult) this.stats.cacheHits++;
            else this.stats.executed++;
            await this.take(client, out.result, req);
            this.onEvent({ type: 'remote', drvPath: req.drvPath, name: req.name, state: 'done', server: this.endpoint.url });
            return 'built';
          } catch (err) {
            // A blob the server lost between our upload and the worker's fetch: upload again.
            const precondition = err instanceof RemoteStatusError && err.grpcStatus === 9;
            // The server lost blobs it had: ask about every blob again.
            if (precondition) this.present.clear();
            if ((precondition || isRetryable(err)) && attempt < MAX_ATTEMPTS && !req.signal?.aborted) {
              this.stats.retries++;
              continue;
            }
            throw err;
          }
        }
      } catch (err) {
        if (req.signal?.aborted) throw new WpmError('ERR_INTERRUPTED', `${req.name}: interrupted`, { cause: err });
        if (isWpmError(err) && err.code.startsWith('ERR_BUILD') || isWpmError(err) && err.code.startsWith('ERR_WASI')) throw err;
        if (this.settings.remoteOnly) throw err;
        this.stats.fallbacks++;
        this.onEvent({ type: 'remote-warning', message: `${req.name}: remote execution failed (${(err as Error).message}); building it locally` });
        for (const h of Object.values(req.outHost)) fs.rmSync(h, { recursive: true, force: true });
        return 'local';
      }
    });
  }

  /** A result's outputs into place, or the step's failure as the local builder reports it. */
  private async take(client: RemoteClient, result: Msg, req: RemoteStepRequest): Promise<void> {
    const dir = (result.output_directories ?? []).find((d: Msg) => d.path === RESULT_DIR);
    if (!dir) {
      throw new WpmError('ERR_REMOTE_BAD_RESULT', `${req.name}: the remote result has no ${RESULT_DIR}/ (exit ${result.exit_code}); does the worker have Node on its PATH?`, {
        hint: 'see docs/remote.md for what workers need',
      });
    }
    const into = path.join(req.work, 'remote-result');
    fs.rmSync(into, { recursive: true, force: true });
    const tree = await client.cas.readOne({ hash: dir.tree_digest.hash, size_bytes: Number(dir.tree_digest.size_bytes) });
    await writeTree(client.cas, tree, into, req.signal ? { signal: req.signal } : {});
    const log = path.join(into, 'log');
    if (fs.existsSync(log)) fs.copyFileSync(log, req.logFile);
    let status: RunnerStatus;
    try {
      status = JSON.parse(fs.readFileSync(path.join(into, 'status.json'), 'utf8')) as RunnerStatus;
    } catch (cause) {
      throw new WpmError('ERR_REMOTE_BAD_RESULT', `${req.name}: the remote step runner left no status (exit ${result.exit_code})`, { cause });
    }
    if ('error' in status) {
      // The runner's own verdict (a limit, a trap): the same code as a local run gives.
      const code = isErrorCode(status.error.code) ? status.error.code : 'ERR_REMOTE_RUNNER';
      throw new WpmError(code, `${status.error.message} (on ${this.endpoint.url})`, status.error.hint ? { hint: status.error.hint } : {});
    }
    if (status.exitCode !== 0) {
      throw new WpmError('ERR_BUILD_FAILED', `builder for '${req.name}' (${req.drvPath}) exited with status ${status.exitCode}`);
    }
    for (const [name, host] of Object.entries(req.outHost)) {
      const got = path.join(into, 'outputs', name);
      if (fs.existsSync(got) || isSymlink(got)) fs.renameSync(got, host);
    }
  }

  /**
   * Upload the blobs the server lacks. Blobs it is known to hold are not asked about again in
   * this process (an action's input root repeats the toolchain's thousands of files).
   */
  private async uploadMissing(client: RemoteClient, blobs: BlobSource[]): Promise<void> {
    const unknown = blobs.filter((b) => !this.present.has(digestKey(b.digest)));
    const missing = new Set((await client.cas.findMissing(unknown.map((b) => b.digest))).map(digestKey));
    await client.cas.upload(unknown.filter((b) => missing.has(digestKey(b.digest))));
    for (const b of unknown) this.present.add(digestKey(b.digest));
  }

  /** Put a locally built step's result in the Action Cache (--remote-upload). */
  async uploadLocal(req: RemoteStepRequest): Promise<void> {
    const client = await this.connect();
    if (client === null || !client.caps.acUpdateEnabled) return;
    try {
      const action = this.action(req, client);
      const { tree, blobs } = resultTree(req.outHost, req.logFile);
      await this.uploadMissing(client, [...blobs, ...action.blobs]);
      await client.updateActionResult(action.digest, { exit_code: 0, output_directories: [{ path: RESULT_DIR, tree_digest: tree }] });
      this.stats.uploaded++;
      this.onEvent({ type: 'remote', drvPath: req.drvPath, name: req.name, state: 'uploaded', server: this.endpoint.url });
    } catch (err) {
      this.onEvent({ type: 'remote-warning', message: `${req.name}: could not upload the result to ${this.endpoint.url} (${(err as Error).message})` });
    }
  }

  async close(): Promise<void> {
    const c = await this.client?.catch(() => null);
    c?.close();
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
