import type { Matrix } from '../matrix.js';

/**
 * The scaled linear mixing model used by sum-to-one unmixing (unmix.ts): each pixel is
 * y_j = t_j·Σ_k a_kj m_k with abundances a_j ≥ 0 summing to one and a per-pixel scale t_j ≈ 1 for
 * illumination and topography (Nascimento & Bioucas-Dias 2005, §II; the SCLSU model of
 * Veganzones et al. 2014, "A new extended linear mixing model to address spectral
 * variability"). Dividing every pixel by its ℓ1 norm s_j removes t_j, and the endmembers'
 * brightness with it: the fit gives unit-ℓ1 endmember shapes m̃_k and the share h_kj of pixel j's
 * signal that comes from each, y_j ≈ s_j·Σ_k h_kj m̃_k.
 */

/** Divides every column of y by its ℓ1 norm, in place; returns the norms (0 for an all-zero pixel, left as is). */
export function normalizePixelsL1(y: Matrix): Float64Array {
  const norms = columnL1Norms(y);
  const inverse = norms.map((s) => (s > 0 ? 1 / s : 0));
  for (let i = 0; i < y.rows; i++) {
    const off = i * y.cols;
    for (let j = 0; j < y.cols; j++) y.data[off + j] = y.data[off + j]! * inverse[j]!;
  }
  return norms;
}

export function columnL1Norms(m: Matrix): Float64Array {
  const norms = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    const off = i * m.cols;
    for (let j = 0; j < m.cols; j++) norms[j]! += Math.abs(m.data[off + j]!);
  }
  return norms;
}

/**
 * In place: W (L×P, fitted on ℓ1-normalised pixels) becomes the unit-ℓ1 shapes m̃_k, and H (P×N)
 * the signal shares h_kj, each column summing to one exactly (the fit's slack on the sum-to-one
 * row removed): y_j ≈ s_j·Σ_k h_kj m̃_k.
 *
 * The shares are what this module reports as abundances. They equal the area fractions a_kj when
 * the endmembers are equally bright (‖m_k‖₁ equal); otherwise a_kj ∝ h_kj / ‖m_k‖₁. We do not
 * convert: the brightness ‖m_k‖₁ is not identifiable when pixels also vary in illumination (the
 * reason for normalising), and an attempt to estimate it (least squares on Σ_k a_kj = 1 under
 * t_j = 1) made Samson's abundance RMSE against the benchmark's ground truth worse (0.078 → 0.104
 * with L1/2, 0.06 → 0.37 with min-volume): the benchmark's reference abundances behave like shares.
 */
export function toShares(w: Matrix, h: Matrix): void {
  const l = w.rows;
  const p = w.cols;
  const n = h.cols;
  const norms = columnL1Norms(w);
  for (let k = 0; k < p; k++) if (norms[k]! > 0) for (let b = 0; b < l; b++) w.data[b * p + k] = w.data[b * p + k]! / norms[k]!;
  for (let j = 0; j < n; j++) {
    let total = 0;
    for (let k = 0; k < p; k++) total += h.data[k * n + j]! * norms[k]!;
    for (let k = 0; k < p; k++) h.data[k * n + j] = total > 0 ? (h.data[k * n + j]! * norms[k]!) / total : 1 / p;
  }
}

/**
 * A brightness for each endmember, to show its shape in the data's units: the share-weighted mean
 * ℓ1 norm of the pixels, c_k = Σ_j h_kj s_j / Σ_j h_kj, which is the norm of the pixels made of
 * endmember k alone when there are such pixels. (Only a display scale: see toShares.)
 */
export function typicalBrightness(h: Matrix, scale: Float64Array): Float64Array {
  const p = h.rows;
  const n = h.cols;
  const out = new Float64Array(p);
  let meanScale = 0;
  for (let j = 0; j < n; j++) meanScale += scale[j]!;
  meanScale /= n || 1;
  for (let k = 0; k < p; k++) {
    let weighted = 0;
    let weight = 0;
    for (let j = 0; j < n; j++) {
      const x = h.data[k * n + j]!;
      weighted += x * scale[j]!;
      weight += x;
    }
    out[k] = weight > 0 ? weighted / weight : meanScale;
  }
  return out;
}
