import type { Matrix } from '../../matrix.js';
import type { StepRule } from '../solvers/mu-step.js';

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

  /**
   * The W half of a Frobenius multiplicative update (app/nmf/solvers/mu-frobenius.ts), fused: for
   * rows i < rows of W (m×r) and each free k, den = (W·G)_ik from the W before this call, then
   * W_ik ← muStep(W_ik, VHt_ik, den, step) (app/nmf/solvers/mu-step.ts). G is r×r: HHᵀ, or Ding
   * et al.'s orthogonal core. Rows are independent: a backend may split them across threads.
   */
  muFrobeniusW(vht: Matrix, gram: Matrix, w: Matrix, rows: number, step: FrobeniusMuStep): void;
  /** The H half: den = (G·H)_kj with G r×r (WᵀW, or the orthogonal core), H_kj ← muStep(H_kj, WtV_kj, den). Split by columns. */
  muFrobeniusH(wtv: Matrix, gram: Matrix, h: Matrix, step: FrobeniusMuStep): void;

  /**
   * One coordinate-descent sweep of the Frobenius loss (app/nmf/solvers/cd-frobenius.ts,
   * scikit-learn's `_update_cdnmf_fast`) over rows [0, rows) of W, in place, given VHᵀ and
   * HHᵀ: rows are independent problems, so a backend may split them across threads.
   */
  cdFrobeniusW(vht: Matrix, hht: Matrix, w: Matrix, rows: number, sweep: FrobeniusCdSweep): void;
  /** The H half (scikit-learn's sweep on Vᵀ ≈ HᵀWᵀ), given WᵀV and WᵀW: columns of H are independent. */
  cdFrobeniusH(wtv: Matrix, wtw: Matrix, h: Matrix, sweep: FrobeniusCdSweep): void;

  /**
   * One HALS sweep of the Frobenius loss (app/nmf/solvers/hals.ts) over rows [0, rows) of W, in
   * place, given VHᵀ and HHᵀ; returns Σ (ΔW)² of the sweep, summed per row and then over rows in
   * order (so the same bits however rows are split across threads).
   */
  halsFrobeniusW(vht: Matrix, hht: Matrix, w: Matrix, rows: number, sweep: FrobeniusCdSweep): number;
  /** The H half, given WᵀV and WᵀW: columns are independent; Σ (ΔH)² per column, then over columns in order. */
  halsFrobeniusH(wtv: Matrix, wtw: Matrix, h: Matrix, sweep: FrobeniusCdSweep): number;
}

/** One side of a Frobenius multiplicative update: mu-step.ts's StepRule plus the free components. */
export interface FrobeniusMuStep extends StepRule {
  /** Components updated (columns of W, rows of H), ascending; the others stay fixed. */
  readonly free: Int32Array;
  /** Exponent of the ratio: 1, or ½ on Ding et al.'s orthogonal side (the only values β = 2 uses). */
  readonly gamma: number;
}

/** One side of a Frobenius coordinate-descent sweep. */
export interface FrobeniusCdSweep {
  /** Components updated, in this order; the others stay fixed. */
  readonly free: Int32Array;
  /** Penalty l1·Σx + ½·l2·Σx² on the factor's entries. */
  readonly l1: number;
  readonly l2: number;
  /** Lower bound of updated entries. */
  readonly floor: number;
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

/** Throws the kernels' one shape error (the TypeScript kernels' shared argument check). */
export function checkShapes(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`kernel ${what}: shapes do not match`);
}

/** V (m×n) ≈ W (m×r) · H (r×n): the shapes every fused kernel (KL numerators, Frobenius loss) takes. */
export function fits(v: Matrix, w: Matrix, h: Matrix): boolean {
  return w.rows === v.rows && h.cols === v.cols && w.cols === h.rows;
}
