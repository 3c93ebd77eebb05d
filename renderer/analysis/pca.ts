/**
 * The first three principal components of a set of spectra, by block power iteration on the
 * covariance matrix (Golub & Van Loan, "Matrix Computations", 4th ed., §8.2.4, orthogonal
 * iteration): Q ← orth(C Q) converges to the dominant invariant subspace; a final 3×3 Jacobi step
 * would only rotate within it, so the Rayleigh quotients order the vectors. Bands are few (≤ a few
 * hundred), so C (bands × bands) is small; its cost is building it from the pixels.
 */
export interface Pca {
  readonly mean: Float64Array;
  /** 3 × bands, row-major: the unit principal directions, largest variance first. */
  readonly axes: Float64Array;
  /** Share of the total variance each axis explains. */
  readonly explained: number[];
}

/** spectra: n × bands row-major. */
export function principalComponents(spectra: Float32Array, n: number, bands: number): Pca {
  const k = Math.min(3, bands);
  const mean = new Float64Array(bands);
  for (let i = 0; i < n; i++) for (let b = 0; b < bands; b++) mean[b] += spectra[i * bands + b]!;
  for (let b = 0; b < bands; b++) mean[b] /= Math.max(1, n);
  const cov = new Float64Array(bands * bands);
  const centred = new Float64Array(bands);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < bands; b++) centred[b] = spectra[i * bands + b]! - mean[b]!;
    for (let a = 0; a < bands; a++) {
      const x = centred[a]!;
      if (x === 0) continue;
      const row = a * bands;
      for (let b = a; b < bands; b++) cov[row + b] += x * centred[b]!;
    }
  }
  let trace = 0;
  for (let a = 0; a < bands; a++) {
    for (let b = a; b < bands; b++) {
      cov[a * bands + b] /= Math.max(1, n - 1);
      cov[b * bands + a] = cov[a * bands + b]!;
    }
    trace += cov[a * bands + a]!;
  }
  // Deterministic start: e_1, e_2, e_3 plus a spread so no vector starts orthogonal to the answer.
  let q = new Float64Array(3 * bands);
  for (let j = 0; j < k; j++) for (let b = 0; b < bands; b++) q[j * bands + b] = 1 / Math.sqrt(bands) + (b % k === j ? 1 : 0) + 0.01 * Math.sin(b * (j + 1));
  orthonormalise(q, k, bands);
  const next = new Float64Array(3 * bands);
  for (let iter = 0; iter < 300; iter++) {
    multiply(cov, q, next, k, bands);
    orthonormalise(next, k, bands);
    let change = 0;
    for (let i = 0; i < k * bands; i++) change = Math.max(change, Math.abs(Math.abs(next[i]!) - Math.abs(q[i]!)));
    q = next.slice();
    if (change < 1e-10) break;
  }
  // Order by Rayleigh quotient (variance along each axis); fix each sign so the largest entry is positive.
  const cq = new Float64Array(3 * bands);
  multiply(cov, q, cq, k, bands);
  const variance = Array.from({ length: k }, (_, j) => {
    let s = 0;
    for (let b = 0; b < bands; b++) s += q[j * bands + b]! * cq[j * bands + b]!;
    return s;
  });
  const order = variance.map((_, j) => j).sort((a, b) => variance[b]! - variance[a]!);
  const axes = new Float64Array(3 * bands);
  order.forEach((j, rank) => {
    let biggest = 0;
    for (let b = 0; b < bands; b++) if (Math.abs(q[j * bands + b]!) > Math.abs(biggest)) biggest = q[j * bands + b]!;
    const sign = biggest < 0 ? -1 : 1;
    for (let b = 0; b < bands; b++) axes[rank * bands + b] = sign * q[j * bands + b]!;
  });
  const explained = [0, 1, 2].map((rank) => (rank < k && trace > 0 ? Math.max(0, variance[order[rank]!]!) / trace : 0));
  return { mean, axes, explained };
}

/** Coordinates of spectra (n × bands) on the axes, centred on the mean: n × 3. A non-finite value (a band left out) counts as the mean. */
export function project(pca: Pca, spectra: Float32Array, n: number, bands: number): Float32Array {
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let b = 0; b < bands; b++) {
        const x = spectra[i * bands + b]!;
        if (Number.isFinite(x)) s += (x - pca.mean[b]!) * pca.axes[j * bands + b]!;
      }
      out[3 * i + j] = s;
    }
  }
  return out;
}

function multiply(c: Float64Array, q: Float64Array, out: Float64Array, k: number, bands: number): void {
  for (let j = 0; j < k; j++) {
    for (let a = 0; a < bands; a++) {
      let s = 0;
      const row = a * bands;
      for (let b = 0; b < bands; b++) s += c[row + b]! * q[j * bands + b]!;
      out[j * bands + a] = s;
    }
  }
}

/** Modified Gram–Schmidt on the k rows of q. */
function orthonormalise(q: Float64Array, k: number, bands: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let b = 0; b < bands; b++) dot += q[j * bands + b]! * q[i * bands + b]!;
      for (let b = 0; b < bands; b++) q[j * bands + b] -= dot * q[i * bands + b]!;
    }
    let norm = 0;
    for (let b = 0; b < bands; b++) norm += q[j * bands + b]! ** 2;
    norm = Math.sqrt(norm);
    for (let b = 0; b < bands; b++) q[j * bands + b] = norm > 0 ? q[j * bands + b]! / norm : 0;
  }
}
