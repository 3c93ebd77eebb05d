/**
 * A fork–join pool for the WebAssembly kernels: helper threads (Node worker_threads or Web
 * Workers, spawned by the platform layer) instantiate the same module over the same shared
 * memory and sleep on a control block; a kernel call splits its range across them and the
 * calling thread, which works its own share and then waits (Atomics.wait: allowed in workers and
 * in Node's main thread, which is where the pool's owner runs).
 *
 * Each output entry is computed by one thread, in the same order whatever the split (see the
 * kernels' determinism note), so results are bit-identical for any number of threads.
 */
import type { NmfKernels } from '../../app/nmf/kernels/nmf-kernels.js';
import {
  createKernelMemory,
  createWasmKernels,
  instantiateKernels,
  kernelModule,
  type KernelExports,
  type KernelName,
  type KernelRunner,
} from './wasm-kernels.js';
import type { WasmMemory } from './wasm-api.js';

/** Message that turns a fresh worker into a pool helper (see serveKernelHelper). */
export interface KernelHelperMessage {
  readonly type: 'kernel-helper';
  readonly memory: WasmMemory;
  readonly control: SharedArrayBuffer;
  readonly index: number;
}

/** A spawned helper: the platform layer's handle on its worker. */
export interface HelperPort {
  post(message: KernelHelperMessage): void;
  /** The helper posts 'ready' once instantiated, or an error text. */
  onMessage(listener: (message: unknown) => void): void;
  terminate(): void;
}

export interface KernelPool {
  readonly kernels: NmfKernels;
  close(): void;
}

const NAMES: readonly KernelName[] = ['matmul_tn', 'matmul_nt', 'matmul_nn', 'kl_num_w', 'kl_num_h', 'frobenius_loss', 'cd_kl_sweep', 'mu_fro', 'cd_fro', 'hals_fro'];
const MAX_ARGS = 16;
const MAX_THREADS = 64;
// Int32 slots of the control block.
const GENERATION = 0;
const PENDING = 1;
const KERNEL = 2;
const ARG_COUNT = 3;
const STOP = 4;
const FAILED = 5;
const INT_SLOTS = 8;
// Float64 slots after the Int32 ones: arguments, then per thread lo, hi, scratch, result.
const F64_OFFSET = INT_SLOTS * 4;
const ARGS = 0;
const PER_THREAD = MAX_ARGS;

/**
 * How long the calling thread waits for the helpers to finish one kernel call. The largest call
 * the app makes (a sweep over a 10-minute spectrogram or a 280 MB cube) takes seconds; a helper
 * that has not answered after this long has died or hung, and waiting on would hang the job.
 */
const HELPER_TIMEOUT_MS = 120_000;

export interface KernelPoolOptions {
  /** See HELPER_TIMEOUT_MS (tests shorten it). */
  readonly helperTimeoutMs?: number;
}

/**
 * WebAssembly kernels over `threads` threads (the caller plus threads − 1 helpers from `spawn`).
 * Returns null where WebAssembly SIMD or shared memory is unavailable (use the TypeScript kernels).
 */
export async function createKernelPool(threads: number, spawn: () => HelperPort, options: KernelPoolOptions = {}): Promise<KernelPool | null> {
  const helperTimeoutMs = options.helperTimeoutMs ?? HELPER_TIMEOUT_MS;
  let stopped: string | null = null;
  const memory = createKernelMemory();
  if (!memory || !kernelModule()) return null;
  const count = Math.max(1, Math.min(MAX_THREADS, Math.floor(threads)));
  const control = new SharedArrayBuffer(F64_OFFSET + (MAX_ARGS + 4 * MAX_THREADS) * 8);
  const ints = new Int32Array(control, 0, INT_SLOTS);
  const f64 = new Float64Array(control, F64_OFFSET);
  const helpers: HelperPort[] = [];
  try {
    await Promise.all(
      Array.from({ length: count - 1 }, (_, t) => {
        const helper = spawn();
        helpers.push(helper);
        return new Promise<void>((resolve, reject) => {
          helper.onMessage((message) => (message === 'ready' ? resolve() : reject(new Error(`kernel helper failed: ${String(message)}`))));
          helper.post({ type: 'kernel-helper', memory, control, index: t + 1 });
        });
      }),
    );
  } catch (error) {
    for (const helper of helpers) helper.terminate();
    throw error;
  }
  const close = (): void => {
    Atomics.store(ints, STOP, 1);
    Atomics.add(ints, GENERATION, 1);
    Atomics.notify(ints, GENERATION);
    for (const helper of helpers) helper.terminate();
  };

  const makeRunner = (exports: KernelExports, _memory: WasmMemory, scratch: (thread: number, floats: number) => number): KernelRunner => ({
    threads: count,
    run(name, args, total, align, scratchFloats) {
      const fn = exports[name] as (...a: number[]) => number | undefined;
      const chunks = splitRange(total, count, align);
      if (stopped !== null) throw new Error(stopped);
      if (chunks.length <= 1 || helpers.length === 0) {
        return Number(fn(...args, 0, total, scratchFloats > 0 ? scratch(0, scratchFloats) : 0) ?? 0);
      }
      if (args.length > MAX_ARGS) throw new RangeError(`kernel ${name}: too many arguments`);
      for (let a = 0; a < args.length; a++) f64[ARGS + a] = args[a]!;
      for (let t = 0; t < count; t++) {
        const [lo, hi] = chunks[t] ?? [total, total];
        const slot = PER_THREAD + 4 * t;
        f64[slot] = lo;
        f64[slot + 1] = hi;
        f64[slot + 2] = scratchFloats > 0 ? scratch(t, scratchFloats) : 0;
        f64[slot + 3] = 0;
      }
      Atomics.store(ints, KERNEL, NAMES.indexOf(name));
      Atomics.store(ints, ARG_COUNT, args.length);
      Atomics.store(ints, FAILED, 0);
      Atomics.store(ints, PENDING, count - 1);
      Atomics.add(ints, GENERATION, 1);
      Atomics.notify(ints, GENERATION);
      const [lo, hi] = chunks[0]!;
      let sum = Number(fn(...args, lo, hi, f64[PER_THREAD + 2]!) ?? 0);
      // Bounded waits: a helper that died or hung must fail the job, not freeze it (the thread
      // blocked here cannot receive the worker's 'error' or 'exit' event).
      const deadline = Date.now() + helperTimeoutMs;
      for (let pending = Atomics.load(ints, PENDING); pending !== 0; pending = Atomics.load(ints, PENDING)) {
        if (Atomics.wait(ints, PENDING, pending, 250) === 'timed-out' && Date.now() > deadline) {
          stopped = `WebAssembly kernel ${name}: ${pending} helper thread(s) did not finish within ${helperTimeoutMs / 1000} s; the thread pool was stopped`;
          close();
          throw new Error(stopped);
        }
      }
      if (Atomics.load(ints, FAILED) !== 0) throw new Error(`WebAssembly kernel ${name} failed in a helper thread`);
      for (let t = 1; t < count; t++) sum += f64[PER_THREAD + 4 * t + 3]!;
      return sum;
    },
  });

  const kernels = createWasmKernels({ memory, makeRunner });
  if (!kernels) {
    close();
    return null;
  }
  return { kernels, close };
}

/** [lo, hi) per thread, every boundary a multiple of `align`, as even as that allows. */
export function splitRange(total: number, parts: number, align: number): [number, number][] {
  const units = Math.ceil(total / align);
  const used = Math.max(1, Math.min(parts, units));
  const out: [number, number][] = [];
  let start = 0;
  for (let t = 0; t < used; t++) {
    const end = t === used - 1 ? total : Math.min(total, Math.round(((t + 1) * units) / used) * align);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * The body of a helper thread: instantiate the kernels over the shared memory, say 'ready', then
 * serve calls until the pool closes. Blocks its thread for good (it is a helper and nothing else).
 */
export function serveKernelHelper(message: KernelHelperMessage, post: (message: unknown) => void): void {
  const module = kernelModule();
  if (!module) {
    post('no WebAssembly SIMD in this thread');
    return;
  }
  const exports = instantiateKernels(module, message.memory);
  const ints = new Int32Array(message.control, 0, INT_SLOTS);
  const f64 = new Float64Array(message.control, F64_OFFSET);
  const slot = PER_THREAD + 4 * message.index;
  let seen = Atomics.load(ints, GENERATION);
  post('ready');
  for (;;) {
    Atomics.wait(ints, GENERATION, seen);
    seen = Atomics.load(ints, GENERATION);
    if (Atomics.load(ints, STOP) !== 0) return;
    try {
      const name = NAMES[Atomics.load(ints, KERNEL)]!;
      const argc = Atomics.load(ints, ARG_COUNT);
      const args = Array.from(f64.subarray(ARGS, ARGS + argc));
      const [lo, hi, scratch] = [f64[slot]!, f64[slot + 1]!, f64[slot + 2]!];
      const fn = exports[name] as (...a: number[]) => number | undefined;
      f64[slot + 3] = lo < hi ? Number(fn(...args, lo, hi, scratch) ?? 0) : 0;
    } catch {
      Atomics.store(ints, FAILED, 1);
    }
    if (Atomics.sub(ints, PENDING, 1) === 1) Atomics.notify(ints, PENDING);
  }
}
