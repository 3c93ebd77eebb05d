import { createBetaMu } from './mu-beta.js';
import { createFrobeniusMu } from './mu-frobenius.js';
import { createKlMu } from './mu-kl.js';
import type { MuPlan, StepRule } from './mu-step.js';
import { freeIndices, UnsupportedProblemError, type NmfProblem, type NmfSolver, type SolverFactory } from './solver.js';

/** float64 machine epsilon: scikit-learn zeroes entries below it after updates when β < 1 (W) or β ≤ 1 (H). */
const FLOAT64_EPS = 2.220446049250313e-16;

/**
 * Multiplicative updates for the β-divergence, any β (Lee & Seung 2001, "Algorithms for
 * non-negative matrix factorization"; Févotte & Idier 2011, "Algorithms for nonnegative matrix
 * factorization with the β-divergence"), with exactly scikit-learn's arithmetic
 * (`_fit_multiplicative_update`: W then H, its EPSILON safeguards, its exponent γ(β), L1 and L2
 * in the denominator), so that with floor 0 it reproduces scikit-learn's iterates.
 * Dispatches to fused kernels: β = 2 (mu-frobenius.ts, no WH formed), β = 1 (mu-kl.ts), other β
 * (mu-beta.ts). Orthogonality (Ding, Li, Peng & Park 2006) is supported for β = 2 only; any other
 * β with `orthogonal` set throws UnsupportedProblemError.
 */
export const createMuSolver: SolverFactory = (problem: NmfProblem): NmfSolver => {
  const plan = resolvePlan(problem);
  if (plan.beta === 2) return createFrobeniusMu(plan, problem.orthogonal, problem);
  if (problem.orthogonal !== 'none') {
    throw new UnsupportedProblemError(
      `orthogonal '${problem.orthogonal}' uses Ding et al.'s Frobenius update: it needs β = 2, got β = ${plan.beta}`,
    );
  }
  if (plan.beta === 1) return createKlMu(plan, problem);
  return createBetaMu(plan, problem.penalties);
};

/**
 * Févotte & Idier 2011's exponent γ(β), which turns the heuristic update into a
 * majorisation–minimisation step (the objective never increases): 1/(2−β) for β < 1, 1 for
 * 1 ≤ β ≤ 2, 1/(β−1) for β > 2 (scikit-learn uses the same).
 */
export function muExponent(beta: number): number {
  if (beta < 1) return 1 / (2 - beta);
  if (beta > 2) return 1 / (beta - 1);
  return 1;
}

function resolvePlan(problem: NmfProblem): MuPlan {
  const { V, W, H, beta, penalties, floor, frozenWRows } = problem;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  if (W.rows !== m || H.rows !== r || H.cols !== n || r < 1) {
    throw new RangeError(`shapes do not match: V ${m}×${n}, W ${W.rows}×${W.cols}, H ${H.rows}×${H.cols}`);
  }
  if (!Number.isFinite(beta)) throw new RangeError(`β must be finite, got ${beta}`);
  for (const [name, value] of Object.entries(penalties)) {
    if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`penalty ${name} must be finite and ≥ 0, got ${value}`);
  }
  if (!(floor >= 0 && Number.isFinite(floor))) throw new RangeError(`floor must be finite and ≥ 0, got ${floor}`);
  if (!Number.isInteger(frozenWRows) || frozenWRows < 0 || frozenWRows > m) {
    throw new RangeError(`frozenWRows must be an integer in [0, ${m}], got ${frozenWRows}`);
  }
  if (problem.fixedWColumns.length !== r) throw new RangeError(`fixedWColumns has ${problem.fixedWColumns.length} flags, expected ${r}`);
  if (problem.fixedHRows.length !== r) throw new RangeError(`fixedHRows has ${problem.fixedHRows.length} flags, expected ${r}`);
  const gamma = muExponent(beta);
  // Factors are stored as float32: round the floor up so that stored entries are ≥ floor itself.
  const storedFloor = float32AtLeast(floor);
  const wRule: StepRule = {
    l1: penalties.l1W,
    l2: penalties.l2W,
    gamma: problem.orthogonal === 'W' ? 0.5 : gamma,
    zeroBelow: beta < 1 ? FLOAT64_EPS : 0,
    floor: storedFloor,
  };
  const hRule: StepRule = {
    l1: penalties.l1H,
    l2: penalties.l2H,
    gamma: problem.orthogonal === 'H' ? 0.5 : gamma,
    zeroBelow: beta <= 1 ? FLOAT64_EPS : 0,
    floor: storedFloor,
  };
  return {
    V,
    W,
    H,
    beta,
    updatableRows: m - frozenWRows,
    freeW: freeIndices(problem.fixedWColumns),
    freeH: freeIndices(problem.fixedHRows),
    wRule,
    hRule,
  };
}

/** The smallest float32 value ≥ x (x ≥ 0 finite). */
function float32AtLeast(x: number): number {
  const rounded = new Float32Array([x]);
  if (rounded[0]! < x) new Uint32Array(rounded.buffer)[0]! += 1;
  return rounded[0]!;
}
