// The pieces of the tab's build (web/realise) that write store objects, held to the CLI's store in
// Node: the path info the tab gives a `.drv` it writes after an edit (a text object) and an edited
// source (a `wpm.path` file) must be the CLI's record of the same object, field for field; and a
// builder or `.drv` is read out of a NAR at its path, or refused naming it.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dumpPath } from '../../store/index.js';
import { fileInNar, singleFileNar, sourceInfo, splitStoreFile, textObjectInfo } from '../../web/realise/index.js';
import { parseDerivation } from '../../derivations/index.js';
import { REPO, tempDir } from '../helpers/cli.js';
import { seededHome } from '../helpers/seed.js';
import { cliView } from './cli-view.js';

const home = seededHome('web-realise-parts');
let derivations: string[];

const record = (storePath: string) => JSON.parse(fs.readFileSync(path.join(home, 'db', `${path.basename(storePath).slice(0, 32)}.json`), 'utf8')) as Record<string, unknown>;

async function narOf(host: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await dumpPath(host, (c) => void chunks.push(Uint8Array.from(c)));
  return Buffer.concat(chunks);
}

beforeAll(() => {
  derivations = Object.keys(cliView(home, path.join(REPO, 'packages/hello')).derivations);
});

describe("the tab's store objects", () => {
  it('records each .drv as the CLI records the text object', () => {
    for (const drvPath of derivations) {
      const text = fs.readFileSync(path.join(home, 'store', path.basename(drvPath)));
      const drv = parseDerivation(text.toString('utf8'), drvPath);
      const info = textObjectInfo(drvPath, text, singleFileNar(text), [...drv.inputSrcs, ...Object.keys(drv.inputDrvs)]);
      expect(info, drvPath).toEqual(record(drvPath));
    }
  });

  it('records a single-file source as the CLI records a wpm.path file', () => {
    const sources = derivations.flatMap((d) => parseDerivation(fs.readFileSync(path.join(home, 'store', path.basename(d)), 'utf8'), d).inputSrcs);
    expect(sources.some((s) => s.endsWith('-hello.c'))).toBe(true);
    for (const src of sources) expect(sourceInfo(src, singleFileNar(fs.readFileSync(path.join(home, 'store', path.basename(src))))), src).toEqual(record(src));
  });
});

describe('fileInNar', () => {
  let nar: Uint8Array;
  beforeAll(async () => {
    const dir = tempDir('web-nar-file');
    fs.mkdirSync(path.join(dir, 'lib/sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib/sub/tool.wasm'), 'the builder');
    fs.writeFileSync(path.join(dir, 'lib/tool'), 'not this one');
    fs.symlinkSync('sub/tool.wasm', path.join(dir, 'lib/link'));
    nar = await narOf(dir);
  });

  it('reads a file at a path inside a NAR, and a single-file NAR whole', async () => {
    expect(Buffer.from(await fileInNar(nar, 'lib/sub/tool.wasm', '/wpm/store/x')).toString()).toBe('the builder');
    expect(Buffer.from(await fileInNar(singleFileNar(Buffer.from('a .drv')), '', '/wpm/store/y.drv')).toString()).toBe('a .drv');
    expect(splitStoreFile('/wpm/store/abc-clang/lib/llvm.core.wasm')).toEqual({ storePath: '/wpm/store/abc-clang', relPath: 'lib/llvm.core.wasm' });
    expect(splitStoreFile('/wpm/store/abc-install.wasm')).toEqual({ storePath: '/wpm/store/abc-install.wasm', relPath: '' });
  });

  const refused = async (relPath: string) => {
    const err = (await fileInNar(nar, relPath, '/wpm/store/x').then(() => undefined, (e: unknown) => e)) as { code?: string; message?: string } | undefined;
    expect(err?.code, relPath).toBe('ERR_WEB_NOT_A_FILE');
    return err!.message!;
  };

  it('refuses what is missing, a directory or a symlink, naming the path', async () => {
    expect(await refused('lib/none.wasm')).toContain('/wpm/store/x/lib/none.wasm');
    expect(await refused('lib/sub')).toContain('/wpm/store/x/lib/sub');
    expect(await refused('lib/link')).toContain('/wpm/store/x/lib/link');
  });
});
