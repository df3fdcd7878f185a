// NODE_EXTRA_CA_CERTS, run as a command: bin/wpm.js's #! line moves the variable aside so Node does
// not parse the file at every start (util/trusted-cas.ts), and wpm's own TLS clients trust it all
// the same. A private authority signs a loopback HTTPS server; builtin:fetch (through a redirect)
// and `wpm copy --from https://…` must trust it exactly when the variable names it.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, WPM, tempDir, wpmOk } from '../helpers/cli.js';
import { makeTlsAuthority } from '../helpers/tls-authority.js';

const BODY = Buffer.from('fetched over TLS from an authority only NODE_EXTRA_CA_CERTS names\n');
const SRI = `sha256-${crypto.createHash('sha256').update(BODY).digest('base64')}`;

let certs: string;
let cacheDir: string;
let storePath: string;
let publicKey: string;
let server: https.Server;
let base: string;
/** TLS handshakes the client broke off (it did not trust the certificate). */
let refusedHandshakes = 0;

/** bin/wpm.js executed itself, so the kernel reads its #! line, as a shell or a launcher runs it. */
function asCommand(args: string[], home: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(WPM, args, { cwd: REPO, env: { ...process.env, WPM_HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

function fetchProject(url: string): string {
  const dir = tempDir('extra-ca-fod');
  fs.writeFileSync(
    path.join(dir, 'default.jsonnet'),
    `local wpm = import 'wpm.libsonnet';\nwpm.fetchurl({ url: '${url}', hash: '${SRI}', name: 'payload.txt' })\n`,
  );
  return path.join(dir, 'default.jsonnet');
}

beforeAll(async () => {
  const authority = makeTlsAuthority('extra-ca-certs');
  certs = authority.dir;

  // A directory cache holding one signed path, served with the rest over HTTPS.
  const home = tempDir('extra-ca-src');
  const src = path.join(tempDir('extra-ca-tree'), 'tree');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'greeting'), 'hello over TLS\n');
  storePath = await wpmOk(['store', 'add', src], { home });
  const keys = tempDir('extra-ca-keys');
  publicKey = await wpmOk(['key', 'generate', 'tls-test-1', '--dir', keys], { home });
  await wpmOk(['store', 'sign', '-r', '--key', path.join(keys, 'tls-test-1.sec'), storePath], { home });
  cacheDir = tempDir('extra-ca-cache');
  await wpmOk(['copy', '--to', `file://${cacheDir}`, storePath], { home });

  server = https.createServer({ key: authority.key, cert: authority.cert }, (req, res) => {
    const url = req.url ?? '/';
    if (url === '/moved') {
      res.writeHead(302, { location: '/file' }); // relative, as many servers answer
      res.end();
    } else if (url === '/file') res.end(BODY);
    else {
      const file = path.join(cacheDir, path.normalize(url).replace(/^(\.\.[/\\])+/, ''));
      if (fs.existsSync(file) && fs.statSync(file).isFile()) res.end(fs.readFileSync(file));
      else {
        res.statusCode = 404;
        res.end();
      }
    }
  });
  server.on('tlsClientError', () => refusedHandshakes++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(
  () =>
    new Promise<void>((r) => {
      server?.closeAllConnections();
      server?.close(() => r());
    }),
);

describe('extra certificate authorities (NODE_EXTRA_CA_CERTS), wpm run as a command', () => {
  it('are trusted by builtin:fetch, through a redirect, and by a binary cache over https', async () => {
    const env = { NODE_EXTRA_CA_CERTS: path.join(certs, 'ca.pem') };
    const home = tempDir('extra-ca-home');
    const built = await asCommand(['build', '--no-link', fetchProject(`${base}/moved`)], home, env);
    expect(built.stderr).not.toMatch(/error/i);
    expect(built.status).toBe(0);
    expect(fs.readFileSync(path.join(home, 'store', path.basename(built.stdout.trim())))).toEqual(BODY);

    const copied = await asCommand(['copy', '--from', base, '--trusted-public-keys', publicKey, storePath], home, env);
    expect(copied.stderr).not.toMatch(/error/i);
    expect(copied.status).toBe(0);
    expect(fs.readFileSync(path.join(home, 'store', path.basename(storePath), 'greeting'), 'utf8')).toBe('hello over TLS\n');
  }, 60_000);

  it('without them the same server is refused, and an unreadable file is named', async () => {
    for (const value of ['', path.join(certs, 'no-such.pem')]) {
      const home = tempDir('extra-ca-home');
      const env = { NODE_EXTRA_CA_CERTS: value };
      const before = refusedHandshakes;
      const built = await asCommand(['build', '--no-link', fetchProject(`${base}/file`)], home, env);
      expect(built.status).not.toBe(0);
      expect(built.stderr).toMatch(/certificate/i);
      // Not tried again (one refused handshake), and the way out is named.
      expect(refusedHandshakes).toBe(before + 1);
      expect(built.stderr).toContain('name that authority');
      const copied = await asCommand(['copy', '--from', base, '--trusted-public-keys', publicKey, storePath], home, env);
      expect(copied.status).not.toBe(0);
      expect(copied.stderr).toContain('name that authority');
      expect(fs.existsSync(path.join(home, 'store', path.basename(storePath)))).toBe(false);
      if (value) expect(built.stderr + copied.stderr).toContain(`cannot read the certificate authorities in ${value}`);
    }
  }, 60_000);

  it('are moved aside by the #! line before Node starts', async () => {
    const home = tempDir('extra-ca-home');
    const ca = path.join(certs, 'ca.pem');
    const child = spawn(WPM, ['serve', '--port', '0'], { cwd: REPO, env: { ...process.env, WPM_HOME: home, NODE_EXTRA_CA_CERTS: ca }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      // Once it listens, the process is node itself (env has exec'd it): its environment is the one Node started with.
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => resolve());
        child.stderr.on('data', () => resolve());
        child.on('exit', (code) => reject(new Error(`wpm serve exited ${code}`)));
      });
      const environ = fs.readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
      expect(fs.readlinkSync(`/proc/${child.pid}/exe`)).toBe(fs.realpathSync(process.execPath));
      expect(environ).toContain('NODE_EXTRA_CA_CERTS=');
      expect(environ).toContain(`WPM_EXTRA_CA_CERTS=${ca}`);
    } finally {
      child.kill();
    }
  }, 30_000);
});
