import type { Matrix } from '../../matrix.js';
import { checkShapes, type FrobeniusCdSweep } from './nmf-kernels.js';

/**
 * One coordinate-descent sweep of the Frobenius loss (app/nmf/solvers/cd-frobenius.ts describes the
 * method; scikit-learn's `_update_cdnmf_fast`, shuffle off) in TypeScript: the reference of
 * NmfKernels.cdFrobeniusW/H, which the WebAssembly kernel (cd_fro in
 * native-workers/wasm/assembly/kernels.ts) follows entry for entry in float32. Here the gradient
 * is summed in float64 (the products it reads are float32 either way).
 */

/**
 * Rows [0, rows) of W (m×r), rows outside, components inside: the rows are independent problems,
 * so this performs scikit-learn's per-entry operations (components outside, rows inside) in the
 * same order for each entry, reading W row by row.
 */
export function cdFrobeniusWJs(vht: Matrix, hht: Matrix, w: Matrix, rows: number, sweep: FrobeniusCdSweep): void {
  const r = w.cols;
  checkShapes(vht.cols === r && hht.rows === r && hht.cols === r && rows <= w.rows && rows <= vht.rows, 'cdFrobeniusW');
  const { free, l1, l2, floor } = sweep;
  const wd = w.data;
  const nd = vht.data;
  const g = hht.data;
  for (let i = 0; i < rows; i++) {
    const off = i * r;
    for (let f = 0; f < free.length; f++) {
      const t = free[f]!;
      const hess = g[t * r + t]! + l2;
      // scikit-learn skips a coordinate with zero curvature (H's row t is all zero).
      if (hess === 0) continue;
      let grad = -(nd[off + t]! - l1);
      for (let k = 0; k < r; k++) grad += (k === t ? hess : g[t * r + k]!) * wd[off + k]!;
      const x = wd[off + t]! - grad / hess;
      wd[off + t] = x > floor ? x : floor;
    }
  }
}

/**
 * H (r×n): the gradient of H_tj involves column j only, so the whole gradient row of component t
 * is formed first (r sequential passes over rows of H) and then row t is updated: the same
 * operations per entry as scikit-learn's per-column loop on Hᵀ, with row-major access.
 */
export function cdFrobeniusHJs(wtv: Matrix, wtw: Matrix, h: Matrix, sweep: FrobeniusCdSweep): void {
  const r = h.rows;
  const n = h.cols;
  checkShapes(wtv.rows === r && wtv.cols === n && wtw.rows === r && wtw.cols === r, 'cdFrobeniusH');
  const { free, l1, l2, floor } = sweep;
  const hd = h.data;
  const nd = wtv.data;
  const g = wtw.data;
  const gradRow = new Float64Array(n);
  for (let f = 0; f < free.length; f++) {
    const t = free[f]!;
    const hess = g[t * r + t]! + l2;
    if (hess === 0) continue;
    const tOff = t * n;
    for (let j = 0; j < n; j++) gradRow[j] = -(nd[tOff + j]! - l1);
    for (let k = 0; k < r; k++) {
      const c = k === t ? hess : g[t * r + k]!;
      const hOff = k * n;
      for (let j = 0; j < n; j++) gradRow[j] += c * hd[hOff + j]!;
    }
    for (let j = 0; j < n; j++) {
      const x = hd[tOff + j]! - gradRow[j]! / hess;
      hd[tOff + j] = x > floor ? x : floor;
    }
  }
}
