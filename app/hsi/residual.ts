import type { Matrix } from '../matrix.js';

/**
 * Σ_b (y_bj − (WH)_bj)² per column j, formed row by row in float64 (the misfit of the simplex
 * fit and the RMSE map both come from it). `sq` receives the sums; `row` is scratch of length n.
 */
export function columnResidualSquares(
  y: Matrix,
  w: Matrix,
  h: Matrix,
  sq: Float64Array = new Float64Array(y.cols),
  row: Float64Array = new Float64Array(y.cols),
): Float64Array {
  const l = y.rows;
  const n = y.cols;
  const p = w.cols;
  sq.fill(0);
  for (let b = 0; b < l; b++) {
    row.fill(0);
    for (let k = 0; k < p; k++) {
      const x = w.data[b * p + k]!;
      if (x === 0) continue;
      const hOff = k * n;
      for (let j = 0; j < n; j++) row[j]! += x * h.data[hOff + j]!;
    }
    const yOff = b * n;
    for (let j = 0; j < n; j++) {
      const d = y.data[yOff + j]! - row[j]!;
      sq[j]! += d * d;
    }
  }
  return sq;
}
