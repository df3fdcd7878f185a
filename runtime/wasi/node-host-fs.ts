// The host's file system in the CLI: node:fs's own functions, unwrapped (host-fs.ts).

import fs from 'node:fs';
import tty from 'node:tty';
import type { HostFs } from './host-fs.js';

export const nodeHostFs: HostFs = {
  constants: fs.constants,
  lstatSync: fs.lstatSync,
  fstatSync: fs.fstatSync,
  openSync: fs.openSync,
  readSync: fs.readSync,
  writeSync: fs.writeSync,
  closeSync: fs.closeSync,
  ftruncateSync: fs.ftruncateSync,
  readdirSync: fs.readdirSync,
  readlinkSync: fs.readlinkSync,
  mkdirSync: fs.mkdirSync,
  rmdirSync: fs.rmdirSync,
  unlinkSync: fs.unlinkSync,
  renameSync: fs.renameSync,
  linkSync: fs.linkSync,
  symlinkSync: fs.symlinkSync,
  isatty: tty.isatty,
};
