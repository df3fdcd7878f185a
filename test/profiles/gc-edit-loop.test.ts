// GC with the default settings keeps a developer's edit loop warm: keep-outputs (on by default,
// unlike Nix) keeps what built every live result — the toolchain, its download, each object — so
// after `wpm store gc` a one-file edit recompiles one object and fetches nothing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir, wpm, type CliResult } from '../helpers/cli.js';
import { events, started } from '../helpers/build-events.js';
import { seededHome } from '../helpers/seed.js';

interface GcJson {
  deleted: { path: string }[];
}

function ok(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('wpm store gc with the default settings, then a one-file edit', () => {
  it('recompiles one object and fetches nothing', () => {
    const home = seededHome('gc-edit-loop');
    const root = tempDir('gc-edit-loop-pkgs');
    for (const p of ['b64', 'base64']) fs.cpSync(path.join(REPO, 'packages', p), path.join(root, p), { recursive: true });
    const project = path.join(root, 'b64');
    const cwd = tempDir('gc-edit-loop-cwd');
    const run = (args: string[]) => wpm(args, { home, cwd });
    ok(run(['build', project])); // ./result: the live result
    // Garbage besides: the derivations of a package evaluated but never built.
    ok(run(['eval', path.join(REPO, 'packages', 'default.jsonnet'), '-A', 'crc32']));

    // Nix's defaults would take the toolchain and every object of the live result.
    const nixLike = (JSON.parse(ok(run(['store', 'gc', '--dry-run', '--json', '--no-keep-outputs']))) as GcJson).deleted.map((d) => d.path);
    expect(nixLike.some((p) => /-yowasp-clang-[^/]*$/.test(p))).toBe(true);
    expect(nixLike.some((p) => /-options\.o$/.test(p))).toBe(true);

    const gc = (JSON.parse(ok(run(['store', 'gc', '--json']))) as GcJson).deleted.map((d) => d.path);
    expect(gc.some((p) => /-crc32\.drv$/.test(p))).toBe(true);
    // What built ./result stays (the seeded python and wasm-tools, which it never used, go).
    const built = nixLike.filter((p) => /-(yowasp-clang-[^/]*|wasm32-wasip1-sysroot|[a-z_]+\.o|libbase64\.a)$/.test(p));
    expect(built.length).toBeGreaterThan(4);
    expect(gc.filter((p) => built.includes(p))).toEqual([]);

    const options = path.join(project, 'src', 'options.c');
    fs.writeFileSync(options, fs.readFileSync(options, 'utf8').replace('usage: b64 ', 'usage (edited): b64 '));
    const rebuilt = run(['build', '--json', project]);
    ok(rebuilt);
    expect(started(rebuilt)).toEqual(['b64', 'b64.wasm', 'options.o']);
    expect(events(rebuilt).filter((e) => e.type === 'substituted')).toEqual([]);
    expect(wpm(['run', './result', '--', '--help'], { home, cwd }).stdout).toMatch(/^usage \(edited\): b64 /);
  });
});
