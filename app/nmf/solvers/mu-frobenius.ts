import { createFrobeniusProducts } from './frobenius-products.js';
import type { NmfProblem, NmfSolver } from './solver.js';
import type { MuPlan, StepRule } from './mu-step.js';
import type { FrobeniusMuStep } from '../kernels/nmf-kernels.js';

/**
 * Multiplicative updates for ½‖V − WH‖²_F (Lee & Seung 2001, "Algorithms for non-negative matrix
 * factorization"), in scikit-learn's order (W then H) and with its safeguards:
 *   W ← W ∘ (V Hᵀ) ⊘ (W HHᵀ + l1 + l2·W)          H ← H ∘ (Wᵀ V) ⊘ (WᵀW H + l1 + l2·H)
 * WH is never formed: the W update needs V Hᵀ and HHᵀ (r×r), the H update WᵀV (r×n) and WᵀW
 * (frobenius-products.ts, formed by the problem's kernels). The rest — the denominators W·HHᵀ
 * and (WᵀW)·H and the entry-wise step (mu-step.ts's muStep) — is one fused kernel call per side
 * (NmfKernels.muFrobeniusW/H): no denominator matrix is stored and no per-entry loop runs here.
 *
 * With `orthogonal`, the constrained side uses Ding, Li, Peng & Park 2006 ("Orthogonal nonnegative
 * matrix t-factorizations for clustering"), whose Lagrangian replaces the denominator:
 *   W ← W ∘ √( (V Hᵀ) ⊘ (W Wᵀ V Hᵀ) )     for WᵀW = I
 *   H ← H ∘ √( (Wᵀ V) ⊘ (Wᵀ V Hᵀ H) )     for HHᵀ = I
 * (their G ← G ∘ √(XᵀF ⊘ GGᵀXᵀF) with X = V, F = W, G = Hᵀ, transposed). Both denominators go
 * through an r×r core in place of the Gram matrix, so the same fused kernels apply (γ = ½).
 */
export function createFrobeniusMu(plan: MuPlan, orthogonal: 'none' | 'W' | 'H', problem: NmfProblem): NmfSolver {
  const { V, W, H } = plan;
  const { kernels } = problem;
  const m = V.rows;
  const r = W.cols;
  const products = createFrobeniusProducts(problem);
  const { vht, hht, wtv, wtw } = products.matrices;
  const core = kernels.allocate(r, r);
  const stepOf = (rule: StepRule, free: Int32Array): FrobeniusMuStep => ({ free, ...rule });
  const stepW = stepOf(plan.wRule, plan.freeW);
  const stepH = stepOf(plan.hRule, plan.freeH);

  const updateW = (): void => {
    const rows = plan.updatableRows;
    if (plan.freeW.length === 0 || rows === 0) return;
    products.refreshHht();
    // Ding et al.'s W-orthogonal denominator reads V Hᵀ of every row; otherwise the free rows do.
    products.computeVht(orthogonal === 'W' ? m : rows);
    if (orthogonal === 'W') {
      // Ding et al.: denominator W (Wᵀ V Hᵀ), the r×r core from the W before this update.
      kernels.matmulTN(W, vht, core);
    }
    kernels.muFrobeniusW(vht, orthogonal === 'W' ? core : hht, W, rows, stepW);
  };

  const updateH = (): void => {
    if (plan.freeH.length === 0) return;
    products.computeWtvWtw();
    if (orthogonal === 'H') {
      // Ding et al.: denominator (Wᵀ V Hᵀ) H, the r×r core from the H before this update.
      kernels.matmulNT(wtv, H, core);
    }
    kernels.muFrobeniusH(wtv, orthogonal === 'H' ? core : wtw, H, stepH);
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
