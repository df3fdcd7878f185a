// Where a store's bytes live on this machine. Hashes never depend on it: the logical store
// directory is always /wpm/store.
import os from 'node:os';
import path from 'node:path';

export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WPM_HOME) return path.resolve(env.WPM_HOME);
  const data = env.XDG_DATA_HOME ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'wpm');
}

/** The folders under a home; one place so that GC, builds and the CLI agree. */
export function homeLayout(home: string) {
  return {
    home,
    store: path.join(home, 'store'),
    db: path.join(home, 'db'),
    tmp: path.join(home, 'tmp'),
    locks: path.join(home, 'locks'),
    logs: path.join(home, 'logs'),
    gcroots: path.join(home, 'gcroots'),
    /** One file per live process listing the paths it relies on (see temp-roots.ts). */
    temproots: path.join(home, 'temproots'),
    cache: path.join(home, 'cache'),
    /** The profiles' own links (`profiles/default` → its current generation link under gcroots/profiles). */
    profiles: path.join(home, 'profiles'),
    /** A `wpm` link to this installation, for the PATH that launchers need (`wpm env`). */
    bin: path.join(home, 'bin'),
  };
}

export type HomeLayout = ReturnType<typeof homeLayout>;
