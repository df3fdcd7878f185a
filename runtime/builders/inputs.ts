// A builder opens what a derivation names on the host only through the step's input closure: a
// store path (or a file inside one) that parses strictly, whose store path is one of the step's
// inputs, and whose real path, symlinks followed, stays inside that input. A string that merely
// starts with the store directory ('/wpm/store/../../tmp/x.tar') reaches no host file.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../../util/index.js';
import { parseStoreRef } from '../../store/index.js';

export interface InputFileRequest {
  /** The store path, or a file inside one, as the derivation gives it. */
  ref: string;
  /** Which field named it ("builder", "stdin.src"), for messages. */
  field: string;
  /** Names the step. */
  where: string;
  /** The step's input closure. */
  inputs: readonly string[];
  toHost: (storePath: string) => string;
}

/** The host path of a regular file in the step's inputs, or ERR_BUILD_BAD_INPUT naming the field. */
export function inputFile(req: InputFileRequest): string {
  const bad = (why: string, cause?: unknown) =>
    new WpmError('ERR_BUILD_BAD_INPUT', `${req.where}: ${req.field} '${req.ref}' ${why}`, cause === undefined ? {} : { cause });
  let storePath: string;
  let sub: string[];
  try {
    ({ storePath, sub } = parseStoreRef(req.ref));
  } catch (cause) {
    throw bad('is not a store path', cause);
  }
  if (!req.inputs.includes(storePath)) throw bad("is not among the step's inputs");
  const root = req.toHost(storePath);
  let real: string;
  let realRoot: string;
  try {
    real = fs.realpathSync(path.join(root, ...sub));
    realRoot = fs.realpathSync(root);
  } catch (cause) {
    throw bad('does not exist', cause);
  }
  // A symlink inside an input may point anywhere on the host; only the input itself may be read.
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw bad(`leads outside ${storePath}`);
  if (!fs.statSync(real).isFile()) throw bad('is not a file');
  return real;
}
