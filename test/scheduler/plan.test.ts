// Planning: which steps a build needs, and a clear error for derivations that need each other.
import { describe, expect, it } from 'vitest';
import type { Derivation } from '../../derivations/index.js';
import { planBuild } from '../../runtime/scheduler/index.js';
import { isWpmError } from '../../util/index.js';

const drvPath = (n: string) => `/wpm/store/${n.repeat(32)}-${n}.drv`;
function drv(name: string, inputs: string[]): Derivation {
  return {
    name,
    builder: 'builtin:fetch',
    args: [],
    env: {},
    stdin: null,
    inputDrvs: Object.fromEntries(inputs.map((i) => [drvPath(i), ['out']])),
    inputSrcs: [],
    outputs: { out: { path: `/wpm/store/${name.repeat(32)}-${name}-out` } },
  };
}

describe('planBuild', () => {
  it('orders steps inputs first and leaves out what is valid', async () => {
    const graph: Record<string, Derivation> = { a: drv('a', ['b', 'c']), b: drv('b', ['c']), c: drv('c', []), d: drv('d', []) };
    graph.c = { ...graph.c!, inputDrvs: { [drvPath('d')]: ['out'] } };
    const load = (p: string) => graph[p.split('-')[1]!.replace('.drv', '')]!;
    const valid = new Set([graph.d!.outputs.out!.path]);
    const plan = await planBuild([drvPath('a')], load, (p) => valid.has(p));
    expect(plan.steps.map((s) => s.drv.name)).toEqual(['c', 'b', 'a']);
    expect(plan.steps[2]!.deps).toEqual([drvPath('b'), drvPath('c')]);
    expect(plan.cached).toEqual([]);
  });

  it('refuses derivations that need each other, naming the cycle, as a user error', async () => {
    const graph: Record<string, Derivation> = { a: drv('a', ['b']), b: drv('b', ['c']), c: drv('c', ['b']) };
    const load = (p: string) => graph[p.split('-')[1]!.replace('.drv', '')]!;
    const err = await planBuild([drvPath('a')], load, () => false).catch((e: unknown) => e);
    expect(isWpmError(err, 'ERR_DRV_CYCLE')).toBe(true);
    expect((err as Error).message).toBe(`dependency cycle: ${drvPath('b')} -> ${drvPath('c')} -> ${drvPath('b')}`);
    expect(isWpmError(err) && err.kind).toEqual({ exit: 3, user: true });
  });
});
