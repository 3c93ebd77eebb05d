import type { Matrix } from '../matrix.js';

/**
 * Spectral angle (radians) between two spectra: arccos of their normalised inner product, the
 * usual unmixing score (Kruse et al. 1993, "SAM"). It ignores scale, which NMF leaves free.
 * Two zero spectra have angle 0; a zero and a nonzero one, π/2.
 */
export function spectralAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`spectra of ${a.length} and ${b.length} bands`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
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

/**
 * Pairs estimated endmembers (bands × P columns) with reference ones (bands × Q, Q ≤ P) so that
 * the mean spectral angle is smallest: NMF returns components in arbitrary order. Exhaustive over
 * assignments (P!/(P−Q)!), so meant for the handful of endmembers of an evaluation.
 */
export function matchEndmembers(estimated: Matrix, reference: Matrix): EndmemberMatch {
  if (estimated.rows !== reference.rows) throw new RangeError(`endmembers have ${estimated.rows} and ${reference.rows} bands`);
  const p = estimated.cols;
  const q = reference.cols;
  if (q > p) throw new RangeError(`${q} reference endmembers for ${p} estimates`);
  if (q > 9) throw new RangeError(`matching ${q} endmembers exhaustively is too slow (at most 9)`);
  const column = (m: Matrix, j: number): Float64Array => {
    const out = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j]!;
    return out;
  };
  const angle: number[][] = [];
  for (let r = 0; r < q; r++) {
    const ref = column(reference, r);
    angle.push(Array.from({ length: p }, (_, e) => spectralAngle(ref, column(estimated, e))));
  }
  let best: number[] = [];
  let bestSum = Infinity;
  const chosen: number[] = [];
  const used = new Array<boolean>(p).fill(false);
  const search = (r: number, sum: number): void => {
    if (sum >= bestSum) return;
    if (r === q) {
      best = chosen.slice();
      bestSum = sum;
      return;
    }
    for (let e = 0; e < p; e++) {
      if (used[e]) continue;
      used[e] = true;
      chosen.push(e);
      search(r + 1, sum + angle[r]![e]!);
      chosen.pop();
      used[e] = false;
    }
  };
  search(0, 0);
  const angles = best.map((e, r) => angle[r]![e]!);
  return { permutation: best, angles, meanAngle: q === 0 ? 0 : bestSum / q };
}
