// wpm graph FILE [-A ATTR] --format dot|json : the derivation graph, for people who would rather
// look than read. `wpm graph packages/hello/default.jsonnet | dot -Tsvg > hello.svg` renders it
// with Graphviz; built steps are drawn filled, steps still to build are outlined.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Derivation } from '../../derivations/index.js';
import { readDerivation } from '../../runtime/scheduler/index.js';
import { evaluationOptions, openStore } from '../context.js';
import { evaluateFile } from '../../glue/index.js';
import { addAttrOption, addEvalArgOptions, attrsFrom, evalArgsFrom, type EvalLimitFlags } from '../options.js';

interface GraphNode {
  drvPath: string;
  name: string;
  builder: string;
  outputs: Record<string, string>;
  built: boolean;
}

function dotString(s: string): string {
  return JSON.stringify(s);
}

export function register(program: Command): void {
  const cmd = program
    .command('graph')
    .description('print the derivation graph as Graphviz dot or JSON (render: wpm graph FILE | dot -Tsvg > graph.svg)')
    .argument('<file>', 'Jsonnet file, or a directory with a default.jsonnet')
    .option('--format <format>', 'dot or json', (v: string) => {
      if (v !== 'dot' && v !== 'json') throw new InvalidArgumentError("expects 'dot' or 'json'");
      return v;
    }, 'dot');
  addAttrOption(cmd);
  addEvalArgOptions(cmd);
  cmd.action(async (file: string, flags: { attr?: string[]; format: 'dot' | 'json'; arg?: string[][]; argstr?: string[][] } & EvalLimitFlags) => {
    const store = openStore();
    const evaluated = await evaluateFile(store, { file, attrs: attrsFrom(flags), args: evalArgsFrom(flags) }, evaluationOptions(flags));
    const nodes = new Map<string, GraphNode>();
    const edges: { from: string; to: string }[] = [];
    const stack = evaluated.targets.map((t) => t.drvPath);
    while (stack.length > 0) {
      const drvPath = stack.pop()!;
      if (nodes.has(drvPath)) continue;
      const drv: Derivation = evaluated.derivations.get(drvPath) ?? readDerivation(store, drvPath);
      const outputs: Record<string, string> = {};
      for (const [name, o] of Object.entries(drv.outputs)) outputs[name] = o.path;
      nodes.set(drvPath, { drvPath, name: drv.name, builder: drv.builder, outputs, built: false });
      for (const input of Object.keys(drv.inputDrvs)) {
        edges.push({ from: input, to: drvPath });
        stack.push(input);
      }
    }
    // Every output looked up at once: one write of temporary roots, one look at the GC lock.
    const outputPaths = [...nodes.values()].flatMap((n) => Object.values(n.outputs));
    const validity = store.areValid(outputPaths);
    const valid = new Set(outputPaths.filter((_, k) => validity[k]));
    for (const n of nodes.values()) n.built = Object.values(n.outputs).every((p) => valid.has(p));
    // By name, then path: the order a reader looks things up in, and the same on every run.
    const byName = (a: GraphNode, b: GraphNode) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.drvPath < b.drvPath ? -1 : 1);
    const sortedNodes = [...nodes.values()].sort(byName);
    const rank = new Map(sortedNodes.map((n, k) => [n.drvPath, k]));
    edges.sort((a, b) => rank.get(a.from)! - rank.get(b.from)! || rank.get(a.to)! - rank.get(b.to)!);
    if (flags.format === 'json') {
      process.stdout.write(JSON.stringify({ nodes: sortedNodes, edges }, null, 2) + '\n');
      return;
    }
    const lines = ['digraph wpm {', '  rankdir=LR;', '  node [shape=box, style="rounded", fontname="Helvetica"];'];
    for (const n of sortedNodes) {
      const style = n.built ? ', style="rounded,filled", fillcolor="#d8f0d8"' : '';
      const tool = n.builder.startsWith('builtin:') ? n.builder : n.builder.replace(/^\/wpm\/store\/[0-9a-z]{32}-/, '');
      lines.push(`  ${dotString(n.drvPath)} [label=${dotString(`${n.name}\n${tool}`)}${style}];`);
    }
    for (const e of edges) lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)};`);
    lines.push('}');
    process.stdout.write(lines.join('\n') + '\n');
  });
}
