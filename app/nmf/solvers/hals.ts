import { createExtrapolatedSolver, type FrobeniusBlockUpdates } from './extrapolation.js';
import { freeIndices, UnsupportedProblemError, type NmfProblem, type SolverFactory } from './solver.js';

/** Gillis & Glineur's α: the inner sweeps may cost up to α times the products they reuse. */
const HALS_ALPHA = 0.5;
/** Gillis & Glineur's δ: inner sweeps stop once one changes the factor by < δ × the first's change. */
const HALS_DELTA = 0.1;

/**
 * Accelerated hierarchical alternating least squares for ½‖V − WH‖²_F (Cichocki & Phan 2009,
 * "Fast local algorithms for large scale nonnegative matrix and tensor factorizations"; the
 * acceleration is Gillis & Glineur 2012, "Accelerated multiplicative updates and hierarchical ALS
 * algorithms for nonnegative matrix factorization", Neural Computation 24(4)).
 *
 * HALS minimises exactly over one column of W (one row of H) at a time, the others fixed:
 *   W_:k ← max(floor, (VHᵀ_:k − l1W − Σ_{l≠k} W_:l HHᵀ_lk) / (HHᵀ_kk + l2W))
 *   H_k: ← max(floor, (WᵀV_k: − l1H − Σ_{l≠k} WᵀW_kl H_l:) / (WᵀW_kk + l2H))
 * The penalties follow from the gradient of l1·Σx + ½·l2·Σx²: L1 shifts the numerator, L2 adds to
 * the curvature — exactly scikit-learn's `_update_coordinate_descent` (_nmf.py: "L2
 * regularization corresponds to increase of the diagonal of HHt", "L1 regularization corresponds
 * to decrease of each element of XHt"), whose coordinate step is this same update. max(floor, ·)
 * is still the exact minimiser over [floor, ∞) of the convex one-dimensional quadratic, so every
 * step decreases the objective.
 *
 * A W column's update is separable by rows, so it is done row by row (all r coordinates of row i
 * in turn) — the same arithmetic as column by column, with sequential memory access.
 *
 * The acceleration: the products VHᵀ and HHᵀ cost O(mnr), one sweep over W's columns O(mr²), so
 * sweeps are repeated on the same products — at most ⌊1 + α·ρ_W⌋ of them, ρ_W = 1 + (mn + nr) /
 * (m(r + 1)) the ratio of the cost of the first sweep (products included) to a later one — and
 * stop early once a sweep changes W by less than δ times what the first sweep did (‖ΔW‖_F ≤
 * δ‖ΔW⁽¹⁾‖_F). Likewise for H with ρ_H = 1 + (mn + mr) / (n(r + 1)). α = 0.5 and δ = 0.1 are the
 * values Gillis & Glineur recommend for HALS.
 *
 * Zero components: with floor = 0, HALS may set a whole column of W to zero. The matching row of
 * H then has no effect on the loss. Without H penalties its value is arbitrary (zero curvature)
 * and it is kept as it is — also scikit-learn's CD behaviour, which skips coordinates with zero
 * Hessian — so that the next W update can revive the component as soon as the residual
 * correlates with that row; with l1H or l2H > 0 the penalty alone decides and sends it to the
 * floor. Symmetrically for a zero row of H.
 * A component zero on both sides is a stationary point no exact block update leaves; Gillis &
 * Glineur's remedy is a tiny positive floor (NmfProblem.floor), which makes zeros impossible.
 *
 * Each factor is updated for the other's extrapolated point, with restarts (Ang & Gillis 2019:
 * extrapolation.ts, which also forms the products VĤᵀ, ĤĤᵀ, ŴᵀV, ŴᵀŴ and measures the objective).
 * The sweeps run on the kernels, one call per sweep (hals-sweep-js.ts in TypeScript, hals_fro in
 * WebAssembly with rows of W or columns of H split across the pool's threads).
 * The solver assumes W and H change only through iterate().
 */
export const createHalsSolver: SolverFactory = (problem) => createExtrapolatedSolver(problem, 'hals', halsBlockUpdates(problem));

/** HALS's block updates (accelerated inner sweeps), for extrapolation.ts to drive. */
export function halsBlockUpdates(problem: NmfProblem): FrobeniusBlockUpdates {
  requireFrobenius(problem, 'HALS');
  const { V, W, H, penalties, floor, kernels } = problem;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const mFree = m - problem.frozenWRows;
  const fixedW = problem.fixedWColumns;
  const fixedH = problem.fixedHRows;
  const maxSweepsW = maxInnerSweeps(mFree, n, r);
  const maxSweepsH = maxInnerSweeps(n, m, r);
  const deltaSquared = HALS_DELTA * HALS_DELTA;
  const sweepW = { free: freeIndices(fixedW), l1: penalties.l1W, l2: penalties.l2W, floor };
  const sweepH = { free: freeIndices(fixedH), l1: penalties.l1H, l2: penalties.l2H, floor };

  // One sweep is one kernel call (NmfKernels.halsFrobeniusW/H: app/nmf/kernels/hals-sweep-js.ts,
  // or hals_fro in WebAssembly split across the pool), which returns the sweep's Σ (Δx)².
  // Sweeps repeat on the same products until one changes the factor by < δ × what the first did.
  const repeatSweeps = (maxSweeps: number, sweep: () => number): void => {
    let firstChange = 0;
    for (let s = 0; s < maxSweeps; s++) {
      const change = sweep();
      if (s === 0) firstChange = change;
      if (change === 0 || change < deltaSquared * firstChange) break;
    }
  };
  const updates: FrobeniusBlockUpdates = {
    updateW(vht, hht, w, rows): void {
      if (rows > 0 && sweepW.free.length > 0) repeatSweeps(maxSweepsW, () => kernels.halsFrobeniusW(vht, hht, w, rows, sweepW));
    },
    updateH(wtv, wtw, h): void {
      if (sweepH.free.length > 0) repeatSweeps(maxSweepsH, () => kernels.halsFrobeniusH(wtv, wtw, h, sweepH));
    },
  };
  return updates;
}

/**
 * ⌊1 + α·ρ⌋ sweeps for a factor with `rows` rows (m for W, n for H), `other` the data's other
 * dimension, ρ = 1 + (rows·other + other·r) / (rows·(r + 1)) (Gillis & Glineur 2012, Section 3).
 */
function maxInnerSweeps(rows: number, other: number, r: number): number {
  if (rows === 0 || other === 0) return 1;
  const rho = 1 + (rows * other + other * r) / (rows * (r + 1));
  return Math.max(1, Math.floor(1 + HALS_ALPHA * rho));
}

/**
 * Throws UnsupportedProblemError unless the problem is plain Frobenius NMF (β = 2, no
 * orthogonality constraint): what the HALS and ANLS solvers handle.
 */
export function requireFrobenius(problem: NmfProblem, solver: string): void {
  if (problem.beta !== 2) throw new UnsupportedProblemError(`${solver} solves the Frobenius loss (β = 2) only, got β = ${problem.beta}`);
  if (problem.orthogonal !== 'none') throw new UnsupportedProblemError(`${solver} does not support orthogonal = '${problem.orthogonal}' (MU only)`);
  const { V, W, H } = problem;
  if (W.rows !== V.rows || H.cols !== V.cols || W.cols !== H.rows) {
    throw new RangeError(`cannot factorize V ${V.rows}×${V.cols} as W ${W.rows}×${W.cols} · H ${H.rows}×${H.cols}`);
  }
  if (problem.frozenWRows < 0 || problem.frozenWRows > V.rows) throw new RangeError(`frozenWRows ${problem.frozenWRows} out of range`);
}
