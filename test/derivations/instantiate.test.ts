// Inputs are found by scanning what a spec mentions; wrapper fields ('_…') are not the derivation's.
import { describe, expect, it } from 'vitest';
import { Instantiator } from '../../derivations/instantiate.js';
import { builtinRequests } from '../../runtime/builders/index.js';

const TOOL = `/wpm/store/${'a'.repeat(32)}-tool.wasm`;

function setup() {
  const inst = new Instantiator((p) => p === TOOL, { builtins: builtinRequests() });
  const dep = inst.instantiate(JSON.stringify({ name: 'dep', builder: TOOL }));
  const other = inst.instantiate(JSON.stringify({ name: 'other', builder: TOOL }));
  return { inst, dep, other };
}

describe('Instantiator', () => {
  it('takes the store paths mentioned in builder, args, env (keys too) and stdin as inputs', () => {
    const { inst, dep, other } = setup();
    const r = inst.instantiate(
      JSON.stringify({ name: 'x', builder: TOOL, args: ['t', `${dep.out}/lib`], env: { [`K${other.out}`]: 'v' }, stdin: { n: [1, { p: TOOL }] } }),
    );
    const drv = inst.derivations.get(r.drvPath)!;
    expect(drv.inputDrvs).toEqual({ [dep.drvPath]: ['out'], [other.drvPath]: ['out'] });
    expect(drv.inputSrcs).toEqual([TOOL]);
  });

  it('leaves out wrapper fields, and what they mention, from the derivation', () => {
    const { inst, dep, other } = setup();
    const r = inst.instantiate(JSON.stringify({ name: 'x', builder: TOOL, args: [dep.out], _extra: [other.out], type: 'derivation' }));
    const drv = inst.derivations.get(r.drvPath)!;
    expect(Object.keys(drv.inputDrvs)).toEqual([dep.drvPath]);
    // The same spec without the wrapper fields is the same derivation.
    expect(inst.instantiate(JSON.stringify({ name: 'x', builder: TOOL, args: [dep.out] })).drvPath).toBe(r.drvPath);
  });

  it('finds a path that the JSON text spells with escapes', () => {
    const { inst, dep } = setup();
    const escaped = JSON.stringify({ name: 'x', builder: TOOL, args: [dep.out] }).replace(/\//g, '\\/').replace(/w/g, '\\u0077');
    const r = inst.instantiate(escaped);
    expect(Object.keys(inst.derivations.get(r.drvPath)!.inputDrvs)).toEqual([dep.drvPath]);
  });

  it('takes a .drv made in this evaluation as a source, whether or not it is stored yet', () => {
    const { inst, dep } = setup();
    const r = inst.instantiate(JSON.stringify({ name: 'x', builder: TOOL, args: [dep.drvPath] }));
    expect(inst.derivations.get(r.drvPath)!.inputSrcs).toEqual([dep.drvPath, TOOL].sort());
  });

  it('refuses outputHashMode without outputHash, and output names that are not path names', () => {
    const { inst, dep } = setup();
    expect(() => inst.instantiate(JSON.stringify({ name: 'x', builder: TOOL, outputHashMode: dep.out }))).toThrow(
      "derivation 'x': outputHashMode is given without outputHash",
    );
    expect(() => inst.instantiate(JSON.stringify({ name: 'x', builder: TOOL, outputs: ['out', `a${dep.out}`] }))).toThrow(
      `derivation 'x': field 'outputs' must be names of letters, digits and '+-._?=', got the string`,
    );
  });

  it('refuses a store path that is neither produced here nor valid', () => {
    const { inst } = setup();
    const stray = `/wpm/store/${'b'.repeat(32)}-stray`;
    expect(() => inst.instantiate(JSON.stringify({ name: 'x', builder: TOOL, args: [stray] }))).toThrow(
      `derivation 'x': refers to ${stray}, which is neither produced by this evaluation nor valid in the store`,
    );
  });

  it('says clearly what is missing, empty or repeated', () => {
    const { inst } = setup();
    const refuse = (spec: object, message: string) => expect(() => inst.instantiate(JSON.stringify(spec))).toThrow(message);
    refuse({ builder: TOOL }, "wpm.derivation: field 'name' is missing (it must be a string)");
    refuse({ name: 'x' }, "derivation 'x': field 'builder' is missing (it must be a string)");
    refuse({ name: 'x', builder: TOOL, outputs: [] }, "derivation 'x': field 'outputs' must be a non-empty array, got an empty array");
    refuse({ name: 'x', builder: TOOL, outputs: ['out', 'out'] }, "derivation 'x': field 'outputs' names 'out' twice");
  });

  it("checks a builtin's request when it is made, not when it is built", () => {
    const { inst } = setup();
    const refuse = (spec: object, message: string) => expect(() => inst.instantiate(JSON.stringify(spec))).toThrow(message);
    refuse({ name: 'u', builder: 'builtin:unpack' }, "derivation 'u': field 'stdin.src' is missing (it must be a store path (the archive builtin:unpack unpacks))");
    refuse({ name: 'u', builder: 'builtin:unpack', stdin: { src: 'x.tgz' } }, "derivation 'u': field 'stdin.src' must be a store path");
    refuse({ name: 'f', builder: 'builtin:fetch', outputHash: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' }, "derivation 'f': field 'stdin.url' is missing");
    refuse({ name: 'f', builder: 'builtin:fetch', stdin: { url: 'https://example.org/f' } }, "derivation 'f': builtin:fetch needs outputHash");
    const ok = inst.instantiate(JSON.stringify({ name: 'u', builder: 'builtin:unpack', stdin: { src: TOOL } }));
    expect(ok.name).toBe('u');
  });
});
