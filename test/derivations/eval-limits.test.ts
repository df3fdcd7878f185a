// Evaluation that cannot hang: imports of anything but regular files are refused before
// evaluation starts, and an evaluation past its time or memory limit ends the process with exit
// code 3 and a message naming the limit and how to raise it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findImports } from '../../glue/jsonnet-imports.js';
import { tempDir, wpm } from '../helpers/cli.js';

function evalFile(text: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const dir = tempDir('limits');
  const file = path.join(dir, 'bomb.jsonnet');
  fs.writeFileSync(file, text);
  const home = path.join(dir, 'home');
  const started = Date.now();
  const r = wpm(['eval', ...args, file], { home, env: { WPM_EVAL_CACHE: '0', ...env } });
  return { ...r, file, dir, home, ms: Date.now() - started };
}

describe('evaluation limits', () => {
  it('refuses to import a device, naming the file and line, before evaluating', () => {
    for (const [keyword, device] of [['importstr', '/dev/zero'], ['importbin', '/dev/urandom'], ['import', '/dev/stdin']]) {
      const r = evalFile(`{\n  a: 1,\n  b: ${keyword} '${device}',\n}\n`);
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`^error: ${r.file}:3: import '${device}' is a (character device|pipe|socket) \\(.*\\), not a file: only regular files can be imported`));
      expect(r.ms).toBeLessThan(20_000);
    }
  });

  it('refuses to import a pipe', () => {
    const dir = tempDir('fifo');
    const fifo = path.join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = evalFile(`importstr '${fifo}'`);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`import '${fifo}' is a pipe`);
  });

  it('reads no import out of a comment or a string', () => {
    const r = evalFile(`// importstr '/dev/zero'\n/* importbin '/dev/urandom' */\n{ s: "importstr '/dev/zero'" }\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ s: "importstr '/dev/zero'" });
  });

  it('stops an endless loop at the time limit, with exit code 3', () => {
    const r = evalFile('local f(n) = f(n + 1) tailstrict;\nf(0)\n', ['--eval-timeout', '2']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('took longer than 2 s, the evaluation time limit (eval-timeout)');
    expect(r.stderr).toContain('hint: an endless loop? If not, raise the limit with --eval-timeout SECONDS or eval-timeout in wpm.conf');
    expect(r.ms).toBeLessThan(20_000);
    // Its own exit handlers ran: no temporary-roots file is left.
    expect(fs.readdirSync(path.join(r.home, 'temproots'))).toEqual([]);
  });

  it('takes the time limit from the environment (and wpm.conf) when no flag is given', () => {
    const r = evalFile('local f(n) = f(n + 1) tailstrict;\nf(0)\n', [], { WPM_EVAL_TIMEOUT: '1' });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('took longer than 1 s');
  });

  it('stops a runaway array at the memory limit, with exit code 3', () => {
    const r = evalFile('std.length(std.range(1, 100000000))\n', ['--max-eval-memory', '600M']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/used \d+ MiB of memory, more than the evaluation memory limit of 600 MiB \(max-eval-memory\)/);
    expect(r.stderr).toContain('raise the limit with --max-eval-memory SIZE');
    expect(r.ms).toBeLessThan(60_000);
  });

  it('takes the limit flags as a usage matter', () => {
    const r = evalFile('1', ['--max-eval-memory', 'lots']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('expects a size such as 512M or 4G');
  });
});

describe('finding the imports of a Jsonnet file', () => {
  it('finds every kind of literal and nothing in comments or strings', () => {
    const text = [
      "local a = import 'a.libsonnet';",
      '// import "no1"',
      '# importstr "no2"',
      '/* importbin "no3" */ local s = "import \'no4\'";',
      "local b = importstr @'b''s.txt';",
      'local c = importbin /* here */ "c\\u0041.bin";',
      'local d = import |||',
      '  d.jsonnet',
      '|||;',
      "{ x: s, y: import 'e.json' }",
    ].join('\n');
    expect(findImports(text)).toEqual([
      { keyword: 'import', path: 'a.libsonnet', line: 1 },
      { keyword: 'importstr', path: "b's.txt", line: 5 },
      { keyword: 'importbin', path: 'cA.bin', line: 6 },
      { keyword: 'import', path: 'd.jsonnet\n', line: 7 },
      { keyword: 'import', path: 'e.json', line: 10 },
    ]);
  });
});

describe("the evaluator's stack", () => {
  const SUM = 'local sum(xs, i) = if i == std.length(xs) then 0 else xs[i] + sum(xs, i + 1);\nsum(std.range(1, 1000), 0)\n';

  it('fails a 1,000-deep recursion at the default limit, calling it stack depth, not infinite, with the way to raise it', () => {
    const r = evalFile(SUM);
    expect(r.status).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(`error: stack depth 500 exceeded: ${r.file}:1 calls ${r.file}:1 again, deeper than the evaluator's stack`);
    expect(r.stderr).toContain('hint: a recursion deeper than the stack, or one without end: if it is meant to be this deep, raise the limit with --max-stack N or max-stack in wpm.conf');
    expect(r.stderr).not.toContain('infinite');
  });

  it('evaluates the same recursion with --max-stack 2000, and from max-stack in the environment', () => {
    expect(evalFile(SUM, ['--max-stack', '2000'])).toMatchObject({ status: 0, stdout: '500500\n' });
    expect(evalFile(SUM, [], { WPM_MAX_STACK: '2000' })).toMatchObject({ status: 0, stdout: '500500\n' });
  });

  it('calls a value that needs itself infinite recursion, whatever the limit', () => {
    const r = evalFile('local x = x + 1;\nx\n', ['--max-stack', '2000']);
    expect(r.status).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(`error: infinite recursion: x (${r.file}:1:11) needs x again`);
  });
});
