import type { Matrix } from '../matrix.js';
import { matchEndmembers } from './spectral-angle.js';

/**
 * The scores of the unmixing benchmarks (Zhu 2017, "Hyperspectral unmixing: ground truth
 * labeling, datasets, benchmark performances and survey", §IV; HySUPP, Rasti et al. 2024):
 * spectral angle distance (SAD) per endmember after the estimated endmembers are paired with the
 * reference ones by the optimal assignment (Hungarian algorithm on the angles), their mean, and the
 * root-mean-square error of the abundances under the same pairing.
 */
export interface UnmixingScores {
  /** Estimated endmember (column / abundance row) paired with each reference endmember. */
  readonly permutation: readonly number[];
  /** SAD of each reference endmember to its estimate, degrees. */
  readonly sadDegrees: readonly number[];
  readonly meanSadDegrees: number;
  /** Present when both sides have abundances. */
  readonly abundances: AbundanceScores | null;
}

export interface AbundanceScores {
  /** √(mean over paired endmembers and pixels of (â − a)²). */
  readonly rmse: number;
  /** The same per reference endmember. */
  readonly rmsePerEndmember: readonly number[];
  /**
   * Whether the estimated abundances were rescaled to sum to one per pixel before scoring (see
   * abundanceScores: done when they did not already, e.g. plain NMF, whose abundances are scale
   * factors).
   */
  readonly normalized: boolean;
  /** Pixels scored (those with finite values on both sides). */
  readonly pixels: number;
}

export interface UnmixingEstimate {
  /** bands × P. */
  readonly endmembers: Matrix;
  /** P × pixels, or null when unknown. */
  readonly abundances: Matrix | null;
}

const DEG = 180 / Math.PI;

export function scoreUnmixing(estimate: UnmixingEstimate, reference: UnmixingEstimate): UnmixingScores {
  const match = matchEndmembers(estimate.endmembers, reference.endmembers);
  const abundances = estimate.abundances && reference.abundances ? abundanceScores(estimate.abundances, reference.abundances, match.permutation) : null;
  return {
    permutation: match.permutation,
    sadDegrees: match.angles.map((a) => a * DEG),
    meanSadDegrees: match.meanAngle * DEG,
    abundances,
  };
}

/** Largest |Σ_k a_kj − 1| over pixels with finite abundances within which they count as summing to one. */
const SUM_TO_ONE_TOLERANCE = 1e-3;

/**
 * Abundance RMSE of estimated rows permutation[k] against reference rows k. Benchmarks compare
 * fractions: abundances that do not sum to one in every pixel (within 1e-3) are first divided by
 * their pixel's sum ('auto'; `normalize` forces either way). Pixels where any value is not
 * finite (masked, nodata) and, when normalising, pixels whose estimates are all zero are skipped.
 */
export function abundanceScores(estimated: Matrix, reference: Matrix, permutation: readonly number[], normalize: boolean | 'auto' = 'auto'): AbundanceScores {
  const n = reference.cols;
  if (estimated.cols !== n) throw new RangeError(`abundances cover ${estimated.cols} and ${n} pixels`);
  if (permutation.length !== reference.rows) throw new RangeError(`a pairing of ${permutation.length} endmembers for ${reference.rows} reference abundance rows`);
  for (const e of permutation) if (!(Number.isInteger(e) && e >= 0 && e < estimated.rows)) throw new RangeError(`no estimated abundance row ${e}`);
  const p = estimated.rows;
  const q = reference.rows;
  const est = estimated.data;
  const ref = reference.data;
  const valid = new Uint8Array(n).fill(1);
  const sums = new Float64Array(n);
  for (let k = 0; k < p; k++) for (let j = 0; j < n; j++) {
    const x = est[k * n + j]!;
    if (Number.isFinite(x)) sums[j]! += x;
    else valid[j] = 0;
  }
  for (let k = 0; k < q; k++) for (let j = 0; j < n; j++) if (!Number.isFinite(ref[k * n + j]!)) valid[j] = 0;
  let sumsToOne = true;
  for (let j = 0; j < n; j++) if (valid[j] && Math.abs(sums[j]! - 1) > SUM_TO_ONE_TOLERANCE) sumsToOne = false;
  const normalized = normalize === 'auto' ? !sumsToOne : normalize;
  if (normalized) for (let j = 0; j < n; j++) if (!(sums[j]! > 0)) valid[j] = 0;
  let pixels = 0;
  for (let j = 0; j < n; j++) pixels += valid[j]!;
  if (pixels === 0) throw new RangeError('no pixel has finite abundances on both sides: nothing to score');
  const perEndmember: number[] = [];
  let total = 0;
  for (let k = 0; k < q; k++) {
    const eOff = permutation[k]! * n;
    const rOff = k * n;
    let sq = 0;
    for (let j = 0; j < n; j++) {
      if (!valid[j]) continue;
      const a = normalized ? est[eOff + j]! / sums[j]! : est[eOff + j]!;
      const d = a - ref[rOff + j]!;
      sq += d * d;
    }
    total += sq;
    perEndmember.push(Math.sqrt(sq / pixels));
  }
  return { rmse: Math.sqrt(total / (pixels * q)), rmsePerEndmember: perEndmember, normalized, pixels };
}
