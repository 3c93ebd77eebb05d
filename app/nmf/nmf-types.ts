import type { CancelSignal } from '../cancellation.js';
import type { Matrix } from '../matrix.js';
import type { NmfKernels } from './kernels/nmf-kernels.js';

/**
 * Objective minimised by the factorization: members of the β-divergence family (Févotte & Idier
 * 2011): Frobenius is β = 2, generalised Kullback–Leibler β = 1, Itakura–Saito β = 0, and 'beta'
 * takes β from NmfOptions.beta.
 */
export type NmfLoss = 'frobenius' | 'kl' | 'is' | 'beta';

/**
 * Solver. 'mu': multiplicative updates (Lee & Seung 2001; Févotte & Idier 2011), any β.
 * 'hals': accelerated hierarchical ALS (Cichocki & Phan 2009; Gillis & Glineur 2012), Frobenius.
 * 'anls': alternating NNLS by block principal pivoting (Kim & Park 2011), Frobenius.
 * 'cd': coordinate descent (Frobenius: scikit-learn's; KL: Hsieh & Dhillon 2011).
 * 'auto': the fastest correct one for the loss.
 */
export type NmfAlgorithm = 'mu' | 'hals' | 'anls' | 'cd' | 'auto';
export type ResolvedAlgorithm = Exclude<NmfAlgorithm, 'auto'>;

/**
 * Initialisation: 'random' (seeded, see random-init.ts), the NNDSVD family (Boutsidis &
 * Gallopoulos 2008), 'spa' (successive projection, Gillis & Vavasis 2014), or 'custom'
 * (initialW/initialH given). Default: 'custom' when both are given, else 'random'.
 */
export type NmfInit = 'random' | 'nndsvd' | 'nndsvda' | 'nndsvdar' | 'spa' | 'custom';

export interface NmfProgress {
  /** Iterations completed. */
  readonly iteration: number;
  readonly maxIter: number;
  /** Objective of the current iterate (see `objective` in NmfResult for its definition). */
  readonly objective: number;
  readonly elapsedSeconds: number;
  /**
   * Of elapsedSeconds, the time spent evaluating the objective for the stopping test and these
   * reports (not the solver's own work), from factorize(): a benchmark subtracts it to time the
   * updates alone.
   */
  readonly evaluationSeconds?: number;
}

export interface NmfOptions {
  /** Number of components r: V (m×n) ≈ W (m×r) · H (r×n). */
  readonly rank: number;
  /** Default 'frobenius'. */
  readonly loss?: NmfLoss;
  /** β when loss is 'beta'. */
  readonly beta?: number;
  /** Default 'auto'. */
  readonly algorithm?: NmfAlgorithm;
  readonly init?: NmfInit;
  /** Default 200. */
  readonly maxIter?: number;
  /**
   * Stop when the objective's decrease over the last `checkEvery` iterations, relative to the
   * objective at the start, falls below tol (scikit-learn's criterion). Default 1e-4; 0 disables.
   */
  readonly tol?: number;
  /** How often (in iterations) the objective is evaluated for the stopping test. Default 10. */
  readonly checkEvery?: number;
  /** Wall-time budget in seconds; the run stops after the iteration that exceeds it. */
  readonly maxSeconds?: number;
  /** Seed of the random initialisation (see random.ts); same seed → same result everywhere. */
  readonly seed?: number;
  /** Initial factors (copied, never modified); otherwise chosen by `init`. */
  readonly initialW?: Matrix;
  readonly initialH?: Matrix;
  /**
   * Regularisation with scikit-learn's semantics (NMF, ≥ 1.2): for V of m rows and n columns,
   * W gets L1 weight n·alphaW·l1Ratio and L2 weight n·alphaW·(1 − l1Ratio), H gets
   * m·alphaH·l1Ratio and m·alphaH·(1 − l1Ratio); the objective adds l1·Σx + ½·l2·Σx².
   * Defaults 0, alphaH = alphaW, l1Ratio 0.
   */
  readonly alphaW?: number;
  readonly alphaH?: number;
  readonly l1Ratio?: number;
  /** Orthogonality constraint on W's columns or H's rows (Ding et al. 2006); MU only. */
  readonly orthogonal?: 'none' | 'W' | 'H';
  /** Columns of W (component indices) kept at their initial values (supervised NMF). */
  readonly fixedWColumns?: readonly number[];
  /** Rows of H kept at their initial values. */
  readonly fixedHRows?: readonly number[];
  /** Constrain every column of H to sum to one (abundances), by the augmented-row method. */
  readonly sumToOneH?: boolean;
  /**
   * Scale ambiguity removed (unit-norm W columns, H compensated) and components sorted by
   * energy; default true. Skipped when parts are fixed or H sums to one (both pin the scale).
   */
  readonly normalize?: boolean;
  /**
   * Floor for every updated entry (Gillis & Glineur 2008): keeps multiplicative updates from
   * locking entries at zero. Default 1e-16; 0 reproduces scikit-learn exactly.
   */
  readonly floor?: number;
  /**
   * The dense kernels to run on: native-workers/ supplies WebAssembly SIMD ones split across a
   * thread pool. Default: the pure-TypeScript reference (app/nmf/kernels/js-kernels.ts).
   */
  readonly kernels?: NmfKernels;
  readonly signal?: CancelSignal;
  readonly onProgress?: (progress: NmfProgress) => void;
  /**
   * Called once, after the setup (input checks, factors copied into the kernels' memory, the
   * initial objective) and before the first iteration: lets a caller time the iterations alone
   * (bench/run-case.ts does, to start its clock where scikit-learn's side starts its own).
   */
  readonly onReady?: () => void;
  /** Minimum time between two progress calls. Default 100 ms. */
  readonly progressIntervalMs?: number;
}

export interface NmfComponent {
  /** ‖W_k H_k‖²_F over Σ_j ‖W_j H_j‖²_F. */
  readonly energyShare: number;
}

export interface NmfResult {
  readonly W: Matrix;
  readonly H: Matrix;
  /**
   * Final objective, scikit-learn's convention: ½‖V − WH‖²_F for Frobenius, the generalised
   * Kullback–Leibler divergence Σ V log(V/WH) − V + WH for KL, the β-divergence otherwise,
   * plus the regularisation terms when any are set.
   */
  readonly objective: number;
  readonly iterations: number;
  readonly loss: NmfLoss;
  readonly beta: number;
  readonly algorithm: ResolvedAlgorithm;
  /** Per component, in the returned order. */
  readonly components: readonly NmfComponent[];
  /** All-zero rows and columns of V set aside (returned as zero rows of W / columns of H). */
  readonly droppedRows: number;
  readonly droppedColumns: number;
  /** Objective at the iterations where it was evaluated (iteration 0 is the initialisation). */
  readonly history: readonly { readonly iteration: number; readonly objective: number }[];
  /** 'time' when maxSeconds ran out. */
  readonly stoppedBy: 'maxIter' | 'tol' | 'time';
  readonly seconds: number;
}
