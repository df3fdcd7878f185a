#!/usr/bin/env node
// Substitution throughput over HTTP on loopback, from three servers holding the same closure:
// `wpm serve` (NARs dumped from its store as they are sent), nginx (static files of a directory
// cache written by `wpm copy --to`), and the same nginx over https, its certificate signed by a
// private authority that each client is told to trust. For each server, `wpm copy --from URL ROOT`
// (narinfos, signature checks, NARs streamed, hashed, unpacked, flushed to disk and registered)
// against curl writing the same NARs to files on the same disk (one process, kept-alive
// connection), as MB/s and a ratio; Nix's own `nix copy --from URL` into a local store, for what
// the reference implementation reaches against the same curl on the same machine; curl to
// /dev/null for context. Needs `npm run build`, curl, nginx, nix and openssl (Debian packages nginx,
// nix-bin, openssl).
//
//   node bench/substitute.mjs [--mb 300] [--paths 30] [--runs 3] [--compression none]
//
// Rounds are interleaved so background load hits every contender alike; the best time counts.
// Before each run the page cache's dirty data is written back (untimed), so wpm's flush does
// not also write what curl left dirty; what the runs wrote is deleted only at the end (ext4 is
// slow to create files just after many were deleted: it skips recently freed inodes).

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { MB, WPM, makeClosure, nixEnv, scratch, timed, timedThenSync, wpm } from './lib/closure.mjs';
import { startWpmServe } from './lib/web.mjs';

const { values: opts } = parseArgs({
  options: {
    mb: { type: 'string', default: '300' },
    paths: { type: 'string', default: '30' },
    runs: { type: 'string', default: '3' },
    compression: { type: 'string', default: 'none' },
  },
});
const NGINX = ['/usr/sbin/nginx', 'nginx'].find((p) => spawnSync(p, ['-v']).status === 0);
if (!NGINX) throw new Error('nginx is not installed (Debian package nginx)');

const work = scratch('wpm-bench-subst-');
const homeA = join(work, 'a');
const t0 = Date.now();
const { root, pub, infos, bytes } = await makeClosure(work, homeA, { mb: Number(opts.mb), paths: Number(opts.paths) });
const cacheDir = join(work, 'cache');
wpm(['copy', '--to', `file://${cacheDir}`, '--compression', opts.compression, root], homeA);
console.error(`closure of ${infos.length} paths, ${(bytes / MB).toFixed(0)} MB of NAR, made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const startWpmServeHere = () => startWpmServe(homeA, ['--compression', opts.compression]);

/** A private authority and a certificate for 127.0.0.1 signed by it; returns the files. */
function makeCerts() {
  const dir = join(work, 'tls');
  mkdirSync(dir);
  const openssl = (args) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=wpm bench authority']);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext']);
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

async function startNginx(certs) {
  const prefix = join(work, certs ? 'nginx-tls' : 'nginx');
  mkdirSync(prefix);
  const port = await freePort();
  const listen = certs ? `${port} ssl;\n    ssl_certificate ${certs.cert};\n    ssl_certificate_key ${certs.key}` : `${port}`;
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log;\n` +
      `events { worker_connections 64; }\nhttp {\n  access_log off;\n  sendfile on;\n  client_body_temp_path ${prefix}/client;\n  proxy_temp_path ${prefix}/proxy;\n` +
      `  fastcgi_temp_path ${prefix}/fastcgi;\n  uwsgi_temp_path ${prefix}/uwsgi;\n  scgi_temp_path ${prefix}/scgi;\n` +
      `  server {\n    listen 127.0.0.1:${listen};\n    root ${cacheDir};\n  }\n}\n`,
  );
  const child = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { stdio: 'ignore' });
  const url = `${certs ? 'https' : 'http'}://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (spawnSync('curl', ['-sf', '-o', '/dev/null', ...(certs ? ['--cacert', certs.ca] : []), `${url}/nix-cache-info`]).status === 0) {
      return { url, stop: () => child.kill('SIGTERM') };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not start: ${readFileSync(join(prefix, 'error.log'), 'utf8')}`);
}

async function narUrls(url, ca) {
  return infos.map((i) => {
    const narinfo = `${url}/${i.path.slice(11, 43)}.narinfo`;
    const text = spawnSync('curl', ['-sSf', ...(ca ? ['--cacert', ca] : []), narinfo], { encoding: 'utf8' }).stdout;
    return `${url}/${/^URL: (.*)$/m.exec(text)[1]}`;
  });
}

let n = 0;
/** Each client, trusting `ca` where the server is nginx over https. */
function contenders(server, urls, ca) {
  const curlArgs = (outputs) => {
    const args = ['-sS', '--fail', ...(ca ? ['--cacert', ca] : [])];
    urls.forEach((u, i) => args.push('-o', outputs(i), u));
    return args;
  };
  const curl = (outputs) => timed('curl', curlArgs(outputs));
  const curlDir = () => {
    const dir = join(work, `curl-${n++}`);
    mkdirSync(dir);
    return dir;
  };
  return [
    {
      label: `wpm copy --from ${server}`,
      run: (url) => {
        const home = join(work, `b-${n++}`);
        const env = { ...process.env, WPM_HOME: home, ...(ca ? { NODE_EXTRA_CA_CERTS: ca } : {}) };
        return timed(WPM, ['copy', '--from', url, '--trusted-public-keys', pub, root], { env });
      },
    },
    {
      label: `curl from ${server}, NARs to files`,
      run: () => {
        const dir = curlDir();
        return curl((i) => join(dir, `${i}.nar`));
      },
    },
    {
      // The same, made as durable as wpm: the disk's share of wpm's time is in this one too.
      label: `curl from ${server}, NARs to files, then sync -f`,
      run: () => {
        const dir = curlDir();
        return timedThenSync(dir, 'curl', curlArgs((i) => join(dir, `${i}.nar`)));
      },
    },
    {
      // The reference implementation over the same server: Nix as configured by default (no flush).
      label: `nix copy --from ${server} (local store)`,
      run: (url) => {
        const dir = join(work, `nix-${n++}`);
        const args = ['--extra-experimental-features', 'nix-command', 'copy', '--from', url, '--store', `local?root=${dir}`, '--option', 'trusted-public-keys', pub, root];
        return timed('nix', args, { env: { ...nixEnv(join(dir, 'home')), ...(ca ? { NIX_SSL_CERT_FILE: ca } : {}) } });
      },
    },
    { label: `curl from ${server}, NARs to /dev/null (context)`, run: () => curl(() => '/dev/null') },
  ];
}

const certs = makeCerts();
const results = [];
for (const [server, start, ca] of [
  ['wpm serve', startWpmServeHere],
  ['nginx', () => startNginx()],
  ['nginx over https', () => startNginx(certs), certs.ca],
]) {
  const s = await start();
  try {
    const cs = contenders(server, await narUrls(s.url, ca), ca);
    const best = cs.map(() => ({ wall: Infinity, cpu: Infinity }));
    for (const c of cs) c.run(s.url); // warm up
    for (let r = 0; r < Number(opts.runs); r++) {
      cs.forEach((c, i) => {
        const t = c.run(s.url);
        best[i] = { wall: Math.min(best[i].wall, t.wall), cpu: Math.min(best[i].cpu, t.cpu) };
      });
    }
    results.push({ server, cs, best });
  } finally {
    s.stop();
  }
}

console.log(`substituting ${infos.length} paths, ${(bytes / MB).toFixed(0)} MB of NAR (${opts.compression}) over loopback, best of ${opts.runs}:`);
for (const { server, cs, best } of results) {
  cs.forEach((c, i) => console.log(`  ${c.label.padEnd(50)} ${best[i].wall.toFixed(2)} s  ${(bytes / MB / best[i].wall).toFixed(0).padStart(5)} MB/s  CPU ${best[i].cpu.toFixed(2)} s`));
  console.log(`  from ${server}: wpm / curl to files throughput ${(best[1].wall / best[0].wall).toFixed(2)}×; wpm / curl to files then sync ${(best[2].wall / best[0].wall).toFixed(2)}×`);
  console.log(`  from ${server}: nix / curl to files throughput ${(best[1].wall / best[3].wall).toFixed(2)}×; wpm / nix ${(best[3].wall / best[0].wall).toFixed(2)}×`);
}
console.log(`  load: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores; ${readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0]}`);
rmSync(work, { recursive: true, force: true });
