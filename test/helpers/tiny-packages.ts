// Packages made of files only, for profile tests that need no compiler: each is a tarball
// unpacked by builtin:unpack (a host builtin, so a build takes milliseconds), under the name
// given. A package's files may name other packages' output paths (`@name@`), which makes them
// references, as a real program's closure has.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir, wpm } from './cli.js';

/** Package name → its files (relative path → content; a content of `->TARGET` makes a symlink). */
export type PackageFiles = Record<string, Record<string, string>>;

export interface TinyPackages {
  dir: string;
  file: string;
  /** Write (or rewrite) a package's files and its tarball. */
  write(name: string, files: Record<string, string>): void;
}

function tarball(src: string, out: string): void {
  const entries = fs.readdirSync(src).sort();
  execFileSync('tar', ['-C', src, '--sort=name', '--mtime=@1', '--owner=0', '--group=0', '-cf', out, ...entries]);
}

/**
 * A directory with `default.jsonnet` giving one attribute per package. `deps` lists, for a
 * package, the packages whose output paths its files may mention as `@name@` (made its inputs).
 */
export function tinyPackages(packages: PackageFiles, deps: Record<string, string[]> = {}, home?: string): TinyPackages {
  const dir = tempDir('tiny-pkgs');
  const names = Object.keys(packages);
  const lines = names.map((n) => {
    const env = (deps[n] ?? []).map((d) => `'DEP_${d.replace(/[^A-Za-z0-9]/g, '_')}': pkgs['${d}'].out`).join(', ');
    return `  '${n}': wpm.derivation({ name: '${n}', builder: 'builtin:unpack', stdin: { src: wpm.path(std.thisFile, '${n}.tar'), strip: 0 }, env: { ${env} } }),`;
  });
  const file = path.join(dir, 'default.jsonnet');
  fs.writeFileSync(file, `local wpm = import 'wpm.libsonnet';\nlocal pkgs = {\n${lines.join('\n')}\n};\npkgs\n`);
  const write = (name: string, files: Record<string, string>) => {
    const src = path.join(dir, 'src', name);
    fs.rmSync(src, { recursive: true, force: true });
    for (const [rel, content] of Object.entries(files)) {
      const p = path.join(src, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      let text = content;
      for (const d of deps[name] ?? []) {
        if (!text.includes(`@${d}@`)) continue;
        // The dependency's output path, from an evaluation (it needs no build).
        const r = wpm(['eval', '--json', '--read-only', '-A', `${d}.out`, file], { home: home ?? tempDir('tiny-eval') });
        if (r.status !== 0) throw new Error(r.stderr);
        text = text.split(`@${d}@`).join(JSON.parse(r.stdout) as string);
      }
      if (text.startsWith('->')) fs.symlinkSync(text.slice(2), p);
      else fs.writeFileSync(p, text, { mode: rel.startsWith('bin/') && !rel.endsWith('.wasm') ? 0o755 : 0o644 });
    }
    tarball(src, path.join(dir, `${name}.tar`));
  };
  // Dependencies first: their paths are written into their dependents.
  const order: string[] = [];
  const visit = (n: string) => {
    if (order.includes(n)) return;
    for (const d of deps[n] ?? []) visit(d);
    order.push(n);
  };
  names.forEach(visit);
  for (const n of order) write(n, packages[n]!);
  return { dir, file, write };
}
