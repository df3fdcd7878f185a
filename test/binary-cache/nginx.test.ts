// A directory cache is plain static files, so any web server can serve it: nginx from Debian,
// started here on a loopback port as a foreground process with its own config and prefix, is a
// substituter like wpm serve.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, wpmOk, wpmP } from '../helpers/cli.js';
import { freePort } from '../helpers/loopback.js';
import { events, makeTinyProject, pathInfo, type TinyProject } from './helpers.js';

const NGINX = ['/usr/sbin/nginx', 'nginx'].find((p) => spawnSync(p, ['-v']).status === 0);
const homeA = tempDir('nginx-a');
const cacheDir = tempDir('nginx-cache');
const prefix = tempDir('nginx-prefix');
let project: TinyProject;
let pub: string;
let nginx: ChildProcess | undefined;
let url: string;

async function waitFor(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${log()}`);
    const up = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port}: ${log()}`);
}

beforeAll(async () => {
  if (!NGINX) throw new Error('nginx is not installed (Debian package nginx; .ci/run installs it)');
  project = await makeTinyProject();
  const ok = (args: string[]) => wpmOk(args, { home: homeA });
  await ok(['build', '--no-link', '-A', 'top', project.file]);
  pub = await ok(['key', 'generate', 'nginx-test-1', '--dir', prefix]);
  await ok(['store', 'sign', '-r', '--key', path.join(prefix, 'nginx-test-1.sec'), project.top]);
  await ok(['copy', '--to', `file://${cacheDir}`, '--compression', 'br', project.top]);
  // mkdtemp makes 0700 directories; a single-process nginx runs as us, so it can read them.
  const port = await freePort();
  fs.writeFileSync(
    path.join(prefix, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${cacheDir};
  }
}
`,
  );
  let log = '';
  nginx = spawn(NGINX, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stderr!.on('data', (d) => (log += d));
  await waitFor(port, nginx, () => log + (fs.existsSync(path.join(prefix, 'error.log')) ? fs.readFileSync(path.join(prefix, 'error.log'), 'utf8') : ''));
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx!.once('close', r));
    nginx.kill('SIGTERM');
    await exited;
  }
});

describe('a directory cache served by nginx', () => {
  it('is a substituter: B builds nothing and gets A’s bytes (brotli NARs)', async () => {
    const homeB = tempDir('nginx-b');
    const b = await wpmP(['build', '--no-link', '--json', '-A', 'top', project.file, '--substituters', url, '--trusted-public-keys', pub], { home: homeB });
    expect(b.status, b.stderr).toBe(0);
    const ev = events(b.stderr);
    expect(ev.filter((e) => e.type === 'start')).toEqual([]);
    expect(ev.filter((e) => e.type === 'substituted').map((e) => e.path)).toEqual([project.tiny, project.top]);
    expect(pathInfo(homeB, project.top)!.narHash).toBe(pathInfo(homeA, project.top)!.narHash);
  });

  it('answers 404 for a path it does not have, which is a quiet miss', async () => {
    const homeB = tempDir('nginx-b2');
    fs.rmSync(path.join(cacheDir, `${path.basename(project.top).slice(0, 32)}.narinfo`));
    const b = await wpmP(['build', '--no-link', '--json', '-A', 'top', project.file, '--substituters', url, '--trusted-public-keys', pub], { home: homeB });
    expect(b.status, b.stderr).toBe(0);
    const ev = events(b.stderr);
    expect(ev.filter((e) => e.type === 'substitute-warning')).toEqual([]);
    // top is built here; its input tiny still comes from the cache.
    expect(ev.filter((e) => e.type === 'start').map((e) => e.name)).toEqual(['top']);
  });
});
