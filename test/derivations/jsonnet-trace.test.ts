// Shortening libjsonnet's traces around the user's frames, on messages as libjsonnet prints them.
import { describe, expect, it } from 'vitest';
import { describeRecursion, traceForUser } from '../../derivations/jsonnet-trace.js';

const isUserFile = (file: string) => file.startsWith('/home/u/');
const frame = (file: string, line: number, what = 'thunk <x>') => `\t${file}:${line}:3-9\t${what}`;

describe('traceForUser', () => {
  it('keeps a short trace whole', () => {
    const message = ['RUNTIME ERROR: boom', frame('/lib/a.libsonnet', 1), frame('/home/u/f.jsonnet', 2)].join('\n');
    expect(traceForUser(message, isUserFile)).toBe(message);
  });

  it("keeps ten frames at each end and the user's between, and says how many it left out", () => {
    const lib = (n: number) => Array.from({ length: n }, (_, k) => frame('/lib/a.libsonnet', k + 1));
    const message = ['RUNTIME ERROR: boom', ...lib(15), frame('/home/u/f.jsonnet', 7, 'object <a>'), ...lib(30), '\tDuring manifestation\t'].join('\n');
    const lines = traceForUser(message, isUserFile).split('\n');
    expect(lines[0]).toBe('RUNTIME ERROR: boom');
    expect(lines).toContain('\t/home/u/f.jsonnet:7:3-9\tobject <a>');
    expect(lines).toContain('\t... (5 more frames)');
    expect(lines).toContain('\t... (20 more frames)');
    expect(lines.filter((l) => l.startsWith('\t/lib/'))).toHaveLength(20);
    expect(lines[lines.length - 1]).toBe('\tDuring manifestation\t');
  });

  it("does not take the error's own text for frames", () => {
    const text = Array.from({ length: 60 }, (_, k) => (k % 2 ? `  job ${k} at 12:${k}:00` : `\tjob ${k} at 12:${k}:00 ok`));
    const message = ['RUNTIME ERROR: jobs failed', ...text, frame('/home/u/f.jsonnet', 3)].join('\n');
    expect(traceForUser(message, isUserFile)).toBe(message);
  });
});

describe('describeRecursion', () => {
  // As libjsonnet 0.20 prints a cycle between fields a (line 4) and b (line 5): innermost frame
  // first, the field being manifested (where evaluation entered the loop) last.
  const f = '/home/u/f.jsonnet';
  const lib = '/lib/wpm.libsonnet:18';
  const round = [
    `\t${f}:5:56-59\tthunk <array_element>`,
    `\t${f}:5:55-64\tobject <spec>`,
    `\t${lib}:39-43\t`,
    `\t${lib}:22-44\tfunction <anonymous>`,
    `\t${f}:5:6-67\tobject <$>`,
    `\t${f}:4:56-59\tthunk <array_element>`,
    `\t${f}:4:55-64\tobject <spec>`,
    `\t${lib}:39-43\t`,
    `\t${lib}:22-44\tfunction <anonymous>`,
  ];
  const entered = [`\t${f}:4:6-67\tobject <anonymous>`, '\tDuring manifestation\t'];
  /** The trace as the stack overflowed `skip` frames into a round (stacks of other depths). */
  const trace = (skip: number) => ['RUNTIME ERROR: max stack frames exceeded.', ...[...round, ...round, ...round].slice(skip), ...entered].join('\n');

  it('names a loop from where evaluation entered it, however deep the stack went', () => {
    const expected = `dependency cycle: ${f}:4 needs ${f}:5 needs ${f}:4 again`;
    for (let skip = 0; skip < round.length; skip++) expect(describeRecursion(trace(skip), isUserFile)).toEqual({ kind: 'cycle', text: expected });
  });

  it('tells plain recursion, which never goes through the library', () => {
    const plain = trace(0).replaceAll(lib, '/home/u/g.jsonnet:18');
    expect(describeRecursion(plain, isUserFile)).toMatchObject({ kind: 'cycle', text: expect.stringMatching(/^infinite recursion: /) });
  });

  it("calls recursion through a named function of the user's a stack depth exceeded, not infinite (its arguments may change)", () => {
    const named = trace(0).replaceAll(lib, '/home/u/g.jsonnet:18').replaceAll('function <anonymous>', 'function <f>');
    expect(describeRecursion(named, isUserFile, 700)).toMatchObject({ kind: 'depth', text: expect.stringMatching(/^stack depth 700 exceeded: .* calls .* again, deeper than the evaluator's stack$/) });
  });
});
