import type { NmfProblem, NmfSolver } from './solver.js';
import { muStep, solverWithCachedWPass, type MuPlan } from './mu-step.js';

/**
 * Multiplicative updates for the generalised Kullback–Leibler divergence (Lee & Seung 2001,
 * "Algorithms for non-negative matrix factorization"), in scikit-learn's order and with its
 * safeguards (a WH of exactly 0 becomes EPSILON before dividing, a zero W column sum becomes 1,
 * a zero denominator EPSILON, H below float64 eps becomes 0):
 *   W ← W ∘ ((V ⊘ WH) Hᵀ) ⊘ (1 Hᵀ + l1 + l2·W)       H ← H ∘ (Wᵀ (V ⊘ WH)) ⊘ (Wᵀ 1 + l1 + l2·H)
 * Each half is one fused pass of the problem's kernels (klNumeratorW, klNumeratorH) that forms WH
 * piece by piece with the ratio and the accumulations, so WH is never stored.
 *
 * The W pass holds WH of the iterate it starts from, so the divergence falls out of it: objective()
 * runs that pass (numerators kept, divergence summed) and the next iterate() reuses it, as long as
 * W and H are unchanged (snapshot). Evaluating the objective every iteration thus costs no extra
 * pass over V.
 */
export function createKlMu(plan: MuPlan, problem: NmfProblem): NmfSolver {
  const { V, W, H } = plan;
  const { kernels, penalties } = problem;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const numW = kernels.allocate(m, r);
  const numH = kernels.allocate(r, n);
  const sums = new Float64Array(r);

  /** Numerators (V ⊘ WH) Hᵀ of the W update into numW; returns D(V‖WH) when asked (else 0). */
  const wPass = (withDivergence: boolean): number =>
    kernels.klNumeratorW(V, W, H, plan.freeW.length === 0 ? 0 : plan.updatableRows, numW, withDivergence);

  const applyW = (): void => {
    const freeW = plan.freeW;
    if (freeW.length === 0) return;
    const hd = H.data;
    const wd = W.data;
    const nw = numW.data;
    // Denominator: row sums of H (scikit-learn's H_sum).
    for (let f = 0; f < freeW.length; f++) {
      const k = freeW[f]!;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += hd[k * n + j]!;
      sums[k] = sum;
    }
    for (let i = 0; i < plan.updatableRows; i++) {
      for (let f = 0; f < freeW.length; f++) {
        const k = freeW[f]!;
        const at = i * r + k;
        wd[at] = muStep(wd[at]!, nw[at]!, sums[k]!, plan.wRule);
      }
    }
  };

  const updateH = (): void => {
    const freeH = plan.freeH;
    if (freeH.length === 0) return;
    const wd = W.data;
    const hd = H.data;
    kernels.klNumeratorH(V, W, H, numH);
    sums.fill(0);
    for (let i = 0; i < m; i++) for (let k = 0; k < r; k++) sums[k] += wd[i * r + k]!;
    const nh = numH.data;
    for (let f = 0; f < freeH.length; f++) {
      const k = freeH[f]!;
      // scikit-learn: W_sum[W_sum == 0] = 1.
      const den = sums[k] === 0 ? 1 : sums[k]!;
      const off = k * n;
      for (let j = 0; j < n; j++) hd[off + j] = muStep(hd[off + j]!, nh[off + j]!, den, plan.hRule);
    }
  };

  return solverWithCachedWPass(W, H, penalties, { wPass, applyW, updateH });
}
