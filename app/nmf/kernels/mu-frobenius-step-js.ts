import type { Matrix } from '../../matrix.js';
import { muStep } from '../solvers/mu-step.js';
import { checkShapes, type FrobeniusMuStep } from './nmf-kernels.js';

/**
 * The fused update step of Frobenius multiplicative updates (app/nmf/solvers/mu-frobenius.ts) in
 * TypeScript: the reference of NmfKernels.muFrobeniusW/H, which the WebAssembly kernel (mu_fro in
 * native-workers/wasm/assembly/kernels.ts) follows in float32. Denominators are summed in float64
 * from the factor before the update (l ascending), then each free entry goes through muStep.
 */

/** Columns of H whose denominators are formed at a time (r × this many float64: a few KiB). */
const BLOCK = 256;

/** W (m×r): for rows i < rows, den_i· = W_i·G, then W_ik ← muStep(W_ik, VHt_ik, den_ik) for free k. */
export function muFrobeniusWJs(vht: Matrix, gram: Matrix, w: Matrix, rows: number, step: FrobeniusMuStep): void {
  const r = w.cols;
  checkShapes(vht.cols === r && gram.rows === r && gram.cols === r && rows <= w.rows && rows <= vht.rows, 'muFrobeniusW');
  const { free } = step;
  const wd = w.data;
  const nd = vht.data;
  const g = gram.data;
  const den = new Float64Array(r);
  for (let i = 0; i < rows; i++) {
    const off = i * r;
    den.fill(0);
    for (let l = 0; l < r; l++) {
      const x = wd[off + l]!;
      const gOff = l * r;
      for (let k = 0; k < r; k++) den[k] += x * g[gOff + k]!;
    }
    for (let f = 0; f < free.length; f++) {
      const k = free[f]!;
      wd[off + k] = muStep(wd[off + k]!, nd[off + k]!, den[k]!, step);
    }
  }
}

/** H (r×n): den = G·H from the H before the update, then H_kj ← muStep(H_kj, WtV_kj, den_kj) for free k. */
export function muFrobeniusHJs(wtv: Matrix, gram: Matrix, h: Matrix, step: FrobeniusMuStep): void {
  const r = h.rows;
  const n = h.cols;
  checkShapes(wtv.rows === r && wtv.cols === n && gram.rows === r && gram.cols === r, 'muFrobeniusH');
  const { free } = step;
  const hd = h.data;
  const nd = wtv.data;
  const g = gram.data;
  const den = new Float64Array(r * BLOCK);
  for (let j0 = 0; j0 < n; j0 += BLOCK) {
    const span = Math.min(BLOCK, n - j0);
    // The block's denominators first: each reads every row of H before any is updated.
    for (let f = 0; f < free.length; f++) {
      const k = free[f]!;
      const dOff = k * BLOCK;
      den.fill(0, dOff, dOff + span);
      for (let l = 0; l < r; l++) {
        const c = g[k * r + l]!;
        const hOff = l * n + j0;
        for (let j = 0; j < span; j++) den[dOff + j] += c * hd[hOff + j]!;
      }
    }
    for (let f = 0; f < free.length; f++) {
      const k = free[f]!;
      const dOff = k * BLOCK;
      const off = k * n + j0;
      for (let j = 0; j < span; j++) hd[off + j] = muStep(hd[off + j]!, nd[off + j]!, den[dOff + j]!, step);
    }
  }
}
