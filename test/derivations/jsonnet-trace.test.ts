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
  it('finds the loop after the frames that entered it', () => {
    // As libjsonnet 0.20 prints a cycle between fields a (line 4) and b (line 5): the frame that
    // entered the loop (line 4's object) does not come round again.
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
    const message = ['RUNTIME ERROR: max stack frames exceeded.', `\t${lib}:22-44\tfunction <anonymous>`, `\t${f}:4:6-67\tobject <$>`, ...round, ...round, '\tDuring manifestation\t'].join('\n');
    expect(describeRecursion(message, isUserFile)).toBe(`dependency cycle: ${f}:4 needs ${f}:5 needs ${f}:4 again`);
    const plain = message.replaceAll(lib, '/home/u/g.jsonnet:18');
    expect(describeRecursion(plain, isUserFile)).toMatch(/^infinite recursion: /);
  });
});
