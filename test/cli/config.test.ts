// Settings precedence: flags over environment over the config file over defaults.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFile, loadSettings } from '../../cli/config.js';
import { tempDir, wpm } from '../helpers/cli.js';

function withConfig(text: string): NodeJS.ProcessEnv {
  const xdg = tempDir('xdg');
  fs.mkdirSync(path.join(xdg, 'wpm'));
  fs.writeFileSync(path.join(xdg, 'wpm', 'wpm.conf'), text);
  return { XDG_CONFIG_HOME: xdg };
}

describe('settings', () => {
  it('reads $XDG_CONFIG_HOME/wpm/wpm.conf', () => {
    const env = withConfig('# comment\nmax-jobs = 3\nsubstituters = http://a file:///b\nrequired-signatures = 2\n');
    expect(configFile(env)).toBe(path.join(env.XDG_CONFIG_HOME!, 'wpm', 'wpm.conf'));
    const s = loadSettings(env);
    expect(s.maxJobs).toBe(3);
    expect(s.substituters).toEqual(['http://a', 'file:///b']);
    expect(s.requiredSignatures).toBe(2);
  });

  it('lets the environment override the file', () => {
    const env = { ...withConfig('max-jobs = 3\n'), WPM_MAX_JOBS: '5' };
    expect(loadSettings(env).maxJobs).toBe(5);
  });

  it('keeps outputs and derivations through GC by default (keep-outputs unlike Nix), and reads both from the file and the environment', () => {
    const d = loadSettings({ XDG_CONFIG_HOME: tempDir('empty') });
    expect([d.keepOutputs, d.keepDerivations]).toEqual([true, true]);
    const env = withConfig('keep-outputs = false\nkeep-derivations = false\n');
    expect([loadSettings(env).keepOutputs, loadSettings(env).keepDerivations]).toEqual([false, false]);
    expect(loadSettings({ ...env, WPM_KEEP_OUTPUTS: 'true' }).keepOutputs).toBe(true);
  });

  it('defaults to the number of cores', () => {
    expect(loadSettings({ XDG_CONFIG_HOME: tempDir('empty') }).maxJobs).toBe(os.availableParallelism());
  });

  it('names the file and line of a bad setting', () => {
    const env = withConfig('max-jobs = 2\nmax-jobz = 4\n');
    expect(() => loadSettings(env)).toThrow(`${configFile(env)}:2: unknown setting 'max-jobz'`);
    const r = wpm(['build', '/nonexistent.jsonnet'], { home: tempDir('home'), env });
    expect(r.stderr).toContain(`${configFile(env)}:2: unknown setting 'max-jobz'`);
  });

  it('reads the remote-execution settings, the environment over the file', () => {
    const env = {
      ...withConfig('remote = grpc://cluster:8980\nremote-instance = main\nremote-headers = Authorization: Bearer t0k; x-extra: 1\nremote-upload = true\nremote-jobs = 40\n'),
      WPM_REMOTE_ONLY: 'true',
      WPM_REMOTE_INSTANCE: 'other',
    };
    expect(loadSettings(env).remote).toEqual({
      url: 'grpc://cluster:8980', instance: 'other', headers: ['Authorization: Bearer t0k', 'x-extra: 1'], upload: true, only: true, jobs: 40,
    });
    const r = wpm(['build', '--no-link', '--remote', 'http://x', '/nonexistent.jsonnet'], { home: tempDir('home') });
    expect(r.status).toBe(2);
  });
});
