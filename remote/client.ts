// A Remote Execution API v2 client: capabilities, the CAS (cas.ts), the Action Cache, and
// Execute/WaitExecution with their long-running operations, over one HTTP/2 channel.
import { WpmError } from '../util/errors.js';
import { Cas } from './cas.js';
import { normalizeDigest, type Digest } from './digest.js';
import type { RemoteEndpoint } from './endpoint.js';
import { GrpcService, grpc, grpcCode, type CallOptions } from './grpc-service.js';
import { REAPI, unpackAny, type Msg } from './proto.js';

export interface ServerCapabilities {
  execEnabled: boolean;
  acUpdateEnabled: boolean;
  maxBatchBytes: number;
  /** The newest REAPI version the server speaks, e.g. 2.2: output_paths arrived in 2.1. */
  highApi: { major: number; minor: number };
}

/** What an Execute call ended with, or threw. */
export interface ExecuteOutcome {
  result: Msg;
  cachedResult: boolean;
  operation: string;
}

/** Execution stages reported while an action waits and runs. */
export type Stage = 'UNKNOWN' | 'CACHE_CHECK' | 'QUEUED' | 'EXECUTING' | 'COMPLETED';

/** A status from the server: a gRPC error or an ExecuteResponse's status. */
export class RemoteStatusError extends WpmError {
  constructor(readonly grpcStatus: number, message: string) {
    super('ERR_REMOTE_STATUS', message);
  }
}

const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.INTERNAL, grpc.status.ABORTED, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED]);

export function isRetryable(err: unknown): boolean {
  const code = err instanceof RemoteStatusError ? err.grpcStatus : grpcCode(err);
  return code !== undefined && RETRYABLE.has(code);
}

export class RemoteClient {
  readonly cas: Cas;
  private readonly services: GrpcService[] = [];
  private readonly execution: GrpcService;
  private readonly actionCache: GrpcService;
  private readonly operations: GrpcService;

  private constructor(
    readonly endpoint: RemoteEndpoint,
    readonly caps: ServerCapabilities,
    first: GrpcService,
  ) {
    const channel = first.client.getChannel();
    const svc = (name: string) => {
      const s = new GrpcService(endpoint, name, channel);
      this.services.push(s);
      return s;
    };
    this.services.push(first);
    this.execution = svc(`${REAPI}.Execution`);
    this.actionCache = svc(`${REAPI}.ActionCache`);
    this.operations = svc('google.longrunning.Operations');
    this.cas = new Cas(svc(`${REAPI}.ContentAddressableStorage`), svc('google.bytestream.ByteStream'), endpoint.instance, caps.maxBatchBytes);
  }

  /** Connect and ask the server what it does; fails with ERR_REMOTE_UNREACHABLE if it does not answer. */
  static async connect(endpoint: RemoteEndpoint, opts: { timeoutMs?: number } = {}): Promise<RemoteClient> {
    const caps = new GrpcService(endpoint, `${REAPI}.Capabilities`);
    let res: Msg;
    try {
      res = await caps.unary('GetCapabilities', { instance_name: endpoint.instance }, { deadlineMs: opts.timeoutMs ?? 10_000 });
    } catch (cause) {
      caps.close();
      throw new WpmError('ERR_REMOTE_UNREACHABLE', `the remote execution server ${endpoint.url} did not answer: ${(cause as Error).message}`, { cause });
    }
    const cache = res.cache_capabilities ?? {};
    const exec = res.execution_capabilities ?? {};
    const digestFns: string[] = [...(cache.digest_functions ?? []), exec.digest_function].filter(Boolean);
    if (digestFns.length > 0 && !digestFns.includes('SHA256')) {
      caps.close();
      throw new WpmError('ERR_REMOTE_UNSUPPORTED', `${endpoint.url} does not take SHA-256 digests (it offers ${digestFns.join(', ')})`);
    }
    const high = res.high_api_version ?? { major: 2, minor: 0 };
    return new RemoteClient(endpoint, {
      execEnabled: !!exec.exec_enabled,
      acUpdateEnabled: !!cache.action_cache_update_capabilities?.update_enabled,
      maxBatchBytes: Number(cache.max_batch_total_size_bytes ?? 0),
      highApi: { major: Number(high.major ?? 2), minor: Number(high.minor ?? 0) },
    }, caps);
  }

  /** The cached result of an action, or null. */
  async getActionResult(action: Digest, opts: CallOptions = {}): Promise<Msg | null> {
    try {
      return await this.actionCache.unary('GetActionResult', { instance_name: this.endpoint.instance, action_digest: action, inline_stdout: true, inline_stderr: true }, opts);
    } catch (err) {
      if (grpcCode(err) === grpc.status.NOT_FOUND) return null;
      throw err;
    }
  }

  async updateActionResult(action: Digest, result: Msg, opts: CallOptions = {}): Promise<void> {
    await this.actionCache.unary('UpdateActionResult', { instance_name: this.endpoint.instance, action_digest: action, action_result: result }, opts);
  }

  /**
   * Execute an action and wait for it. A stream that breaks is picked up again with
   * WaitExecution; an abort cancels the stream and asks the server to cancel the operation.
   */
  async execute(action: Digest, opts: { signal?: AbortSignal; skipCacheLookup?: boolean; onStage?: (stage: Stage) => void } = {}): Promise<ExecuteOutcome> {
    let operation = '';
    let reconnects = 0;
    let busy = 0;
    const cancelRemote = () => {
      if (operation) void this.operations.unary('CancelOperation', { name: operation }, { deadlineMs: 5000 }).catch(() => {});
    };
    opts.signal?.addEventListener('abort', cancelRemote, { once: true });
    try {
      for (;;) {
        if (opts.signal?.aborted) throw new WpmError('ERR_INTERRUPTED', 'the remote action was cancelled');
        const call = operation
          ? this.execution.serverStream('WaitExecution', { name: operation }, opts.signal ? { signal: opts.signal } : {})
          : this.execution.serverStream('Execute', { instance_name: this.endpoint.instance, action_digest: action, skip_cache_lookup: !!opts.skipCacheLookup }, opts.signal ? { signal: opts.signal } : {});
        try {
          for await (const op of call) {
            if (op.name) operation = op.name;
            const meta = unpackAny(op.metadata, `${REAPI}.ExecuteOperationMetadata`);
            if (meta?.stage) opts.onStage?.(meta.stage as Stage);
            if (!op.done) continue;
            if (op.error && op.error.code !== 0) throw new RemoteStatusError(op.error.code, `remote execution failed: ${op.error.message || `status ${op.error.code}`}`);
            const res = unpackAny(op.response, `${REAPI}.ExecuteResponse`);
            if (!res) throw new WpmError('ERR_REMOTE_BAD_RESULT', `operation ${operation} finished without an ExecuteResponse`);
            if (res.status && res.status.code !== 0) {
              throw new RemoteStatusError(res.status.code, `remote execution failed: ${res.status.message || `status ${res.status.code}`}`);
            }
            if (!res.result) throw new WpmError('ERR_REMOTE_BAD_RESULT', `operation ${operation} finished without a result`);
            return { result: res.result, cachedResult: !!res.cached_result, operation };
          }
        } catch (err) {
          if (opts.signal?.aborted) throw new WpmError('ERR_INTERRUPTED', 'the remote action was cancelled', { cause: err });
          if (err instanceof RemoteStatusError) throw err;
          const code = grpcCode(err);
          if (code === grpc.status.RESOURCE_EXHAUSTED && ++busy <= 40) {
            // The server is at its limit of concurrent calls (BuildGrid's thread pool): wait, with
            // exponential backoff and jitter up to 15 s, about five minutes in all.
            await new Promise((r) => setTimeout(r, Math.min(15_000, 250 * 2 ** Math.min(busy, 6)) * (0.5 + Math.random() / 2)));
            continue;
          }
          // The stream broke: pick the operation up again, or start over if the server forgot it.
          if (code === grpc.status.NOT_FOUND && operation) operation = '';
          else if (code === undefined || !RETRYABLE.has(code) || ++reconnects > 5) throw err;
          await new Promise((r) => setTimeout(r, 200 * reconnects));
          continue;
        }
        // The stream ended before the operation was done: wait on it again.
        if (++reconnects > 50) throw new WpmError('ERR_REMOTE_BAD_RESULT', `operation ${operation} never finished`);
      }
    } finally {
      opts.signal?.removeEventListener('abort', cancelRemote);
    }
  }

  close(): void {
    for (const s of this.services) s.close();
  }
}

export { normalizeDigest };
