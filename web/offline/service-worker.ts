/// <reference lib="webworker" />
// The tab's service worker: what makes a rebuild work with the network cut.
//
// Two kinds of responses are kept, in two caches:
// - the app itself (its page, scripts and the step worker): served from the network when it
//   answers, so a new version shows at once, and from the cache when it does not;
// - what the page fetched from a binary cache: narinfos and NARs are named by hashes (a narinfo
//   by its store path's hash part, a NAR by its content hash), so once fetched they never change
//   and are served from the cache first. This keeps the toolchain (clang.wasm, the sysroot) and
//   every substituted path at hand offline, even after the tab's store is cleared.
// Only complete 200 answers are kept: a missing path (404) may exist tomorrow, and a body cut
// short must not be replayed. `nix-cache-info` is asked of the network first.

const sw = self as unknown as ServiceWorkerGlobalScope;

const APP_CACHE = 'wpm-app-v1';
const BINARY_CACHE = 'wpm-binary-cache-v1';

/** A narinfo or a NAR of a Nix-style binary cache, at any origin. */
const CONTENT_ADDRESSED = /\/(?:[0-9a-df-np-sv-z]{32}\.narinfo|nar\/[^/]+\.nar(?:\.[a-z0-9]+)?)$/;

/** The app's own files, relative to the worker's scope; the rest of the app is kept as it is fetched. */
const APP_SHELL = ['./', './index.html', './app.js', './step-worker.bundle.js'];

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(APP_CACHE);
      // One missing file must not keep the worker from installing: keep what can be fetched.
      await Promise.all(APP_SHELL.map((url) => cache.add(url).catch(() => undefined)));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(sw.clients.claim());
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (CONTENT_ADDRESSED.test(url.pathname)) {
    event.respondWith(cacheFirst(event, req));
  } else if (url.origin === sw.location.origin || url.pathname.endsWith('/nix-cache-info')) {
    event.respondWith(networkFirst(event, req, url.origin === sw.location.origin ? APP_CACHE : BINARY_CACHE));
  }
});

async function cacheFirst(event: FetchEvent, req: Request): Promise<Response> {
  const cache = await caches.open(BINARY_CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.status === 200) keep(event, cache, req, res);
  return res;
}

async function networkFirst(event: FetchEvent, req: Request, name: string): Promise<Response> {
  const cache = await caches.open(name);
  try {
    const res = await fetch(req);
    if (res.status === 200) keep(event, cache, req, res);
    return res;
  } catch (err) {
    // A page is opened with its settings in the query (?target=…&key=…): any copy of the page will
    // do, as the script reads the query itself.
    const hit = await cache.match(req, { ignoreSearch: req.mode === 'navigate' });
    if (hit) return hit;
    throw err;
  }
}

/**
 * Store a copy of a response while the page reads the original; a body that fails to arrive
 * whole is not kept (put rejects).
 */
function keep(event: FetchEvent, cache: Cache, req: Request, res: Response): void {
  event.waitUntil(cache.put(req, res.clone()).catch(() => undefined));
}

export {};
