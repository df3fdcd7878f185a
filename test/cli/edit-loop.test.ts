// The edit loop of a C developer: compiler messages name the user's own files (src/count.c:3:12,
// not a store path), warnings of steps that succeeded are shown after the build, -L streams every
// step's log, wpm log reaches every step of a build, and compile_commands.json lets clangd
// resolve every include.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, wpm } from '../helpers/cli.js';
import { cloneHome, seededHome } from '../helpers/seed.js';

let template: string | undefined;
const home = () => cloneHome((template ??= seededHome('edit-loop')));

/** A three-file project of the user's own: src/main.c, src/count.c and include/count.h. */
function project(count: string): string {
  const dir = tempDir('edit-project');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.mkdirSync(path.join(dir, 'include'));
  fs.writeFileSync(
    path.join(dir, 'default.jsonnet'),
    `local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
cc.executable({
  name: 'count',
  srcs: [wpm.path(std.thisFile, 'src/main.c'), wpm.path(std.thisFile, 'src/count.c')],
  includes: [wpm.path(std.thisFile, 'include')],
  cflags: ['-Wall'],
})
`,
  );
  fs.writeFileSync(path.join(dir, 'include/count.h'), 'int count(const char *s);\n');
  fs.writeFileSync(
    path.join(dir, 'src/main.c'),
    '#include <stdio.h>\n#include "count.h"\nint main(int argc, char **argv) {\n  int unused = 3;\n  printf("%d\\n", argc > 1 ? count(argv[1]) : 0);\n  return 0;\n}\n',
  );
  fs.writeFileSync(path.join(dir, 'src/count.c'), count);
  return dir;
}

const GOOD_COUNT = '#include "count.h"\nint count(const char *s) {\n  int n = 0;\n  while (*s++) n++;\n  return n;\n}\n';
const BAD_COUNT = GOOD_COUNT.replace('int n = 0;', 'int n = 0');

/** The lines wpm shows of what compilers printed (after `  > `, or after a step's name with -L). */
const shown = (stderr: string, prefix = '  > ') => stderr.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));

describe('the edit loop', () => {
  it("names the user's file, line and column in a compile error, and no store path", () => {
    const dir = project(BAD_COUNT);
    const r = wpm(['build', '--no-link', '.'], { home: home(), cwd: dir });
    expect(r.status).toBe(1);
    const lines = shown(r.stderr);
    expect(lines).toContain("src/count.c:3:12: error: expected ';' at end of declaration");
    expect(lines.filter((l) => l.includes('/wpm/store/'))).toEqual([]);
  });

  it('shows the warnings of a step that succeeded, once, after the build, in the user\'s terms', () => {
    const dir = project(GOOD_COUNT);
    const h = home();
    const r = wpm(['build', '--no-link', '.'], { home: h, cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("output of main.o, which succeeded:\n  > src/main.c:4:7: warning: unused variable 'unused' [-Wunused-variable]");
    expect(r.stderr.split("warning: unused variable 'unused'").length).toBe(2);
    expect(shown(r.stderr).filter((l) => l.includes('/wpm/store/'))).toEqual([]);
    // The raw log keeps the store path, for whoever wants the exact bytes.
    const log = wpm(['log', '.', '--all'], { home: h, cwd: dir });
    expect(log.stdout).toMatch(/== main\.o \(\/wpm\/store\/[0-9a-z]{32}-main\.o\.drv\) ==\n\/wpm\/store\/[0-9a-z]{32}-main\.c:4:7: warning: unused variable/);
    expect(log.stdout).toMatch(/== count \(\/wpm\/store\/[0-9a-z]{32}-count\.drv\) ==/);
  });

  it("streams every step's log with -L, each line under the step's name", () => {
    const dir = project(GOOD_COUNT);
    const r = wpm(['build', '--no-link', '-L', '.'], { home: home(), cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(shown(r.stderr, 'main.o> ')).toEqual(expect.arrayContaining(["src/main.c:4:7: warning: unused variable 'unused' [-Wunused-variable]", '1 warning generated.']));
    // Streamed as it came, not told again after the build.
    expect(r.stderr).not.toContain('output of main.o');
  });

  it('reaches every step of a result with wpm log ./result --all', () => {
    const dir = project(GOOD_COUNT);
    const h = home();
    expect(wpm(['build', '.'], { home: h, cwd: dir }).status).toBe(0);
    const all = wpm(['log', './result', '--all'], { home: h, cwd: dir });
    expect(all.status, all.stderr).toBe(0);
    for (const step of ['main.o', 'count.o', 'count.wasm', 'count']) expect(all.stdout).toMatch(new RegExp(`== ${step.replace('.', '\\.')} \\(`));
    expect(all.stdout.indexOf('== main.o (')).toBeLessThan(all.stdout.indexOf('== count ('));
  });

  it('writes a compile_commands.json with which clangd resolves every include', () => {
    const dir = project(GOOD_COUNT);
    const h = home();
    const r = wpm(['compile-commands', '.'], { home: h, cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('wrote 2 compile commands to compile_commands.json');
    const entries = JSON.parse(fs.readFileSync(path.join(dir, 'compile_commands.json'), 'utf8')) as { file: string; arguments: string[] }[];
    expect(entries.map((e) => e.file).sort()).toEqual([path.join(dir, 'src/count.c'), path.join(dir, 'src/main.c')]);
    const main = entries.find((e) => e.file.endsWith('main.c'))!;
    expect(main.arguments).toContain(`-I${path.join(dir, 'include')}`);
    expect(main.arguments.some((a) => a.startsWith(`--sysroot=${path.join(h, 'store')}/`))).toBe(true);
    for (const file of ['src/main.c', 'src/count.c']) {
      const check = spawnSync('clangd-14', [`--check=${file}`], { cwd: dir, encoding: 'utf8' });
      expect(check.stderr, file).not.toMatch(/file not found|unresolved|E\[/);
      expect(check.stderr, file).toContain('All checks completed, 0 errors');
      expect(check.status, check.stderr).toBe(0);
    }
  });
});
