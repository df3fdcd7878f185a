// builtin:unpack — a tar or tar.gz store path (or a file inside one) extracted into $out
// (unpack/extract.ts): deterministic, and no entry may land outside the output.
import { checkRequestBeforeBuild, type Builder } from './builder.js';
import { inputFile } from './inputs.js';
import { explainLimit } from './limits.js';

interface UnpackStdin {
  src: string;
  strip?: number;
  subdir?: string;
}

export const unpackBuiltin: Builder = {
  request: {
    stdin: {
      src: { type: 'storePath', required: true, about: 'a store path (the archive builtin:unpack unpacks)' },
      strip: { type: 'count', about: 'a count of leading path components to drop' },
      subdir: { type: 'string', about: 'a directory of the archive to keep' },
    },
  },

  async build({ drvPath, drv, inputs, outputs }, ctx) {
    const where = `unpack '${drv.name}' (${drvPath})`;
    checkRequestBeforeBuild(this, drv, where);
    const req = drv.stdin as unknown as UnpackStdin;
    const archive = inputFile({ ref: req.src, field: 'stdin.src', where, inputs, toHost: (p) => ctx.store.toHost(p) });
    const { unpack } = await import('./unpack/extract.js');
    await unpack({
      archive,
      dest: outputs.out!,
      strip: req.strip ?? 0,
      subdir: req.subdir,
      where: `unpack '${drv.name}'`,
      signal: ctx.signal,
      maxBytes: ctx.limits.outputBytes,
    }).catch((err: unknown) => {
      throw explainLimit(err, where, ctx.limits);
    });
  },
};
