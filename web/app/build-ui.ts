// The page's build: a target's `.drv` closure built in the tab (web/realise) with the build graph
// live (each step's state and time; its log on click), and an editor for one of the target's
// source files whose "Rebuild" applies the edit as the CLI would evaluate it, then builds again.
// Reads the cache, keys and store from the substitution form's fields (main.ts).
// DOM types for these browser APIs, whichever tsconfig compiles this file.
/// <reference lib="dom" />
import { isWpmError } from '../../util/errors.js';
import type { DrvClosure } from '../loop/drv-closure.js';
import { openBrowserStore, type BrowserStore } from '../store/index.js';
import { StepPool, applyEdit, fileInNar, loadTarget, narBytes, realise, type CacheOptions, type RealiseEvent } from '../realise/index.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const value = (id: string) => $<HTMLInputElement | HTMLTextAreaElement>(id).value;

export interface BuildUiOptions {
  /** Redraws the store's listing (main.ts). */
  refresh: () => Promise<void>;
  /** Whether to use the binary cache at all (false: the tab's store only). */
  online?: () => boolean;
}

function describe(err: unknown): string {
  if (isWpmError(err)) return `${err.code}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

function setStatus(state: 'idle' | 'working' | 'done' | 'error', text: string): void {
  const s = $('build-status');
  s.dataset.state = state;
  s.textContent = text;
}

/** A single-file source the editor can offer: a C or header file named in some derivation's inputSrcs. */
function editableSources(closure: DrvClosure): string[] {
  const all = new Set<string>();
  for (const d of closure.derivations.values()) for (const s of d.inputSrcs) if (/\.(c|h|cc|cpp)$/.test(s)) all.add(s);
  return [...all].sort((a, b) => a.slice(44).localeCompare(b.slice(44)) || a.localeCompare(b));
}

export function startBuildUi(opts: BuildUiOptions): void {
  const pool = new StepPool(2);
  const logs = new Map<string, string>();
  let closure: DrvClosure | undefined;
  let busy = false;

  const cache = (): CacheOptions | undefined =>
    opts.online?.() === false
      ? undefined
      : { cacheUrl: value('cache').trim(), trustedKeys: value('keys').split('\n').map((l) => l.trim()).filter(Boolean), requiredSignatures: Number(value('required')) };

  const row = (drvPath: string) => $('steps').querySelector<HTMLTableRowElement>(`tr[data-drv="${CSS.escape(drvPath)}"]`);
  const onEvent = (e: RealiseEvent) => {
    if (e.type === 'planned') {
      const names = new Map(e.steps.map((s) => [s.drvPath, s.name]));
      $('steps').replaceChildren(
        ...e.steps.map((s) => {
          const tr = document.createElement('tr');
          tr.dataset.drv = s.drvPath;
          tr.dataset.name = s.name;
          tr.dataset.deps = s.deps.join(' ');
          tr.title = s.drvPath;
          for (const cls of ['name', 'state', 'time', 'deps']) {
            const td = document.createElement('td');
            td.className = cls;
            tr.append(td);
          }
          tr.cells[0]!.textContent = s.name;
          // The graph's edges: the steps of this plan it waits for.
          tr.cells[3]!.textContent = s.deps.map((d) => names.get(d) ?? d).join(', ');
          return tr;
        }),
      );
      setStatus('working', `${e.steps.length} steps to run, ${e.substitute.length} paths to fetch`);
    } else if (e.type === 'substituted') {
      setStatus('working', `fetched ${e.path}`);
    } else if (e.type === 'step') {
      const tr = row(e.drvPath);
      if (!tr) return;
      tr.dataset.state = e.state;
      tr.cells[1]!.textContent = e.state;
      tr.cells[2]!.textContent = e.ms === undefined ? '' : `${(e.ms / 1000).toFixed(2)} s`;
      if (e.ms !== undefined) tr.dataset.ms = String(e.ms);
      if (e.hostMs !== undefined) tr.dataset.hostMs = String(e.hostMs);
      if (e.message) logs.set(e.drvPath, `${logs.get(e.drvPath) ?? ''}${e.message}\n`);
      if (e.state === 'running') setStatus('working', `running ${e.name}`);
    } else if (e.type === 'log') {
      logs.set(e.drvPath, e.text);
    }
  };

  const showOutputs = (outputs: Record<string, { path: string; narHash: string }>) => {
    $('outputs').replaceChildren(
      ...Object.entries(outputs).map(([name, o]) => {
        const tr = document.createElement('tr');
        tr.dataset.output = name;
        tr.dataset.path = o.path;
        for (const t of [name, o.path, o.narHash]) tr.append(Object.assign(document.createElement('td'), { textContent: t }));
        return tr;
      }),
    );
  };

  const showEditor = async (store: BrowserStore, c: DrvClosure) => {
    const select = $<HTMLSelectElement>('source');
    const sources = editableSources(c);
    // The file named by ?edit= if this target has it, else the one shown before, else the first.
    const named = (n: string | null | undefined) => sources.find((s) => s.slice(44) === n);
    const pick = named(new URLSearchParams(location.search).get('edit')) ?? named(select.selectedOptions[0]?.textContent) ?? sources[0];
    select.replaceChildren(...sources.map((s) => Object.assign(document.createElement('option'), { value: s, textContent: s.slice(44) })));
    if (pick) select.value = pick;
    await loadSource(store);
  };
  const loadSource = async (store: BrowserStore) => {
    const src = $<HTMLSelectElement>('source').value;
    if (src === '') return;
    $<HTMLTextAreaElement>('editor').value = new TextDecoder().decode(await fileInNar(await narBytes(store, src), '', src));
  };

  const run = async (what: 'build' | 'rebuild') => {
    if (busy) return;
    busy = true;
    // At once, so whoever watches the status never reads the last build's outcome as this one's.
    setStatus('working', what === 'build' ? 'building…' : 'applying the edit…');
    const started = performance.now();
    logs.clear();
    $('log').textContent = '';
    try {
      const store = await openBrowserStore(value('store'));
      if (what === 'build' || !closure) {
        setStatus('working', 'reading the derivations…');
        closure = await loadTarget(store, value('target').trim(), cache());
      } else {
        const edit = await applyEdit(store, closure, $<HTMLSelectElement>('source').value, value('editor'));
        closure = edit.closure;
        // The editor now shows the new source: the next edit (after a failed build too) starts from it.
        $<HTMLSelectElement>('source').selectedOptions[0]!.value = edit.newSourcePath;
        $<HTMLInputElement>('target').value = closure.target;
      }
      const result = await realise(closure, { store, pool, onEvent, limits: stepLimitsFromAddress(), ...(cache() ? { cache: cache()! } : {}) });
      showOutputs(result.outputs);
      await showEditor(store, closure);
      await opts.refresh();
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      setStatus('done', `built ${Object.values(result.outputs).map((o) => o.path).join(' ')}: ${result.plan.steps.length} steps run, ${result.plan.substitute.length} paths fetched, ${secs} s`);
    } catch (err) {
      await opts.refresh().catch(() => undefined);
      setStatus('error', describe(err));
    } finally {
      busy = false;
    }
  };

  const q = new URLSearchParams(location.search);
  if (q.has('target')) $<HTMLInputElement>('target').value = q.get('target')!;
  $('build-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run('build');
  });
  $('rebuild').addEventListener('click', () => void run('rebuild'));
  $('source').addEventListener('change', () => {
    void openBrowserStore(value('store')).then(loadSource).catch((err: unknown) => setStatus('error', describe(err)));
  });
  $('steps').addEventListener('click', (ev) => {
    const tr = (ev.target as HTMLElement).closest('tr');
    if (!tr?.dataset.drv) return;
    $('steps').querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
    tr.classList.add('selected');
    $('log').dataset.drv = tr.dataset.drv;
    const log = logs.get(tr.dataset.drv);
    $('log').textContent = log === undefined ? '(no log yet)' : log === '' ? '(the step printed nothing)' : log;
  });
  setStatus('idle', '');
}

/** `?timeout=SECONDS`: the step time limit, as the CLI's `--timeout` (default none). */
function stepLimitsFromAddress(): { timeoutMs?: number } {
  const seconds = Number(new URLSearchParams(location.search).get('timeout') ?? '0');
  return Number.isFinite(seconds) && seconds > 0 ? { timeoutMs: seconds * 1000 } : {};
}
