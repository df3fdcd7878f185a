// What GC keeps and in which order it deletes, on hand-made path infos.
import { describe, expect, it } from 'vitest';
import { computeLiveSet, deletionOrder } from '../../store/gc/live-set.js';
import type { PathInfo } from '../../store/index.js';

const P = (name: string) => `/wpm/store/${name.padStart(32, '0')}-${name}`;

function infos(spec: Record<string, { refs?: string[]; deriver?: string }>): Map<string, PathInfo> {
  const m = new Map<string, PathInfo>();
  for (const [name, s] of Object.entries(spec)) {
    m.set(P(name), {
      path: P(name),
      narHash: 'sha256:x',
      narSize: 1,
      references: (s.refs ?? []).map(P),
      ...(s.deriver ? { deriver: P(s.deriver) } : {}),
      signatures: [],
    });
  }
  return m;
}

// app (built by app.drv) refers to lib; app.drv refers to src; tool.drv's output is tool.
const store = infos({
  app: { refs: ['lib'], deriver: 'app.drv' },
  lib: {},
  'app.drv': { refs: ['src', 'tool.drv'] },
  src: {},
  'tool.drv': {},
  tool: { deriver: 'tool.drv' },
  junk: {},
});
const outputs: Record<string, string[]> = { [P('app.drv')]: [P('app')], [P('tool.drv')]: [P('tool')] };
const outputsOf = (d: string) => outputs[d] ?? [];
const names = (s: Iterable<string>) => [...s].map((p) => p.split('-').slice(1).join('-')).sort();

describe('computeLiveSet', () => {
  it("keeps a root's closure and, by default, the derivations that built it (Nix's keep-derivations)", () => {
    const live = computeLiveSet({ infos: store, roots: [P('app')], inUse: [], outputsOf, policy: { keepDerivations: true, keepOutputs: false } });
    expect(names(live)).toEqual(['app', 'app.drv', 'lib', 'src', 'tool.drv']);
  });

  it('keeps the outputs of live derivations with keep-outputs', () => {
    const live = computeLiveSet({ infos: store, roots: [P('app')], inUse: [], outputsOf, policy: { keepDerivations: true, keepOutputs: true } });
    expect(names(live)).toEqual(['app', 'app.drv', 'lib', 'src', 'tool', 'tool.drv']);
  });

  it('keeps only the runtime closure without keep-derivations', () => {
    const live = computeLiveSet({ infos: store, roots: [P('app')], inUse: [], outputsOf, policy: { keepDerivations: false, keepOutputs: false } });
    expect(names(live)).toEqual(['app', 'lib']);
  });

  it('keeps the outputs of every derivation a running build may read, whatever the policy', () => {
    const live = computeLiveSet({ infos: store, roots: [], inUse: [P('app.drv')], outputsOf, policy: { keepDerivations: false, keepOutputs: false } });
    expect(names(live)).toEqual(['app', 'app.drv', 'lib', 'src', 'tool', 'tool.drv']);
  });

  it('ignores roots that are not valid', () => {
    const live = computeLiveSet({ infos: store, roots: [P('gone')], inUse: [P('adding')], outputsOf, policy: { keepDerivations: true, keepOutputs: true } });
    expect(live.size).toBe(0);
  });
});

describe('deletionOrder', () => {
  it('deletes referrers before what they refer to', () => {
    const raw = deletionOrder(new Set(store.keys()), store);
    expect(raw).toHaveLength(store.size);
    for (const [p, info] of store) {
      for (const ref of info.references) expect(raw.indexOf(p)).toBeLessThan(raw.indexOf(ref));
    }
  });

  it('breaks a cycle of mutual references and still orders what hangs below it', () => {
    const cyclic = infos({ out: { refs: ['dev', 'base'] }, dev: { refs: ['out'] }, base: {}, top: { refs: ['out'] } });
    const order = deletionOrder(new Set(cyclic.keys()), cyclic);
    expect(order).toHaveLength(4);
    expect(order[0]).toBe(P('top'));
    expect(order[3]).toBe(P('base'));
  });
});
