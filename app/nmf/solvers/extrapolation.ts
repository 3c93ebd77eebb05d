import { penaltyTerms } from '../beta-divergence.js';
import type { Matrix } from '../../matrix.js';
import { createFrobeniusProducts } from './frobenius-products.js';
import type { NmfProblem, NmfSolver } from './solver.js';
import type { ResolvedAlgorithm } from '../nmf-types.js';

/**
 * One block update of a Frobenius solver, given the products it needs: W from (V Ĥᵀ, Ĥ Ĥᵀ) for its
 * first `rows` rows, or H from (Ŵᵀ V, Ŵᵀ Ŵ). It improves the factor in place from its current value.
 */
export interface FrobeniusBlockUpdates {
  updateW(vht: Matrix, hht: Matrix, w: Matrix, rows: number): void;
  updateH(wtv: Matrix, wtw: Matrix, h: Matrix): void;
}

/**
 * Extrapolation with restarts for alternating Frobenius NMF (Ang & Gillis 2019, "Accelerating
 * nonnegative matrix factorization algorithms using extrapolation", Neural Computation 31(2)),
 * the scheme they found to speed up HALS the most (their E-A-HALS):
 *
 *   W_k = update of W_{k−1} for Ĥ_{k−1},   Ŵ_k = max(floor, W_k + β (W_k − W_{k−1}))
 *   H_k = update of H_{k−1} for Ŵ_k,       Ĥ_k = H_k + β (H_k − H_{k−1})
 *
 * Each factor is updated for the other's extrapolated point, which follows the direction the
 * iterates have been moving in; on long, slow descents (spectrograms, hyperspectral cubes) this cuts
 * the iterations to a given objective several-fold (npm run bench, to within 1e-4 of the best
 * objective: audio 1765 → 120 iterations, hyperspectral 630 → 75; topics, which HALS solves in 10,
 * unchanged). β grows by γ per step up to a ceiling β̄ that itself grows by γ̄; when the error goes
 * up, the step is a restart: β ← β/η, β̄ ← the β that failed, and the extrapolation is dropped.
 *
 * Where this differs from the paper, and why:
 * - The iterate this solver stands on (problem.W, problem.H) is the pair (Ŵ_k, H_k): H_k is the
 *   update for Ŵ_k, so that pair is the one that fits, and it is feasible because Ŵ_k is projected
 *   (max(floor, ·); the paper leaves it unprojected and measures ‖V − Ŵ_k H_k‖ too). W_k is kept
 *   on the side. Entries that did not move (fixed columns, frozen rows) are copied, not projected.
 * - The paper tests the error after every step with the identity ‖V‖² − 2⟨ŴᵀV, H⟩ + ⟨ŴᵀŴ, HHᵀ⟩
 *   from products the update already formed. In float32 that is noise once the fit is tight (on
 *   the audio benchmark ±20 around a squared error of 658: it restarted on every other step and
 *   β fell to 0). So the identity is used only while a bound on its rounding error is small
 *   (identityObjective); after that the error is measured exactly (kernels.frobeniusLoss, about
 *   half an iteration's work) every CHECK_EVERY iterations.
 * - The first step is not extrapolated: from a random start, the first update's jump is no
 *   direction worth following (extrapolating it cost the topics benchmark 5 iterations of 10).
 * - A check that finds the objective higher than at the last accepted check returns to that
 *   iterate and takes one step without extrapolation from it, which cannot increase the objective.
 *   So the objective at successive checks never increases, and finish() ends on the last
 *   accepted iterate. Between checks, objective() reports the current iterate as it is (evaluating
 *   it changes nothing, so the iterates do not depend on how often the driver asks).
 *
 * The parameters are the paper's defaults for HALS (β₀ = 0.5, η = 1.5, γ = 1.01, γ̄ = 1.005).
 */
const BETA_START = 0.5;
const ETA = 1.5;
const GAMMA = 1.01;
const GAMMA_BAR = 1.005;
/** Iterations between exact error checks (restart tests). */
export const CHECK_EVERY = 3;
/** The cheap restart test is used while its rounding bound is below this fraction of its value. */
const IDENTITY_TOLERANCE = 1e-4;

/**
 * `betaStart` 0 gives the plain alternating updates (β stays 0), with the same restart tests:
 * what the tests compare against.
 */
export function createExtrapolatedSolver(problem: NmfProblem, algorithm: ResolvedAlgorithm, updates: FrobeniusBlockUpdates, betaStart = BETA_START): NmfSolver {
  const { V, W, H, kernels, penalties, floor } = problem;
  const rows = V.rows - problem.frozenWRows;
  const copy = (a: Matrix): Matrix => {
    const c = kernels.allocate(a.rows, a.cols);
    c.data.set(a.data);
    return c;
  };
  // W holds Ŵ_k (reported); Wk is the plain iterate. Ĥ is used only for the next W update.
  const Wk = copy(W);
  const Wprevious = copy(W);
  const Hprevious = copy(H);
  const Hhat = copy(H);
  // The last accepted check's iterate, to return to.
  const saved = { W: copy(W), H: copy(H) };
  // Products of (Ŵ, Ĥ): V Ĥᵀ and Ĥ Ĥᵀ for the W update, Ŵᵀ V and Ŵᵀ Ŵ for the H update.
  const products = createFrobeniusProducts({ ...problem, W, H: Hhat });
  const { vht, hht, wtv, wtw } = products.matrices;

  let beta = betaStart;
  let betaCeiling = 1;
  let sinceCheck = 0;
  let first = true;

  const exactObjective = (): number => kernels.frobeniusLoss(V, W, H) + penaltyTerms(W, H, penalties);
  let accepted = exactObjective(); // objective at the last accepted check (the start, at first)
  let acceptedExact = true;

  // The cheap objective of (Ŵ, H) right after an H update: ½(‖V‖² − 2⟨ŴᵀV, H⟩ + ⟨ŴᵀŴ, HHᵀ⟩) from
  // the products that update used, with a bound on what float32 rounding in them can do to it
  // (each product entry sums m, or n, terms: typically √m·u relative; 4× that for safety). Usable
  // for the restart test only while that bound is below IDENTITY_TOLERANCE of the value itself:
  // early on, and on loose fits such as topic models; on a tight fit (a spectrogram near the end)
  // it is noise, and the exact test every CHECK_EVERY iterations takes over.
  let vSquared = 0;
  for (let i = 0; i < V.data.length; i++) vSquared += V.data[i]! * V.data[i]!;
  const hhtOfH = kernels.allocate(W.cols, W.cols);
  const u = 2 ** -24;
  const [gammaM, gammaN] = [4 * Math.sqrt(V.rows) * u, 4 * Math.sqrt(V.cols) * u];
  let identityUsable = true; // until it first fails: the fit only gets tighter
  const identityObjective = (): number => {
    if (!identityUsable) return NaN;
    kernels.matmulNT(H, H, hhtOfH);
    let cross = 0;
    for (let i = 0; i < H.data.length; i++) cross += wtv.data[i]! * H.data[i]!;
    let quad = 0;
    for (let i = 0; i < hhtOfH.data.length; i++) quad += wtw.data[i]! * hhtOfH.data[i]!;
    const squared = vSquared - 2 * cross + quad;
    const bound = gammaM * (2 * Math.abs(cross) + Math.abs(quad)) + gammaN * Math.abs(quad);
    identityUsable = bound <= IDENTITY_TOLERANCE * squared;
    return identityUsable ? 0.5 * squared + penaltyTerms(W, H, penalties) : NaN;
  };
  const save = (): void => {
    saved.W.data.set(W.data);
    saved.H.data.set(H.data);
  };

  /** One step with extrapolation weight b (0: a plain alternating step). */
  const step = (b: number): void => {
    products.refreshHht();
    products.computeVht(rows);
    Wprevious.data.set(Wk.data);
    updates.updateW(vht, hht, Wk, rows);
    extrapolate(Wk.data, Wprevious.data, W.data, b, floor);
    products.computeWtvWtw();
    Hprevious.data.set(H.data);
    updates.updateH(wtv, wtw, H);
    extrapolate(H.data, Hprevious.data, Hhat.data, b, -Infinity);
    sinceCheck++;
  };

  /** The restart test on the current objective: accept the iterate, or go back to the last accepted one. */
  const check = (current: number, exact: boolean): void => {
    sinceCheck = 0;
    if (!(current > accepted)) {
      accepted = current;
      acceptedExact = exact;
      save();
      return;
    }
    // Worse than at the last check: back to that iterate, restart from it without extrapolation.
    Wk.data.set(saved.W.data); // from Ŵ itself: a plain step from (Ŵ, H) cannot raise the objective
    W.data.set(saved.W.data);
    H.data.set(saved.H.data);
    Hhat.data.set(H.data);
    betaCeiling = beta;
    beta /= ETA;
    step(0);
    // The plain step's objective: by the identity when it is usable (it was just formed), else exactly.
    const cheap = identityObjective();
    acceptedExact = Number.isNaN(cheap);
    accepted = acceptedExact ? exactObjective() : cheap;
    sinceCheck = 0;
    save();
  };

  return {
    algorithm,
    iterate(): void {
      if (first) {
        first = false;
        step(0);
      } else {
        step(beta);
        beta = Math.min(betaCeiling, GAMMA * beta);
        betaCeiling = Math.min(1, GAMMA_BAR * betaCeiling);
      }
      const cheap = identityObjective();
      if (!Number.isNaN(cheap)) check(cheap, false);
      else if (sinceCheck >= CHECK_EVERY) check(exactObjective(), true);
    },
    // The current iterate's objective, without a restart test: what the driver sees between checks
    // is the iterate as it is (so evaluating never changes the iterates).
    objective(): number {
      return sinceCheck === 0 && acceptedExact ? accepted : exactObjective();
    },
    finish(): void {
      if (sinceCheck > 0 || !acceptedExact) check(exactObjective(), true);
    },
  };
}

/** hat = x + b(x − previous), at least `floor`; an entry that did not move is copied as it is. */
function extrapolate(x: Float32Array, previous: Float32Array, hat: Float32Array, b: number, floor: number): void {
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - previous[i]!;
    hat[i] = d === 0 ? x[i]! : Math.max(floor, x[i]! + b * d);
  }
}
