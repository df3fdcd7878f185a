// wpm log PATH|DRV : the stdout and stderr a build step wrote. The log is kept whether the step
// succeeded or not; for a step whose outputs are not in the store, stderr says so.
import fs from 'node:fs';
import { readDerivation } from '../../runtime/scheduler/index.js';
import { logFileOf } from '../../runtime/scheduler/logs.js';
import type { Command } from 'commander';
import { WpmError } from '../../util/index.js';
import { openStore } from '../context.js';
import { storePathArg } from '../store-path-arg.js';

export function register(program: Command): void {
  program
    .command('log')
    .description("print a build step's log, given its .drv path or one of its outputs (or ./result)")
    .argument('<path>', '.drv path, output path or result link')
    .action((target: string) => {
      const store = openStore();
      const storePath = storePathArg(store, target);
      let drvPath = storePath;
      if (!storePath.endsWith('.drv')) {
        const info = store.queryPathInfo(storePath);
        if (!info?.deriver) throw new WpmError('ERR_LOG_NONE', `${storePath} was not built here, so there is no log`);
        drvPath = info.deriver;
      }
      const file = logFileOf(store.layout, drvPath);
      if (!fs.existsSync(file)) throw new WpmError('ERR_LOG_NONE', `no log for ${drvPath}`);
      const log = fs.readFileSync(file);
      // Said on stderr, so that `wpm log X > file` still gives the log's exact bytes.
      if (log.length === 0) process.stderr.write(`the log of ${drvPath} is empty: the step wrote nothing to stdout or stderr\n`);
      process.stdout.write(log);
      if (storePath === drvPath && outputsValid(store, drvPath) === false) {
        process.stderr.write(`${drvPath} is not built (its outputs are not in the store): this is the log of its last attempt, which failed, was stopped or is still running\n`);
      }
    });
}

/** Are all the outputs of this derivation valid? Undefined when its .drv is gone (collected): not known. */
function outputsValid(store: ReturnType<typeof openStore>, drvPath: string): boolean | undefined {
  let outputs: string[];
  try {
    outputs = Object.values(readDerivation(store, drvPath).outputs).map((o) => o.path);
  } catch {
    return undefined;
  }
  return store.areValid(outputs).every(Boolean);
}
