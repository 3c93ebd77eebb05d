import type { Matrix } from '../matrix.js';
import { EPSILON } from './objective.js';

/**
 * Multiplicative updates for ½‖V − WH‖²_F (Lee & Seung 2001, "Algorithms for non-negative matrix
 * factorization"), in scikit-learn's order and with its safeguard (a zero denominator becomes
 * EPSILON):
 *   W ← W ∘ (V Hᵀ) ⊘ (W H Hᵀ)          H ← H ∘ (Wᵀ V) ⊘ (Wᵀ W H)
 * The objective comes almost free from the products the H update already formed:
 *   ½‖V − WH‖² = ½(‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩).
 */
export interface FrobeniusState {
  readonly normV2: number;
  /** HHᵀ of the current H (r×r), kept between iterations. */
  readonly hht: Float64Array;
  readonly wtv: Float64Array;
  readonly wtw: Float64Array;
  readonly numW: Float64Array;
  /** New H staged here so that every denominator (WᵀW H) reads the old H, as in the matrix form. */
  readonly nextH: Float32Array;
}

export function createFrobeniusState(v: Matrix, h: Matrix): FrobeniusState {
  let normV2 = 0;
  for (let i = 0; i < v.data.length; i++) normV2 += v.data[i]! * v.data[i]!;
  const r = h.rows;
  const state: FrobeniusState = {
    normV2,
    hht: new Float64Array(r * r),
    wtv: new Float64Array(r * v.cols),
    wtw: new Float64Array(r * r),
    numW: new Float64Array(r),
    nextH: new Float32Array(r * v.cols),
  };
  gram(h.data, r, h.cols, state.hht);
  return state;
}

/** One W update then one H update. Returns the objective at the new (W, H). */
export function frobeniusIteration(v: Matrix, w: Matrix, h: Matrix, s: FrobeniusState): number {
  updateW(v, w, h, s);
  return updateH(v, w, h, s);
}

function updateW(v: Matrix, w: Matrix, h: Matrix, s: FrobeniusState): void {
  const r = w.cols;
  const n = v.cols;
  const vd = v.data;
  const hd = h.data;
  const wd = w.data;
  for (let i = 0; i < v.rows; i++) {
    const vOff = i * n;
    for (let k = 0; k < r; k++) {
      let dot = 0;
      const hOff = k * n;
      for (let j = 0; j < n; j++) dot += vd[vOff + j]! * hd[hOff + j]!;
      s.numW[k] = dot;
    }
    const wOff = i * r;
    for (let k = 0; k < r; k++) {
      let den = 0;
      for (let l = 0; l < r; l++) den += wd[wOff + l]! * s.hht[l * r + k]!;
      // All r denominators use the old row, so write the new row only after computing them.
      s.numW[k] = s.numW[k]! / (den === 0 ? EPSILON : den);
    }
    for (let k = 0; k < r; k++) wd[wOff + k] = wd[wOff + k]! * s.numW[k]!;
  }
}

function updateH(v: Matrix, w: Matrix, h: Matrix, s: FrobeniusState): number {
  const r = w.cols;
  const n = v.cols;
  const vd = v.data;
  const wd = w.data;
  const hd = h.data;
  const wtv = s.wtv;
  wtv.fill(0);
  for (let i = 0; i < v.rows; i++) {
    const vOff = i * n;
    for (let k = 0; k < r; k++) {
      const wik = wd[i * r + k]!;
      if (wik === 0) continue;
      const off = k * n;
      for (let j = 0; j < n; j++) wtv[off + j] += wik * vd[vOff + j]!;
    }
  }
  gramColumns(wd, w.rows, r, s.wtw);
  let cross = 0;
  for (let k = 0; k < r; k++) {
    const off = k * n;
    for (let j = 0; j < n; j++) {
      let den = 0;
      for (let l = 0; l < r; l++) den += s.wtw[k * r + l]! * hd[l * n + j]!;
      s.nextH[off + j] = hd[off + j]! * (wtv[off + j]! / (den === 0 ? EPSILON : den));
    }
  }
  hd.set(s.nextH);
  gram(hd, r, n, s.hht);
  for (let i = 0; i < hd.length; i++) cross += wtv[i]! * hd[i]!;
  let quad = 0;
  for (let i = 0; i < r * r; i++) quad += s.wtw[i]! * s.hht[i]!;
  return Math.max(0, 0.5 * (s.normV2 - 2 * cross + quad));
}

/** out = A Aᵀ for A (r×n) row-major. */
function gram(a: Float32Array, r: number, n: number, out: Float64Array): void {
  for (let k = 0; k < r; k++) {
    for (let l = k; l < r; l++) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += a[k * n + j]! * a[l * n + j]!;
      out[k * r + l] = dot;
      out[l * r + k] = dot;
    }
  }
}

/** out = Aᵀ A for A (m×r) row-major. */
function gramColumns(a: Float32Array, m: number, r: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const off = i * r;
    for (let k = 0; k < r; k++) {
      const aik = a[off + k]!;
      for (let l = k; l < r; l++) out[k * r + l] += aik * a[off + l]!;
    }
  }
  for (let k = 0; k < r; k++) for (let l = 0; l < k; l++) out[k * r + l] = out[l * r + k]!;
}
