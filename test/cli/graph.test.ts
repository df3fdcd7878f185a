// `wpm graph`: the derivation graph as JSON or Graphviz dot, with built steps marked.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, wpm } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';

const FAN = path.join(REPO, 'test/fixtures/graphs/fan.jsonnet');

interface Graph {
  nodes: { drvPath: string; name: string; outputs: Record<string, string>; built: boolean }[];
  edges: { from: string; to: string }[];
}

describe('wpm graph', () => {
  it('lists every step and dependency, and marks the built ones', () => {
    const home = seededHome('graph');
    const graph = (): Graph => {
      const r = wpm(['graph', FAN, '-A', 'all', '--argstr', 'salt=g', '--format', 'json'], { home });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Graph;
    };
    const before = graph();
    const steps = before.nodes.filter((n) => /^(leaf\dg|allg)$/.test(n.name));
    expect(steps.map((n) => n.name).sort()).toEqual(['allg', 'leaf0g', 'leaf1g', 'leaf2g', 'leaf3g']);
    expect(steps.every((n) => !n.built)).toBe(true);
    // Listed by name, as a reader looks them up.
    const names = before.nodes.map((n) => n.name);
    expect(names).toEqual([...names].sort());
    const all = steps.find((n) => n.name === 'allg')!;
    expect(before.edges.filter((e) => e.from === all.drvPath || e.to === all.drvPath).length).toBeGreaterThanOrEqual(4);

    const built = wpm(['build', '--no-link', FAN, '-A', 'all', '--argstr', 'salt=g'], { home });
    expect(built.status, built.stderr).toBe(0);
    // The fan's steps and the step tool are built now; the seeded home holds the unpacked
    // toolchain but not the tarball it came from, which the graph reports as not built.
    const after = graph();
    for (const n of after.nodes.filter((x) => !x.built)) expect(n.name).toMatch(/\.tgz$/);
    expect(after.nodes.filter((n) => /^(leaf\dg|allg)$/.test(n.name)).every((n) => n.built)).toBe(true);

    const dot = wpm(['graph', FAN, '-A', 'all', '--argstr', 'salt=g', '--format', 'dot'], { home });
    expect(dot.stdout).toMatch(/^digraph wpm \{/);
    expect(dot.stdout).toContain('allg');
  }, 300_000);
});
