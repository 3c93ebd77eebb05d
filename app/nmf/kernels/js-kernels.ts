import { createMatrix, type Matrix } from '../../matrix.js';
import { EPSILON } from '../objective.js';
import { cdFrobeniusHJs, cdFrobeniusWJs } from './cd-frobenius-sweep-js.js';
import { cdKlSweepJs } from './cd-kl-sweep-js.js';
import { halsFrobeniusHJs, halsFrobeniusWJs } from './hals-sweep-js.js';
import { muFrobeniusHJs, muFrobeniusWJs } from './mu-frobenius-step-js.js';
import { checkShapes, fits, type NmfKernels } from './nmf-kernels.js';

/**
 * The pure-TypeScript kernels: the reference every faster backend is tested against, and the
 * fallback where WebAssembly SIMD or SharedArrayBuffer is missing. Sums run in float64 locals
 * and rows, so these are also the most accurate.
 */
export function createJsKernels(): NmfKernels {
  return {
    name: 'js',
    allocate: (rows, cols) => createMatrix(rows, cols),
    mark: () => 0,
    release: () => undefined,
    matmul,
    matmulTN,
    matmulNT,
    klNumeratorW,
    klNumeratorH,
    frobeniusLoss,
    cdKlSweep: cdKlSweepJs,
    muFrobeniusW: muFrobeniusWJs,
    muFrobeniusH: muFrobeniusHJs,
    cdFrobeniusW: cdFrobeniusWJs,
    cdFrobeniusH: cdFrobeniusHJs,
    halsFrobeniusW: halsFrobeniusWJs,
    halsFrobeniusH: halsFrobeniusHJs,
  };
}

function matmul(a: Matrix, b: Matrix, out: Matrix): void {
  checkShapes(a.cols === b.rows && out.rows === a.rows && out.cols === b.cols, 'matmul');
  const q = a.cols;
  const n = b.cols;
  const row = new Float64Array(n);
  for (let i = 0; i < a.rows; i++) {
    combineRow(a.data, i * q, q, b.data, n, row);
    out.data.set(row, i * n);
  }
}

/** row = Σ_k c[cOff + k]·B[k,:], B with n columns (a row of W·H). */
function combineRow(c: Float32Array, cOff: number, q: number, b: Float32Array, n: number, row: Float64Array): void {
  row.fill(0);
  for (let k = 0; k < q; k++) {
    const x = c[cOff + k]!;
    if (x === 0) continue;
    const off = k * n;
    for (let j = 0; j < n; j++) row[j] += x * b[off + j]!;
  }
}

function matmulTN(a: Matrix, b: Matrix, out: Matrix): void {
  checkShapes(a.rows === b.rows && out.rows === a.cols && out.cols === b.cols, 'matmulTN');
  const m = a.rows;
  const p = a.cols;
  const n = b.cols;
  const acc = new Float64Array(p * n);
  for (let i = 0; i < m; i++) {
    const bOff = i * n;
    for (let k = 0; k < p; k++) {
      const x = a.data[i * p + k]!;
      if (x === 0) continue;
      const off = k * n;
      for (let j = 0; j < n; j++) acc[off + j] += x * b.data[bOff + j]!;
    }
  }
  out.data.set(acc);
}

function matmulNT(a: Matrix, b: Matrix, out: Matrix): void {
  checkShapes(a.cols === b.cols && out.rows === a.rows && out.cols === b.rows, 'matmulNT');
  const n = a.cols;
  const p = b.rows;
  for (let i = 0; i < a.rows; i++) {
    const aOff = i * n;
    for (let k = 0; k < p; k++) {
      const bOff = k * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += a.data[aOff + j]! * b.data[bOff + j]!;
      out.data[i * p + k] = dot;
    }
  }
}

/** Fills ratio with V[i,:] ⊘ WH[i,:] (WH row in wh); returns the row's divergence when asked. */
function ratioRow(v: Float32Array, vOff: number, wh: Float64Array, ratio: Float64Array, withDivergence: boolean): number {
  let divergence = 0;
  for (let j = 0; j < wh.length; j++) {
    const x = v[vOff + j]!;
    const y = wh[j] === 0 ? EPSILON : wh[j]!;
    const q = x / y;
    ratio[j] = q;
    // Only V > ε enters V log(V/WH) − V (objective.ts's convention).
    if (withDivergence) divergence += x > EPSILON ? x * Math.log(q) - x + y : y;
  }
  return divergence;
}

function klNumeratorW(v: Matrix, w: Matrix, h: Matrix, rows: number, numW: Matrix, withDivergence: boolean): number {
  checkShapes(fits(v, w, h) && numW.rows === v.rows && numW.cols === w.cols, 'klNumeratorW');
  const m = v.rows;
  const n = v.cols;
  const r = w.cols;
  const wh = new Float64Array(n);
  const ratio = new Float64Array(n);
  let divergence = 0;
  for (let i = 0; i < m; i++) {
    if (i >= rows && !withDivergence) break;
    combineRow(w.data, i * r, r, h.data, n, wh);
    divergence += ratioRow(v.data, i * n, wh, ratio, withDivergence);
    if (i >= rows) continue;
    for (let k = 0; k < r; k++) {
      const off = k * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += ratio[j]! * h.data[off + j]!;
      numW.data[i * r + k] = dot;
    }
  }
  return divergence;
}

function klNumeratorH(v: Matrix, w: Matrix, h: Matrix, numH: Matrix): void {
  checkShapes(fits(v, w, h) && numH.rows === w.cols && numH.cols === v.cols, 'klNumeratorH');
  const m = v.rows;
  const n = v.cols;
  const r = w.cols;
  const wh = new Float64Array(n);
  const ratio = new Float64Array(n);
  const acc = new Float64Array(r * n);
  for (let i = 0; i < m; i++) {
    combineRow(w.data, i * r, r, h.data, n, wh);
    ratioRow(v.data, i * n, wh, ratio, false);
    for (let k = 0; k < r; k++) {
      const x = w.data[i * r + k]!;
      if (x === 0) continue;
      const off = k * n;
      for (let j = 0; j < n; j++) acc[off + j] += x * ratio[j]!;
    }
  }
  numH.data.set(acc);
}

function frobeniusLoss(v: Matrix, w: Matrix, h: Matrix): number {
  checkShapes(fits(v, w, h), 'frobeniusLoss');
  const n = v.cols;
  const r = w.cols;
  const wh = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < v.rows; i++) {
    combineRow(w.data, i * r, r, h.data, n, wh);
    for (let j = 0; j < n; j++) {
      const d = v.data[i * n + j]! - wh[j]!;
      sum += d * d;
    }
  }
  return 0.5 * sum;
}
