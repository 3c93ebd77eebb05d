import { solveNnlsNormal } from '../nmf/solvers/nnls-bpp.js';

/**
 * The abundance update of sum-to-one unmixing, with optional L1/2 sparsity: Qian, Jia, Zhou &
 * Robles-Kelly 2011, "Hyperspectral unmixing via L1/2 sparsity-constrained nonnegative matrix
 * factorization", IEEE TGRS 49(11), eq. (14) and §III-C.
 *
 * For fixed endmembers W (L×P) it decreases, over H ≥ 0 (P×N),
 *     ½‖Y − WH‖²_F + ½δ²‖1ᵀH − 1ᵀ‖² + λ Σ_{k,j} h_kj^{1/2}
 * The middle term is the abundance sum-to-one constraint of Heinz & Chang 2001 ("Fully
 * constrained least squares linear spectral mixture analysis", IEEE TGRS 39(3)): Y and W get an
 * extra row δ·1ᵀ, so a large δ enforces Σ_k h_kj = 1 as strongly as one likes. The L1/2 term
 * (Qian et al.) favours abundance vectors with few nonzero entries: unlike L1, which is constant
 * on the simplex and so does nothing once abundances sum to one, h^{1/2} is concave and rewards
 * pure pixels. The multiplicative rule is Lee & Seung's with the penalty gradient added to the
 * denominator,
 *     H ← H ⊙ (WᵀY + δ²) ⊘ ((WᵀW + δ²·11ᵀ) H + (λ/2) H^{−1/2}),
 * which keeps H ≥ 0. Only WᵀY (P×N) and WᵀW (P×P) enter, so after forming WᵀY once (the
 * expensive product, O(LPN)) several of these O(P²N) steps are cheap: `steps` of them run per
 * call. With λ = 0 it is the fully constrained least-squares (FCLS) abundance step by MU.
 */
export interface AbundanceUpdate {
  /** Multiplicative steps (each O(P²N)). */
  readonly steps: number;
  /** δ² of the sum-to-one row. */
  readonly deltaSquared: number;
  /** λ of the L1/2 penalty (0: none). */
  readonly lambda: number;
  /** Lower bound of every entry after a step (keeps MU from locking entries at zero). */
  readonly floor: number;
}

/** Entries below this enter the L1/2 gradient as this value: h^{−1/2} is unbounded at 0. */
const GRADIENT_FLOOR = 1e-12;

/**
 * Updates H (P×N, row-major, in place) given WtY = WᵀY (P×N) and WtW = WᵀW (P×P), both without
 * the sum-to-one row (it is added here).
 */
export function updateAbundances(h: Float32Array, wtY: Float32Array, wtW: Float64Array, p: number, n: number, options: AbundanceUpdate): void {
  const d2 = options.deltaSquared;
  const halfLambda = options.lambda / 2;
  const floor = options.floor;
  const gram = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) gram[i] = wtW[i]! + d2;
  const column = new Float64Array(p);
  const next = new Float64Array(p);
  const numerator = new Float64Array(p);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < p; k++) {
      column[k] = h[k * n + j]!;
      numerator[k] = wtY[k * n + j]! + d2;
    }
    for (let step = 0; step < options.steps; step++) {
      // Every entry from the same previous column (Lee & Seung's rule in matrix form).
      for (let k = 0; k < p; k++) {
        let denominator = 0;
        const gOff = k * p;
        for (let c = 0; c < p; c++) denominator += gram[gOff + c]! * column[c]!;
        if (halfLambda > 0) denominator += halfLambda / Math.sqrt(Math.max(column[k]!, GRADIENT_FLOOR));
        next[k] = denominator > 0 ? (column[k]! * Math.max(numerator[k]!, 0)) / denominator : column[k]!;
      }
      for (let k = 0; k < p; k++) column[k] = Math.max(next[k]!, floor);
    }
    for (let k = 0; k < p; k++) h[k * n + j] = column[k]!;
  }
}

/**
 * The exact fully constrained least-squares abundances for fixed W (the λ = 0 problem above,
 * solved rather than stepped): nonnegative least squares on the normal equations with the
 * sum-to-one row, (WᵀW + δ²·11ᵀ) and (WᵀY + δ²), by block principal pivoting (Kim & Park 2011;
 * app/nmf/solvers/nnls-bpp.ts), warm-started from the current H. Multiplicative steps alone
 * approach this slowly, and endmember updates made against unconverged abundances let the
 * simplex drift outwards (on noiseless separable data it left the true endmembers by ~2°).
 */
export function fclsAbundances(h: Float32Array, wtY: Float32Array, wtW: Float64Array, p: number, n: number, deltaSquared: number): void {
  const gram = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) gram[i] = wtW[i]! + deltaSquared;
  const rhs = new Float64Array(p * n);
  for (let i = 0; i < p * n; i++) rhs[i] = wtY[i]! + deltaSquared;
  const solution = solveNnlsNormal(gram, rhs, p, n, Float64Array.from(h));
  for (let i = 0; i < p * n; i++) h[i] = solution[i]!;
}
