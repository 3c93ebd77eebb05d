import type { Matrix } from '../../matrix.js';

/**
 * The dense kernels every solver's hot loop is made of, behind one interface so that a faster
 * backend (native-workers/: WebAssembly SIMD, split across a worker pool) can replace the
 * pure-TypeScript reference (js-kernels.ts) without the solvers knowing.
 *
 * All matrices are float32, row-major (app/matrix.ts). Outputs are written, never accumulated
 * into, and never alias an input. A backend may compute in float32 (the reference accumulates in
 * float64): results agree to float32 tolerance, and a given backend is deterministic — the same
 * inputs give bit-identical outputs whatever the number of threads (each output entry is summed by
 * one thread in one order).
 */
export interface NmfKernels {
  /** 'js', 'wasm-simd', 'wasm-simd×4' … (reported in results and benchmarks). */
  readonly name: string;

  /**
   * A zeroed rows×cols matrix whose storage the kernels read and write without copying (for a
   * WebAssembly backend: a view into its memory). Lives until release(mark) with an earlier mark.
   */
  allocate(rows: number, cols: number): Matrix;
  /** Arena position, for release(). */
  mark(): number;
  /** Frees everything allocated since mark. */
  release(mark: number): void;

  /** out (p×n) = A (p×q) · B (q×n). */
  matmul(a: Matrix, b: Matrix, out: Matrix): void;
  /** out (p×n) = Aᵀ (A: m×p) · B (m×n). WᵀV, WᵀW. */
  matmulTN(a: Matrix, b: Matrix, out: Matrix): void;
  /** out (m×p) = A (m×n) · Bᵀ (B: p×n). VHᵀ, HHᵀ. */
  matmulNT(a: Matrix, b: Matrix, out: Matrix): void;

  /**
   * The W half of a Kullback–Leibler multiplicative update, fused (WH is never stored):
   * for rows i < rows, numW[i,:] = (V[i,:] ⊘ (WH)[i,:]) Hᵀ, with (WH)ᵢⱼ = 0 read as EPSILON.
   * When withDivergence, also returns D(V‖WH) over all m rows (Σ V log(V/WH) − V + WH, only V > ε
   * entering the logarithm), else 0.
   */
  klNumeratorW(v: Matrix, w: Matrix, h: Matrix, rows: number, numW: Matrix, withDivergence: boolean): number;
  /** The H half: numH = Wᵀ (V ⊘ WH), fused the same way. */
  klNumeratorH(v: Matrix, w: Matrix, h: Matrix, numH: Matrix): void;
  /** ½‖V − WH‖²_F, from WH formed row by row (never stored). */
  frobeniusLoss(v: Matrix, w: Matrix, h: Matrix): number;

  /**
   * One cyclic coordinate-descent sweep of the KL solver (app/nmf/solvers/cd-kl.ts) over rows
   * [0, params.rows) of A (in place): A (rows×r) and B (r×cols) with data rows D (rows×cols),
   * D ≈ A·B. The W half is (V, W, H); the H half the same sweep on (Vᵀ, Hᵀ, Wᵀ). Rows are
   * independent, so a backend may split them across threads.
   */
  cdKlSweep(data: Matrix, a: Matrix, b: Matrix, params: CdKlSweep): void;
}

/** What one KL coordinate-descent sweep needs besides the matrices. */
export interface CdKlSweep {
  /** Rows of A to update; rows at and above it are frozen (the sum-to-one row of factorize.ts). */
  readonly rows: number;
  /** Components (columns of A) to update, in order; the others stay fixed. */
  readonly free: Int32Array;
  /** Penalty l1·Σa + ½·l2·Σa² on A's entries. */
  readonly l1: number;
  readonly l2: number;
  /** Lower bound of A's entries (NmfProblem.floor). */
  readonly floor: number;
  /** First iteration: rescale each row before its sweep (applied only when every component is free). */
  readonly rescale: boolean;
}

/** V (m×n) ≈ W (m×r) · H (r×n): the shapes every fused kernel (KL numerators, Frobenius loss) takes. */
export function fits(v: Matrix, w: Matrix, h: Matrix): boolean {
  return w.rows === v.rows && h.cols === v.cols && w.cols === h.rows;
}
