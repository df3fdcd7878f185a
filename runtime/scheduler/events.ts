// What a build reports while it runs. The CLI renders these (live on a TTY, one line each
// otherwise, or as JSON lines); tests read them to count which steps ran.

export type BuildEvent =
  | { type: 'plan'; toBuild: number; cached: number }
  | { type: 'start'; drvPath: string; name: string }
  /** `checked`: a --check rebuild, which gave the same bytes as the registered outputs. */
  /** `output`: the beginning of what the step wrote to stdout and stderr, when it wrote anything. */
  | { type: 'built'; drvPath: string; name: string; durationMs: number; outputs: Record<string, string>; checked?: true; output?: string }
  | { type: 'cached'; drvPath: string; name: string }
  | { type: 'failed'; drvPath: string; name: string; message: string; logTail: string }
  /** Stopped by Ctrl-C (the build's signal): nothing of it is registered. */
  | { type: 'interrupted'; drvPath: string; name: string }
  | { type: 'dependency-failed'; drvPath: string; name: string; failedInput: string }
  | { type: 'waiting-for-lock'; drvPath: string; name: string }
  /** A step on a remote execution server (runtime/remote/): answered from its cache, queued, running there, done, or a local result uploaded. */
  | { type: 'remote'; drvPath: string; name: string; state: 'cache-hit' | 'queued' | 'executing' | 'done' | 'uploaded'; server: string }
  /** The remote server could not be used (once per build), or one step fell back to a local build. */
  | { type: 'remote-warning'; message: string };

export type EventSink = (event: BuildEvent) => void;
