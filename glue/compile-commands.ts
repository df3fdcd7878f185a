// compile_commands.json for the C and C++ compile steps of an evaluation, so that clangd and
// other editors' tools understand the build. Each entry is the step's own clang command line
// with its store paths made real: the user's sources and include directories as the host paths
// wpm.path added (the evaluation's record), everything else (the toolchain's sysroot, generated
// headers, outputs) as the store's physical paths. Placeholders become the output's path.
import path from 'node:path';
import { placeholder, type Derivation } from '../derivations/index.js';
import { STORE_DIR, type LocalStore } from '../store/index.js';

export interface CompileCommand {
  directory: string;
  file: string;
  arguments: string[];
  output: string;
}

const STORE_REF = /\/wpm\/store\/([0-9a-df-np-sv-z]{32}-[A-Za-z0-9+._?=-]+)/g;

/** Is this step a C or C++ compile (clang or clang++ with -c)? */
function isCompile(drv: Derivation): boolean {
  return (drv.args[0] === 'clang' || drv.args[0] === 'clang++') && drv.args.includes('-c');
}

/**
 * Every compile step the targets need, inputs first. The steps that make a builder (wpm's own
 * install tool, say) are the tools', not the project's, and are left out.
 */
export function compileSteps(targets: string[], load: (drvPath: string) => Derivation): { drvPath: string; drv: Derivation }[] {
  const out: { drvPath: string; drv: Derivation }[] = [];
  const seen = new Set<string>();
  const visit = (drvPath: string) => {
    if (seen.has(drvPath)) return;
    seen.add(drvPath);
    const drv = load(drvPath);
    for (const input of Object.keys(drv.inputDrvs).sort()) {
      const makesBuilder = drv.inputDrvs[input]!.some((o) => {
        const p = load(input).outputs[o]?.path;
        return p !== undefined && (drv.builder === p || drv.builder.startsWith(p + '/'));
      });
      if (!makesBuilder) visit(input);
    }
    if (isCompile(drv)) out.push({ drvPath, drv });
  };
  for (const t of targets) visit(t);
  return out;
}

export function compileCommands(
  store: LocalStore,
  steps: { drvPath: string; drv: Derivation }[],
  sources: ReadonlyMap<string, string>,
  directory: string,
): CompileCommand[] {
  const real = (text: string) =>
    text.replace(STORE_REF, (whole, base: string) => sources.get(`${STORE_DIR}/${base}`) ?? store.toHost(`${STORE_DIR}/${base}`));
  return steps.map(({ drv }) => {
    const out = store.toHost(drv.outputs.out!.path);
    const holders = Object.entries(drv.outputs).map(([name, o]) => [placeholder(name), o.path] as const);
    const args = drv.args.map((a) => {
      let r = a;
      for (const [from, to] of holders) r = r.split(from).join(to);
      return real(r);
    });
    const src = drv.args[drv.args.indexOf('-c') + 1]!;
    return { directory, file: path.resolve(directory, real(src)), arguments: args, output: out };
  });
}
