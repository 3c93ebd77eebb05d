import type { Matrix } from '../../matrix.js';
import type { NmfKernels } from '../kernels/nmf-kernels.js';
import type { ResolvedAlgorithm } from '../nmf-types.js';

/**
 * The contract between the factorization driver (factorize.ts: initialisation, stopping,
 * progress, cancellation, post-processing) and a solver (one file per algorithm in this folder).
 * The driver resolves every option into an NmfProblem; a solver only iterates.
 */

/** Penalty weights, already scaled (see NmfOptions: l1·Σx + ½·l2·Σx² per factor). */
export interface Penalties {
  readonly l1W: number;
  readonly l2W: number;
  readonly l1H: number;
  readonly l2H: number;
}

export interface NmfProblem {
  /** Data, m×n, finite and nonnegative (checked by the driver). Never modified. */
  readonly V: Matrix;
  /** Current factors, m×r and r×n, updated in place. */
  readonly W: Matrix;
  readonly H: Matrix;
  /** β of the β-divergence: 2 Frobenius, 1 KL, 0 Itakura–Saito. */
  readonly beta: number;
  readonly penalties: Penalties;
  /** Per column of W: 1 = held at its current value. */
  readonly fixedWColumns: Uint8Array;
  /** Per row of H: 1 = held at its current value. */
  readonly fixedHRows: Uint8Array;
  /**
   * The last `frozenWRows` rows of W are constants (the driver's augmented row for sum-to-one
   * on H: Heinz & Chang 2001). Every W update here is separable by rows, so skipping them is exact.
   */
  readonly frozenWRows: number;
  readonly orthogonal: 'none' | 'W' | 'H';
  /**
   * Floor for updated entries (Gillis & Glineur 2008, "Accelerated multiplicative updates…"):
   * max(floor, x) keeps multiplicative updates from locking an entry at zero. 0 = no floor
   * (scikit-learn's behaviour, needed to match it exactly).
   */
  readonly floor: number;
  /**
   * The dense kernels the hot loops run on (WebAssembly SIMD over a thread pool, or the
   * TypeScript reference). V, W and H live in their memory; solvers allocate scratch there too.
   */
  readonly kernels: NmfKernels;
}

export interface NmfSolver {
  readonly algorithm: ResolvedAlgorithm;
  /** One iteration: update W, then H (skipping fixed columns/rows and frozen rows). */
  iterate(): void;
  /**
   * Objective of the current (W, H): the β-divergence (scikit-learn's normalisation: ½‖·‖² for
   * β = 2) plus the penalties. May reuse products formed by the last iterate().
   */
  objective(): number;
  /**
   * Called once after the last iterate(), before the driver reads W and H: a solver whose
   * iterates may briefly get worse (extrapolation.ts) settles on its best checked one here.
   */
  finish?(): void;
}

export type SolverFactory = (problem: NmfProblem) => NmfSolver;

/** The components a solver updates (fixedWColumns or fixedHRows entries not 1), ascending. */
export function freeIndices(fixed: Uint8Array): Int32Array {
  const free: number[] = [];
  for (let k = 0; k < fixed.length; k++) if (fixed[k] !== 1) free.push(k);
  return Int32Array.from(free);
}

/** Thrown by a factory for a problem it does not support (e.g. HALS with β ≠ 2). */
export class UnsupportedProblemError extends Error {}
