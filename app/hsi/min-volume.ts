import { symmetricEigen } from './symmetric-eigen.js';

/**
 * The endmember update of sum-to-one unmixing, with an optional minimum-volume penalty:
 * min-vol NMF (Fu, Huang, Yang, Ma & Sidiropoulos 2016, "Robust volume minimization-based matrix
 * factorization for remote sensing and document clustering", IEEE TSP 64(23); Leplat, Ang &
 * Gillis 2019, "Minimum-volume rank-deficient nonnegative matrix factorizations", ICASSP; Gillis
 * 2020, "Nonnegative Matrix Factorization", SIAM, §4.3.3). For fixed abundances H it decreases,
 * over W ≥ 0,
 *     ½‖Y − WH‖²_F + (λ/2)·logdet(WᵀW + δI).
 * When abundances sum to one the pixels lie in the simplex spanned by W's columns; among all
 * simplices that fit, the logdet term (the log of its volume, made smooth by δ) prefers the
 * smallest, which is what identifies the endmembers when there are no pure pixels (Craig 1994;
 * Miao & Qi 2007 used the determinant itself, MVC-NMF; the logarithm is better conditioned).
 *
 * Majorisation-minimisation (Fu et al. 2016, §III-B): logdet is concave in WᵀW, so at the current
 * W₀ it lies below its tangent, logdet(A) ≤ logdet(A₀) + tr(Z(A − A₀)) with Z = (W₀ᵀW₀ + δI)⁻¹.
 * Minimising the quadratic upper bound ½‖Y − WH‖² + (λ/2)·tr(Z WᵀW) over W ≥ 0 decreases the
 * objective; we do it by Nesterov's fast projected gradient (Nesterov 1983; the inner solver of
 * Gillis' minvolNMF code), whose gradient W(HHᵀ + λZ) − YHᵀ needs only YHᵀ (L×P) and HHᵀ (P×P):
 * every step is O(LP²), free next to forming YHᵀ. With λ = 0 it is a plain nonnegative least-
 * squares step for W.
 */
export interface EndmemberUpdate {
  /** Projected-gradient steps. */
  readonly steps: number;
  /** λ of the volume term (absolute, see minVolumeWeight); 0: none. */
  readonly lambda: number;
  /** δ of logdet(WᵀW + δI). */
  readonly delta: number;
}

/**
 * Updates W (L×P row-major, in place) given YHt = YHᵀ (L×P) and HHt = HHᵀ (P×P).
 */
export function updateEndmembers(w: Float32Array, yHt: ArrayLike<number>, hHt: Float64Array, l: number, p: number, options: EndmemberUpdate): void {
  const q = Float64Array.from(hHt);
  if (options.lambda > 0) {
    const z = inverseSpd(gramPlusDelta(w, l, p, options.delta), p);
    for (let i = 0; i < p * p; i++) q[i]! += options.lambda * z[i]!;
  }
  // Step 1/L with L = λ_max(Q), the Lipschitz constant of the gradient in W's rows.
  const lipschitz = symmetricEigen(q, p).values[0]!;
  if (!(lipschitz > 0)) return; // H is all zero: W does not enter the misfit
  const current = Float64Array.from(w);
  const extrapolated = Float64Array.from(w);
  const next = new Float64Array(l * p);
  let a = 1;
  for (let step = 0; step < options.steps; step++) {
    for (let i = 0; i < l; i++) {
      const off = i * p;
      for (let k = 0; k < p; k++) {
        let grad = -yHt[off + k]!;
        for (let c = 0; c < p; c++) grad += extrapolated[off + c]! * q[c * p + k]!;
        next[off + k] = Math.max(extrapolated[off + k]! - grad / lipschitz, 0);
      }
    }
    const a2 = (1 + Math.sqrt(1 + 4 * a * a)) / 2;
    const beta = (a - 1) / a2;
    for (let i = 0; i < l * p; i++) {
      extrapolated[i] = next[i]! + beta * (next[i]! - current[i]!);
      current[i] = next[i]!;
    }
    a = a2;
  }
  // Nesterov's iterates need not decrease the objective at every step: keep the start if the
  // last one is worse, so that each call decreases the majoriser (and so the objective, MM).
  if (quadratic(current, q, yHt, l, p) <= quadratic(Float64Array.from(w), q, yHt, l, p)) {
    for (let i = 0; i < l * p; i++) w[i] = current[i]!;
  }
}

/** ½tr(W Q Wᵀ) − tr(Wᵀ YHᵀ): the majoriser up to a constant. */
function quadratic(w: Float64Array, q: Float64Array, yHt: ArrayLike<number>, l: number, p: number): number {
  let value = 0;
  for (let i = 0; i < l; i++) {
    const off = i * p;
    for (let a = 0; a < p; a++) {
      let wq = 0;
      for (let c = 0; c < p; c++) wq += w[off + c]! * q[c * p + a]!;
      value += w[off + a]! * (0.5 * wq - yHt[off + a]!);
    }
  }
  return value;
}

/** WᵀW + δI (P×P, float64). */
export function gramPlusDelta(w: ArrayLike<number>, l: number, p: number, delta: number): Float64Array {
  const g = new Float64Array(p * p);
  for (let i = 0; i < l; i++) {
    const off = i * p;
    for (let a = 0; a < p; a++) {
      const x = w[off + a]!;
      if (x === 0) continue;
      for (let b = 0; b < p; b++) g[a * p + b]! += x * w[off + b]!;
    }
  }
  for (let a = 0; a < p; a++) g[a * p + a]! += delta;
  return g;
}

/** log det of a symmetric positive definite matrix, by Cholesky. */
export function logDetSpd(a: Float64Array, p: number): number {
  const c = cholesky(a, p);
  let s = 0;
  for (let i = 0; i < p; i++) s += 2 * Math.log(c[i * p + i]!);
  return s;
}

/**
 * λ for a relative weight λ̃: λ = λ̃ · ½‖Y − W₀H₀‖²_F / |logdet(W₀ᵀW₀ + δI)| at the start, so that λ̃
 * means the same whatever the data's scale (Gillis' minvolNMF sets λ the same way).
 */
export function minVolumeWeight(relative: number, initialMisfit: number, w0: ArrayLike<number>, l: number, p: number, delta: number): number {
  if (!(relative > 0)) return 0;
  const logdet = Math.abs(logDetSpd(gramPlusDelta(w0, l, p, delta), p));
  return (relative * Math.max(initialMisfit, Number.MIN_VALUE)) / Math.max(logdet, 1e-12);
}

function cholesky(a: Float64Array, p: number): Float64Array {
  const c = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j]!;
      for (let k = 0; k < j; k++) s -= c[i * p + k]! * c[j * p + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError('min-volume: WᵀW + δI is not positive definite');
        c[i * p + i] = Math.sqrt(s);
      } else {
        c[i * p + j] = s / c[j * p + j]!;
      }
    }
  }
  return c;
}

function inverseSpd(a: Float64Array, p: number): Float64Array {
  const c = cholesky(a, p);
  const inv = new Float64Array(p * p);
  // Solve C Cᵀ X = I column by column.
  const y = new Float64Array(p);
  for (let col = 0; col < p; col++) {
    for (let i = 0; i < p; i++) {
      let s = i === col ? 1 : 0;
      for (let k = 0; k < i; k++) s -= c[i * p + k]! * y[k]!;
      y[i] = s / c[i * p + i]!;
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let k = i + 1; k < p; k++) s -= c[k * p + i]! * inv[k * p + col]!;
      inv[i * p + col] = s / c[i * p + i]!;
    }
  }
  return inv;
}
