// Injected into the web worker bundle (bundle-web-worker.mjs): Node's global Buffer, from the
// `buffer` package, for the store/format code that uses it.
export { Buffer } from 'buffer';
