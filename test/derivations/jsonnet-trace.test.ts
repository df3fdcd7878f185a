// Shortening libjsonnet's traces around the user's frames, on messages as libjsonnet prints them.
import { describe, expect, it } from 'vitest';
import { traceForUser } from '../../derivations/jsonnet-trace.js';

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
