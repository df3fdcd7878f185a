// The public options of a WASI run: what a build step may see and do.

export interface Mount {
  /** Absolute guest path, e.g. '/wpm/store/<hash>-sysroot', '/build', '/tmp'. */
  guest: string;
  /** Absolute host path backing it: a directory or a single file. */
  host: string;
  /** Input store paths are read-only; /build, /tmp writable. */
  writable: boolean;
}

export interface WasiLimits {
  /** Guest linear memory; default 4 GiB (the wasm32 maximum). */
  memoryBytes?: number;
  /** Wall time; default none. */
  timeoutMs?: number;
  /** Bytes the guest may write into writable mounts and outputs; default none. */
  outputBytes?: number;
  /**
   * Bytes the guest may write to stdout and stderr where they go to files (a step's log);
   * default none. The log ends with a line saying it was cut, and the guest is stopped.
   */
  logBytes?: number;
  /** Milliseconds the guest may go without writing to those files; default none. */
  silentMs?: number;
}

export type OutputSink = 'inherit' | { file: string };

export interface WasiRunOptions {
  /** argv, argv[0] included. */
  args: string[];
  /** Exactly this environment, nothing from the host. */
  env: Record<string, string>;
  /** Whole stdin; default empty. */
  stdin?: Uint8Array;
  mounts: Mount[];
  /** Declared outputs: initially absent; the guest may create each as a file or a directory.
   * The host path's parent exists, the host path does not. */
  outputs?: { guest: string; host: string }[];
  /** Default '/build'. */
  cwd?: string;
  /** 32 bytes; random_get is ChaCha20 keyed with it. */
  seed: Uint8Array;
  /** Fixed wall clock; default 1_000_000_000n (SOURCE_DATE_EPOCH=1). */
  realtimeNs?: bigint;
  limits?: WasiLimits;
  /** 'inherit' = the host's fd 1; { file } = append to that log file; default discarded. */
  stdout?: OutputSink;
  stderr?: OutputSink;
  /** `wpm run`: the guest reads the host's real stdin. */
  stdinInherit?: boolean;
}

export interface WasiResult {
  exitCode: number;
  durationMs: number;
  /** A reactor call's result (reactor.ts), when the call returned. */
  value?: unknown;
}
