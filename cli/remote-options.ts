// `wpm build --remote …`: flags for remote execution, over the settings (cli/config.ts), and the
// executor they make (runtime/remote/). See docs/remote.md.
import type { Command } from 'commander';
import { WpmError } from '../util/index.js';
import { loadRemote, type RemoteBuilder, type RemoteEvent } from '../runtime/builders/index.js';
import type { RemoteConfig } from './config.js';
import { parseJobs } from './options.js';

export interface RemoteFlags {
  remote?: string;
  remoteCache?: string;
  remoteInstance?: string;
  remoteHeader?: string[];
  remoteUpload?: boolean;
  remoteOnly?: boolean;
  remoteJobs?: number;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function addRemoteOptions(cmd: Command): Command {
  return cmd
    .option('--remote <url>', 'build steps on a Remote Execution API server: grpc://HOST:PORT or grpcs://HOST[:PORT]')
    .option('--remote-cache <url>', 'use a remote Action Cache only (no execution), e.g. bazel-remote')
    .option('--remote-instance <name>', 'instance name on the remote server')
    .option('--remote-header <header>', "header for every remote call, 'NAME: VALUE' (repeatable)", collect)
    .option('--remote-upload', 'upload results built locally to the remote cache')
    .option('--remote-only', 'fail rather than build locally when the remote server cannot be used')
    .option('--remote-jobs <n>', 'steps to run remotely at once (default 16)', parseJobs);
}

/** The remote builder flags and settings ask for, or undefined for a local build. */
export async function createRemoteBuilder(flags: RemoteFlags, settings: RemoteConfig, onEvent: (e: RemoteEvent) => void): Promise<RemoteBuilder | undefined> {
  const execUrl = flags.remote ?? (flags.remoteCache ? undefined : settings.url);
  const cacheUrl = flags.remoteCache ?? (flags.remote ? undefined : settings.cacheUrl);
  if (execUrl && cacheUrl) {
    throw new WpmError('ERR_USAGE', 'give either a remote execution server or a remote cache, not both', { hint: 'an execution server has a cache of its own' });
  }
  const url = execUrl ?? cacheUrl;
  if (!url) {
    if (flags.remoteOnly) throw new WpmError('ERR_USAGE', '--remote-only needs --remote or --remote-cache (or the remote setting)');
    return undefined;
  }
  const instance = flags.remoteInstance ?? settings.instance;
  const headers = flags.remoteHeader?.length ? flags.remoteHeader : settings.headers;
  const jobs = flags.remoteJobs ?? settings.jobs;
  const { RemoteBuilder, RemoteExecutor } = await loadRemote();
  const executor = new RemoteExecutor(
    {
      url,
      ...(instance ? { instance } : {}),
      headers,
      cacheOnly: !execUrl,
      uploadLocal: flags.remoteUpload ?? settings.upload,
      remoteOnly: flags.remoteOnly ?? settings.only,
      ...(jobs ? { jobs } : {}),
    },
    onEvent,
  );
  return new RemoteBuilder(executor);
}
