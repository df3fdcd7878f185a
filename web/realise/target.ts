// The two ways a closure of derivations enters the tab: a target's `.drv` path (its closure,
// sources included, substituted from the binary cache like any store path, then read out of the
// tab's store), and an edit of one of its source files (web/loop's editSource), whose new source
// and rewritten `.drv` files are added to the tab's store as the CLI's evaluation would add them.
import { readDrvClosure, type DrvClosure } from '../loop/drv-closure.js';
import { editSource, type SourceEdit } from '../loop/edit-source.js';
import type { SubstituteEvent } from '../store/substitute.js';
import type { BrowserStore } from '../store/opfs-store.js';
import { ensureValid, storeDrvReader, type CacheOptions } from './cache-access.js';
import { singleFileNar } from './nar-file.js';
import { sourceInfo, textObjectInfo } from './path-infos.js';

/** The target's derivations, its `.drv` closure made valid in the tab's store first. */
export async function loadTarget(store: BrowserStore, target: string, cache: CacheOptions | undefined, onEvent?: (e: SubstituteEvent) => void): Promise<DrvClosure> {
  await ensureValid(store, [target], cache, onEvent);
  return readDrvClosure(target, storeDrvReader(store));
}

/**
 * Replaces the single-file source `oldSourcePath` of the closure by `contents`, and makes the new
 * source and every rewritten `.drv` valid in the tab's store (sources and inputs first, as their
 * references). Resolves to the edit, whose `closure` is the one to build.
 */
export async function applyEdit(store: BrowserStore, closure: DrvClosure, oldSourcePath: string, contents: string): Promise<SourceEdit> {
  const edit = editSource(closure, oldSourcePath, contents);
  const bytes = new TextEncoder().encode(contents);
  const nar = singleFileNar(bytes);
  await store.addPath(sourceInfo(edit.newSourcePath, nar), nar);
  for (const r of edit.rewritten) {
    const text = new TextEncoder().encode(r.text);
    const drvNar = singleFileNar(text);
    const refs = [...r.drv.inputSrcs, ...Object.keys(r.drv.inputDrvs)];
    await store.addPath(textObjectInfo(r.drvPath, text, drvNar, refs), drvNar);
  }
  return edit;
}
