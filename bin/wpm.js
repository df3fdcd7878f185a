#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ and bundled into dist/bundle/ by `npm install`
// (the `prepare` script; see scripts/bundle.mjs).
import { main } from '../dist/bundle/main.js';
main(process.argv.slice(2));
