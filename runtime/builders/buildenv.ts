// builtin:buildenv — a profile generation: the installed packages' trees merged as symlinks
// (buildenv/merge.ts), a launcher for each program (buildenv/launchers.ts) and the manifest
// (share/wpm/manifest.json), from the manifest on stdin. `wpm install` and its kin make the
// derivation; the packages are its inputs, so they are its output's references.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError, isWpmError } from '../../util/index.js';
import { checkRequestBeforeBuild, type Builder } from './builder.js';
import { planLaunchers, writeLaunchers } from './buildenv/launchers.js';
import { MANIFEST_FILE, manifestText, parseManifest } from './buildenv/manifest.js';
import { planMerge, writeMerge } from './buildenv/merge.js';

export const buildenvBuiltin: Builder = {
  request: {
    stdin: {
      manifest: { type: 'object', required: true, about: 'a profile manifest: { version: 1, packages: [ { name, outPath, file, attr, args, priority, cwd, dirs } ] }' },
    },
  },

  async build({ drvPath, drv, inputs, outputs }, ctx) {
    const where = `buildenv '${drv.name}' (${drvPath})`;
    checkRequestBeforeBuild(this, drv, where);
    const manifest = parseManifest((drv.stdin as { manifest: unknown }).manifest, `${where}: stdin.manifest`);
    for (const p of manifest.packages) {
      if (!inputs.includes(p.outPath)) throw new WpmError('ERR_BUILD_BAD_INPUT', `${where}: package '${p.name}' (${p.outPath}) is not among the step's inputs`);
    }
    const out = outputs.out!;
    try {
      const plan = planMerge(manifest.packages.map((p) => ({ name: p.name, priority: p.priority, storePath: p.outPath, host: ctx.store.toHost(p.outPath) })));
      const launchers = planLaunchers(plan, new Map(manifest.packages.map((p) => [p.name, p])), (p) => ctx.store.toHost(p));
      fs.mkdirSync(out);
      writeMerge(out, plan);
      for (const own of ['bin', 'share']) fs.mkdirSync(path.join(out, own), { recursive: true });
      writeLaunchers(out, launchers);
      fs.mkdirSync(path.join(out, path.dirname(MANIFEST_FILE)), { recursive: true });
      fs.writeFileSync(path.join(out, MANIFEST_FILE), manifestText(manifest));
    } catch (err) {
      // A collision is the user's to settle, and keeps its own code; the rest names the step.
      if (isWpmError(err)) throw err;
      throw new WpmError('ERR_BUILD', `${where}: ${(err as Error).message}`, { cause: err });
    }
  },
};
