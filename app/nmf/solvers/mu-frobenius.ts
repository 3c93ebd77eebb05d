import { createFrobeniusProducts } from './frobenius-products.js';
import type { NmfProblem, NmfSolver } from './solver.js';
import { muStep, type MuPlan } from './mu-step.js';

/**
 * Multiplicative updates for ½‖V − WH‖²_F (Lee & Seung 2001, "Algorithms for non-negative matrix
 * factorization"), in scikit-learn's order (W then H) and with its safeguards:
 *   W ← W ∘ (V Hᵀ) ⊘ (W HHᵀ + l1 + l2·W)          H ← H ∘ (Wᵀ V) ⊘ (WᵀW H + l1 + l2·H)
 * WH is never formed: the W update needs V Hᵀ and HHᵀ (r×r), the H update WᵀV (r×n) and WᵀW
 * (frobenius-products.ts, formed by the problem's kernels), and (WᵀW)·H, one more kernel product.
 *
 * With `orthogonal`, the constrained side uses Ding, Li, Peng & Park 2006 ("Orthogonal nonnegative
 * matrix t-factorizations for clustering"), whose Lagrangian replaces the denominator:
 *   W ← W ∘ √( (V Hᵀ) ⊘ (W Wᵀ V Hᵀ) )     for WᵀW = I
 *   H ← H ∘ √( (Wᵀ V) ⊘ (Wᵀ V Hᵀ H) )     for HHᵀ = I
 * (their G ← G ∘ √(XᵀF ⊘ GGᵀXᵀF) with X = V, F = W, G = Hᵀ, transposed). Both denominators go
 * through an r×r core, so they cost no more than the plain ones.
 */
export function createFrobeniusMu(plan: MuPlan, orthogonal: 'none' | 'W' | 'H', problem: NmfProblem): NmfSolver {
  const { V, W, H } = plan;
  const { kernels } = problem;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const products = createFrobeniusProducts(problem);
  const { vht, hht, wtv, wtw } = products;
  const core = kernels.allocate(r, r);
  const left = kernels.allocate(r, r);
  const denH = kernels.allocate(r, n);
  const denW = kernels.allocate(m, r);

  const updateW = (): void => {
    const freeW = plan.freeW;
    const rows = plan.updatableRows;
    if (freeW.length === 0 || rows === 0) return;
    const wd = W.data;
    products.refreshHht();
    // Ding et al.'s W-orthogonal denominator reads V Hᵀ of every row; otherwise the free rows do.
    products.computeVht(orthogonal === 'W' ? m : rows);
    let den = { rows: r, cols: r, data: hht };
    if (orthogonal === 'W') {
      // Ding et al.: denominator W (Wᵀ V Hᵀ), the r×r core from the W before this update.
      kernels.matmulTN(W, { rows: m, cols: r, data: vht }, core);
      den = core;
    }
    // W·HHᵀ (or Ding's W·core) by the kernels, from the W before this update.
    kernels.matmul(W, den, denW);
    const dw = denW.data;
    for (let i = 0; i < rows; i++) {
      const wOff = i * r;
      for (let f = 0; f < freeW.length; f++) {
        const k = freeW[f]!;
        wd[wOff + k] = muStep(wd[wOff + k]!, vht[wOff + k]!, dw[wOff + k]!, plan.wRule);
      }
    }
  };

  const updateH = (): void => {
    const freeH = plan.freeH;
    if (freeH.length === 0) return;
    const hd = H.data;
    products.computeWtvWtw();
    if (orthogonal === 'H') {
      // Ding et al.: denominator (Wᵀ V Hᵀ) H, the r×r core from the H before this update.
      kernels.matmulNT({ rows: r, cols: n, data: wtv }, H, left);
    } else {
      left.data.set(wtw);
    }
    kernels.matmul(left, H, denH);
    const dh = denH.data;
    for (let f = 0; f < freeH.length; f++) {
      const off = freeH[f]! * n;
      for (let j = 0; j < n; j++) hd[off + j] = muStep(hd[off + j]!, wtv[off + j]!, dh[off + j]!, plan.hRule);
    }
  };

  return {
    algorithm: 'mu',
    iterate() {
      updateW();
      updateH();
    },
    objective: products.objective,
  };
}
