// builtin:fetch — a download for a fixed-output derivation: a URL, or an npm package's tarball
// resolved through the user's npm configuration (fetch/). The scheduler checks the bytes against
// the declared hash before anything is registered.
import { checkRequestBeforeBuild, type Builder } from './builder.js';
import { explainLimit } from './limits.js';

interface FetchStdin {
  url?: string;
  npm?: { package: string; version: string };
  executable?: boolean;
}

export const fetchBuiltin: Builder = {
  request: {
    stdin: {
      url: { type: 'string', about: 'a URL string (or stdin.npm: { package, version }) for builtin:fetch' },
      npm: { type: 'object', about: 'an npm package: { package, version }' },
      executable: { type: 'boolean', about: 'true or false' },
    },
    oneOf: ['url', 'npm'],
    fixedOutputOnly: 'a download is trusted for its hash alone',
  },

  async build({ drvPath, drv, outputs }, ctx) {
    const where = `fetch '${drv.name}' (${drvPath})`;
    checkRequestBeforeBuild(this, drv, where);
    const req = drv.stdin as FetchStdin;
    // Loaded on demand, like every builtin: most builds (and every no-op) never need them.
    const { fetchToFile } = await import('./fetch/download.js');
    await fetchToFile({
      url: req.url,
      npm: req.npm,
      dest: outputs.out!,
      executable: req.executable === true,
      where,
      timeoutMs: ctx.limits.fetchTimeoutMs,
      signal: ctx.signal,
      maxBytes: ctx.limits.outputBytes,
    }).catch((err: unknown) => {
      throw explainLimit(err, where, ctx.limits);
    });
  },
};
