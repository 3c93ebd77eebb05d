import { penaltyTerms } from '../beta-divergence.js';
import { EPSILON } from '../objective.js';
import type { NmfSolver, Penalties } from './solver.js';
import { createFactorSnapshot, muStep, type MuPlan } from './mu-step.js';

/**
 * Multiplicative updates for the generalised Kullback–Leibler divergence (Lee & Seung 2001,
 * "Algorithms for non-negative matrix factorization"), in scikit-learn's order and with its
 * safeguards (a WH of exactly 0 becomes EPSILON before dividing, a zero W column sum becomes 1,
 * a zero denominator EPSILON, H below float64 eps becomes 0):
 *   W ← W ∘ ((V ⊘ WH) Hᵀ) ⊘ (1 Hᵀ + l1 + l2·W)       H ← H ∘ (Wᵀ (V ⊘ WH)) ⊘ (Wᵀ 1 + l1 + l2·H)
 * Each half is one pass over the rows of V that forms a row of WH, the ratio and the accumulations
 * together, so WH is never stored.
 *
 * The W pass holds WH of the iterate it starts from, so the divergence falls out of it: objective()
 * runs that pass (numerators kept, divergence summed) and the next iterate() reuses it, as long as
 * W and H are unchanged (snapshot). Evaluating the objective every iteration thus costs no extra
 * pass over V.
 */
export function createKlMu(plan: MuPlan, penalties: Penalties): NmfSolver {
  const { V, W, H } = plan;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const whRow = new Float64Array(n);
  const ratioRow = new Float64Array(n);
  const numW = new Float64Array(m * r);
  const numH = new Float64Array(r * n);
  const sums = new Float64Array(r);
  const snapshot = createFactorSnapshot(W, H);
  let cachedObjective = 0;

  /** Fills whRow with row i of WH (float64) and ratioRow with V[i,:] ⊘ WH[i,:]. */
  const ratio = (i: number): void => {
    const wd = W.data;
    const hd = H.data;
    whRow.fill(0);
    for (let k = 0; k < r; k++) {
      const wik = wd[i * r + k]!;
      if (wik === 0) continue;
      const off = k * n;
      for (let j = 0; j < n; j++) whRow[j] += wik * hd[off + j]!;
    }
    const vd = V.data;
    const vOff = i * n;
    for (let j = 0; j < n; j++) {
      const y = whRow[j]!;
      ratioRow[j] = vd[vOff + j]! / (y === 0 ? EPSILON : y);
    }
  };

  /** Numerators (V ⊘ WH) Hᵀ of the W update into numW; returns D(V‖WH) when asked (else 0). */
  const wPass = (withDivergence: boolean): number => {
    const hd = H.data;
    const vd = V.data;
    const freeW = plan.freeW;
    const rows = freeW.length === 0 ? 0 : plan.updatableRows;
    let divergence = 0;
    for (let i = 0; i < m; i++) {
      if (i >= rows && !withDivergence) break;
      ratio(i);
      if (withDivergence) {
        // betaDivergenceTerm(x, wh, 1), inlined: only V > ε enters V log(V/WH) − V.
        const vOff = i * n;
        for (let j = 0; j < n; j++) {
          const x = vd[vOff + j]!;
          const wh = whRow[j]!;
          divergence += x > EPSILON ? x * Math.log(ratioRow[j]!) - x + wh : wh;
        }
      }
      if (i >= rows) continue;
      for (let f = 0; f < freeW.length; f++) {
        const k = freeW[f]!;
        let dot = 0;
        const off = k * n;
        for (let j = 0; j < n; j++) dot += ratioRow[j]! * hd[off + j]!;
        numW[i * r + k] = dot;
      }
    }
    return divergence;
  };

  const applyW = (): void => {
    const freeW = plan.freeW;
    if (freeW.length === 0) return;
    const hd = H.data;
    const wd = W.data;
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
        wd[at] = muStep(wd[at]!, numW[at]!, sums[k]!, plan.wRule);
      }
    }
  };

  const updateH = (): void => {
    const freeH = plan.freeH;
    if (freeH.length === 0) return;
    const wd = W.data;
    const hd = H.data;
    for (let f = 0; f < freeH.length; f++) numH.fill(0, freeH[f]! * n, (freeH[f]! + 1) * n);
    sums.fill(0);
    for (let i = 0; i < m; i++) {
      ratio(i);
      for (let k = 0; k < r; k++) sums[k] += wd[i * r + k]!;
      for (let f = 0; f < freeH.length; f++) {
        const k = freeH[f]!;
        const wik = wd[i * r + k]!;
        if (wik === 0) continue;
        const off = k * n;
        for (let j = 0; j < n; j++) numH[off + j] += wik * ratioRow[j]!;
      }
    }
    for (let f = 0; f < freeH.length; f++) {
      const k = freeH[f]!;
      // scikit-learn: W_sum[W_sum == 0] = 1.
      const den = sums[k] === 0 ? 1 : sums[k]!;
      const off = k * n;
      for (let j = 0; j < n; j++) hd[off + j] = muStep(hd[off + j]!, numH[off + j]!, den, plan.hRule);
    }
  };

  return {
    algorithm: 'mu',
    iterate() {
      if (!snapshot.matches()) wPass(false);
      snapshot.clear();
      applyW();
      updateH();
    },
    objective() {
      if (snapshot.matches()) return cachedObjective;
      cachedObjective = wPass(true) + penaltyTerms(W, H, penalties);
      snapshot.take();
      return cachedObjective;
    },
  };
}
