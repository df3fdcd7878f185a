// The shared format modules (store/format/) use Node's Buffer for base64, hex and latin1; in the
// browser bundle the npm `buffer` package stands in for it (injected by scripts/bundle-web-app.mjs).
export { Buffer } from 'buffer';
