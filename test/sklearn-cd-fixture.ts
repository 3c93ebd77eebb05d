import { readFileSync } from 'node:fs';
import type { Matrix } from '../app/matrix.js';
import type { Penalties } from '../app/nmf/solvers/solver.js';

/**
 * scikit-learn's coordinate-descent iterates (test/make-sklearn-cd-fixture.py writes
 * test/fixtures/sklearn-cd-frobenius.json), read by the solver tests and the kernel tests, and
 * the error measure they share.
 */
export interface SklearnCdCase {
  readonly name: string;
  readonly alphaW: number;
  readonly alphaH: number;
  readonly l1Ratio: number;
  readonly penalties: Penalties;
  readonly V: number[][];
  readonly W0: number[][];
  readonly H0: number[][];
  readonly iterates: readonly { readonly iteration: number; readonly W: number[][]; readonly H: number[][] }[];
}

export const SKLEARN_CD_CASES: readonly SklearnCdCase[] = (
  JSON.parse(readFileSync(new URL('./fixtures/sklearn-cd-frobenius.json', import.meta.url), 'utf8')) as { readonly cases: readonly SklearnCdCase[] }
).cases;

/** Largest |ours − theirs| / |theirs| over the entries (an exact zero of theirs is measured against max |theirs|). */
export function maxRelativeError(ours: Matrix, theirs: readonly (readonly number[])[]): number {
  const flat = theirs.flat();
  const largest = Math.max(...flat.map(Math.abs));
  let worst = 0;
  flat.forEach((x, i) => {
    worst = Math.max(worst, Math.abs(ours.data[i]! - x) / (x !== 0 ? Math.abs(x) : largest));
  });
  return worst;
}
