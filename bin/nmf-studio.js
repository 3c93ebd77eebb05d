#!/usr/bin/env node
// Launcher for the bundled CLI (npm run build writes dist/).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Node 20 has WebAssembly relaxed SIMD (the kernels' fused multiply-add build, 30–40% faster
// products) behind a flag that Node 22 and Electron ship on. It is set before any module is
// compiled; the kernels fall back to the plain SIMD build wherever validation refuses it.
if (Number(process.versions.node.split('.')[0]) < 21) setFlagsFromString('--experimental-wasm-relaxed-simd');
// Every kernel is a hot loop: have V8 optimise them from the start instead of first running its
// baseline code (native-workers/node/v8-flags.ts says more; the benchmark sets the same flags).
setFlagsFromString('--no-wasm-dynamic-tiering');
setFlagsFromString('--no-liftoff');

const cli = new URL('../dist/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('nmf-studio: not built yet: run `npm run build` in the nmf-studio folder first\n');
  process.exit(1);
}
await import(cli.href);
