import { createFrobeniusProducts } from './frobenius-products.js';
import { requireFrobenius } from './hals.js';
import { solveNnlsNormal } from './nnls-bpp.js';
import type { SolverFactory } from './solver.js';

/**
 * Alternating nonnegative least squares for ½‖V − WH‖²_F (Kim & Park 2011, "Fast nonnegative
 * matrix factorization: an active-set-like method and comparisons", SIAM J. Sci. Comput.): each
 * iteration solves W ← argmin_{W ≥ 0} exactly, then H ← argmin_{H ≥ 0}, by block principal pivoting
 * (nnls-bpp.ts) on the normal equations, each warm-started from the current factor, whose
 * positive pattern is usually close to the new one.
 *
 * For the W half-step, row i of W is column i of Wᵀ, the NNLS unknown for min ‖HᵀWᵀ − Vᵀ‖:
 * gram G = HHᵀ, right-hand side HVᵀ (r × m); for H, G = WᵀW and WᵀV. Everything else is folded
 * into these normal equations, which stay exact:
 * - penalties l1·Σx + ½·l2·Σx²: the gradient gains l1 + l2·x, so l2 goes on G's diagonal and l1 is
 *   subtracted from the right-hand side (as scikit-learn's CD solver does, see hals.ts);
 * - fixed W columns / H rows: their contribution G_{free,fixed}·x_fixed moves to the right-hand
 *   side and only the free components are solved for;
 * - the frozen last rows of W: not solved for at all (the W problem is separable by rows);
 * - floor: x ≥ floor is solved as y = x − floor ≥ 0, whose right-hand side is d − G·floor·𝟙 — the
 *   exact minimiser over [floor, ∞), not a clamp of the unconstrained one.
 * A component whose partner is zero (W_:k = 0 makes H_k: irrelevant to the loss) has zero
 * curvature; without an L1 weight its value is arbitrary, and it is kept (treated as fixed for
 * the half-step) so that the next half-step can revive the component — as in hals.ts.
 *
 * Each half-step is an exact block minimisation, so the objective never increases (up to
 * rounding, and the tiny ridge nnls-bpp.ts adds to singular subsystems).
 */
export const createAnlsSolver: SolverFactory = (problem) => {
  requireFrobenius(problem, 'ANLS');
  const { V, W, H, penalties, floor } = problem;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const mFree = m - problem.frozenWRows;
  const products = createFrobeniusProducts(problem);
  const { vht, hht, wtv, wtw } = products;
  const width = Math.max(mFree, n);
  const gram = new Float64Array(r * r);
  const rhs = new Float64Array(r * width);
  const start = new Float64Array(r * width);
  const free = new Int32Array(r);
  const held = new Int32Array(r);

  /** Splits the components into free (solved for) and held; returns how many are free. */
  const split = (fixed: Uint8Array, curvature: Float32Array, l1: number, l2: number): { p: number; q: number } => {
    let p = 0;
    let q = 0;
    for (let k = 0; k < r; k++) {
      const arbitrary = curvature[k * r + k]! + l2 <= 0 && l1 === 0;
      if (fixed[k] || arbitrary) held[q++] = k;
      else free[p++] = k;
    }
    return { p, q };
  };

  /** gram = G_free,free + l2·I; shift[a] = floor · (row a of that gram) · 𝟙, into `rowShift`. */
  const buildGram = (g: Float32Array, p: number, l2: number, rowShift: Float64Array): void => {
    for (let a = 0; a < p; a++) {
      const gOff = free[a]! * r;
      let sum = 0;
      for (let b = 0; b < p; b++) {
        const value = g[gOff + free[b]!]! + (a === b ? l2 : 0);
        gram[a * p + b] = value;
        sum += value;
      }
      rowShift[a] = floor * sum;
    }
  };
  const rowShift = new Float64Array(r);

  const updateW = (): void => {
    if (mFree === 0) return;
    products.refreshHht();
    const { l1W, l2W } = penalties;
    const { p, q } = split(problem.fixedWColumns, hht, l1W, l2W);
    if (p === 0) return;
    products.computeVht(mFree);
    buildGram(hht, p, l2W, rowShift);
    const wd = W.data;
    for (let i = 0; i < mFree; i++) {
      const wOff = i * r;
      for (let a = 0; a < p; a++) {
        const k = free[a]!;
        let value = vht[wOff + k]! - l1W - rowShift[a]!;
        for (let b = 0; b < q; b++) value -= hht[k * r + held[b]!]! * wd[wOff + held[b]!]!;
        rhs[a * mFree + i] = value;
        start[a * mFree + i] = Math.max(0, wd[wOff + k]! - floor);
      }
    }
    const x = solveNnlsNormal(gram.subarray(0, p * p), rhs.subarray(0, p * mFree), p, mFree, start.subarray(0, p * mFree));
    for (let a = 0; a < p; a++) {
      const k = free[a]!;
      for (let i = 0; i < mFree; i++) wd[i * r + k] = floor + x[a * mFree + i]!;
    }
  };

  const updateH = (): void => {
    const { l1H, l2H } = penalties;
    products.computeWtvWtw();
    const { p, q } = split(problem.fixedHRows, wtw, l1H, l2H);
    const hd = H.data;
    if (p > 0) {
      buildGram(wtw, p, l2H, rowShift);
      for (let a = 0; a < p; a++) {
        const k = free[a]!;
        const kOff = k * n;
        const out = a * n;
        const shift = l1H + rowShift[a]!;
        for (let j = 0; j < n; j++) rhs[out + j] = wtv[kOff + j]! - shift;
        for (let b = 0; b < q; b++) {
          const l = held[b]!;
          const c = wtw[k * r + l]!;
          if (c === 0) continue;
          const lOff = l * n;
          for (let j = 0; j < n; j++) rhs[out + j] -= c * hd[lOff + j]!;
        }
        for (let j = 0; j < n; j++) start[out + j] = Math.max(0, hd[kOff + j]! - floor);
      }
      const x = solveNnlsNormal(gram.subarray(0, p * p), rhs.subarray(0, p * n), p, n, start.subarray(0, p * n));
      for (let a = 0; a < p; a++) {
        const kOff = free[a]! * n;
        for (let j = 0; j < n; j++) hd[kOff + j] = floor + x[a * n + j]!;
      }
    }
  };

  return {
    algorithm: 'anls',
    iterate(): void {
      updateW();
      updateH();
    },
    objective(): number {
      return products.objective();
    },
  };
};
