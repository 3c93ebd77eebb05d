import type { Matrix } from '../matrix.js';
import { bandStatistics, type BandStatistics } from './band-statistics.js';
import { symmetricEigen } from './symmetric-eigen.js';

/**
 * Estimating the number of endmembers: HySime (Bioucas-Dias & Nascimento 2008, "Hyperspectral
 * subspace identification", IEEE TGRS 46(8); steps as in the authors' hysime.m / estNoise.m).
 *
 * 1. Noise, by multiple regression (§III-A): each band is predicted from all the others by least
 *    squares, β_i = R_{∂i,∂i}⁻¹ R_{∂i,i} with R = Y Yᵀ; the residual is the noise estimate. All
 *    regressions come from one inverse Q = (R + εI)⁻¹: removing band i from it gives
 *    R_{∂i,∂i}⁻¹ = Q_{∂i,∂i} − Q_{∂i,i} Q_{i,∂i} / Q_{ii}. With B the matrix whose rows are the
 *    β_iᵀ (zero diagonal), the signal estimate is X = B·Y and the noise Y − X; only their second
 *    moments are needed, and they follow from R without another pass over the pixels:
 *    noise correlation R_n = diag((I − B) R (I − B)ᵀ)/N, signal correlation R_x = B R Bᵀ/N.
 * 2. Subspace (§III-B): with E the eigenvectors of R_x, the mean squared error of projecting onto
 *    eigenvector k changes by −P_y(k) + 2·P_n(k), P_y = eᵀR_y e and P_n = eᵀR_n e: keep the
 *    directions where that is negative. Their count is the signal subspace dimension, which for
 *    the linear mixing model is the number of endmembers.
 *
 * The estimate is a suggestion (HySime assumes white-ish, band-independent noise; strongly
 * correlated noise or a few rare materials shift it); it is reported, never imposed.
 */
export interface HySimeResult {
  /** Signal subspace dimension: the suggested number of endmembers. */
  readonly endmembers: number;
  /** Estimated noise variance per band (diagonal of R_n). */
  readonly noiseVariance: Float64Array;
  /** Eigenvalues of the signal correlation R_x, descending. */
  readonly signalEigenvalues: Float64Array;
}

export function hysime(y: Matrix, statistics?: BandStatistics): HySimeResult {
  const stats = statistics ?? bandStatistics(y);
  const l = stats.bands;
  const n = stats.count;
  if (l < 2) throw new RangeError('HySime needs at least 2 bands');
  const r = stats.gram;
  // estNoise.m regularises the inverse with 1e-6·I; scale it to the data so that it is as
  // negligible for values in the thousands (raw counts) as for reflectances.
  let trace = 0;
  for (let i = 0; i < l; i++) trace += r[i * l + i]!;
  const eps = 1e-6 * (trace / l || 1);
  const q = invertSymmetric(Float64Array.from(r, (x, k) => (k % (l + 1) === 0 ? x + eps : x)), l);
  // B: row i = β_iᵀ, β_i = (Q_{∂i,∂i} − Q_{∂i,i} Q_{i,∂i}/Q_ii) R_{∂i,i}.
  const bMat = new Float64Array(l * l);
  for (let i = 0; i < l; i++) {
    const qii = q[i * l + i]!;
    for (let a = 0; a < l; a++) {
      if (a === i) continue;
      let s = 0;
      for (let c = 0; c < l; c++) {
        if (c === i) continue;
        s += (q[a * l + c]! - (q[a * l + i]! * q[i * l + c]!) / qii) * r[c * l + i]!;
      }
      bMat[i * l + a] = s;
    }
  }
  // R_x = B R Bᵀ / N (the regression's prediction is the signal), and the noise variances
  // ‖y_i − β_iᵀY‖²/N = (R_ii − 2 β_iᵀ R_{:,i} + β_iᵀ R β_i)/N.
  const br = multiplySquare(bMat, r, l);
  const rx = new Float64Array(l * l);
  for (let a = 0; a < l; a++) {
    for (let c = 0; c <= a; c++) {
      let s = 0;
      for (let k = 0; k < l; k++) s += br[a * l + k]! * bMat[c * l + k]!;
      rx[a * l + c] = s / n;
      rx[c * l + a] = s / n;
    }
  }
  const noiseVariance = new Float64Array(l);
  let rxTrace = 0;
  for (let i = 0; i < l; i++) {
    let cross = 0;
    let quad = 0;
    for (let k = 0; k < l; k++) {
      cross += bMat[i * l + k]! * r[k * l + i]!;
      quad += br[i * l + k]! * bMat[i * l + k]!;
    }
    noiseVariance[i] = Math.max((r[i * l + i]! - 2 * cross + quad) / n, 0);
    rxTrace += rx[i * l + i]!;
  }
  // hysime.m: Rn + trace(Rx)/L/1e5·I keeps the noise from being exactly zero.
  const floor = rxTrace / l / 1e5;
  const eigen = symmetricEigen(rx, l);
  let count = 0;
  for (let k = 0; k < l; k++) {
    let pyk = 0;
    let pnk = 0;
    for (let a = 0; a < l; a++) {
      const ea = eigen.vectors[a * l + k]!;
      let s = 0;
      for (let c = 0; c < l; c++) s += (r[a * l + c]! / n) * eigen.vectors[c * l + k]!;
      pyk += ea * s;
      pnk += ea * ea * (noiseVariance[a]! + floor);
    }
    if (-pyk + 2 * pnk < 0) count++;
  }
  return { endmembers: Math.max(1, count), noiseVariance, signalEigenvalues: eigen.values };
}

function multiplySquare(a: Float64Array, b: Float64Array, l: number): Float64Array {
  const out = new Float64Array(l * l);
  for (let i = 0; i < l; i++) {
    for (let k = 0; k < l; k++) {
      const x = a[i * l + k]!;
      if (x === 0) continue;
      for (let j = 0; j < l; j++) out[i * l + j]! += x * b[k * l + j]!;
    }
  }
  return out;
}

/** Inverse of a symmetric positive definite matrix by Gauss–Jordan elimination with partial pivoting. */
function invertSymmetric(a: Float64Array, l: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(l * l);
  for (let i = 0; i < l; i++) inv[i * l + i] = 1;
  for (let col = 0; col < l; col++) {
    let pivot = col;
    for (let r = col + 1; r < l; r++) if (Math.abs(m[r * l + col]!) > Math.abs(m[pivot * l + col]!)) pivot = r;
    const pv = m[pivot * l + col]!;
    if (!(Math.abs(pv) > 0)) throw new RangeError('HySime: the band correlation matrix is singular');
    if (pivot !== col) {
      for (let k = 0; k < l; k++) {
        [m[col * l + k], m[pivot * l + k]] = [m[pivot * l + k]!, m[col * l + k]!];
        [inv[col * l + k], inv[pivot * l + k]] = [inv[pivot * l + k]!, inv[col * l + k]!];
      }
    }
    const s = 1 / pv;
    for (let k = 0; k < l; k++) {
      m[col * l + k]! *= s;
      inv[col * l + k]! *= s;
    }
    for (let r = 0; r < l; r++) {
      if (r === col) continue;
      const f = m[r * l + col]!;
      if (f === 0) continue;
      for (let k = 0; k < l; k++) {
        m[r * l + k]! -= f * m[col * l + k]!;
        inv[r * l + k]! -= f * inv[col * l + k]!;
      }
    }
  }
  return inv;
}
