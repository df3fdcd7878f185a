// Reading `wpm build --json` progress: one JSON event per stderr line (see
// runtime/scheduler/events.ts); tests count the steps that ran.
import type { CliResult } from './cli.js';

export interface Event {
  type: string;
  name?: string;
  drvPath?: string;
  durationMs?: number;
  [field: string]: unknown;
}

/** The events of a `--json` build, from its result or its stderr. */
export function events(r: CliResult | string): Event[] {
  return (typeof r === 'string' ? r : r.stderr)
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

/** The most steps running at once (between their start and built events). */
export function mostAtOnce(r: CliResult | string): number {
  let running = 0;
  let most = 0;
  for (const e of events(r)) {
    if (e.type === 'start') most = Math.max(most, ++running);
    if (e.type === 'built') running--;
  }
  return most;
}
