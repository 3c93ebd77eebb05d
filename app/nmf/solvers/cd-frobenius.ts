import { createFrobeniusProducts } from './frobenius-products.js';
import { freeIndices, type NmfProblem, type NmfSolver } from './solver.js';

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
 * The sweeps run on the kernels (NmfKernels.cdFrobeniusW/H: app/nmf/kernels/cd-frobenius-sweep-js.ts
 * in TypeScript; cd_fro in WebAssembly SIMD, four rows of W or columns of H per pair of f64x2
 * vectors, split across the pool's threads). Both sum the gradient in float64 and give the same
 * bits; kernels.ts explains why not float32.
 * Products (VHᵀ, HHᵀ, WᵀV, WᵀW) and the objective: frobenius-products.ts.
 */
export function createCdFrobeniusSolver(problem: NmfProblem): NmfSolver {
  const { V, W, H, penalties, fixedWColumns, fixedHRows, frozenWRows, floor, kernels } = problem;
  const m = V.rows;
  const r = W.cols;
  const { l1W, l2W, l1H, l2H } = penalties;
  const products = createFrobeniusProducts(problem);
  const { vht, hht, wtv, wtw } = products.matrices;
  const sweepW = { free: freeIndices(fixedWColumns), l1: l1W, l2: l2W, floor };
  const sweepH = { free: freeIndices(fixedHRows), l1: l1H, l2: l2H, floor };

  function updateW(): void {
    const rows = m - frozenWRows;
    products.refreshHht();
    products.computeVht(rows);
    kernels.cdFrobeniusW(vht, hht, W, rows, sweepW);
  }

  function updateH(): void {
    products.computeWtvWtw();
    kernels.cdFrobeniusH(wtv, wtw, H, sweepH);
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
