// The .drv writer is a hand-unrolled canonical JSON: it must give the generic writer's bytes.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../derivations/canonical-json.js';
import { derivationText, derivationToJson, type Derivation } from '../../derivations/derivation.js';

const P = (hash: string, name: string) => `/wpm/store/${hash.repeat(32)}-${name}`;

const cases: Record<string, Derivation> = {
  plain: {
    name: 'hello',
    builder: P('a', 'clang.wasm'),
    args: ['clang', '-c', 'hello.c', 'quote " and \\ backslash'],
    env: {},
    stdin: null,
    inputDrvs: {},
    inputSrcs: [P('a', 'clang.wasm')],
    outputs: { out: { path: P('b', 'hello') } },
  },
  // Keys given out of order, keys that sort differently by code unit and by code point
  // ('\u{1F600}' is a surrogate pair, which sorts before '\uFF5E'), and escapes.
  awkward: {
    name: 'awkward',
    builder: 'builtin:unpack',
    args: [],
    env: { zeta: '1', Alpha: '2', '\uFF5E': 'fullwidth tilde', '\u{1F600}': 'emoji', 'new\nline': 'tab\there', alpha: '' },
    stdin: { src: P('c', 'src.tar'), nested: { b: [1, 2.5, null, true], a: { '': 'empty key' } }, strip: 1 },
    inputDrvs: { [P('e', 'z.drv')]: ['out', 'dev'], [P('d', 'a.drv')]: ['out'] },
    inputSrcs: [],
    outputs: { out: { path: P('f', 'awkward') }, dev: { path: P('g', 'awkward-dev') }, bin: { path: '' } },
  },
  fixed: {
    name: 'src.tgz',
    builder: 'builtin:fetch',
    args: [],
    env: {},
    stdin: { npm: { package: '@yowasp/clang', version: '1.0.0' } },
    inputDrvs: {},
    inputSrcs: [],
    outputs: { out: { path: P('h', 'src.tgz'), hash: 'sha256:0000000000000000000000000000000000000000000000000000', method: 'flat' } },
  },
};

describe('derivationText', () => {
  for (const [name, drv] of Object.entries(cases)) {
    it(`writes canonical JSON: ${name}`, () => {
      const text = derivationText(drv);
      expect(text).toBe(canonicalJson(derivationToJson(drv)));
      expect(JSON.parse(text)).toEqual(derivationToJson(drv));
    });
  }
});
