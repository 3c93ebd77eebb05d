import type { Matrix } from '../matrix.js';

/** Checks V before factorization: NMF is defined for finite, nonnegative data only. */
export function validateNonnegative(v: Matrix, what = 'input matrix'): void {
  if (v.rows === 0 || v.cols === 0) throw new RangeError(`${what} is empty (${v.rows}×${v.cols})`);
  const d = v.data;
  for (let i = 0; i < d.length; i++) {
    const x = d[i]!;
    if (!(x >= 0) || x === Infinity) {
      const row = Math.floor(i / v.cols);
      const col = i % v.cols;
      const kind = Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Inf' : `negative (${x})`;
      throw new RangeError(`${what} has a ${kind} entry at row ${row}, column ${col}; NMF needs finite nonnegative data`);
    }
  }
}
