/**
 * Imported first (for its effect) by Node entry points that should run the kernels the way the
 * app does. Node 20 has WebAssembly relaxed SIMD (the kernels' fused multiply-add build) behind a
 * flag that Node 22, Chromium and Electron ship on; bin/nmf-studio.js sets it for the CLI, and this
 * does the same for the benchmark's processes, so `npm run bench` measures the build users get.
 * V8 flags are per process, so worker threads inherit it; it must be set before any module that
 * uses it is compiled (the kernels compile lazily, on first use).
 */
import { setFlagsFromString } from 'node:v8';

if (Number(process.versions.node.split('.')[0]) < 21) setFlagsFromString('--experimental-wasm-relaxed-simd');
