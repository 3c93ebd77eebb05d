import type { CancelSignal } from '../cancellation.js';
import type { Matrix } from '../matrix.js';

/** Objective minimised by the factorization (Févotte & Idier 2011 name these β = 2 and β = 1). */
export type NmfLoss = 'frobenius' | 'kl';

/** Solver. Only multiplicative updates exist so far (Lee & Seung 2001). */
export type NmfAlgorithm = 'mu';

export interface NmfProgress {
  /** Iterations completed. */
  readonly iteration: number;
  readonly maxIter: number;
  /** Objective of the current iterate (see `objective` in NmfResult for its definition). */
  readonly objective: number;
  readonly elapsedSeconds: number;
}

export interface NmfOptions {
  /** Number of components r: V (m×n) ≈ W (m×r) · H (r×n). */
  readonly rank: number;
  readonly loss?: NmfLoss;
  readonly algorithm?: NmfAlgorithm;
  /** Default 200. */
  readonly maxIter?: number;
  /**
   * Stop when the objective's decrease over the last `checkEvery` iterations, relative to the
   * objective at the start, falls below tol (scikit-learn's criterion). Default 1e-4; 0 disables.
   */
  readonly tol?: number;
  /** How often (in iterations) the objective is evaluated for the stopping test. Default 10. */
  readonly checkEvery?: number;
  /** Seed of the random initialisation (see random.ts); same seed → same result everywhere. */
  readonly seed?: number;
  /** Initial factors (copied, never modified); otherwise a seeded random init. */
  readonly initialW?: Matrix;
  readonly initialH?: Matrix;
  readonly signal?: CancelSignal;
  readonly onProgress?: (progress: NmfProgress) => void;
  /** Minimum time between two progress calls. Default 100 ms. */
  readonly progressIntervalMs?: number;
}

export interface NmfResult {
  readonly W: Matrix;
  readonly H: Matrix;
  /**
   * Final objective, scikit-learn's convention: ½‖V − WH‖²_F for Frobenius, the generalised
   * Kullback–Leibler divergence Σ V log(V/WH) − V + WH for KL.
   */
  readonly objective: number;
  readonly iterations: number;
  readonly loss: NmfLoss;
  readonly algorithm: NmfAlgorithm;
  /** Objective at the iterations where it was evaluated (iteration 0 is the initialisation). */
  readonly history: readonly { readonly iteration: number; readonly objective: number }[];
  readonly stoppedBy: 'maxIter' | 'tol';
  readonly seconds: number;
}
