import type { Matrix } from '../matrix.js';
import { solveAssignment } from './hungarian.js';

/**
 * Spectral angle (radians) between two spectra: arccos of their normalised inner product, the
 * usual unmixing score (Kruse et al. 1993, "SAM"). It ignores scale, which NMF leaves free.
 * Bands where either spectrum is not finite are left out: unmixing writes NaN for the bad bands
 * it dropped (see unmix.ts), and those carry no information about the shape.
 * Two zero spectra have angle 0; a zero and a nonzero one, π/2.
 */
export function spectralAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`spectra of ${a.length} and ${b.length} bands`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa === 0 && bb === 0) return 0;
  if (aa === 0 || bb === 0) return Math.PI / 2;
  return Math.acos(Math.min(1, Math.max(-1, ab / Math.sqrt(aa * bb))));
}

export interface EndmemberMatch {
  /** estimated column assigned to reference column p. */
  readonly permutation: number[];
  /** Angle (radians) of each reference column to its assigned estimate. */
  readonly angles: number[];
  readonly meanAngle: number;
}

/** Column j of a row-major matrix. */
function matrixColumn(m: Matrix, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j]!;
  return out;
}

/**
 * Pairs estimated endmembers (bands × P columns) with reference ones (bands × Q, Q ≤ P) so that
 * the mean spectral angle is smallest: NMF returns components in arbitrary order. The pairing is
 * the optimal assignment on the Q×P angle matrix (Hungarian algorithm, hungarian.ts), exact for
 * any number of endmembers.
 */
export function matchEndmembers(estimated: Matrix, reference: Matrix): EndmemberMatch {
  if (estimated.rows !== reference.rows) throw new RangeError(`endmembers have ${estimated.rows} and ${reference.rows} bands`);
  const p = estimated.cols;
  const q = reference.cols;
  if (q > p) throw new RangeError(`${q} reference endmembers for ${p} estimates`);
  const estimates = Array.from({ length: p }, (_, e) => matrixColumn(estimated, e));
  const angle: number[][] = [];
  for (let r = 0; r < q; r++) {
    const ref = matrixColumn(reference, r);
    angle.push(estimates.map((est) => spectralAngle(ref, est)));
  }
  const { columns, total } = solveAssignment(angle);
  const angles = columns.map((e, r) => angle[r]![e]!);
  return { permutation: columns, angles, meanAngle: q === 0 ? 0 : total / q };
}
