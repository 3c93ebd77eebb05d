/**
 * Runs the app's solvers once on a small problem in a freshly started kernel pool, so that a job's
 * first iterations do not pay the engine's first-call costs (JavaScript compilation of the solver
 * loops, first calls into each kernel, first touch of scratch memory). Done in a spare compute
 * worker while the user is still choosing settings (run-in-node-worker.ts), never on a job's
 * clock. Measured on the topics benchmark (5000×2000, r = 20, two threads): the first HALS
 * iteration takes 38–47 ms cold and 21–26 ms after this (steady state 17–20 ms).
 */
import { createMatrix } from '../../app/matrix.js';
import { factorize } from '../../app/nmf/factorize.js';
import type { NmfKernels } from '../../app/nmf/kernels/nmf-kernels.js';
import type { NmfOptions } from '../../app/nmf/nmf-types.js';
import { createRandom } from '../../app/random.js';

/**
 * Big enough that the products are split across the pool's threads (kernel-pool.ts runs the ones
 * under about 1 MFLOP on the calling thread): 2·320·320·8 ≈ 1.6 MFLOP.
 */
const SIZE = 320;
const RANK = 8;

/** The solver × loss pairs the app runs by default (auto: HALS for Frobenius, CD for KL) and MU. */
const RUNS: readonly Pick<NmfOptions, 'loss' | 'algorithm'>[] = [
  { loss: 'frobenius', algorithm: 'hals' },
  { loss: 'frobenius', algorithm: 'mu' },
  { loss: 'kl', algorithm: 'cd' },
  { loss: 'kl', algorithm: 'mu' },
];

export function warmUpKernels(kernels: NmfKernels): void {
  const random = createRandom(1);
  const v = createMatrix(SIZE, SIZE);
  for (let i = 0; i < v.data.length; i++) v.data[i] = random();
  for (const run of RUNS) factorize(v, { ...run, rank: RANK, maxIter: 3, tol: 0, seed: 1, kernels });
}
