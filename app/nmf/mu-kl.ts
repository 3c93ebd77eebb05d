import type { Matrix } from '../matrix.js';
import { EPSILON } from './objective.js';

/**
 * Multiplicative updates for the generalised Kullback–Leibler divergence (Lee & Seung 2001), in
 * scikit-learn's order and with its safeguards (WH floored at EPSILON before dividing, a zero
 * denominator becomes EPSILON):
 *   W ← W ∘ ((V ⊘ WH) Hᵀ) ⊘ (1 Hᵀ)          H ← H ∘ (Wᵀ (V ⊘ WH)) ⊘ (Wᵀ 1)
 * Each update is one pass over the rows of V that forms a row of WH, the ratio and the
 * accumulations together, so WH is never stored (m×n floats saved).
 */
export interface KlState {
  readonly whRow: Float64Array;
  readonly ratioRow: Float64Array;
  readonly numW: Float64Array;
  readonly numH: Float64Array;
  readonly sums: Float64Array;
}

export function createKlState(v: Matrix, rank: number): KlState {
  return {
    whRow: new Float64Array(v.cols),
    ratioRow: new Float64Array(v.cols),
    numW: new Float64Array(rank),
    numH: new Float64Array(rank * v.cols),
    sums: new Float64Array(rank),
  };
}

/**
 * One W update then one H update. When `withObjective` is set, returns the divergence of the
 * iterate the call started from (it falls out of the W pass); otherwise NaN.
 */
export function klIteration(v: Matrix, w: Matrix, h: Matrix, s: KlState, withObjective: boolean): number {
  const objective = updateW(v, w, h, s, withObjective);
  updateH(v, w, h, s);
  return objective;
}

/** D(V‖WH) of the current iterate, with the same row pass as the W update. */
export function klDivergence(v: Matrix, w: Matrix, h: Matrix, s: KlState): number {
  let total = 0;
  for (let i = 0; i < v.rows; i++) total += ratioRowAndDivergence(v, w, h, s, i, true);
  return total;
}

function updateW(v: Matrix, w: Matrix, h: Matrix, s: KlState, withObjective: boolean): number {
  const r = w.cols;
  const n = v.cols;
  const hd = h.data;
  const wd = w.data;
  // Denominator: row sums of H.
  for (let k = 0; k < r; k++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += hd[k * n + j]!;
    s.sums[k] = sum === 0 ? EPSILON : sum;
  }
  let objective = 0;
  for (let i = 0; i < v.rows; i++) {
    objective += ratioRowAndDivergence(v, w, h, s, i, withObjective);
    const q = s.ratioRow;
    for (let k = 0; k < r; k++) {
      let dot = 0;
      const off = k * n;
      for (let j = 0; j < n; j++) dot += q[j]! * hd[off + j]!;
      wd[i * r + k] = wd[i * r + k]! * (dot / s.sums[k]!);
    }
  }
  return withObjective ? objective : Number.NaN;
}

function updateH(v: Matrix, w: Matrix, h: Matrix, s: KlState): void {
  const r = w.cols;
  const n = v.cols;
  const wd = w.data;
  const hd = h.data;
  const num = s.numH;
  num.fill(0);
  s.sums.fill(0);
  for (let i = 0; i < v.rows; i++) {
    ratioRowAndDivergence(v, w, h, s, i, false);
    const q = s.ratioRow;
    for (let k = 0; k < r; k++) {
      const wik = wd[i * r + k]!;
      s.sums[k] += wik;
      if (wik === 0) continue;
      const off = k * n;
      for (let j = 0; j < n; j++) num[off + j] += wik * q[j]!;
    }
  }
  for (let k = 0; k < r; k++) {
    const den = s.sums[k] === 0 ? EPSILON : s.sums[k]!;
    const off = k * n;
    for (let j = 0; j < n; j++) hd[off + j] = hd[off + j]! * (num[off + j]! / den);
  }
}

/** Fills s.ratioRow with V[i,:] ⊘ max(WH[i,:], ε); returns row i's divergence when asked. */
function ratioRowAndDivergence(v: Matrix, w: Matrix, h: Matrix, s: KlState, i: number, withDivergence: boolean): number {
  const r = w.cols;
  const n = v.cols;
  const wh = s.whRow;
  const hd = h.data;
  wh.fill(0);
  for (let k = 0; k < r; k++) {
    const wik = w.data[i * r + k]!;
    if (wik === 0) continue;
    const off = k * n;
    for (let j = 0; j < n; j++) wh[j] += wik * hd[off + j]!;
  }
  const vOff = i * n;
  const q = s.ratioRow;
  let divergence = 0;
  for (let j = 0; j < n; j++) {
    const x = v.data[vOff + j]!;
    const y = wh[j]! < EPSILON ? EPSILON : wh[j]!;
    q[j] = x / y;
    if (withDivergence) divergence += (x > 0 ? x * Math.log(x / y) : 0) - x + y;
  }
  return divergence;
}
