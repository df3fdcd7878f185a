// Remote execution against a real server: BuildGrid (PyPI) with wpm's bots as its workers,
// started on loopback by test/remote/server.sh (.ci/run installs what it needs). The package
// built through it is packages/hello by default; WPM_REMOTE_TEST_PACKAGE=packages/sqlite runs
// the same test on sqlite (docs/remote.md, "Tests"), which takes several minutes on two cores.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir as tempDirFor, wpm, wpmAsync, wpmP, type CliResult } from '../helpers/cli.js';
import { events } from '../helpers/build-events.js';
import { seededHome } from '../helpers/seed.js';
import { startCluster, until, type Bot, type Cluster } from './cluster.js';

const PACKAGE = process.env.WPM_REMOTE_TEST_PACKAGE ?? 'packages/hello';
const STEPS = path.join(REPO, 'test/fixtures/remote/steps.jsonnet');
const SLOW = PACKAGE === 'packages/hello' ? 600_000 : 3_600_000;

let cluster: Cluster;
let bot: Bot;

beforeAll(async () => {
  cluster = await startCluster();
  bot = cluster.startBot();
});

afterAll(() => cluster?.stop());

/** NAR hash of every output a --json build built, by output path. */
function builtOutputs(r: CliResult, home: string): Map<string, string> {
  const paths = events(r).filter((e) => e.type === 'built').flatMap((e) => Object.values(e.outputs as Record<string, string>));
  const info = wpm(['store', 'path-info', '--json', ...paths], { home });
  expect(info.status, info.stderr).toBe(0);
  return new Map((JSON.parse(info.stdout) as { path: string; narHash: string }[]).map((i) => [i.path, i.narHash]));
}

function remoteStates(r: CliResult): string[] {
  return events(r).filter((e) => e.type === 'remote').map((e) => `${e.state}`);
}

describe(`remote execution through BuildGrid (${PACKAGE})`, () => {
  it('builds from an empty store through the server byte-identically to a local build; a second empty store gets every step from the Action Cache with no execution', async () => {
    const localHome = seededHome('local');
    const local = await wpmP(['build', '--no-link', '--json', PACKAGE], { home: localHome });
    expect(local.status, local.stderr).toBe(0);
    const expected = builtOutputs(local, localHome);

    const remoteHome = seededHome('remote');
    const before = cluster.jobs();
    const remote = await wpmP(['build', '--no-link', '--json', '--remote', cluster.url, '--remote-only', PACKAGE], { home: remoteHome });
    expect(remote.status, remote.stderr).toBe(0);
    expect(builtOutputs(remote, remoteHome)).toEqual(expected);
    // Every WASI step ran on the server (builtins such as fetch and unpack run here).
    const wasiSteps = events(remote).filter((e) => e.type === 'remote' && (e.state === 'done' || e.state === 'cache-hit')).length;
    expect(wasiSteps).toBeGreaterThan(0);
    expect(cluster.jobs() - before).toBe(events(remote).filter((e) => e.type === 'remote' && e.state === 'done').length);
    expect(remote.stdout).toBe(local.stdout);

    const thirdHome = seededHome('third');
    const jobsBefore = cluster.jobs();
    const leasesBefore = bot.leases().length;
    const cached = await wpmP(['build', '--no-link', '--json', '--remote', cluster.url, '--remote-only', PACKAGE], { home: thirdHome });
    expect(cached.status, cached.stderr).toBe(0);
    expect(remoteStates(cached).every((s) => s === 'cache-hit')).toBe(true);
    expect(remoteStates(cached).length).toBe(wasiSteps);
    expect(cluster.jobs()).toBe(jobsBefore);
    expect(bot.leases().length).toBe(leasesBefore);
    expect(builtOutputs(cached, thirdHome)).toEqual(expected);
  }, SLOW);

  it('builds locally with one warning when the server does not answer, and fails under --remote-only', async () => {
    const home = seededHome('down');
    const down = 'grpc://127.0.0.1:9';
    const r = await wpmP(['build', '--no-link', '-A', 'pair', '--remote', down, STEPS, '--argstr', 'salt=down'], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.match(/warning: /g)).toHaveLength(1);
    expect(r.stderr).toContain('grpc://127.0.0.1:9 did not answer');
    const only = await wpmP(['build', '--no-link', '-A', 'spin', '--remote', down, '--remote-only', STEPS, '--argstr', 'salt=down-only'], { home });
    expect(only.status).toBe(1);
    expect(only.stderr).toContain('did not answer');
  }, 300_000);

  it('reports a step that fails on the worker as the same failure, with its log', async () => {
    const home = seededHome('fail');
    const r = await wpmP(['build', '--no-link', '-A', 'fail', '--remote', cluster.url, '--remote-only', STEPS, '--argstr', 'salt=fail'], { home });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/builder for 'failfail' .* exited with status 3/);
    expect(r.stderr).toContain('failing on purpose fail');
  }, 300_000);

  it('stops a step at its limit on the worker, told as a local limit is', async () => {
    const home = seededHome('limit');
    // The tool first, without the limit (its compile takes longer than the limit).
    const tool = await wpmP(['build', '--no-link', '-A', 'pair', '--remote', cluster.url, STEPS, '--argstr', 'salt=warm'], { home });
    expect(tool.status, tool.stderr).toBe(0);
    const r = await wpmP(['build', '--no-link', '-A', 'forever', '--timeout', '2', '--remote', cluster.url, '--remote-only', STEPS, '--argstr', 'salt=limit'], { home });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/'foreverlimit' .* was stopped: it ran longer than 2 s, the step time limit \(timeout\)/);
  }, 300_000);

  it('retries an action whose worker is killed while running it, and the build succeeds', async () => {
    const home = seededHome('killed');
    // The tool first (its compile and link), so that the spinning step is the one running.
    const tool = await wpmP(['build', '--no-link', '-A', 'pair', '--remote', cluster.url, STEPS, '--argstr', 'salt=warm'], { home });
    expect(tool.status, tool.stderr).toBe(0);
    const run = wpmAsync(['build', '--no-link', '--json', '-A', 'spin', '--remote', cluster.url, '--remote-only', STEPS, '--argstr', 'salt=killed', '--argstr', 'spin=3000'], { home });
    const leases = bot.leases().length;
    await until(() => bot.leases().length > leases, 120_000, 'the bot to take the spinning step');
    const lease = bot.leases().at(-1)!;
    bot.kill();
    bot = cluster.startBot();
    const r = await run.done;
    expect(r.status, r.stderr).toBe(0);
    // The scheduler gave the same job to the new bot once the killed one stopped reporting.
    expect(bot.leases()).toContain(lease);
    const out = (JSON.parse(r.stdout) as { outputs: { out: string } }[])[0]!.outputs.out;
    expect(fs.readFileSync(path.join(home, 'store', path.basename(out)), 'utf8')).toBe('spun killed');
  }, 600_000);

  it('cancels the remote action when the build is interrupted (Ctrl-C)', async () => {
    const home = seededHome('cancel');
    const tool = await wpmP(['build', '--no-link', '-A', 'pair', '--remote', cluster.url, STEPS, '--argstr', 'salt=warm'], { home });
    expect(tool.status, tool.stderr).toBe(0);
    const run = wpmAsync(['build', '--no-link', '-A', 'spin', '--remote', cluster.url, '--remote-only', STEPS, '--argstr', 'salt=cancelled', '--argstr', 'spin=3000'], { home });
    const leases = bot.leases().length;
    await until(() => bot.leases().length > leases, 120_000, 'the bot to take the spinning step');
    const lease = bot.leases().at(-1)!;
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.status).toBe(130);
    await until(() => fs.readFileSync(bot.logFile, 'utf8').includes(`lease ${lease} cancelled`), 60_000, 'the bot to hear of the cancellation');
  }, 600_000);

  it('--remote-cache only looks results up, never executes; --remote-upload fills it from a local build', async () => {
    const args = ['-A', 'pair', STEPS, '--argstr', 'salt=cache-only'];
    const jobs = cluster.jobs();
    const ours = (r: CliResult, state: string) => events(r).filter((e) => e.type === 'remote' && e.state === state && String(e.name).endsWith('cache-only')).length;
    const plain = await wpmP(['build', '--no-link', '--json', '--remote-cache', cluster.url, ...args], { home: seededHome('cache-a') });
    expect(plain.status, plain.stderr).toBe(0);
    expect(ours(plain, 'uploaded')).toBe(0);
    const upload = await wpmP(['build', '--no-link', '--json', '--remote-cache', cluster.url, '--remote-upload', ...args], { home: seededHome('cache-b') });
    expect(upload.status, upload.stderr).toBe(0);
    expect(ours(upload, 'cache-hit')).toBe(0);
    expect(ours(upload, 'uploaded')).toBe(2);
    const home = seededHome('cache-c');
    const hit = await wpmP(['build', '--no-link', '--json', '--remote-cache', cluster.url, ...args], { home });
    expect(hit.status, hit.stderr).toBe(0);
    expect(ours(hit, 'cache-hit')).toBe(2);
    expect(hit.stdout).toBe(plain.stdout);
    expect(cluster.jobs()).toBe(jobs);
  }, 600_000);

  it('uploads again the blobs the server lost', async () => {
    const crypto = await import('node:crypto');
    const runner = fs.readFileSync(path.join(REPO, 'dist/remote/wpm-runner.mjs'));
    const hash = crypto.createHash('sha256').update(runner).digest('hex');
    const blob = path.join(cluster.dir, 'cas', 'cas', 'objects', hash.slice(0, 2), hash.slice(2));
    // Earlier tests uploaded the runner; the server loses it.
    expect(fs.existsSync(blob)).toBe(true);
    fs.rmSync(blob);
    const r = await wpmP(['build', '--no-link', '-A', 'pair', '--remote', cluster.url, '--remote-only', STEPS, '--argstr', 'salt=lost'], { home: seededHome('lost') });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(blob)).toEqual(runner);
  }, 300_000);

  it('writes nothing outside the scratch directory for a result tree naming ..', async () => {
    const { RemoteClient, parseEndpoint, encodeMessage, REAPI, digestOf, writeTree } = await import('../../remote/index.js');
    const client = await RemoteClient.connect(parseEndpoint(cluster.url));
    try {
      const dir = tempDirFor('bad-tree');
      for (const name of ['..', 'a/b', '.']) {
        const tree = encodeMessage(`${REAPI}.Tree`, { root: { directories: [{ name, digest: digestOf(Buffer.alloc(0)) }] }, children: [] });
        await client.cas.upload([{ digest: digestOf(tree), bytes: tree }]);
        const fetched = await client.cas.readOne(digestOf(tree));
        await expect(writeTree(client.cas, fetched, path.join(dir, 'out'))).rejects.toMatchObject({ code: 'ERR_REMOTE_BAD_RESULT' });
        fs.rmSync(path.join(dir, 'out'), { recursive: true, force: true });
      }
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('rejects a tampered CAS blob: the step is built locally, nothing of the blob is used', async () => {
    const homeA = seededHome('tamper-a');
    const args = ['-A', 'pair', STEPS, '--argstr', 'salt=tampered'];
    const a = await wpmP(['build', '--no-link', '--remote', cluster.url, ...args], { home: homeA });
    expect(a.status, a.stderr).toBe(0);
    const out = a.stdout.trim();
    const text = fs.readFileSync(path.join(homeA, 'store', path.basename(out)), 'utf8');
    // The output's bytes in BuildGrid's disk CAS, under their SHA-256: change one byte.
    const crypto = await import('node:crypto');
    const hash = crypto.createHash('sha256').update(text).digest('hex');
    const blob = path.join(cluster.dir, 'cas', 'cas', 'objects', hash.slice(0, 2), hash.slice(2));
    expect(fs.existsSync(blob)).toBe(true);
    fs.writeFileSync(blob, text.replace('first', 'FIRST'));

    const homeB = seededHome('tamper-b');
    const b = await wpmP(['build', '--no-link', '--remote', cluster.url, ...args], { home: homeB });
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/remote execution failed \(the remote CAS returned .* for blob/);
    expect(fs.readFileSync(path.join(homeB, 'store', path.basename(out)), 'utf8')).toBe(text);

    const homeC = seededHome('tamper-c');
    const c = await wpmP(['build', '--no-link', '--remote', cluster.url, '--remote-only', ...args], { home: homeC });
    expect(c.status).toBe(1);
    expect(c.stderr).toContain('the remote CAS returned');
    expect(fs.existsSync(path.join(homeC, 'store', path.basename(out)))).toBe(false);
  }, 600_000);
});
