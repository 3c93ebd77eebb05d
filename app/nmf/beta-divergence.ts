import type { Matrix } from '../matrix.js';
import type { NmfLoss } from './nmf-types.js';
import { EPSILON } from './objective.js';
import type { Penalties } from './solvers/solver.js';

/**
 * The β-divergence family (Févotte & Idier 2011, "Algorithms for nonnegative matrix factorization
 * with the β-divergence"), as the reference definition every solver's objective() must meet.
 * Conventions are scikit-learn's `_beta_divergence` (1.2), so that reported objectives compare
 * with its `reconstruction_err_`:
 * - β = 2: ½ Σ (V − WH)², no safeguard.
 * - Otherwise only entries with V > EPSILON take part in the terms that involve V ("0^(−1) = 0,
 *   not infinity"), and there a WH of exactly 0 is replaced by EPSILON:
 *   - β = 1 (generalised Kullback–Leibler): Σ_{V>ε} V log(V/WH) − V, plus Σ WH over every entry
 *     (the unclipped WH).
 *   - β = 0 (Itakura–Saito): Σ_{V>ε} V/WH − log(V/WH), minus 1 for every entry, so an entry with
 *     V = 0 contributes −1 (scikit-learn subtracts m·n; the constant does not move the minimiser).
 *   - other β: [Σ_{V>ε} V^β − β V·WH^(β−1) + (β−1) Σ WH^β] / (β(β−1)), the last sum over every
 *     entry with the unclipped WH.
 * Everything accumulates in float64.
 */
export function betaDivergence(V: Matrix, W: Matrix, H: Matrix, beta: number): number {
  if (W.rows !== V.rows || H.cols !== V.cols || W.cols !== H.rows) {
    throw new RangeError(`cannot compare V ${V.rows}×${V.cols} with W ${W.rows}×${W.cols} · H ${H.rows}×${H.cols}`);
  }
  if (!Number.isFinite(beta)) throw new RangeError(`β must be finite, got ${beta}`);
  const r = W.cols;
  const n = V.cols;
  const wd = W.data;
  const hd = H.data;
  const vd = V.data;
  const wh = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < V.rows; i++) {
    // One row of WH at a time: never the whole m×n product.
    wh.fill(0);
    for (let k = 0; k < r; k++) {
      const wik = wd[i * r + k]!;
      if (wik === 0) continue;
      const off = k * n;
      for (let j = 0; j < n; j++) wh[j] += wik * hd[off + j]!;
    }
    const vOff = i * n;
    for (let j = 0; j < n; j++) total += betaDivergenceTerm(vd[vOff + j]!, wh[j]!, beta);
  }
  return total;
}

/**
 * One entry's share of betaDivergence: x an entry of V, wh the matching entry of WH (float64).
 * Summed over every entry it gives betaDivergence exactly; solvers that already hold a row of WH
 * use it to get the objective without another pass.
 */
export function betaDivergenceTerm(x: number, wh: number, beta: number): number {
  if (beta === 2) {
    const d = x - wh;
    return 0.5 * d * d;
  }
  if (beta === 1) {
    if (!(x > EPSILON)) return wh;
    const y = wh === 0 ? EPSILON : wh;
    return x * Math.log(x / y) - x + wh;
  }
  if (beta === 0) {
    if (!(x > EPSILON)) return -1;
    const ratio = x / (wh === 0 ? EPSILON : wh);
    return ratio - Math.log(ratio) - 1;
  }
  const scale = beta * (beta - 1);
  const whBeta = (beta - 1) * Math.pow(wh, beta);
  if (!(x > EPSILON)) return whBeta / scale;
  const y = wh === 0 ? EPSILON : wh;
  return (Math.pow(x, beta) - beta * x * Math.pow(y, beta - 1) + whBeta) / scale;
}

/**
 * The penalty part of the objective, scikit-learn's form (its `alpha_W`, `alpha_H`, `l1_ratio`
 * already scaled into weights by the driver): l1W·ΣW + ½·l2W·ΣW² + l1H·ΣH + ½·l2H·ΣH².
 */
export function penaltyTerms(W: Matrix, H: Matrix, penalties: Penalties): number {
  return factorPenalty(W.data, penalties.l1W, penalties.l2W) + factorPenalty(H.data, penalties.l1H, penalties.l2H);
}

function factorPenalty(x: Float32Array, l1: number, l2: number): number {
  if (l1 === 0 && l2 === 0) return 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    sum += v;
    sumSquares += v * v;
  }
  return l1 * sum + 0.5 * l2 * sumSquares;
}

/**
 * β of a loss: 'frobenius' 2, 'kl' 1, 'is' 0, 'beta' the given β (which must then be finite).
 */
export function lossToBeta(loss: NmfLoss, beta?: number): number {
  switch (loss) {
    case 'frobenius':
      return 2;
    case 'kl':
      return 1;
    case 'is':
      return 0;
    case 'beta':
      if (beta === undefined || !Number.isFinite(beta)) throw new RangeError(`loss 'beta' needs a finite beta, got ${String(beta)}`);
      return beta;
    default:
      throw new RangeError(`unknown loss '${String(loss)}'`);
  }
}
