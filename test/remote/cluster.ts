// A real Remote Execution API cluster for tests and benchmarks: BuildGrid and its PostgreSQL
// started by test/remote/server.sh on loopback, and wpm's bots (dist/remote/wpm-bot.mjs) as its
// workers, each in a process group of its own so that killing one stops the step it runs too.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.join(HERE, 'server.sh');
const BOT = path.resolve(HERE, '..', '..', 'dist', 'remote', 'wpm-bot.mjs');

export interface Bot {
  process: ChildProcess;
  logFile: string;
  /** Lease ids this bot started executing, in order. */
  leases(): string[];
  /** SIGKILL the bot and whatever it is running. */
  kill(): void;
}

export interface Cluster {
  url: string;
  dir: string;
  startBot(name?: string): Bot;
  /** Executions the scheduler has been asked for, counted on the server (BuildGrid's jobs table). */
  jobs(): number;
  stop(): void;
}

async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (port < 65000 && (await portFree(port + 1))) return port;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function startCluster(): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wpm-reapi-'));
  const port = await freePortPair();
  let url: string;
  try {
    url = execFileSync('bash', [SERVER, 'start', dir, String(port)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    execFileSync('bash', [SERVER, 'stop', dir]);
    throw err;
  }
  const bots: Bot[] = [];
  let n = 0;
  return {
    url,
    dir,
    startBot(name = `bot${++n}`) {
      const logFile = path.join(dir, `${name}.log`);
      const out = fs.openSync(logFile, 'a');
      const child = spawn(process.execPath, [BOT, '--server', url, '--work', path.join(dir, name), '--bot-id', name], {
        stdio: ['ignore', out, out],
        detached: true,
      });
      fs.closeSync(out);
      const bot: Bot = {
        process: child,
        logFile,
        leases: () => [...fs.readFileSync(logFile, 'utf8').matchAll(/executing lease (\S+)/g)].map((m) => m[1]!),
        kill: () => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        },
      };
      bots.push(bot);
      return bot;
    },
    jobs: () => Number(execFileSync('bash', [SERVER, 'jobs', dir], { encoding: 'utf8' }).trim()),
    stop() {
      for (const b of bots) b.kill();
      execFileSync('bash', [SERVER, 'stop', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wait until `check` holds, polling. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
