// Build logs: every step's stdout and stderr go to $WPM_HOME/logs/<drv>.log.
import fs from 'node:fs';
import path from 'node:path';
import type { HomeLayout } from '../../store/index.js';

/** Where the log of a step is kept. */
export function logFileOf(layout: HomeLayout, drvPath: string): string {
  return path.join(layout.logs, `${path.basename(drvPath)}.log`);
}

/** The last `lines` lines of a log, for failure messages. */
export function readLogTail(file: string, lines = 25): string {
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The first `bytes` of a log ('' when it is empty or gone), for what a step that succeeded said. */
export function readLogHead(file: string, bytes: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(Math.min(bytes, fs.fstatSync(fd).size));
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}
