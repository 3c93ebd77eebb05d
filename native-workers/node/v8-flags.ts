/**
 * Imported first (for its effect) by Node entry points that should run the kernels the way the
 * app does; bin/nmf-studio.js sets the same flags for the CLI. V8 flags are per process, so worker
 * threads inherit them; they must be set before the kernels compile (they compile lazily, on
 * first use).
 *
 * - Relaxed SIMD: Node 20 has it (the kernels' fused multiply-add build) behind a flag that Node 22,
 *   Chromium and Electron ship on.
 * - No dynamic tiering: by default V8 first runs WebAssembly from its baseline compiler (Liftoff)
 *   and recompiles a function with the optimizing one only once it has run a while. Every kernel
 *   is a hot loop, so that only makes the first ~100 ms of a job run slower code (measured on the
 *   topics workload: setup and first iteration 258 → 176 ms); without it every function is
 *   optimised in the background from the start.
 * - No baseline compiler at all (--no-liftoff): even optimised "from the start", the first
 *   iterations still ran baseline code while the optimised code compiled in the background, on
 *   cores the job was using. Compiling optimised code up front costs nothing measurable at pool
 *   start (the module is small) and took the topics workload's first HALS iteration from 67–95 ms
 *   to 38–47 ms (17–20 ms once warm).
 */
import { setFlagsFromString } from 'node:v8';

if (Number(process.versions.node.split('.')[0]) < 21) setFlagsFromString('--experimental-wasm-relaxed-simd');
setFlagsFromString('--no-wasm-dynamic-tiering');
setFlagsFromString('--no-liftoff');
