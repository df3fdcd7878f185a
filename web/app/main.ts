// The web app's page: for now, substitution of a closure from a binary cache into the browser's
// store, and the store's contents with each path's NAR hash. Fields can be prefilled from the
// query string (?cache=…&key=…&path=…&store=…&required=…), so a link can carry them.
// DOM types for these browser APIs, whichever tsconfig compiles this file.
/// <reference lib="dom" />
import { isWpmError } from '../../util/errors.js';
import { openBrowserStore, removeBrowserStore, substituteClosure, type PathInfo } from '../store/index.js';
import { startBuildUi } from './build-ui.js';
import { registerOffline } from './offline.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const field = (id: string) => $<HTMLInputElement | HTMLTextAreaElement>(id);
const lines = (id: string) => field(id).value.split('\n').map((l) => l.trim()).filter((l) => l !== '');

function setStatus(state: 'idle' | 'working' | 'done' | 'error', text: string): void {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text;
}

function describe(err: unknown): string {
  if (isWpmError(err)) return `${err.code}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

function showPaths(infos: PathInfo[]): void {
  const body = $('store-paths');
  body.replaceChildren(
    ...infos.map((i) => {
      const tr = document.createElement('tr');
      tr.dataset.path = i.path;
      tr.dataset.references = i.references.join(' ');
      for (const text of [i.path, i.narHash, String(i.narSize)]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

async function refresh(): Promise<void> {
  showPaths(await (await openBrowserStore(field('store').value)).list());
}

async function substitute(): Promise<void> {
  setStatus('working', 'substituting…');
  try {
    const store = await openBrowserStore(field('store').value);
    let n = 0;
    const closure = await substituteClosure(store, lines('paths'), {
      cacheUrl: field('cache').value.trim(),
      trustedKeys: lines('keys'),
      requiredSignatures: Number(field('required').value),
      onEvent: (e) => {
        if (e.type === 'substituted') setStatus('working', `substituted ${++n}: ${e.path}`);
      },
    });
    await refresh();
    setStatus('done', `${closure.length} paths valid, ${n} substituted`);
  } catch (err) {
    await refresh().catch(() => undefined);
    setStatus('error', describe(err));
  }
}

function prefill(): void {
  const q = new URLSearchParams(location.search);
  field('cache').value = q.get('cache') ?? location.origin;
  if (q.has('key')) field('keys').value = q.getAll('key').join('\n');
  if (q.has('path')) field('paths').value = q.getAll('path').join('\n');
  if (q.has('store')) field('store').value = q.get('store')!;
  if (q.has('required')) field('required').value = q.get('required')!;
}

prefill();
startBuildUi({ refresh });
$('substitute').addEventListener('submit', (ev) => {
  ev.preventDefault();
  void substitute();
});
$('clear').addEventListener('click', () => {
  void removeBrowserStore(field('store').value)
    .then(refresh)
    .then(() => setStatus('idle', 'store cleared'), (err: unknown) => setStatus('error', describe(err)));
});
// Ready once the store is listed; `data-offline` says whether a service worker controls the page.
registerOffline().then(
  (on) => ($('status').dataset.offline = String(on)),
  (err: unknown) => {
    $('status').dataset.offline = 'false';
    console.warn(`the service worker was not registered: ${describe(err)}`);
  },
);
refresh().then(
  () => ($('status').dataset.ready = 'true'),
  (err: unknown) => setStatus('error', describe(err)),
);
