// `--dir HOST[:GUEST]`: a host directory a program may use, read-write, at GUEST inside its world
// (at the same path by default). Shared by `wpm run` and `wpm install`.
import fs from 'node:fs';
import path from 'node:path';
import { WpmError } from '../util/index.js';

export function parseDir(spec: string): { host: string; guest: string; writable: boolean } {
  const colon = spec.lastIndexOf(':');
  const host = path.resolve(colon > 0 ? spec.slice(0, colon) : spec);
  const guest = colon > 0 ? spec.slice(colon + 1) : host;
  if (!guest.startsWith('/')) throw new WpmError('ERR_USAGE', `--dir ${spec}: the guest path must be absolute`);
  if (!fs.existsSync(host) || !fs.statSync(host).isDirectory()) throw new WpmError('ERR_USAGE', `--dir ${spec}: ${host} is not a directory`);
  return { guest, host, writable: true };
}

export const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
