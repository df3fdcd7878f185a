// Store-path formulas against Nix: fixed-output paths via `nix-store --print-fixed-path`, text
// paths via builtins.toFile, output paths and .drv paths via a derivation evaluated by Nix.

import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { codeOf } from '../helpers/errors.js';
import {
  STORE_DIR,
  type HashAlgo,
  formatHash,
  hashBytes,
  makeFixedOutputPath,
  makeOutputPath,
  makeSourcePath,
  makeStorePath,
  makeTextPath,
  nix32Encode,
  parseStorePath,
  validateStorePathName,
} from '../../store/format/index.js';
import { nixEval, nixFixedPath } from './nix-oracle.js';


describe('fixed-output paths agree with nix-store --print-fixed-path', () => {
  const algos: HashAlgo[] = ['sha256', 'sha1', 'sha512', 'md5'];
  test.each(algos.flatMap((algo) => [true, false].map((recursive) => ({ algo, recursive }))))(
    '$algo recursive=$recursive',
    ({ algo, recursive }) => {
      for (const name of ['src', 'hello-2.12.1.tar.gz', 'a+b=c?d_e.f']) {
        const h = hashBytes(algo, randomBytes(64));
        const nixHash = formatHash(h).slice(algo.length + 1);
        const ours = makeFixedOutputPath(recursive ? 'recursive' : 'flat', h, name);
        expect(ours).toBe(nixFixedPath(recursive, algo, nixHash, name));
      }
    },
  );

  test('recursive sha256 is the source path, and flat is not', () => {
    const h = hashBytes('sha256', 'x');
    expect(makeFixedOutputPath('recursive', h, 'n')).toBe(makeSourcePath(h, 'n'));
    expect(makeFixedOutputPath('flat', h, 'n')).not.toBe(makeSourcePath(h, 'n'));
  });

  test('only recursive sha256 fixed outputs may have references', () => {
    const ref = makeTextPath('r', 'r');
    expect(codeOf(() => makeFixedOutputPath('flat', hashBytes('sha256', 'x'), 'n', [ref]))).toBe('ERR_BAD_FIXED_OUTPUT');
    expect(codeOf(() => makeSourcePath(hashBytes('sha1', 'x'), 'n'))).toBe('ERR_BAD_HASH');
  });
});

describe('text paths agree with builtins.toFile', () => {
  test('without references', () => {
    const cases: [string, string][] = [['a', 'b'], ['empty', ''], ['unicode.txt', 'héllo 😀\n'], ['x.sh', '#!/bin/sh\n']];
    const expr = `[ ${cases.map(([n, c]) => `(builtins.toFile ${JSON.stringify(n)} ${JSON.stringify(c)})`).join(' ')} ]`;
    const nix = nixEval(expr) as string[];
    cases.forEach(([n, c], i) => expect(makeTextPath(n, c)).toBe(nix[i]));
  });

  test('with references, in any order', () => {
    const [a, b, c] = nixEval(
      'let a = builtins.toFile "a" "1"; b = builtins.toFile "b" "2"; in [ a b (builtins.toFile "c" "${b} and ${a}") ]',
    ) as string[];
    expect(makeTextPath('a', '1')).toBe(a);
    expect(makeTextPath('b', '2')).toBe(b);
    expect(makeTextPath('c', `${b} and ${a}`, [b, a])).toBe(c);
    expect(makeTextPath('c', `${b} and ${a}`, [a, b, a])).toBe(c);
  });
});

/** Nix's ATerm serialisation of a derivation without inputs. */
function aterm(drv: { outputs: Record<string, string>; builder: string; system: string; env: Record<string, string> }): string {
  const s = (x: string) => JSON.stringify(x); // the names and values used here need no escaping beyond JSON's
  const outs = Object.keys(drv.outputs).sort().map((o) => `(${s(o)},${s(drv.outputs[o])},"","")`);
  const env = Object.keys(drv.env).sort().map((k) => `(${s(k)},${s(drv.env[k])})`);
  return `Derive([${outs.join(',')}],[],[],${s(drv.system)},${s(drv.builder)},[],[${env.join(',')}])`;
}

describe('output paths agree with derivations evaluated by Nix', () => {
  test.each([
    { name: 'hello', outputs: ['out'] },
    { name: 'multi', outputs: ['out', 'dev', 'lib'] },
  ])('$name with outputs $outputs', ({ name, outputs }) => {
    const attrs = { name, system: 'wasm32-wasi', builder: '/bin/b' };
    const nix = nixEval(
      `let d = derivation { name = "${name}"; system = "${attrs.system}"; builder = "${attrs.builder}"; outputs = [ ${outputs.map((o) => `"${o}"`).join(' ')} ]; };` +
        ` in { drv = d.drvPath; ${outputs.map((o) => `${o} = d.${o}.outPath;`).join(' ')} }`,
    ) as Record<string, string>;

    // Input-addressed: the hash is over the derivation with its output paths blanked.
    // `outputs` is passed explicitly, so like every attribute it is in the environment.
    const env: Record<string, string> = { ...attrs, outputs: outputs.join(' ') };
    const masked = Object.fromEntries(outputs.map((o) => [o, '']));
    const drvHash = hashBytes('sha256', aterm({ ...attrs, outputs: masked, env: { ...env, ...masked } }));
    const paths = Object.fromEntries(outputs.map((o) => [o, makeOutputPath(drvHash, o, name)]));
    for (const o of outputs) expect(paths[o]).toBe(nix[o]);

    // The .drv itself is a text path over the ATerm with the paths filled in.
    const full = aterm({ ...attrs, outputs: paths, env: { ...env, ...paths } });
    expect(makeTextPath(`${name}.drv`, full)).toBe(nix.drv);
  });
});

describe('makeStorePath', () => {
  test('hashes only the logical store directory into the path', () => {
    const p = makeStorePath('source', hashBytes('sha256', ''), 'x');
    expect(p.startsWith(`${STORE_DIR}/`)).toBe(true);
    expect(parseStorePath(p).name).toBe('x');
  });

  test('refuses bad names', () => {
    expect(codeOf(() => makeStorePath('source', hashBytes('sha256', ''), 'a b'))).toBe('ERR_BAD_STORE_PATH_NAME');
  });
});

describe('parseStorePath', () => {
  const hash = nix32Encode(randomBytes(20));
  test('splits a valid path', () => {
    expect(parseStorePath(`${STORE_DIR}/${hash}-hello-1.0`)).toEqual({
      hashPart: hash,
      name: 'hello-1.0',
      baseName: `${hash}-hello-1.0`,
    });
  });

  test.each([
    ['another store directory', `/nix/store/${hash}-x`],
    ['a relative path', `${hash}-x`],
    ['a short hash part', `${STORE_DIR}/${hash.slice(1)}-x`],
    ['no name', `${STORE_DIR}/${hash}`],
    ['an empty name', `${STORE_DIR}/${hash}-`],
    ['a hash part outside nix32', `${STORE_DIR}/${'e'.repeat(32)}-x`],
    ['a sub path', `${STORE_DIR}/${hash}-x/bin`],
    ['a name starting with a dot', `${STORE_DIR}/${hash}-.x`],
    ['the store directory itself', `${STORE_DIR}/`],
  ])('refuses %s', (_, path) => {
    expect(codeOf(() => parseStorePath(path))).toBe('ERR_BAD_STORE_PATH');
  });
});

describe('validateStorePathName', () => {
  test('accepts every allowed character and 211 characters', () => {
    validateStorePathName('azAZ09+-._?=');
    validateStorePathName('a'.repeat(211));
  });

  test.each([[''], ['.hidden'], ['a'.repeat(212)], ['a b'], ['a/b'], ['é'], ['a:b'], ['a@b'], ['a\0']])(
    'refuses %j',
    (name) => {
      expect(codeOf(() => validateStorePathName(name))).toBe('ERR_BAD_STORE_PATH_NAME');
    },
  );
});
