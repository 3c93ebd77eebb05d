import { createMatrix, type Matrix } from '../matrix.js';

/**
 * Post-processing of a factorization V ≈ WH. The factors are only defined up to a positive
 * diagonal scaling (W D, D⁻¹ H) and a permutation of the components (Lee & Seung 1999, "Learning
 * the parts of objects by non-negative matrix factorization"); normalizing the columns of W and
 * ordering the components by energy gives every run the same canonical form, so results can be
 * compared, plotted and exported without the arbitrary scale and order of the solver.
 */

/** Options of normalizeFactors. */
export interface NormalizeOptions {
  /** Order components by decreasing energy ‖W_k H_k‖²_F (stable: ties keep their input order). */
  readonly sort: boolean;
  /**
   * Components that keep their index when sorting (e.g. fixed, supervised ones, whose position the
   * caller relies on); the others are sorted into the remaining positions. Indices out of range
   * throw a RangeError; duplicates are allowed.
   */
  readonly keepOrder?: readonly number[];
}

/** Result of normalizeFactors: new matrices (the inputs are not modified). */
export interface NormalizedFactors {
  /** m×r, every nonzero column of unit L2 norm (zero columns stay zero). */
  readonly W: Matrix;
  /** r×n, each row multiplied by the norm its W column was divided by, so WH is unchanged. */
  readonly H: Matrix;
  /** ‖W_k H_k‖²_F / Σ_j ‖W_j H_j‖²_F in output order; all 0 when every component is zero. */
  readonly energyShares: number[];
  /** order[p] = input index of the component at output position p. */
  readonly order: number[];
}

/**
 * Energy of each component, ‖W_k H_k‖²_F. W_k H_k is an outer product, so its Frobenius norm
 * factorises: ‖W_k H_k‖²_F = ‖W_k‖²·‖H_k‖², which costs O((m + n)·r) instead of O(m·n·r).
 * Accumulated in float64.
 */
export function componentEnergies(W: Matrix, H: Matrix): number[] {
  const { w2, h2 } = squaredNorms(W, H);
  const energies: number[] = [];
  for (let k = 0; k < W.cols; k++) energies.push(w2[k]! * h2[k]!);
  return energies;
}

/**
 * Removes the scale ambiguity (each column of W to unit L2 norm, the matching row of H multiplied
 * by the same factor, so W_k H_k and therefore WH are unchanged up to float32 rounding) and, when
 * `sort` is set, orders the components by decreasing energy. A zero column of W is left zero and
 * its H row unchanged (there is nothing to divide by; the component contributes nothing to WH).
 */
export function normalizeFactors(W: Matrix, H: Matrix, options: NormalizeOptions): NormalizedFactors {
  const r = W.cols;
  const m = W.rows;
  const n = H.cols;
  const { w2, h2 } = squaredNorms(W, H);
  // Energies from the float64 norms of the input, not from the rounded float32 output.
  const energies = new Float64Array(r);
  let total = 0;
  for (let k = 0; k < r; k++) {
    energies[k] = w2[k]! * h2[k]!;
    total += energies[k]!;
  }

  const order = options.sort ? sortedOrder(energies, options.keepOrder ?? []) : identity(r);
  const outW = createMatrix(m, r);
  const outH = createMatrix(r, n);
  const energyShares: number[] = [];
  for (let p = 0; p < r; p++) {
    const k = order[p]!;
    const norm = Math.sqrt(w2[k]!);
    const scale = norm > 0 ? norm : 1;
    const inverse = 1 / scale;
    for (let i = 0; i < m; i++) outW.data[i * r + p] = W.data[i * r + k]! * inverse;
    const src = k * n;
    const dst = p * n;
    for (let j = 0; j < n; j++) outH.data[dst + j] = H.data[src + j]! * scale;
    energyShares.push(total > 0 ? energies[k]! / total : 0);
  }
  return { W: outW, H: outH, energyShares, order };
}

function squaredNorms(W: Matrix, H: Matrix): { w2: Float64Array; h2: Float64Array } {
  const r = W.cols;
  const n = H.cols;
  if (H.rows !== r) throw new RangeError(`W is ${W.rows}×${r} but H is ${H.rows}×${n}: ranks differ`);
  const w2 = new Float64Array(r);
  // Row-major W: walk rows, accumulating every column's sum of squares at once.
  for (let i = 0; i < W.rows; i++) {
    const off = i * r;
    for (let k = 0; k < r; k++) {
      const x = W.data[off + k]!;
      w2[k] += x * x;
    }
  }
  const h2 = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    const off = k * n;
    let s = 0;
    for (let j = 0; j < n; j++) {
      const x = H.data[off + j]!;
      s += x * x;
    }
    h2[k] = s;
  }
  return { w2, h2 };
}

function identity(r: number): number[] {
  return Array.from({ length: r }, (_, k) => k);
}

/** Kept components stay at their index; the others fill the free positions by decreasing energy. */
function sortedOrder(energies: Float64Array, keepOrder: readonly number[]): number[] {
  const r = energies.length;
  const kept = new Uint8Array(r);
  for (const k of keepOrder) {
    if (!Number.isInteger(k) || k < 0 || k >= r) throw new RangeError(`keepOrder index ${k} is not a component index in [0, ${r})`);
    kept[k] = 1;
  }
  const movable = identity(r).filter((k) => kept[k] === 0);
  // Array.prototype.sort is stable (ES2019), so equal energies keep their input order.
  movable.sort((a, b) => energies[b]! - energies[a]!);
  const order: number[] = [];
  let next = 0;
  for (let p = 0; p < r; p++) order.push(kept[p] === 1 ? p : movable[next++]!);
  return order;
}
