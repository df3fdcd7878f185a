// The receiving end of `wpm copy --to http://…` (and of `nix copy --to`, which uploads the same
// way): the NAR file is PUT first and kept aside under $WPM_HOME/tmp/uploads, then the narinfo
// is PUT and the path is installed from the kept file exactly as a substitution would be —
// decompressed, checked against NarHash and NarSize, registered atomically — provided its
// references are valid here already (uploads come references first).

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { WpmError } from '../../util/index.js';
import { nix32Encode, parseNarInfo, parseStorePath, type LocalStore } from '../index.js';
import { addSignatures, installNar } from './install-nar.js';

const NAR_NAME = /^[0-9a-z]+(?:-[0-9a-z]+)?\.nar(?:\.[a-z0-9]+)?$/;

function uploadsDir(store: LocalStore): string {
  const dir = path.join(store.layout.tmp, 'uploads');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Keeps an uploaded NAR file; a name that is a file hash must match the bytes. */
export async function receiveNarFile(store: LocalStore, name: string, body: Readable): Promise<void> {
  if (!NAR_NAME.test(name)) throw new WpmError('ERR_UPLOAD_BAD_NAME', `refusing to store an upload named 'nar/${name}'`);
  const dir = uploadsDir(store);
  const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  body.on('data', (c: Buffer) => hash.update(c));
  try {
    await pipeline(body, fs.createWriteStream(tmp));
    const stem = name.slice(0, name.indexOf('.'));
    const got = nix32Encode(hash.digest());
    if (stem.length === got.length && stem !== got) {
      throw new WpmError('ERR_UPLOAD_FILE_HASH', `nar/${name}: the uploaded bytes hash to ${got}`);
    }
    fs.renameSync(tmp, path.join(dir, name));
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Installs the path a narinfo upload describes; true if it was new. */
export async function receiveNarInfo(store: LocalStore, hashPart: string, text: string, where: string): Promise<boolean> {
  const narinfo = parseNarInfo(text, where);
  if (parseStorePath(narinfo.storePath).hashPart !== hashPart) {
    throw new WpmError('ERR_NARINFO_CORRUPT', `${where} describes ${narinfo.storePath}`);
  }
  if (store.isValid(narinfo.storePath)) {
    if (narinfo.sigs.length > 0 && store.requirePathInfo(narinfo.storePath).narHash === narinfo.narHash) {
      await addSignatures(store, narinfo.storePath, narinfo.sigs);
    }
    return false;
  }
  for (const ref of narinfo.references) {
    if (ref !== narinfo.storePath && !store.isValid(ref)) {
      throw new WpmError('ERR_UPLOAD_MISSING_REFERENCE', `${narinfo.storePath} refers to ${ref}, which is not here: upload it first`);
    }
  }
  if (!narinfo.url.startsWith('nar/') || !NAR_NAME.test(narinfo.url.slice(4))) {
    throw new WpmError('ERR_UPLOAD_BAD_NAME', `${where}: URL '${narinfo.url}' is not a NAR file name`);
  }
  const file = path.join(uploadsDir(store), narinfo.url.slice(4));
  if (!fs.existsSync(file)) throw new WpmError('ERR_UPLOAD_NO_NAR', `${where}: ${narinfo.url} was not uploaded first`);
  try {
    await installNar(store, narinfo, fs.createReadStream(file, { highWaterMark: 1 << 20 }), `upload ${narinfo.url}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
  return true;
}
