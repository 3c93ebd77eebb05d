import type { Matrix } from '../../matrix.js';
import { checkShapes, type FrobeniusCdSweep } from './nmf-kernels.js';

/**
 * One HALS sweep (app/nmf/solvers/hals.ts describes the method: Cichocki & Phan 2009, accelerated
 * by Gillis & Glineur 2012) in TypeScript: the reference of NmfKernels.halsFrobeniusW/H, which the
 * WebAssembly kernel (hals_fro in native-workers/wasm/assembly/kernels.ts) follows operation for
 * operation in float64, so both give the same bits. Each returns the sweep's Σ (Δx)², summed per
 * unit (row of W, column of H) over the components in order and then over the units in order: the
 * order a backend that splits units across threads can keep.
 */

/**
 * Rows [0, rows) of W (m×r), all r coordinates of a row in turn: a W column's update is separable
 * by rows, so this is the same arithmetic as column by column, with sequential memory access.
 */
export function halsFrobeniusWJs(vht: Matrix, hht: Matrix, w: Matrix, rows: number, sweep: FrobeniusCdSweep): number {
  const r = w.cols;
  checkShapes(vht.cols === r && hht.rows === r && hht.cols === r && rows <= w.rows && rows <= vht.rows, 'halsFrobeniusW');
  const { free, l1, l2, floor } = sweep;
  const wd = w.data;
  const nd = vht.data;
  const g = hht.data;
  let change = 0;
  for (let i = 0; i < rows; i++) {
    const off = i * r;
    let rowChange = 0;
    for (let f = 0; f < free.length; f++) {
      const k = free[f]!;
      const kOff = k * r;
      const curvature = g[kOff + k]! + l2;
      const old = wd[off + k]!;
      let next: number;
      if (curvature > 0) {
        let numerator = nd[off + k]! - l1 + old * g[kOff + k]!;
        for (let l = 0; l < r; l++) numerator -= wd[off + l]! * g[kOff + l]!;
        next = Math.max(floor, numerator / curvature);
      } else if (l1 > 0) {
        next = floor;
      } else {
        continue; // H_k: is zero: W_ik does not affect the objective
      }
      wd[off + k] = next;
      const step = wd[off + k]! - old;
      rowChange += step * step;
    }
    change += rowChange;
  }
  return change;
}

/** H (r×n), row by row: H_k: from WᵀV_k: and the other rows (the latest ones), all columns at once. */
export function halsFrobeniusHJs(wtv: Matrix, wtw: Matrix, h: Matrix, sweep: FrobeniusCdSweep): number {
  const r = h.rows;
  const n = h.cols;
  checkShapes(wtv.rows === r && wtv.cols === n && wtw.rows === r && wtw.cols === r, 'halsFrobeniusH');
  const { free, l1, l2, floor } = sweep;
  const hd = h.data;
  const nd = wtv.data;
  const g = wtw.data;
  const acc = new Float64Array(n);
  const columnChange = new Float64Array(n);
  for (let f = 0; f < free.length; f++) {
    const k = free[f]!;
    const kOff = k * r;
    const hOff = k * n;
    const curvature = g[kOff + k]! + l2;
    if (curvature > 0) {
      for (let j = 0; j < n; j++) acc[j] = nd[hOff + j]! - l1;
      for (let l = 0; l < r; l++) {
        const c = g[kOff + l]!;
        if (l === k || c === 0) continue;
        const lOff = l * n;
        for (let j = 0; j < n; j++) acc[j] -= c * hd[lOff + j]!;
      }
      for (let j = 0; j < n; j++) {
        const old = hd[hOff + j]!;
        hd[hOff + j] = Math.max(floor, acc[j]! / curvature);
        const step = hd[hOff + j]! - old;
        columnChange[j] += step * step;
      }
    } else if (l1 > 0) {
      for (let j = 0; j < n; j++) {
        const step = floor - hd[hOff + j]!;
        hd[hOff + j] = floor;
        columnChange[j] += step * step;
      }
    }
    // Otherwise W_:k is zero: H_k: does not affect the objective and is kept.
  }
  let change = 0;
  for (let j = 0; j < n; j++) change += columnChange[j]!;
  return change;
}
