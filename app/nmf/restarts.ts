import { throwIfCancelled } from '../cancellation.js';
import type { Matrix } from '../matrix.js';
import { factorize } from './factorize.js';
import type { NmfOptions, NmfProgress, NmfResult } from './nmf-types.js';

/** One run of factorizeWithRestarts. */
export interface RestartRun {
  readonly seed: number;
  readonly objective: number;
  readonly iterations: number;
}

/** Result of factorizeWithRestarts: the lowest-objective run and a summary of every run. */
export interface RestartsResult {
  readonly best: NmfResult;
  /** In run order (seeds seed, seed + 1, …). */
  readonly runs: readonly RestartRun[];
}

/**
 * Multi-start NMF. The NMF objective is nonconvex and every solver only reaches a stationary point
 * that depends on the start (Lee & Seung 2001, "Algorithms for non-negative matrix factorization";
 * Gillis 2020, "Nonnegative Matrix Factorization", SIAM), so the usual remedy is to run from several
 * random starts and keep the best (Brunet et al. 2004 use the same restarts for consensus).
 *
 * Run i (i = 0 … restarts − 1) uses seed `options.seed + i` (seed defaults to 0); the run with the
 * lowest objective wins, the earliest on ties. With initial factors given, or a deterministic
 * `init` (NNDSVD, NNDSVDa, SPA), the seed does not change the start and every run is the same.
 *
 * Progress: each run's progress is forwarded to `onProgress` on one overall scale, run i's
 * iteration t reported as iteration i·maxIter + t out of restarts·maxIter (maxIter as the run
 * reports it). A run stopped early by tol therefore makes the bar jump to the next run's start;
 * `objective` is the current run's, `elapsedSeconds` counts from the first run's start.
 *
 * Cancellation: `options.signal` is checked before every run (and by factorize within it);
 * CancelledError propagates.
 */
export function factorizeWithRestarts(V: Matrix, options: NmfOptions, restarts: number): RestartsResult {
  if (!Number.isInteger(restarts) || restarts < 1) throw new RangeError(`restarts must be a positive integer, got ${restarts}`);
  const baseSeed = options.seed ?? 0;
  const started = Date.now();
  const onProgress = options.onProgress;
  const runs: RestartRun[] = [];
  let best: NmfResult | undefined;
  for (let i = 0; i < restarts; i++) {
    throwIfCancelled(options.signal);
    const seed = baseSeed + i;
    const forward =
      onProgress &&
      ((p: NmfProgress): void =>
        onProgress({
          iteration: i * p.maxIter + p.iteration,
          maxIter: restarts * p.maxIter,
          objective: p.objective,
          elapsedSeconds: (Date.now() - started) / 1000,
        }));
    // Only seed and the progress wrapper differ from the caller's options, and neither touches
    // the arithmetic: restarts = 1 is bit-identical to a plain factorize.
    const result = factorize(V, forward ? { ...options, seed, onProgress: forward } : { ...options, seed });
    runs.push({ seed, objective: result.objective, iterations: result.iterations });
    if (best === undefined || isBetter(result.objective, best.objective)) best = result;
  }
  return { best: best!, runs };
}

/** Lower wins; a NaN objective (a diverged run) loses to any number. */
function isBetter(candidate: number, incumbent: number): boolean {
  return candidate < incumbent || (Number.isNaN(incumbent) && !Number.isNaN(candidate));
}
