import { createMatrix, type Matrix } from '../../matrix.js';
import { createRandom } from '../../random.js';
import { truncatedSvd } from './truncated-svd.js';

/** The NNDSVD family: plain (sparse start), 'a' (zeros ← mean of V), 'ar' (zeros ← small random). */
export type NndsvdVariant = 'nndsvd' | 'nndsvda' | 'nndsvdar';

/** Entries below this are set to zero, scikit-learn's `eps` default in `_initialize_nmf`. */
const ZERO_THRESHOLD = 1e-6;

/**
 * Nonnegative double SVD (Boutsidis & Gallopoulos 2008, "SVD based initialization: A head start
 * for nonnegative matrix factorization", Pattern Recognition 41), written to follow
 * scikit-learn's `_initialize_nmf` step for step (sklearn/decomposition/_nmf.py, 1.2):
 * - the rank leading singular triplets (uⱼ, σⱼ, vⱼ) of V (truncated-svd.ts, seeded);
 * - component 0: W[:, 0] = √σ₀·|u₀|, H[0, :] = √σ₀·|v₀| (Perron–Frobenius: the leading pair of a
 *   nonnegative matrix can be taken nonnegative);
 * - component j ≥ 1: of the positive parts (u⁺, v⁺) and the negative parts (u⁻, v⁻) keep the pair
 *   with the larger ‖u^±‖·‖v^±‖ =: μ (the negative pair on ties), and set
 *   W[:, j] = √(σⱼμ)·u^±/‖u^±‖, H[j, :] = √(σⱼμ)·v^±/‖v^±‖. The choice is invariant under the
 *   joint sign flip (u, v) → (−u, −v), so it does not depend on the SVD's sign convention except
 *   on exact ties, which are resolved as scikit-learn's svd_flip does (see truncated-svd.ts);
 * - every entry below 1e-6 becomes 0;
 * - 'nndsvda' fills the zeros with mean(V); 'nndsvdar' fills them with |mean(V)·N(0,1)/100|,
 *   scikit-learn's half-normal draw (the paper draws uniformly from [0, mean/100]). The draws come
 *   from our seeded generator (app/random.ts, Box–Muller) restarted at `seed`, as scikit-learn
 *   restarts its RandomState at an integer seed, W's zeros in row-major order first, then H's; the
 *   values differ from scikit-learn's, whose generator is Mersenne Twister.
 * One deliberate difference: when both μ are 0 (u⁺ = 0 and v⁻ = 0, or the reverse), scikit-learn
 * divides 0 by 0 and returns NaN; here that component is left zero (then filled by 'a'/'ar').
 * Computed in float64; the factors are stored as float32. Needs 1 ≤ rank ≤ min(m, n).
 */
export function nndsvd(V: Matrix, rank: number, variant: NndsvdVariant, seed: number): { W: Matrix; H: Matrix } {
  const m = V.rows;
  const n = V.cols;
  const { U, S, Vt } = truncatedSvd(V, rank, seed);
  const w = new Float64Array(m * rank);
  const h = new Float64Array(rank * n);

  const s0 = Math.sqrt(Math.max(S[0]!, 0));
  for (let i = 0; i < m; i++) w[i * rank] = s0 * Math.abs(U[i * rank]!);
  for (let j = 0; j < n; j++) h[j] = s0 * Math.abs(Vt[j]!);

  for (let c = 1; c < rank; c++) {
    let xp = 0;
    let xn = 0;
    for (let i = 0; i < m; i++) {
      const x = U[i * rank + c]!;
      if (x > 0) xp += x * x;
      else xn += x * x;
    }
    let yp = 0;
    let yn = 0;
    for (let j = 0; j < n; j++) {
      const y = Vt[c * n + j]!;
      if (y > 0) yp += y * y;
      else yn += y * y;
    }
    const xpNorm = Math.sqrt(xp);
    const ypNorm = Math.sqrt(yp);
    const xnNorm = Math.sqrt(xn);
    const ynNorm = Math.sqrt(yn);
    const mp = xpNorm * ypNorm;
    const mn = xnNorm * ynNorm;
    const positive = mp > mn;
    const mu = positive ? mp : mn;
    if (!(mu > 0)) continue; // scikit-learn: NaN (0/0); here a zero component.
    const lambda = Math.sqrt(Math.max(S[c]!, 0) * mu);
    // Positive part: max(x, 0); negative part: |min(x, 0)| = max(−x, 0).
    const sign = positive ? 1 : -1;
    const wScale = lambda / (positive ? xpNorm : xnNorm);
    const hScale = lambda / (positive ? ypNorm : ynNorm);
    for (let i = 0; i < m; i++) w[i * rank + c] = wScale * Math.max(sign * U[i * rank + c]!, 0);
    for (let j = 0; j < n; j++) h[c * n + j] = hScale * Math.max(sign * Vt[c * n + j]!, 0);
  }

  const W = createMatrix(m, rank);
  const H = createMatrix(rank, n);
  for (let i = 0; i < w.length; i++) W.data[i] = w[i]! < ZERO_THRESHOLD ? 0 : w[i]!;
  for (let i = 0; i < h.length; i++) H.data[i] = h[i]! < ZERO_THRESHOLD ? 0 : h[i]!;
  if (variant === 'nndsvd') return { W, H };

  let total = 0;
  for (let i = 0; i < V.data.length; i++) total += V.data[i]!;
  const mean = total / V.data.length;
  if (variant === 'nndsvda') {
    fillZeros(W.data, () => mean);
    fillZeros(H.data, () => mean);
  } else if (variant === 'nndsvdar') {
    const random = createRandom(seed);
    const draw = (): number => {
      const u = 1 - random(); // (0, 1]: log(u) finite
      return Math.abs((mean * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())) / 100);
    };
    fillZeros(W.data, draw);
    fillZeros(H.data, draw);
  } else {
    throw new RangeError(`unknown NNDSVD variant '${String(variant)}'`);
  }
  return { W, H };
}

function fillZeros(data: Float32Array, value: () => number): void {
  for (let i = 0; i < data.length; i++) if (data[i] === 0) data[i] = value();
}
