import type { Matrix } from '../../matrix.js';
import { penaltyTerms } from '../beta-divergence.js';
import { EPSILON } from '../objective.js';
import type { NmfSolver, Penalties } from './solver.js';

/**
 * What the multiplicative-update kernels (mu-frobenius.ts, mu-kl.ts, mu-beta.ts) share: the
 * problem resolved into index lists and per-factor step rules, the one-entry update, and the
 * snapshot that guards a cached W-pass. mu.ts builds the plan.
 */

/** How one factor's entries are updated: x ← x·(num / (den + l1 + l2·x))^γ, then the safeguards. */
export interface StepRule {
  /** L1 weight, added to the denominator (the gradient of l1·Σx). */
  readonly l1: number;
  /** L2 weight: l2·x added to the denominator (the gradient of ½·l2·Σx²). */
  readonly l2: number;
  /**
   * Exponent of the ratio: Févotte & Idier 2011's γ(β) (1/(2−β) for β < 1, 1 for 1 ≤ β ≤ 2,
   * 1/(β−1) for β > 2), which makes the update a majorisation–minimisation step; ½ on the
   * orthogonal side (Ding, Li, Peng & Park 2006).
   */
  readonly gamma: number;
  /**
   * Results below this become 0: scikit-learn zeroes W below float64 eps for β < 1 and H for
   * β ≤ 1 "for stability" (`_fit_multiplicative_update`); 0 elsewhere.
   */
  readonly zeroBelow: number;
  /** Lower bound for every updated entry (NmfProblem.floor; 0 = none). */
  readonly floor: number;
}

export interface MuPlan {
  readonly V: Matrix;
  readonly W: Matrix;
  readonly H: Matrix;
  readonly beta: number;
  /** Rows of W that are updated: the first m − frozenWRows. */
  readonly updatableRows: number;
  /** Columns of W that are updated (not fixed), ascending. */
  readonly freeW: Int32Array;
  /** Rows of H that are updated (not fixed), ascending. */
  readonly freeH: Int32Array;
  readonly wRule: StepRule;
  readonly hRule: StepRule;
}

/**
 * One entry of a multiplicative update with scikit-learn's arithmetic (`_multiplicative_update_w`,
 * `_multiplicative_update_h`): the penalties join the denominator, a zero denominator becomes
 * EPSILON, the ratio is raised to γ, then scikit-learn's zeroing and our floor apply.
 */
export function muStep(x: number, numerator: number, denominator: number, rule: StepRule): number {
  let den = denominator + rule.l1 + rule.l2 * x;
  if (den === 0) den = EPSILON;
  let ratio = numerator / den;
  if (rule.gamma !== 1) ratio = rule.gamma === 0.5 ? Math.sqrt(ratio) : Math.pow(ratio, rule.gamma);
  let y = x * ratio;
  if (y < rule.zeroBelow) y = 0;
  return y < rule.floor ? rule.floor : y;
}

/**
 * A copy of W and H taken when a kernel caches work done for the current iterate (the W-pass
 * that objective() runs); the cache is used only while the factors still equal the copy, so a
 * caller that edits W or H in between gets a fresh pass, not a stale update. Comparing costs
 * O(mr + rn), nothing next to the O(mnr) pass it saves.
 */
interface FactorSnapshot {
  take(): void;
  matches(): boolean;
  clear(): void;
}

function createFactorSnapshot(W: Matrix, H: Matrix): FactorSnapshot {
  const w = new Float32Array(W.data.length);
  const h = new Float32Array(H.data.length);
  let valid = false;
  const equal = (a: Float32Array, b: Float32Array): boolean => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  return {
    take() {
      w.set(W.data);
      h.set(H.data);
      valid = true;
    },
    matches() {
      return valid && equal(w, W.data) && equal(h, H.data);
    },
    clear() {
      valid = false;
    },
  };
}

/**
 * The solver of a β ≠ 2 multiplicative update whose W half starts with a pass over V that also
 * yields the divergence (mu-kl.ts, mu-beta.ts): objective() runs that pass and keeps its
 * numerators, and the next iterate() reuses them while W and H still equal the snapshot.
 */
export function solverWithCachedWPass(
  W: Matrix,
  H: Matrix,
  penalties: Penalties,
  steps: { wPass(withDivergence: boolean): number; applyW(): void; updateH(): void },
): NmfSolver {
  const snapshot = createFactorSnapshot(W, H);
  let cachedObjective = 0;
  return {
    algorithm: 'mu',
    iterate() {
      if (!snapshot.matches()) steps.wPass(false);
      snapshot.clear();
      steps.applyW();
      steps.updateH();
    },
    objective() {
      if (snapshot.matches()) return cachedObjective;
      cachedObjective = steps.wPass(true) + penaltyTerms(W, H, penalties);
      snapshot.take();
      return cachedObjective;
    },
  };
}
