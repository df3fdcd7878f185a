// `node wpm-bot.mjs --server grpc://HOST:PORT [--instance NAME] [--property KEY=VALUE]...
//  [--capacity N] [--work DIR] [--header 'NAME: VALUE']...`: a Remote Workers API bot that runs
// wpm's remote actions (any action, really: it is a host-tools runner) for a BuildGrid
// scheduler. Bundled into one file with its dependencies (scripts/bundle-remote.mjs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RemoteClient } from '../client.js';
import { parseEndpoint } from '../endpoint.js';
import { runBot } from './bot-session.js';

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    instance: { type: 'string', default: '' },
    property: { type: 'string', multiple: true, default: [] },
    capacity: { type: 'string', default: '1' },
    work: { type: 'string' },
    header: { type: 'string', multiple: true, default: [] },
    'bot-id': { type: 'string' },
  },
});
if (!values.server) {
  process.stderr.write('usage: wpm-bot --server grpc://HOST:PORT [--instance NAME] [--property KEY=VALUE]... [--capacity N] [--work DIR]\n');
  process.exit(2);
}
const properties: Record<string, string> = {};
for (const p of values.property!.length ? values.property! : ['wpm-runner=node']) {
  const at = p.indexOf('=');
  if (at <= 0) throw new Error(`--property ${p}: expected KEY=VALUE`);
  properties[p.slice(0, at)] = p.slice(at + 1);
}
const endpoint = parseEndpoint(values.server, { instance: values.instance!, headers: values.header! });
const workDir = values.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-bot-'));
fs.mkdirSync(workDir, { recursive: true });
const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => stop.abort());

let client: RemoteClient | null = null;
while (client === null && !stop.signal.aborted) {
  try {
    client = await RemoteClient.connect(endpoint, { timeoutMs: 5000 });
  } catch (err) {
    process.stderr.write(`wpm-bot: ${(err as Error).message}; trying again\n`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
if (client) {
  await runBot({ client, instance: values.instance!, properties, capacity: Number(values.capacity), workDir, ...(values['bot-id'] ? { botId: values['bot-id'] } : {}), signal: stop.signal });
  client.close();
}
