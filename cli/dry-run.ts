// `--dry-run` of the commands that build: what would be built and fetched, in Nix's words (as
// `nix-build --dry-run` prints them), or as JSON.
import type { DryRun, Substitutable, SubstitutableQuery } from '../glue/index.js';
import type { CommandSubstituter } from './substitution.js';

const MiB = 1024 * 1024;

/** The caches' answers about a path, through a command's substituter (none: nothing is fetched). */
export function substitutableQuery(substituter: CommandSubstituter | undefined): SubstitutableQuery | undefined {
  if (!substituter) return undefined;
  return async (p) => {
    const hit = await substituter.inner.query(p);
    if (!hit) return undefined;
    const { narinfo } = hit;
    return { narSize: narinfo.narSize, references: narinfo.references, ...(narinfo.fileSize !== undefined ? { fileSize: narinfo.fileSize } : {}) } satisfies Substitutable;
  };
}

/** The report's lines: the derivations to build, then the paths to fetch with their sizes. */
export function dryRunLines(r: DryRun): string[] {
  const lines: string[] = [];
  if (r.toBuild.length > 0) {
    lines.push(r.toBuild.length === 1 ? 'this derivation will be built:' : `these ${r.toBuild.length} derivations will be built:`);
    for (const d of r.toBuild) lines.push(`  ${d}`);
  }
  if (r.toFetch.length > 0) {
    const sizes = `(${(r.downloadBytes / MiB).toFixed(2)} MiB download, ${(r.unpackedBytes / MiB).toFixed(2)} MiB unpacked)`;
    lines.push(r.toFetch.length === 1 ? `this path will be fetched ${sizes}:` : `these ${r.toFetch.length} paths will be fetched ${sizes}:`);
    for (const f of r.toFetch) lines.push(`  ${f.path}`);
  }
  return lines;
}

export function printDryRun(r: DryRun, json: boolean): void {
  if (json) {
    process.stdout.write(
      JSON.stringify({ toBuild: r.toBuild, toFetch: r.toFetch, downloadBytes: r.downloadBytes, unpackedBytes: r.unpackedBytes, targets: r.targets }) + '\n',
    );
    return;
  }
  const lines = dryRunLines(r);
  if (lines.length === 0) process.stderr.write('nothing to build or fetch: every output is valid already\n');
  else process.stdout.write(lines.join('\n') + '\n');
}
