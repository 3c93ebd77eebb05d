import { betaDivergenceTerm } from '../beta-divergence.js';
import { EPSILON } from '../objective.js';
import type { NmfSolver, Penalties } from './solver.js';
import { muStep, solverWithCachedWPass, type MuPlan } from './mu-step.js';

/**
 * Multiplicative updates for the β-divergence, any β other than 1 and 2 (those have fused fast
 * paths), after Févotte & Idier 2011 ("Algorithms for nonnegative matrix factorization with the
 * β-divergence"), with scikit-learn's arithmetic:
 *   W ← W ∘ [ ((V ∘ WH^(β−2)) Hᵀ) ⊘ (WH^(β−1) Hᵀ + l1 + l2·W) ]^γ
 *   H ← H ∘ [ (Wᵀ (V ∘ WH^(β−2))) ⊘ (Wᵀ WH^(β−1) + l1 + l2·H) ]^γ
 * γ(β) in mu.ts. scikit-learn's safeguards: a WH of exactly 0 becomes EPSILON in the numerator's
 * power when β < 2 and in the denominator's when β < 1 (no negative power of zero); for β = 0 the
 * powers are the reciprocal and its square, as scikit-learn computes them.
 *
 * Each half is one pass over the rows of V forming a row of WH and both power rows, so WH is never
 * stored. As in mu-kl.ts, objective() runs the W pass (numerators and denominators kept, divergence
 * summed from the same WH rows) and the next iterate() reuses it while W and H are unchanged.
 */
export function createBetaMu(plan: MuPlan, penalties: Penalties): NmfSolver {
  const { V, W, H, beta } = plan;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const whRow = new Float64Array(n);
  const numRow = new Float64Array(n);
  const denRow = new Float64Array(n);
  const numW = new Float64Array(m * r);
  const denW = new Float64Array(m * r);
  const numH = new Float64Array(r * n);
  const denH = new Float64Array(r * n);
  const clipNumerator = beta < 2;
  const clipDenominator = beta < 1;
  const itakuraSaito = beta === 0;
  const numPower = beta - 2;
  const denPower = beta - 1;

  /** Row i of WH into whRow, then V ∘ WH^(β−2) into numRow and WH^(β−1) into denRow. */
  const powerRows = (i: number): void => {
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
    if (itakuraSaito) {
      for (let j = 0; j < n; j++) {
        const y = whRow[j]!;
        const inverse = 1 / (y === 0 ? EPSILON : y);
        numRow[j] = inverse * inverse * vd[vOff + j]!;
        denRow[j] = inverse;
      }
      return;
    }
    for (let j = 0; j < n; j++) {
      const y = whRow[j]!;
      numRow[j] = Math.pow(clipNumerator && y === 0 ? EPSILON : y, numPower) * vd[vOff + j]!;
      denRow[j] = Math.pow(clipDenominator && y === 0 ? EPSILON : y, denPower);
    }
  };

  /** Numerators and denominators of the W update into numW, denW; the divergence when asked. */
  const wPass = (withDivergence: boolean): number => {
    const hd = H.data;
    const vd = V.data;
    const freeW = plan.freeW;
    const rows = freeW.length === 0 ? 0 : plan.updatableRows;
    let divergence = 0;
    for (let i = 0; i < m; i++) {
      if (i >= rows && !withDivergence) break;
      powerRows(i);
      if (withDivergence) {
        const vOff = i * n;
        for (let j = 0; j < n; j++) divergence += betaDivergenceTerm(vd[vOff + j]!, whRow[j]!, beta);
      }
      if (i >= rows) continue;
      for (let f = 0; f < freeW.length; f++) {
        const k = freeW[f]!;
        const off = k * n;
        let num = 0;
        let den = 0;
        for (let j = 0; j < n; j++) {
          const hkj = hd[off + j]!;
          num += numRow[j]! * hkj;
          den += denRow[j]! * hkj;
        }
        numW[i * r + k] = num;
        denW[i * r + k] = den;
      }
    }
    return divergence;
  };

  const applyW = (): void => {
    const freeW = plan.freeW;
    const wd = W.data;
    for (let i = 0; i < plan.updatableRows; i++) {
      for (let f = 0; f < freeW.length; f++) {
        const at = i * r + freeW[f]!;
        wd[at] = muStep(wd[at]!, numW[at]!, denW[at]!, plan.wRule);
      }
    }
  };

  const updateH = (): void => {
    const freeH = plan.freeH;
    if (freeH.length === 0) return;
    const wd = W.data;
    const hd = H.data;
    for (let f = 0; f < freeH.length; f++) {
      const off = freeH[f]! * n;
      numH.fill(0, off, off + n);
      denH.fill(0, off, off + n);
    }
    for (let i = 0; i < m; i++) {
      powerRows(i);
      for (let f = 0; f < freeH.length; f++) {
        const k = freeH[f]!;
        const wik = wd[i * r + k]!;
        if (wik === 0) continue;
        const off = k * n;
        for (let j = 0; j < n; j++) {
          numH[off + j] += wik * numRow[j]!;
          denH[off + j] += wik * denRow[j]!;
        }
      }
    }
    for (let f = 0; f < freeH.length; f++) {
      const off = freeH[f]! * n;
      for (let j = 0; j < n; j++) hd[off + j] = muStep(hd[off + j]!, numH[off + j]!, denH[off + j]!, plan.hRule);
    }
  };

  return solverWithCachedWPass(W, H, penalties, { wPass, applyW, updateH });
}
