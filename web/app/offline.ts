// Registers the service worker (web/offline/service-worker.ts, bundled as service-worker.js beside
// the page), whose scope is the page's folder (/ui/ under `wpm serve --ui`): with it, the page
// loads and the binary cache's narinfos and NARs it fetched once are at hand with the network
// cut. `?sw=0` leaves it out (a page that must always ask the network).
// DOM types for these browser APIs, whichever tsconfig compiles this file.
/// <reference lib="dom" />

/** Resolves once a service worker controls the page, or to false where there is none. */
export async function registerOffline(): Promise<boolean> {
  if (new URLSearchParams(location.search).get('sw') === '0' || !('serviceWorker' in navigator)) return false;
  await navigator.serviceWorker.register('./service-worker.js', { scope: './' });
  if (navigator.serviceWorker.controller) return true;
  // The worker claims open pages when it activates (clients.claim): wait for that.
  await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
  return true;
}
