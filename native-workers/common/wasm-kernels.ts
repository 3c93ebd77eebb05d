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
import { fits, type FrobeniusCdSweep, type FrobeniusMuStep, type NmfKernels } from '../../app/nmf/kernels/nmf-kernels.js';
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
  mu_fro(...args: number[]): void;
  cd_fro(...args: number[]): void;
  hals_fro(...args: number[]): void;
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

  /**
   * Runs a Frobenius update kernel (mu_fro, cd_fro, hals_fro) on a factor updated in place, with
   * the free components copied into the arena for the call; scratch per thread: 16·r floats
   * (mu_fro: 3 vectors per component; cd_fro, hals_fro: 2 blocks of 4 float64). The kernels'
   * units (columns of H, rows of W) go through the SIMD lanes four at a time, so a thread's share
   * is a multiple of 8 (4 would do for correctness; 8 keeps H's 32-byte blocks on one thread).
   */
  const frobeniusUpdate = (
    name: 'mu_fro' | 'cd_fro' | 'hals_fro',
    factor: Matrix,
    inputs: readonly Matrix[],
    free: Int32Array,
    args: (pFactor: number, pInputs: number[], pFree: number) => number[],
    units: number,
    r: number,
  ): void => {
    const nfree = free.length;
    if (nfree === 0 || units === 0) return;
    const mark = top;
    try {
      const freePtr = reserve(nfree * 4);
      new Int32Array(memory.buffer, freePtr, nfree).set(free);
      const own = pointerOf(factor.data);
      const copy = own === undefined ? allocate(factor.rows, factor.cols) : null;
      if (copy) copy.data.set(factor.data);
      withPointers(inputs, [], (...ptrs) => {
        runner.run(name, args(own ?? pointerOf(copy!.data)!, ptrs, freePtr), units, 8, 16 * r);
      });
      if (copy) factor.data.set(copy.data);
    } finally {
      resetTop(mark);
    }
  };
  const checkFree = (free: Int32Array, r: number, what: string): void => {
    for (const k of free) if (!(k >= 0 && k < r)) throw new RangeError(`kernel ${what}: component ${k} out of range [0, ${r})`);
  };
  const gammaOf = (step: FrobeniusMuStep, what: string): number => {
    if (step.gamma !== 1 && step.gamma !== 0.5) throw new RangeError(`kernel ${what}: exponent ${step.gamma} unsupported (1 or 0.5)`);
    return step.gamma;
  };
  const muArgs = (step: FrobeniusMuStep, nfree: number, what: string): number[] => [nfree, step.l1, step.l2, gammaOf(step, what), step.zeroBelow, step.floor];
  const cdArgs = (sweep: FrobeniusCdSweep, nfree: number): number[] => [nfree, sweep.l1, sweep.l2, sweep.floor];

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
      const align = splitAlign(2 * a.rows * a.cols * b.cols, a.rows, 2);
      withPointers([a, b], [out], (pa, pb, po) => runner.run('matmul_nn', [pa!, pb!, po!, a.rows, a.cols, b.cols], a.rows, align, 0));
    },
    matmulTN(a, b, out) {
      check(a.rows === b.rows && out.rows === a.cols && out.cols === b.cols, 'matmulTN');
      const align = splitAlign(2 * a.rows * a.cols * b.cols, b.cols, 8);
      withPointers([a, b], [out], (pa, pb, po) => runner.run('matmul_tn', [pa!, pb!, po!, a.rows, a.cols, b.cols], b.cols, align, 0));
    },
    matmulNT(a, b, out) {
      check(a.cols === b.cols && out.rows === a.rows && out.cols === b.rows, 'matmulNT');
      const align = splitAlign(2 * a.rows * a.cols * b.rows, a.rows, 2);
      withPointers([a, b], [out], (pa, pb, po) => runner.run('matmul_nt', [pa!, pb!, po!, a.rows, a.cols, b.rows], a.rows, align, 0));
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
    // Units of mu_fro/cd_fro: rows of W (component stride 4 bytes, unit stride r·4), columns of H
    // (component stride n·4, unit stride 4). See kernels.ts.
    muFrobeniusW(vht, gram, w, rows, step) {
      const r = w.cols;
      check(vht.cols === r && gram.rows === r && gram.cols === r && rows >= 0 && rows <= w.rows && rows <= vht.rows, 'muFrobeniusW');
      checkFree(step.free, r, 'muFrobeniusW');
      // den = W·G: C[k,l] = G[l,k], i.e. G read with row stride 4 and column stride r·4.
      frobeniusUpdate('mu_fro', w, [vht, gram], step.free, (pw, [pn, pg], pf) => [pw, pn!, pg!, 4, r * 4, 4, r * 4, r, pf, ...muArgs(step, step.free.length, 'muFrobeniusW')], rows, r);
    },
    muFrobeniusH(wtv, gram, h, step) {
      const [r, n] = [h.rows, h.cols];
      check(wtv.rows === r && wtv.cols === n && gram.rows === r && gram.cols === r, 'muFrobeniusH');
      checkFree(step.free, r, 'muFrobeniusH');
      frobeniusUpdate('mu_fro', h, [wtv, gram], step.free, (ph, [pn, pg], pf) => [ph, pn!, pg!, r * 4, 4, n * 4, 4, r, pf, ...muArgs(step, step.free.length, 'muFrobeniusH')], n, r);
    },
    cdFrobeniusW(vht, hht, w, rows, sweep) {
      const r = w.cols;
      check(vht.cols === r && hht.rows === r && hht.cols === r && rows >= 0 && rows <= w.rows && rows <= vht.rows, 'cdFrobeniusW');
      checkFree(sweep.free, r, 'cdFrobeniusW');
      frobeniusUpdate('cd_fro', w, [vht, hht], sweep.free, (pw, [pn, pg], pf) => [pw, pn!, pg!, 4, r * 4, r, pf, ...cdArgs(sweep, sweep.free.length)], rows, r);
    },
    cdFrobeniusH(wtv, wtw, h, sweep) {
      const [r, n] = [h.rows, h.cols];
      check(wtv.rows === r && wtv.cols === n && wtw.rows === r && wtw.cols === r, 'cdFrobeniusH');
      checkFree(sweep.free, r, 'cdFrobeniusH');
      frobeniusUpdate('cd_fro', h, [wtv, wtw], sweep.free, (ph, [pn, pg], pf) => [ph, pn!, pg!, n * 4, 4, r, pf, ...cdArgs(sweep, sweep.free.length)], n, r);
    },
    // hals_fro stores each unit's Σ (Δx)² (float64) for rowSummed to add in unit order.
    halsFrobeniusW(vht, hht, w, rows, sweep) {
      const r = w.cols;
      check(vht.cols === r && hht.rows === r && hht.cols === r && rows >= 0 && rows <= w.rows && rows <= vht.rows, 'halsFrobeniusW');
      checkFree(sweep.free, r, 'halsFrobeniusW');
      if (sweep.free.length === 0 || rows === 0) return 0;
      return rowSummed(rows, (sums) =>
        frobeniusUpdate('hals_fro', w, [vht, hht], sweep.free, (pw, [pn, pg], pf) => [pw, pn!, pg!, 4, r * 4, r, pf, ...cdArgs(sweep, sweep.free.length), 0, sums], rows, r),
      );
    },
    halsFrobeniusH(wtv, wtw, h, sweep) {
      const [r, n] = [h.rows, h.cols];
      check(wtv.rows === r && wtv.cols === n && wtw.rows === r && wtw.cols === r, 'halsFrobeniusH');
      checkFree(sweep.free, r, 'halsFrobeniusH');
      if (sweep.free.length === 0 || n === 0) return 0;
      return rowSummed(n, (sums) =>
        frobeniusUpdate('hals_fro', h, [wtv, wtw], sweep.free, (ph, [pn, pg], pf) => [ph, pn!, pg!, n * 4, 4, r, pf, ...cdArgs(sweep, sweep.free.length), 1, sums], n, r),
      );
    },
  };
}

/**
 * Below this many flops a product runs on the calling thread alone (HHᵀ, WᵀW and the like, tens of
 * microseconds): waking the pool's helpers costs about as much as it saves, and far more when
 * another process holds the other cores and a helper waits for a time slice. The split alignment
 * does it: one aligned unit covering the whole range is one chunk (kernel-pool.ts, splitRange).
 * Each output entry is computed the same way on any thread, so the bits do not change.
 */
const SERIAL_FLOPS = 1 << 20;

function splitAlign(flops: number, total: number, align: number): number {
  return flops < SERIAL_FLOPS ? Math.max(1, total) : align;
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
