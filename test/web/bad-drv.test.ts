// What the tab's build loop (web/loop) says of bad input: a `.drv` text that is malformed, not
// the one its path names, or missing; a toolchain no cache has; an edit of a source the closure
// does not use. Each is a WpmError with its code, naming the path at fault.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isWpmError, type WpmError } from '../../util/index.js';
import { editSource, planInTab, readDrvClosure, type DrvClosure, type ReadDrv } from '../../web/loop/index.js';
import { REPO, tempDir } from '../helpers/cli.js';
import { byName, cliView, storeReader, type CliView } from './cli-view.js';

async function failure(p: Promise<unknown> | (() => unknown)): Promise<WpmError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (isWpmError(err)) return err;
    throw err;
  }
  throw new Error('expected a WpmError, got none');
}

describe('the tab given bad derivations', () => {
  let cli: CliView;
  let read: ReadDrv;
  let closure: DrvClosure;
  let compile: string;
  beforeAll(async () => {
    // Evaluation only: nothing here is built, so the home needs no toolchain.
    const home = tempDir('web-bad-drv');
    cli = cliView(home, path.join(REPO, 'packages', 'hello'));
    read = storeReader(home);
    closure = await readDrvClosure(cli.target, read);
    compile = byName(closure, 'hello.o')[0];
  });
  /** The store's texts, but `drvPath` reads as `text` (undefined: missing). */
  const replacing = (drvPath: string, text: string | undefined): ReadDrv => async (p) => (p === drvPath ? text : read(p));

  it('refuses a .drv text that is not JSON, naming its path', async () => {
    const err = await failure(readDrvClosure(cli.target, replacing(compile, '{"name": "hello.o", "args": [')));
    expect(err.code).toBe('ERR_DRV_PARSE');
    expect(err.message).toContain(compile);
  });

  it('refuses a .drv whose fields are wrong, naming its path and the field', async () => {
    const text = (await read(compile))!.replace('"inputSrcs":[', '"inputSrcs":[42,');
    const err = await failure(readDrvClosure(cli.target, replacing(compile, text)));
    expect(err.code).toBe('ERR_DRV_FIELD_TYPE');
    expect(err.message).toContain(compile);
    expect(err.message).toContain('inputSrcs');
  });

  it('refuses a well-formed text that is not the derivation its path names', async () => {
    const text = (await read(compile))!.replace('"-O2"', '"-O0"');
    expect(text).not.toBe(await read(compile));
    const err = await failure(readDrvClosure(cli.target, replacing(compile, text)));
    expect(err.code).toBe('ERR_DRV_PATH_MISMATCH');
    expect(err.message).toContain(compile);
    expect(err.message).toContain('-hello.wasm.drv'); // the derivation that needs it
  });

  it('names a missing input and the derivation that needs it', async () => {
    const [sysroot] = byName(closure, 'wasm32-wasip1-sysroot');
    const err = await failure(readDrvClosure(cli.target, replacing(sysroot, undefined)));
    expect(err.code).toBe('ERR_DRV_MISSING');
    expect(err.message).toContain(sysroot);
    expect(err.message).toMatch(/an input of \/wpm\/store\/[0-9a-z]{32}-[a-z.]+\.drv/);
  });

  it('takes a reader that throws (a cache that cannot be reached) as a miss, keeping the cause', async () => {
    const cause = new Error('connection refused');
    const err = await failure(readDrvClosure(cli.target, async (p) => (p === compile ? Promise.reject(cause) : read(p))));
    expect(err.code).toBe('ERR_DRV_MISSING');
    expect(err.message).toContain(compile);
    expect(err.cause).toBe(cause);
  });

  it('refuses a target that is not a .drv path', async () => {
    const err = await failure(readDrvClosure(cli.outputs.out!, read));
    expect(err.code).toBe('ERR_BAD_STORE_PATH');
    expect(err.message).toContain(cli.outputs.out!);
  });

  it('says the toolchain must come from a cache when none has it', async () => {
    const err = await failure(planInTab(closure, { isValid: () => false, hasSubstitute: () => false }));
    expect(err.code).toBe('ERR_WEB_NOT_SUBSTITUTABLE');
    const named = [...closure.derivations].find(([p]) => err.message.startsWith(p));
    expect(named, err.message).toBeDefined();
    expect(named![1].builder).toMatch(/^builtin:(fetch|unpack)$/);
    expect(err.message).toContain(named![1].builder);
  });

  it('refuses to edit a source no derivation of the closure uses', async () => {
    const other = '/wpm/store/00000000000000000000000000000000-other.c';
    const err = await failure(() => editSource(closure, other, 'int x;\n'));
    expect(err.code).toBe('ERR_WEB_EDIT_SOURCE');
    expect(err.message).toContain(other);
  });
});
