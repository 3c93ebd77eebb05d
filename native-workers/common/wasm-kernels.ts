/**
 * The WebAssembly SIMD backend of NmfKernels (app/nmf/kernels/nmf-kernels.ts): the AssemblyScript
 * kernels of native-workers/wasm/assembly/kernels.ts over one shared WebAssembly.Memory, optionally
 * split across a pool of threads (kernel-pool.ts) that instantiate the same module over the same
 * memory.
 *
 * Matrices the solvers use are allocated in that memory (allocate()), so a kernel call passes
 * pointers, never copies. A matrix from elsewhere is copied in for the call (and an output copied
 * back), which is correct but slow; the driver (factorize.ts) allocates V, W and H here.
 *
 * Two builds of the same kernels exist (scripts/build-wasm.mjs): 'relaxed-simd', whose
 * multiply-adds are fused (f32x4.relaxed_madd; on one Zen 2 core WᵀV runs about 30% and VHᵀ about
 * 25% faster), and 'simd'. The engine decides: relaxed SIMD where WebAssembly.validate accepts it (Node 22+,
 * Chromium 114+, Electron 25+; Node 20 with --experimental-wasm-relaxed-simd), else plain SIMD.
 * The choice is made the same way on every thread of an engine, so a pool's helpers run the same
 * module as its owner and stay bit-identical to it; results of the two builds differ by the
 * rounding of the fused operations (float32 tolerance).
 */
import { createMatrix, type Matrix } from '../../app/matrix.js';
import { fits, type NmfKernels } from '../../app/nmf/kernels/nmf-kernels.js';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../wasm/kernels-wasm.generated.js';
import { wasmApi, type WasmMemory } from './wasm-api.js';

const PAGE = 65536;
/** Below this many bytes the module's own stack and static data live; the arena starts above. */
const ARENA_START = 64 * 1024;
const ALIGN = 64;
/** wasm32 addresses 4 GiB. */
const MAX_PAGES = 65536;

/** The exported kernels; pointers are byte offsets, dimensions i32. */
export interface KernelExports {
  matmul_tn(...args: number[]): void;
  matmul_nt(...args: number[]): void;
  matmul_nn(...args: number[]): void;
  kl_num_w(...args: number[]): number;
  kl_num_h(...args: number[]): void;
  frobenius_loss(...args: number[]): number;
  cd_kl_sweep(...args: number[]): void;
}
export type KernelName = keyof KernelExports;

/**
 * Runs a kernel over [0, total) split into per-thread ranges, each thread appending
 * (lo, hi, its scratch pointer) to args; returns the sum of the threads' return values.
 * `align`: every split point is a multiple of it (see the kernels' determinism note).
 */
export interface KernelRunner {
  readonly threads: number;
  run(name: KernelName, args: readonly number[], total: number, align: number, scratchFloats: number): number;
}

/** A build of the kernels: with fused multiply-adds (relaxed SIMD), or plain 128-bit SIMD. */
export type KernelVariant = 'relaxed-simd' | 'simd';

/** Best first: the default is the first this engine accepts. */
export const KERNEL_VARIANTS: readonly KernelVariant[] = ['relaxed-simd', 'simd'];

const BASE64: Record<KernelVariant, string> = { 'relaxed-simd': KERNELS_RELAXED_WASM_BASE64, simd: KERNELS_WASM_BASE64 };
/** Compiled modules, once per thread; null: this engine rejects that build. */
const compiled = new Map<KernelVariant, object | null>();

/** The compiled module of one build, or null where this engine lacks a feature it uses. */
export function kernelModuleOf(variant: KernelVariant): object | null {
  const api = wasmApi();
  if (!api) return null;
  let module = compiled.get(variant);
  if (module === undefined) {
    const bytes = decodeBase64(BASE64[variant]);
    // validate() is false, not an exception, for a missing feature (SIMD, threads, relaxed SIMD).
    module = api.validate(bytes) ? new api.Module(bytes) : null;
    compiled.set(variant, module);
  }
  return module;
}

/** The build this engine runs by default (the fastest it accepts), or null where none runs. */
export function kernelVariant(): KernelVariant | null {
  return KERNEL_VARIANTS.find((variant) => kernelModuleOf(variant) !== null) ?? null;
}

/** The default build's module (see kernelVariant), or null where WebAssembly SIMD is missing. */
export function kernelModule(): object | null {
  const variant = kernelVariant();
  return variant ? kernelModuleOf(variant) : null;
}

/** A fresh shared memory for one backend (false where SharedArrayBuffer is unavailable). */
export function createKernelMemory(): WasmMemory | null {
  const api = wasmApi();
  if (!api || typeof SharedArrayBuffer === 'undefined') return null;
  try {
    return new api.Memory({ initial: ARENA_START / PAGE + 1, maximum: MAX_PAGES, shared: true });
  } catch {
    return null; // e.g. a page that is not cross-origin isolated
  }
}

export function instantiateKernels(module: object, memory: WasmMemory): KernelExports {
  const api = wasmApi()!;
  const instance = new api.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new Error('WebAssembly kernel aborted');
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}

/** The exports run on this thread alone. */
function singleThreadRunner(exports: KernelExports, scratch: (thread: number, floats: number) => number): KernelRunner {
  return {
    threads: 1,
    run(name, args, total, _align, scratchFloats) {
      const fn = exports[name] as (...a: number[]) => number | undefined;
      return Number(fn(...args, 0, total, scratchFloats > 0 ? scratch(0, scratchFloats) : 0) ?? 0);
    },
  };
}

export interface WasmKernelOptions {
  /** The memory to allocate in (default: a fresh shared one). */
  readonly memory?: WasmMemory;
  /** How calls are split (default: all on this thread). */
  readonly makeRunner?: (exports: KernelExports, memory: WasmMemory, scratch: (thread: number, floats: number) => number) => KernelRunner;
  /** Which build (default: kernelVariant()). A pool's helpers run the default: leave it unset there. */
  readonly variant?: KernelVariant;
}

/**
 * The backend over `memory`, with `makeRunner` deciding how calls are split (one thread, or the
 * pool). Returns null where WebAssembly SIMD (or the variant asked for) or shared memory is
 * unavailable.
 */
export function createWasmKernels(options: WasmKernelOptions = {}): NmfKernels | null {
  const module = options.variant ? kernelModuleOf(options.variant) : kernelModule();
  const memory = options.memory ?? createKernelMemory();
  if (!module || !memory) return null;
  const exports = instantiateKernels(module, memory);

  let top = ARENA_START;
  // Every buffer object our views were made on (a shared memory hands out a new one after each
  // growth, all over the same bytes): a view on one of them is ours, at its byteOffset.
  const ownBuffers = new WeakSet<object>();
  const pointerOf = (data: Float32Array): number | undefined => (ownBuffers.has(data.buffer) ? data.byteOffset : undefined);
  // Per-thread scratch rows, kept at the bottom of the arena's life: grown by reallocating above
  // the current top (the old space is reclaimed when the arena is released below it).
  const scratchAt: ({ ptr: number; floats: number } | undefined)[] = [];

  const reserve = (bytes: number): number => {
    const ptr = top;
    const end = ptr + Math.ceil(bytes / ALIGN) * ALIGN;
    const have = memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) {
        throw new RangeError(`the WebAssembly kernels need ${(end / 2 ** 30).toFixed(2)} GiB, more than the 4 GiB a wasm32 memory can hold`);
      }
      memory.grow(pages);
    }
    top = end;
    return ptr;
  };
  /** Frees everything above `mark`, scratch rows included. */
  const resetTop = (mark: number): void => {
    top = mark;
    for (let t = 0; t < scratchAt.length; t++) if ((scratchAt[t]?.ptr ?? 0) >= mark) scratchAt[t] = undefined;
  };
  const scratch = (thread: number, floats: number): number => {
    const have = scratchAt[thread];
    if (have && have.floats >= floats) return have.ptr;
    const ptr = reserve(floats * 4);
    scratchAt[thread] = { ptr, floats };
    return ptr;
  };
  const runner = options.makeRunner ? options.makeRunner(exports, memory, scratch) : singleThreadRunner(exports, scratch);

  const allocate = (rows: number, cols: number): Matrix => {
    const ptr = reserve(rows * cols * 4);
    const data = new Float32Array(memory.buffer, ptr, rows * cols);
    data.fill(0); // released space is reused
    ownBuffers.add(memory.buffer);
    return createMatrix(rows, cols, data);
  };

  /** Pointer of a matrix, copying it in (and, for an output, back out afterwards) if foreign. */
  const withPointers = <T>(inputs: readonly Matrix[], outputs: readonly Matrix[], body: (...ptrs: number[]) => T): T => {
    const mark = top;
    const copies: [Matrix, Matrix][] = [];
    const ptrOf = (m: Matrix, isOutput: boolean): number => {
      const own = pointerOf(m.data);
      if (own !== undefined) return own;
      const copy = allocate(m.rows, m.cols);
      if (!isOutput) copy.data.set(m.data);
      else copies.push([copy, m]);
      return pointerOf(copy.data)!;
    };
    const ptrs = [...inputs.map((m) => ptrOf(m, false)), ...outputs.map((m) => ptrOf(m, true))];
    try {
      const result = body(...ptrs);
      for (const [copy, target] of copies) target.data.set(copy.data);
      return result;
    } finally {
      if (ptrs.some((p) => p >= mark)) resetTop(mark); // the temporary copies
    }
  };

  /**
   * Runs a reduction whose kernel stores one float64 sum per row, and adds those in row order:
   * the total is then the same bits however the rows were split across threads.
   */
  const rowSummed = (rows: number, body: (sumsPtr: number) => void): number => {
    const mark = top;
    const ptr = reserve(rows * 8);
    try {
      body(ptr);
      const sums = new Float64Array(memory.buffer, ptr, rows);
      let total = 0;
      for (let i = 0; i < rows; i++) total += sums[i]!;
      return total;
    } finally {
      resetTop(mark);
    }
  };

  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new RangeError(`kernel ${what}: shapes do not match`);
  };

  return {
    name: runner.threads > 1 ? `wasm-simd×${runner.threads}` : 'wasm-simd',
    allocate,
    mark: () => top,
    release(mark: number): void {
      if (mark < ARENA_START || mark > top) throw new RangeError('release: not a mark of this arena');
      resetTop(mark);
    },
    matmul(a, b, out) {
      check(a.cols === b.rows && out.rows === a.rows && out.cols === b.cols, 'matmul');
      withPointers([a, b], [out], (pa, pb, po) => runner.run('matmul_nn', [pa!, pb!, po!, a.rows, a.cols, b.cols], a.rows, 2, 0));
    },
    matmulTN(a, b, out) {
      check(a.rows === b.rows && out.rows === a.cols && out.cols === b.cols, 'matmulTN');
      withPointers([a, b], [out], (pa, pb, po) => runner.run('matmul_tn', [pa!, pb!, po!, a.rows, a.cols, b.cols], b.cols, 8, 0));
    },
    matmulNT(a, b, out) {
      check(a.cols === b.cols && out.rows === a.rows && out.cols === b.rows, 'matmulNT');
      withPointers([a, b], [out], (pa, pb, po) => runner.run('matmul_nt', [pa!, pb!, po!, a.rows, a.cols, b.rows], a.rows, 2, 0));
    },
    klNumeratorW(v, w, h, rows, numW, withDivergence) {
      const m = v.rows;
      check(fits(v, w, h) && numW.rows === m && numW.cols === w.cols, 'klNumeratorW');
      const total = withDivergence ? m : Math.min(rows, m);
      return withPointers([v, w, h], [numW], (pv, pw, ph, po) =>
        withDivergence
          ? rowSummed(m, (sums) => runner.run('kl_num_w', [pv!, pw!, ph!, po!, m, v.cols, w.cols, rows, 1, sums], total, 2, v.cols))
          : (runner.run('kl_num_w', [pv!, pw!, ph!, po!, m, v.cols, w.cols, rows, 0, 0], total, 2, v.cols), 0),
      );
    },
    klNumeratorH(v, w, h, numH) {
      check(fits(v, w, h) && numH.rows === w.cols && numH.cols === v.cols, 'klNumeratorH');
      withPointers([v, w, h], [numH], (pv, pw, ph, po) =>
        runner.run('kl_num_h', [pv!, pw!, ph!, po!, v.rows, v.cols, w.cols], v.cols, 8, 512),
      );
    },
    frobeniusLoss(v, w, h) {
      check(fits(v, w, h), 'frobeniusLoss');
      return withPointers([v, w, h], [], (pv, pw, ph) =>
        0.5 * rowSummed(v.rows, (sums) => runner.run('frobenius_loss', [pv!, pw!, ph!, v.rows, v.cols, w.cols, sums], v.rows, 1, v.cols)),
      );
    },
    cdKlSweep(data, a, b, params) {
      const r = a.cols;
      const cols = b.cols;
      const rows = params.rows;
      check(b.rows === r && data.cols === cols && data.rows >= rows && a.rows >= rows, 'cdKlSweep');
      const nfree = params.free.length;
      if (nfree === 0 || rows === 0) return;
      const mark = top;
      try {
        const freePtr = reserve(nfree * 4);
        new Int32Array(memory.buffer, freePtr, nfree).set(params.free);
        // A is updated in place: one of ours is passed as is, a foreign one copied in and back.
        const own = pointerOf(a.data);
        const copy = own === undefined ? allocate(a.rows, a.cols) : null;
        if (copy) copy.data.set(a.data);
        withPointers([data, b], [], (pd, pb) => {
          const pa = own ?? pointerOf(copy!.data)!;
          // Scratch per thread: two Newton states (64 floats), r float64 constants, 64 bytes of
          // alignment, then the row of WH.
          const scratchFloats = 64 + 2 * r + 16 + cols;
          runner.run('cd_kl_sweep', [pd!, pa, pb!, freePtr, nfree, cols, r, params.l1, params.l2, params.floor, params.rescale ? 1 : 0], rows, 1, scratchFloats);
        });
        if (copy) a.data.set(copy.data);
      } finally {
        resetTop(mark);
      }
    },
  };
}

function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lookup = new Uint8Array(128);
  for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const a = lookup[clean.charCodeAt(i)]!;
    const b = lookup[clean.charCodeAt(i + 1)]!;
    const c = i + 2 < clean.length ? lookup[clean.charCodeAt(i + 2)]! : 0;
    const d = i + 3 < clean.length ? lookup[clean.charCodeAt(i + 3)]! : 0;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = (bits >> 16) & 255;
    if (o < out.length) out[o++] = (bits >> 8) & 255;
    if (o < out.length) out[o++] = bits & 255;
  }
  return out;
}
