// The Builder interface: a builtin defined only in the tests joins the table with one line, is
// checked at evaluation by what it declares, and builds through the same lifecycle as the rest.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateFile } from '../../glue/index.js';
import { BUILTINS, type BuiltinTable } from '../../runtime/builders/index.js';
import { realise } from '../../runtime/scheduler/index.js';
import { LocalStore } from '../../store/index.js';
import { isWpmError } from '../../util/index.js';
import { REPO, tempDir } from '../helpers/cli.js';
import { reverseBuiltin } from '../fixtures/builders/reverse.js';

const TABLE: BuiltinTable = { ...BUILTINS, 'builtin:reverse': reverseBuiltin };
const LIB_DIRS = [path.join(REPO, 'packages/lib')];

function jsonnet(dir: string, stdin: string): string {
  const file = path.join(dir, 'reverse.jsonnet');
  fs.writeFileSync(file, `(import 'wpm.libsonnet').derivation({ name: 'reversed', builder: 'builtin:reverse', stdin: ${stdin} })\n`);
  return file;
}

describe('a builtin added to the table', () => {
  it('builds through the scheduler, and its output is registered', async () => {
    const dir = tempDir('builder');
    const store = LocalStore.open(path.join(dir, 'home'), { durable: false });
    const file = jsonnet(dir, "{ text: 'stressed' }");
    const { targets, derivations } = await evaluateFile(store, { file, attrs: [], args: [] }, { libDirs: LIB_DIRS, builtins: TABLE });
    const result = await realise(store, targets.map((t) => t.drvPath), derivations, { jobs: 1, builtins: TABLE });
    expect(result.failed).toEqual([]);
    const out = targets[0]!.outputs.out!;
    expect(store.isValid(out)).toBe(true);
    expect(fs.readFileSync(store.toHost(out), 'utf8')).toBe('desserts');
    expect(store.queryPathInfo(out)?.deriver).toBe(targets[0]!.drvPath);
  });

  it('is checked at evaluation by the request it declares, naming the field', async () => {
    const dir = tempDir('builder');
    const store = LocalStore.open(path.join(dir, 'home'), { durable: false });
    const err = await evaluateFile(store, { file: jsonnet(dir, '{ text: 42 }'), attrs: [], args: [] }, { libDirs: LIB_DIRS, builtins: TABLE }).catch((e: unknown) => e);
    expect(isWpmError(err)).toBe(true);
    expect((err as Error).message).toContain("derivation 'reversed': field 'stdin.text' must be the text to reverse, got number 42");
  });

  it('is unknown without its line in the table', async () => {
    const dir = tempDir('builder');
    const store = LocalStore.open(path.join(dir, 'home'), { durable: false });
    const err = await evaluateFile(store, { file: jsonnet(dir, "{ text: 'x' }"), attrs: [], args: [] }, { libDirs: LIB_DIRS }).catch((e: unknown) => e);
    expect((err as Error).message).toContain("derivation 'reversed': unknown builtin builder 'builtin:reverse'");
  });
});
