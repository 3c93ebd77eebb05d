import { createMatrix, type Matrix } from '../matrix.js';
import { createRandom } from '../random.js';

/**
 * Random initialisation as scikit-learn's `init='random'`: entries |N(0,1)| · sqrt(mean(V) / r), so
 * that WH starts at the scale of V. Gaussians come from Box–Muller over the seeded generator, which
 * makes the start identical on every platform for the same seed.
 */
export function randomInit(v: Matrix, rank: number, seed: number): { W: Matrix; H: Matrix } {
  let total = 0;
  for (let i = 0; i < v.data.length; i++) total += v.data[i]!;
  const mean = total / v.data.length;
  const scale = Math.sqrt(mean / rank) || 1;
  const random = createRandom(seed);
  const gaussian = (): number => {
    const u = 1 - random(); // (0, 1]: log(u) finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  // H first, then W, mirrors scikit-learn's order of draws (not its values: its generator differs).
  const H = createMatrix(rank, v.cols);
  for (let i = 0; i < H.data.length; i++) H.data[i] = scale * Math.abs(gaussian()) + 1e-12;
  const W = createMatrix(v.rows, rank);
  for (let i = 0; i < W.data.length; i++) W.data[i] = scale * Math.abs(gaussian()) + 1e-12;
  return { W, H };
}
