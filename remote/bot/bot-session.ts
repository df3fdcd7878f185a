// A Remote Workers API bot: it holds a BotSession with the scheduler (BuildGrid's Bots service),
// takes the leases it is given, runs each action (execute-action.ts) and reports the result in
// the next UpdateBotSession. The scheduler retries a lease whose bot stops reporting (its
// session expires), so a bot killed mid-action costs a retry, not a failed build.
import os from 'node:os';
import type { RemoteClient } from '../client.js';
import { GrpcService, grpcCode, grpc } from '../grpc-service.js';
import { packAny, REAPI, type Msg } from '../proto.js';
import { ActionStatus, executeAction } from './execute-action.js';

export interface BotOptions {
  client: RemoteClient;
  instance: string;
  /** Platform properties the bot offers (the primary device's), e.g. { 'wpm-runner': 'node' }. */
  properties: Record<string, string>;
  capacity: number;
  workDir: string;
  botId?: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

interface Running {
  lease: Msg;
  abort: AbortController;
  done?: { status: Msg; result?: Msg };
}

const UPDATE_DEADLINE_MS = 30_000;
/** How often a busy bot tells the scheduler it is alive. */
const HEARTBEAT_MS = 2000;

export async function runBot(opts: BotOptions): Promise<void> {
  const bots = new GrpcService(opts.client.endpoint, 'google.devtools.remoteworkers.v1test2.Bots');
  const botId = opts.botId ?? `${os.hostname()}-${process.pid}`;
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const running = new Map<string, Running>();
  let wake: () => void = () => {};
  const worker = {
    devices: [{ handle: botId, properties: Object.entries(opts.properties).map(([key, value]) => ({ key, value })) }],
    configs: [{ key: 'capacity', value: String(opts.capacity) }],
  };
  let session: Msg | null = null;

  const start = (lease: Msg) => {
    const r: Running = { lease, abort: new AbortController() };
    running.set(lease.id, r);
    log(`bot ${botId}: executing lease ${lease.id}`);
    const ctx = { client: opts.client, workDir: opts.workDir, botName: botId, signal: r.abort.signal, log };
    executeAction(ctx, lease.payload).then(
      (result) => {
        r.done = { status: { code: 0 }, result };
        log(`bot ${botId}: finished lease ${lease.id} (exit ${result.exit_code})`);
      },
      (err) => {
        const code = err instanceof ActionStatus ? err.code : grpcCode(err) ?? grpc.status.INTERNAL;
        r.done = { status: { code, message: (err as Error).message } };
        log(`bot ${botId}: lease ${lease.id} failed: ${(err as Error).message}`);
      },
    ).finally(() => wake());
  };

  /** Leases as this bot reports them: finished ones COMPLETED with their result, the rest ACTIVE. */
  const reported = (): Msg[] =>
    [...running.values()].map((r) =>
      r.done
        ? { id: r.lease.id, payload: r.lease.payload, state: 'COMPLETED', status: r.done.status, ...(r.done.result ? { result: packAny(`${REAPI}.ActionResult`, r.done.result) } : {}) }
        : { id: r.lease.id, payload: r.lease.payload, state: 'ACTIVE' },
    );

  const reconcile = (s: Msg) => {
    const offered = new Map<string, Msg>((s.leases ?? []).map((l: Msg) => [l.id, l]));
    for (const [id, r] of running) {
      const l = offered.get(id);
      if (r.done && (!l || l.state !== 'ACTIVE')) running.delete(id); // acknowledged
      else if (!r.done && (!l || l.state === 'CANCELLED')) {
        log(`bot ${botId}: lease ${id} cancelled`);
        r.abort.abort();
        running.delete(id);
      }
    }
    for (const l of offered.values()) {
      if ((l.state === 'PENDING' || l.state === 'ACTIVE') && !running.has(l.id)) start(l);
    }
  };

  while (!opts.signal?.aborted) {
    try {
      if (session === null) {
        log(`bot ${botId}: opening a session (${Object.entries(opts.properties).map(([k, v]) => `${k}=${v}`).join(', ')}, capacity ${opts.capacity})`);
        session = await bots.unary('CreateBotSession', { parent: opts.instance, bot_session: { bot_id: botId, status: 'OK', worker } }, { deadlineMs: UPDATE_DEADLINE_MS });
        log(`bot ${botId}: session ${session.name}`);
      } else {
        const busy = running.size >= opts.capacity && ![...running.values()].some((r) => r.done);
        if (busy) {
          // At capacity the scheduler answers at once: wait for a finish or the heartbeat.
          await new Promise<void>((r) => {
            const t = setTimeout(r, HEARTBEAT_MS);
            wake = () => {
              clearTimeout(t);
              r();
            };
          });
        }
        const body = { name: session.name, bot_id: botId, status: 'OK', worker, leases: reported(), version: session.version ?? '' };
        session = await bots.unary('UpdateBotSession', { name: session.name, bot_session: body }, { deadlineMs: UPDATE_DEADLINE_MS, ...(opts.signal ? { signal: opts.signal } : {}) });
      }
      reconcile(session!);
    } catch (err) {
      if (opts.signal?.aborted) break;
      const code = grpcCode(err);
      log(`bot ${botId}: ${(err as Error).message}`);
      if (code === grpc.status.NOT_FOUND || code === grpc.status.INVALID_ARGUMENT || code === grpc.status.DATA_LOSS) {
        // The scheduler dropped the session (it expired): its leases went back to the queue.
        for (const r of running.values()) r.abort.abort();
        running.clear();
        session = null;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  for (const r of running.values()) r.abort.abort();
  bots.close();
}
