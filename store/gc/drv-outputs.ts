// The one thing the store needs to know about a `.drv`: where its outputs go, so GC can keep the
// outputs of a derivation that is rooted or being built. The store layer may not import
// derivations/ (ARCHITECTURE.md), and a `.drv` is canonical JSON, so it is read here directly.
import fs from 'node:fs';
import { STORE_DIR } from '../format/index.js';

/** Output paths of a `.drv` at `hostPath`; empty if it cannot be read (verify reports that). */
export function readDrvOutputs(hostPath: string): string[] {
  try {
    const drv = JSON.parse(fs.readFileSync(hostPath, 'utf8')) as { outputs?: Record<string, { path?: unknown }> };
    return Object.values(drv.outputs ?? {})
      .map((o) => o?.path)
      .filter((p): p is string => typeof p === 'string' && p.startsWith(STORE_DIR + '/'));
  } catch {
    return [];
  }
}
