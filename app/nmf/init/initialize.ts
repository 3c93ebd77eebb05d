import type { Matrix } from '../../matrix.js';
import type { NmfInit } from '../nmf-types.js';
import { randomInit } from '../random-init.js';
import { validateNonnegative } from '../validate-input.js';
import { nndsvd } from './nndsvd.js';
import { spaInit } from './spa.js';

/** Every initialisation that computes its factors from V ('custom' is the caller's own W, H). */
export type ComputedInit = Exclude<NmfInit, 'custom'>;

/**
 * Initial factors W (m×r) and H (r×n) for V (m×n) by the named method, deterministic for a seed:
 * 'random' (random-init.ts, scikit-learn's scaled |N(0,1)|), 'nndsvd' / 'nndsvda' / 'nndsvdar'
 * (Boutsidis & Gallopoulos 2008; nndsvd.ts), 'spa' (Gillis & Vavasis 2014; spa.ts, the seed is
 * unused: SPA is deterministic). V must be nonempty, finite and nonnegative; rank a positive
 * integer, at most min(m, n) for every method but 'random' (as scikit-learn, which refuses
 * NNDSVD otherwise: there are only min(m, n) singular triplets, and SPA picks independent columns).
 */
export function initialize(V: Matrix, rank: number, init: ComputedInit, seed: number): { W: Matrix; H: Matrix } {
  validateNonnegative(V);
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank must be a positive integer, got ${rank}`);
  const limit = Math.min(V.rows, V.cols);
  if (init !== 'random' && rank > limit) {
    throw new RangeError(
      `init '${init}' needs rank ≤ min(rows, cols) = ${limit} for a ${V.rows}×${V.cols} matrix, got rank ${rank}; use init 'random' for a larger rank`,
    );
  }
  switch (init) {
    case 'random':
      return randomInit(V, rank, seed);
    case 'nndsvd':
    case 'nndsvda':
    case 'nndsvdar':
      return nndsvd(V, rank, init, seed);
    case 'spa':
      return spaInit(V, rank);
    default: {
      const unknown: never = init;
      throw new RangeError(`unknown init '${String(unknown)}': expected random, nndsvd, nndsvda, nndsvdar or spa`);
    }
  }
}
