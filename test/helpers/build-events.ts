// Reading `wpm build --json` progress: one JSON event per stderr line (see
// runtime/scheduler/events.ts); tests count the steps that ran.
import type { CliResult } from './cli.js';

export interface Event {
  type: string;
  name?: string;
  drvPath?: string;
  durationMs?: number;
}

export function events(r: CliResult): Event[] {
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Event);
}

/** Names of the steps that started, sorted (steps run in parallel, so their order is not fixed). */
export function started(r: CliResult): string[] {
  return events(r)
    .filter((e) => e.type === 'start')
    .map((e) => e.name!)
    .sort();
}
