// Store paths of the user's own sources shown as the user knows them: the file or directory
// wpm.path added, relative to the current directory, so that `src/count.c:12:19` is what a
// terminal or an editor can jump to. The mapping is the evaluation's record of which host path
// became which store path, never a guess from names. Raw logs keep the store paths (wpm log).
import path from 'node:path';

export type Namer = (text: string) => string;

const STORE_PATH_AND_FILE = /\/wpm\/store\/([0-9a-df-np-sv-z]{32}-[A-Za-z0-9+._?=-]+)((?:\/[^\s:'"`()<>,;]*)?)/g;

export const noNames: Namer = (text) => text;

export function sourceNamer(sources: ReadonlyMap<string, string>, cwd = process.cwd()): Namer {
  if (sources.size === 0) return noNames;
  return (text) =>
    text.replace(STORE_PATH_AND_FILE, (whole, base: string, sub: string) => {
      const host = sources.get(`/wpm/store/${base}`);
      return host === undefined ? whole : path.relative(cwd, host + sub) || '.';
    });
}
