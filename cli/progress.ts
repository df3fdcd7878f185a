// Rendering build events on stderr: a live status area on a TTY, one plain line per event
// elsewhere, JSON lines with --json. Results go to stdout, never here. Off a TTY a long step
// says it is still going, at growing intervals, so that a log (CI's) never goes silent.
import type { BuildEvent } from '../runtime/scheduler/index.js';

export type ProgressMode = 'tty' | 'plain' | 'json' | 'quiet';

export interface Progress {
  onEvent(event: BuildEvent): void;
  /** Stop the live area (leaves the final counts). */
  finish(): void;
}

export function chooseMode(json: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (json) return 'json';
  return stream.isTTY && process.env.TERM !== 'dumb' ? 'tty' : 'plain';
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

export interface ProgressOptions {
  /** Off a TTY, the first "still building" line comes after this long; then at twice the time
   * since the start, up to ten minutes apart (default 30 s). */
  stillAfterMs?: number;
}

const STILL_MAX_GAP_MS = 10 * 60_000;

export function createProgress(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr, opts: ProgressOptions = {}): Progress {
  const stillAfterMs = opts.stillAfterMs ?? 30_000;
  const counts = { built: 0, cached: 0, failed: 0, total: 0 };
  /** Steps Ctrl-C stopped: their dependents were not started for that reason, not a failure. */
  const interrupted = new Set<string>();
  const running = new Map<string, { name: string; since: number; nextNotice: number }>();
  const started = Date.now();
  let statusShown = false;
  let timer: NodeJS.Timeout | undefined;

  const clearStatus = () => {
    if (statusShown) stream.write('\r\x1b[2K');
    statusShown = false;
  };
  const drawStatus = () => {
    if (mode !== 'tty') return;
    const now = Date.now();
    const names = [...running.values()]
      .map((r) => `${r.name} ${seconds(now - r.since)}`)
      .join(', ');
    let line = `[${counts.built + counts.cached}/${counts.total} done: ${counts.built} built, ${counts.cached} cached, ${running.size} running, ${counts.failed} failed, ${seconds(now - started)}]`;
    if (names) line += ` ${names}`;
    const width = stream.columns || 100; // 0 when the terminal does not say (script, some CI)
    if (line.length > width - 1) line = line.slice(0, width - 2) + '…';
    stream.write(`\r\x1b[2K${line}`);
    statusShown = true;
  };
  const say = (text: string) => {
    if (mode === 'quiet') return;
    clearStatus();
    stream.write(text + '\n');
    drawStatus();
  };
  const sayStillRunning = () => {
    const now = Date.now();
    for (const r of running.values()) {
      if (now < r.nextNotice) continue;
      say(`still building ${r.name} (${seconds(now - r.since)})`);
      // From the time the notice was due, not the tick that noticed it: 30 s, 60 s, 120 s…
      const due = r.nextNotice - r.since;
      r.nextNotice = r.since + Math.min(2 * due, due + STILL_MAX_GAP_MS);
    }
  };

  return {
    onEvent(e) {
      switch (e.type) {
        case 'plan':
          counts.total = e.toBuild;
          if (mode === 'tty' && !timer) {
            timer = setInterval(drawStatus, 100);
            timer.unref();
          }
          if (mode === 'plain' && !timer) {
            timer = setInterval(sayStillRunning, Math.min(1000, stillAfterMs));
            timer.unref();
          }
          break;
        case 'start':
          running.set(e.drvPath, { name: e.name, since: Date.now(), nextNotice: Date.now() + stillAfterMs });
          if (mode === 'plain') say(`building ${e.name}`);
          break;
        case 'built':
          running.delete(e.drvPath);
          counts.built++;
          if (mode !== 'json') say(e.checked ? `checked ${e.name}: rebuilt in ${seconds(e.durationMs)}, the same bytes` : `built ${e.name} in ${seconds(e.durationMs)}`);
          break;
        case 'cached':
          running.delete(e.drvPath);
          counts.cached++;
          if (mode === 'plain') say(`${e.name} was built by another process`);
          break;
        case 'failed':
          running.delete(e.drvPath);
          counts.failed++;
          if (mode !== 'json') {
            const tail = e.logTail ? `\n${e.logTail.replace(/^/gm, '  > ')}` : ' (its log is empty)';
            say(`FAILED ${e.name}: ${e.message}${tail}`);
          }
          break;
        case 'interrupted':
          running.delete(e.drvPath);
          interrupted.add(e.drvPath);
          if (mode !== 'json') say(`stopped ${e.name} (interrupted)`);
          break;
        case 'dependency-failed':
          if (mode !== 'json') say(interrupted.has(e.failedInput) ? `not started ${e.name} (interrupted)` : `skipped ${e.name}: input ${e.failedInput} failed`);
          break;
        case 'waiting-for-lock':
          if (mode !== 'json') say(`waiting for another wpm building ${e.name}`);
          break;
      }
      if (mode === 'json') stream.write(JSON.stringify({ ...e, time: Date.now() }) + '\n');
      else drawStatus();
    },
    finish() {
      if (timer) clearInterval(timer);
      clearStatus();
    },
  };
}
