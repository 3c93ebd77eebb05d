import type { Matrix } from '../matrix.js';

/** Smallest value WH may take in a division or logarithm (float32 machine epsilon, as scikit-learn). */
export const EPSILON = 1.1920928955078125e-7;

/**
 * Reference objectives, computed directly from V, W and H in float64. The solvers track their
 * objective more cheaply from products they already have; these are the definitions they must meet.
 */
export function frobeniusObjective(v: Matrix, w: Matrix, h: Matrix): number {
  let sum = 0;
  forEachReconstruction(v, w, h, (x, wh) => {
    const d = x - wh;
    sum += d * d;
  });
  return 0.5 * sum;
}

/** Generalised Kullback–Leibler divergence D(V‖WH) = Σ V log(V/WH) − V + WH (Lee & Seung 2001). */
export function klObjective(v: Matrix, w: Matrix, h: Matrix): number {
  let sum = 0;
  forEachReconstruction(v, w, h, (x, wh) => {
    const y = Math.max(wh, EPSILON);
    sum += (x > 0 ? x * Math.log(x / y) : 0) - x + y;
  });
  return sum;
}

function forEachReconstruction(v: Matrix, w: Matrix, h: Matrix, visit: (x: number, wh: number) => void): void {
  const r = w.cols;
  const n = v.cols;
  for (let i = 0; i < v.rows; i++) {
    for (let j = 0; j < n; j++) {
      let wh = 0;
      for (let k = 0; k < r; k++) wh += w.data[i * r + k]! * h.data[k * n + j]!;
      visit(v.data[i * n + j]!, wh);
    }
  }
}
