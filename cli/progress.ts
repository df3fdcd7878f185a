// Rendering build events on stderr: a live status area on a TTY, one plain line per event
// elsewhere, JSON lines with --json. Results go to stdout, never here. Off a TTY a long step
// says it is still going, at growing intervals, so that a log (CI's) never goes silent.
import type { BuildEvent } from '../runtime/scheduler/index.js';
import { LogTailer } from './log-tail.js';
import { noNames, type Namer } from './source-names.js';

export type ProgressMode = 'tty' | 'plain' | 'json' | 'quiet';

export interface Progress {
  onEvent(event: BuildEvent): void;
  /** How the user's sources are named in what steps print (known once evaluation is done). */
  setNames(names: Namer): void;
  /** Stop the live area, then show what steps that succeeded printed. */
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
  /** -L: stream every step's log as it grows, each line prefixed by the step's name. */
  printLogs?: { logFileOf: (drvPath: string) => string };
}

/** Lines of a succeeded step's output shown after the build; the rest is in its log. */
const OUTPUT_LINES = 40;

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
  let names: Namer = noNames;
  /** What steps that succeeded printed, told after the build as Bazel tells an action's warnings. */
  const outputs: { name: string; drvPath: string; text: string }[] = [];

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
  const tail = opts.printLogs && mode !== 'json' && mode !== 'quiet' ? new LogTailer(opts.printLogs.logFileOf, (line) => say(names(line))) : undefined;
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
          tail?.start(e.drvPath, e.name);
          break;
        case 'built':
          running.delete(e.drvPath);
          counts.built++;
          tail?.stop(e.drvPath);
          if (e.output !== undefined && !tail) outputs.push({ name: e.name, drvPath: e.drvPath, text: e.output });
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
          tail?.stop(e.drvPath);
          if (mode !== 'json') {
            const logTail = e.logTail ? `\n${names(e.logTail).replace(/^/gm, '  > ')}` : ' (its log is empty)';
            say(`FAILED ${e.name}: ${e.message}${tail ? '' : logTail}`);
          }
          break;
        case 'interrupted':
          running.delete(e.drvPath);
          tail?.stop(e.drvPath);
          interrupted.add(e.drvPath);
          if (mode !== 'json') say(`stopped ${e.name} (interrupted)`);
          break;
        case 'dependency-failed':
          if (mode !== 'json') say(interrupted.has(e.failedInput) ? `not started ${e.name} (interrupted)` : `skipped ${e.name}: input ${e.failedInput} failed`);
          break;
        case 'waiting-for-lock':
          if (mode !== 'json') say(`waiting for another wpm building ${e.name}`);
          break;
        case 'remote': {
          const r = running.get(e.drvPath);
          if (r && !r.name.endsWith(' (remote)')) r.name += ' (remote)';
          if (mode !== 'plain') break;
          if (e.state === 'executing') say(`running ${e.name} on ${e.server}`);
          else if (e.state === 'cache-hit') say(`${e.name} is in the action cache of ${e.server}`);
          else if (e.state === 'uploaded') say(`uploaded ${e.name} to ${e.server}`);
          break;
        }
        case 'remote-warning':
          if (mode !== 'json') say(`warning: ${e.message}`);
          break;
      }
      if (mode === 'json') stream.write(JSON.stringify({ ...e, time: Date.now() }) + '\n');
      else drawStatus();
    },
    setNames(n) {
      names = n;
    },
    finish() {
      if (timer) clearInterval(timer);
      tail?.close();
      clearStatus();
      if (mode === 'json' || mode === 'quiet') return;
      for (const o of outputs.splice(0)) {
        const lines = names(o.text).trimEnd().split('\n');
        const more = lines.length > OUTPUT_LINES ? `\n  (${lines.length - OUTPUT_LINES} more lines: wpm log ${o.drvPath})` : '';
        stream.write(`output of ${o.name}, which succeeded:\n${lines.slice(0, OUTPUT_LINES).map((l) => `  > ${l}`).join('\n')}${more}\n`);
      }
    },
  };
}
