import { createMatrix, type Matrix } from '../matrix.js';
import { createRandom } from '../random.js';
import { bandStatistics, type BandStatistics } from './band-statistics.js';
import { symmetricEigen } from './symmetric-eigen.js';

/**
 * Vertex component analysis (Nascimento & Bioucas-Dias 2005, "Vertex component analysis: a fast
 * algorithm to unmix hyperspectral data", IEEE TGRS 43(4), Alg. 1; the steps follow the authors'
 * reference code VCA.m v2.1). Under the linear mixing model with pure pixels, the endmembers are
 * the vertices of the simplex the pixels fill; VCA finds them one at a time by projecting the
 * data onto a direction orthogonal to the vertices found so far and taking the extreme pixel.
 *
 * 1. Dimension reduction, chosen by the estimated SNR (SNR_th = 15 + 10·log₁₀ p dB):
 *    - high SNR: project onto the p leading eigenvectors of the correlation matrix Y Yᵀ/N, then
 *      the projective projection y = x / (uᵀx) with u the mean of the projections, which sends
 *      scaled copies of a pure pixel (illumination) to the same point;
 *    - low SNR: project the centred data onto the p − 1 leading principal components and append
 *      a constant coordinate c = max_j ‖x_j‖, so every point stays at the same "height".
 * 2. Repeat p times: f = a random direction (uniform entries, seeded) made orthogonal to the
 *    span of the vertices found so far (at the first step, to the last coordinate), pick the
 *    pixel maximising |fᵀy_j|.
 * The endmembers returned are the picked pixels of the denoised data (the projection back
 * into band space, as VCA.m's Rp), so they may have small negative entries.
 */
export interface VcaResult {
  /** bands × p: the picked pixels' spectra in the p-dimensional signal subspace. */
  readonly endmembers: Matrix;
  /** Column (pixel) index of each endmember, in order of selection. */
  readonly indices: number[];
  /** SNR estimated from the eigenvalues (dB), and which projection it chose. */
  readonly snrDb: number;
  readonly projection: 'projective' | 'affine';
}

export interface VcaOptions {
  /** Precomputed statistics of the same matrix (bandStatistics), to share with HySime. */
  readonly statistics?: BandStatistics;
  /** Force a projection instead of choosing by the SNR (tests, comparisons). */
  readonly projection?: 'projective' | 'affine';
}

export function vca(y: Matrix, p: number, seed: number, options: VcaOptions = {}): VcaResult {
  const l = y.rows;
  const n = y.cols;
  if (!Number.isInteger(p) || p < 1 || p > Math.min(l, n)) throw new RangeError(`VCA needs 1 ≤ p ≤ min(bands, pixels) = ${Math.min(l, n)}, got ${p}`);
  const stats = options.statistics ?? bandStatistics(y);
  if (stats.bands !== l) throw new RangeError(`VCA: statistics of ${stats.bands} bands for a matrix of ${l}`);
  const count = stats.count;
  const mean = Float64Array.from(stats.sum, (s) => s / count);

  // Centred covariance (Σ yyᵀ − N·m·mᵀ)/N and its leading eigenvectors.
  const covariance = new Float64Array(l * l);
  for (let a = 0; a < l; a++) for (let b = 0; b < l; b++) covariance[a * l + b] = stats.gram[a * l + b]! / count - mean[a]! * mean[b]!;
  const pca = symmetricEigen(covariance, l);
  // SNR (VCA.m estimate_snr): P_y = E‖y‖², P_x = Σ_{k<p} λ_k + ‖m‖² the signal power in the subspace.
  let py = 0;
  for (let a = 0; a < l; a++) py += stats.gram[a * l + a]! / count;
  let px = 0;
  for (let k = 0; k < p; k++) px += pca.values[k]!;
  for (let a = 0; a < l; a++) px += mean[a]! * mean[a]!;
  const snrDb = 10 * Math.log10(Math.max((px - (p / l) * py) / Math.max(py - px, Number.MIN_VALUE), Number.MIN_VALUE));
  const threshold = 15 + 10 * Math.log10(p);
  const projection = options.projection ?? (snrDb < threshold ? 'affine' : 'projective');

  // Basis (l × d, columns) and the offset subtracted before projecting.
  let basis: Float64Array;
  let d: number;
  let offset: Float64Array;
  if (projection === 'affine') {
    d = p - 1;
    basis = leadingVectors(pca.vectors, l, d);
    offset = mean;
  } else {
    d = p;
    const correlation = Float64Array.from(stats.gram, (g) => g / count);
    basis = leadingVectors(symmetricEigen(correlation, l).vectors, l, d);
    offset = new Float64Array(l);
  }
  // x = basisᵀ (y − offset), d × n.
  const x = new Float64Array(d * n);
  for (let b = 0; b < l; b++) {
    const off = b * n;
    const o = offset[b]!;
    for (let k = 0; k < d; k++) {
      const e = basis[b * d + k]!;
      if (e === 0) continue;
      const xOff = k * n;
      for (let j = 0; j < n; j++) x[xOff + j]! += e * (y.data[off + j]! - o);
    }
  }
  // The points VCA searches: p × n.
  const points = new Float64Array(p * n);
  if (projection === 'affine') {
    let c = 0;
    for (let j = 0; j < n; j++) {
      let norm = 0;
      for (let k = 0; k < d; k++) norm += x[k * n + j]! ** 2;
      c = Math.max(c, norm);
    }
    c = Math.sqrt(c);
    points.set(x.subarray(0, d * n));
    points.fill(c, d * n);
  } else {
    const u = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[k * n + j]!;
      u[k] = s / n;
    }
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += u[k]! * x[k * n + j]!;
      // A pixel orthogonal to the mean direction (e.g. all zero) has no projective image.
      const inv = dot > 0 ? 1 / dot : 0;
      for (let k = 0; k < d; k++) points[k * n + j] = x[k * n + j]! * inv;
    }
  }

  const random = createRandom(seed);
  const indices: number[] = [];
  // Orthonormal basis of the span of the vertices found so far (rows of length p).
  const found: Float64Array[] = [];
  const first = new Float64Array(p);
  first[p - 1] = 1;
  for (let i = 0; i < p; i++) {
    const span = i === 0 ? [first] : found;
    const f = new Float64Array(p);
    for (let k = 0; k < p; k++) f[k] = random();
    for (let pass = 0; pass < 2; pass++) {
      for (const q of span) {
        let dot = 0;
        for (let k = 0; k < p; k++) dot += q[k]! * f[k]!;
        for (let k = 0; k < p; k++) f[k]! -= dot * q[k]!;
      }
    }
    let best = -1;
    let bestValue = -Infinity;
    for (let j = 0; j < n; j++) {
      let v = 0;
      for (let k = 0; k < p; k++) v += f[k]! * points[k * n + j]!;
      v = Math.abs(v);
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    indices.push(best);
    // Add the picked point to the orthonormal span (Gram–Schmidt twice); a point already in the
    // span (degenerate data) adds nothing and the next direction is drawn in the same complement.
    const q = new Float64Array(p);
    for (let k = 0; k < p; k++) q[k] = points[k * n + best]!;
    const norm0 = Math.hypot(...q);
    for (let pass = 0; pass < 2; pass++) {
      for (const r of found) {
        let dot = 0;
        for (let k = 0; k < p; k++) dot += r[k]! * q[k]!;
        for (let k = 0; k < p; k++) q[k]! -= dot * r[k]!;
      }
    }
    const norm = Math.hypot(...q);
    if (norm > 1e-10 * norm0) {
      for (let k = 0; k < p; k++) q[k]! /= norm;
      found.push(q);
    }
  }

  // Rp(:, indices) = basis · x(:, j) + offset.
  const endmembers = createMatrix(l, p);
  for (let b = 0; b < l; b++) {
    for (let c = 0; c < p; c++) {
      const j = indices[c]!;
      let s = offset[b]!;
      for (let k = 0; k < d; k++) s += basis[b * d + k]! * x[k * n + j]!;
      endmembers.data[b * p + c] = s;
    }
  }
  return { endmembers, indices, snrDb, projection };
}

/** The first d eigenvectors (columns of an l×l matrix) as an l×d row-major matrix. */
function leadingVectors(vectors: Float64Array, l: number, d: number): Float64Array {
  const out = new Float64Array(l * d);
  for (let b = 0; b < l; b++) for (let k = 0; k < d; k++) out[b * d + k] = vectors[b * l + k]!;
  return out;
}
