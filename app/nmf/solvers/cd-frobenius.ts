import { createFrobeniusProducts } from './frobenius-products.js';
import type { NmfProblem, NmfSolver } from './solver.js';

/**
 * Coordinate descent for ½‖V − WH‖²_F + l1·Σx + ½·l2·Σx², exactly scikit-learn's 'cd' solver
 * (`_fit_coordinate_descent` → `_update_coordinate_descent` → `_update_cdnmf_fast`, shuffle off),
 * which follows Cichocki & Phan 2009, "Fast local algorithms for large scale nonnegative matrix and
 * tensor factorizations". Each entry x of W is set to the exact minimiser of the objective in x
 * alone, a one-variable quadratic:
 *   g = (W·HHᵀ)_it − (VHᵀ)_it + l1 + l2·x,   h = (HHᵀ)_tt + l2,   x ← max(0, x − g/h)   (h ≠ 0),
 * where W·HHᵀ is read after every step so each one sees the entries changed before it; then H the
 * same way, which scikit-learn does by running the same routine on Vᵀ ≈ Hᵀ·Wᵀ.
 *
 * Order: scikit-learn loops over components t outside and rows i inside. Given H, the rows of W
 * are independent problems (g for W_it involves row i only), so looping rows outside and
 * components inside performs the same floating-point operations per entry, in the same order, and
 * reads W row by row. For H, the gradient of H_tj involves column j only, so the whole gradient row
 * of component t is formed first (r sequential passes over rows of H) and then row t is updated:
 * again the same operations as scikit-learn's per-column loop, with row-major access.
 *
 * Penalties enter as scikit-learn does: l2 is added to the diagonal of the Gram matrix and l1 is
 * subtracted from VHᵀ, and the sum for g runs in scikit-learn's order, so with floor = 0 the
 * iterates match scikit-learn's to float32 rounding (test/make-sklearn-cd-fixture.py).
 *
 * Products (VHᵀ, HHᵀ, WᵀV, WᵀW) and the objective: frobenius-products.ts. Scratch: one gradient row.
 */
export function createCdFrobeniusSolver(problem: NmfProblem): NmfSolver {
  const { V, W, H, penalties, fixedWColumns, fixedHRows, frozenWRows, floor } = problem;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const wd = W.data;
  const hd = H.data;
  const { l1W, l2W, l1H, l2H } = penalties;
  const products = createFrobeniusProducts(problem);
  const { vht, hht, wtv, wtw } = products;
  const coef = new Float64Array(r);
  const gradRow = new Float64Array(n);

  function updateW(): void {
    const rows = m - frozenWRows;
    products.refreshHht();
    products.computeVht(rows);
    for (let i = 0; i < rows; i++) {
      const off = i * r;
      for (let t = 0; t < r; t++) {
        if (fixedWColumns[t] === 1) continue;
        const hess = hht[t * r + t]! + l2W;
        // scikit-learn skips a coordinate with zero curvature (H's row t is all zero).
        if (hess === 0) continue;
        let grad = -(vht[off + t]! - l1W);
        for (let k = 0; k < r; k++) grad += (k === t ? hess : hht[t * r + k]!) * wd[off + k]!;
        const x = wd[off + t]! - grad / hess;
        wd[off + t] = x > floor ? x : floor;
      }
    }
  }

  function updateH(): void {
    products.computeWtvWtw();
    for (let t = 0; t < r; t++) {
      if (fixedHRows[t] === 1) continue;
      const hess = wtw[t * r + t]! + l2H;
      if (hess === 0) continue;
      for (let k = 0; k < r; k++) coef[k] = k === t ? hess : wtw[t * r + k]!;
      const tOff = t * n;
      for (let j = 0; j < n; j++) gradRow[j] = -(wtv[tOff + j]! - l1H);
      for (let k = 0; k < r; k++) {
        const c = coef[k]!;
        const hOff = k * n;
        for (let j = 0; j < n; j++) gradRow[j] += c * hd[hOff + j]!;
      }
      for (let j = 0; j < n; j++) {
        const x = hd[tOff + j]! - gradRow[j]! / hess;
        hd[tOff + j] = x > floor ? x : floor;
      }
    }
  }

  return {
    algorithm: 'cd',
    iterate(): void {
      updateW();
      updateH();
    },
    objective: products.objective,
  };
}
