import { throwIfCancelled } from '../cancellation.js';
import type { Matrix } from '../matrix.js';
import { connectivity, copheneticCorrelation } from './consensus.js';
import { factorize } from './factorize.js';
import type { NmfOptions, NmfProgress } from './nmf-types.js';
import { normalizeFactors } from './postprocess.js';

/** Options of rankSweep: the factorization options without the rank, plus the sweep's own. */
export type RankSweepOptions = Omit<NmfOptions, 'rank'> & {
  /** Runs per rank, seeds seed, seed + 1, … (seed defaults to 0). Integer ≥ 1; ≥ 2 to be useful. */
  readonly runsPerRank: number;
  /** Called after run `runIndex` of rank `ranks[rankIndex]` has finished. */
  readonly onRankProgress?: (rankIndex: number, runIndex: number) => void;
};

/** Statistics of one rank of a sweep. */
export interface RankSweepEntry {
  readonly rank: number;
  /** Lowest final objective over the runs (see NmfResult.objective). */
  readonly bestObjective: number;
  readonly meanObjective: number;
  /** Cophenetic correlation of the consensus matrix of the runs (NaN with fewer than 3 columns). */
  readonly cophenetic: number;
}

/**
 * Rank selection by consensus clustering (Brunet, Tamayo, Golub & Mesirov 2004, "Metagenes and
 * molecular pattern discovery using matrix factorization", PNAS): for each rank, `runsPerRank`
 * factorizations from seeds seed + i, the best and mean objective (an elbow in the objective is the
 * other classic criterion), and the cophenetic correlation of the consensus of the runs' column
 * clusterings (see consensus.ts). Ranks are handled in the order given.
 *
 * Columns are assigned to components after removing the scale ambiguity (unit-norm W columns,
 * normalizeFactors), so the argmax compares each component's actual contribution ‖W_k‖·H_kj
 * rather than whatever scale the solver left between W and H.
 *
 * One run is stable by construction: with runsPerRank = 1 the consensus is 0/1 and the cophenetic
 * correlation is 1. Memory is O(n²) in the number of columns (see consensus.ts).
 *
 * Progress: `onProgress` gets every run's progress on one overall scale, run number
 * q = rankIndex·runsPerRank + runIndex at iteration t reported as iteration q·maxIter + t out of
 * ranks.length·runsPerRank·maxIter; `onRankProgress` is called after each run. `signal` is
 * checked before every run (and by factorize within it); CancelledError propagates.
 */
export function rankSweep(V: Matrix, ranks: readonly number[], options: RankSweepOptions): RankSweepEntry[] {
  const { runsPerRank, onRankProgress, ...nmfOptions } = options;
  if (!Number.isInteger(runsPerRank) || runsPerRank < 1) throw new RangeError(`runsPerRank must be a positive integer, got ${runsPerRank}`);
  if (ranks.length === 0) throw new RangeError('rankSweep needs at least one rank');
  for (const rank of ranks) {
    if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank must be a positive integer, got ${rank}`);
  }
  const n = V.cols;
  const baseSeed = options.seed ?? 0;
  const totalRuns = ranks.length * runsPerRank;
  const started = Date.now();
  const onProgress = options.onProgress;
  const entries: RankSweepEntry[] = [];
  for (let rankIndex = 0; rankIndex < ranks.length; rankIndex++) {
    const rank = ranks[rankIndex]!;
    const together = new Float64Array(n * n);
    let best = Infinity;
    let sum = 0;
    for (let runIndex = 0; runIndex < runsPerRank; runIndex++) {
      throwIfCancelled(options.signal);
      const q = rankIndex * runsPerRank + runIndex;
      const forward =
        onProgress &&
        ((p: NmfProgress): void =>
          onProgress({
            iteration: q * p.maxIter + p.iteration,
            maxIter: totalRuns * p.maxIter,
            objective: p.objective,
            elapsedSeconds: (Date.now() - started) / 1000,
          }));
      const result = factorize(V, { ...nmfOptions, rank, seed: baseSeed + runIndex, onProgress: forward });
      best = Math.min(best, result.objective);
      sum += result.objective;
      const normalized = normalizeFactors(result.W, result.H, { sort: false });
      const c = connectivity(normalized.H);
      for (let i = 0; i < c.length; i++) together[i] += c[i]!;
      onRankProgress?.(rankIndex, runIndex);
    }
    const inverse = 1 / runsPerRank;
    for (let i = 0; i < together.length; i++) together[i] *= inverse;
    entries.push({ rank, bestObjective: best, meanObjective: sum / runsPerRank, cophenetic: copheneticCorrelation(together, n) });
  }
  return entries;
}
