import { throwIfCancelled, type CancelSignal } from '../cancellation.js';
import { createMatrix, type Matrix } from '../matrix.js';
import type { NmfKernels } from '../nmf/kernels/nmf-kernels.js';
import { fclsAbundances, updateAbundances } from './l-half-sparsity.js';
import { gramPlusDelta, logDetSpd, minVolumeWeight, updateEndmembers } from './min-volume.js';
import { columnResidualSquares } from './residual.js';

/**
 * Sum-to-one unmixing: alternating minimisation of
 *     ½‖Y − WH‖²_F + ½δ²‖1ᵀH − 1ᵀ‖² + λ_s Σ h_kj^{1/2} + (λ_v/2)·logdet(WᵀW + δ_v I)
 * over W ≥ 0 and H ≥ 0, the second term making every column of H sum to one (the δ-weighted row
 * of ones of Heinz & Chang 2001), for Y the pixels scaled to unit ℓ1 norm by the caller (unmix.ts).
 * Each iteration forms YHᵀ and HHᵀ, updates W (min-volume.ts: fast projected gradient on the
 * logdet majoriser, plain NNLS when λ_v = 0), then forms WᵀY and WᵀW and updates H
 * (l-half-sparsity.ts: the multiplicative L1/2 rule of Qian et al. 2011; without sparsity the
 * exact FCLS solution by block principal pivoting, which with the monotone W step makes every
 * iteration decrease the objective). The two big products run on the NMF kernels (WebAssembly
 * SIMD on the worker pool); the inner steps reuse them, several per product, which is what makes
 * this converge in a few hundred iterations where Qian et al.'s one-step-per-product MU needs
 * thousands (measured on Samson: 200 iterations here reach the SAD that 3000 plain MU reach).
 *
 * Weights are relative to the data, so the same numbers work for any cube:
 * - the sum-to-one weight δ² and the sparsity λ_s scale with s̄ = mean_j ‖y_j‖² (δ² = s̄: the
 *   constraint weighs as much as an average pixel's fit; λ_s = sparsity · s̄);
 * - δ_v = 0.1·s̄ (‖w_k‖² ≈ s̄ for endmembers on the data's scale; Gillis uses δ = 0.1 for data of
 *   unit scale) and λ_v = minVolume · ½‖Y − W₀H₀‖² / |logdet(W₀ᵀW₀ + δ_v I)| (min-volume.ts).
 */
export interface SimplexUnmixingOptions {
  /** Relative L1/2 weight (0: none). */
  readonly sparsity: number;
  /** Relative minimum-volume weight λ̃ (0: none). */
  readonly minVolume: number;
  readonly maxIter: number;
  /** Relative objective decrease over 10 iterations below which to stop; 0: run maxIter. */
  readonly tol: number;
  readonly kernels: NmfKernels;
  readonly signal?: CancelSignal;
  readonly onIteration?: (iteration: number, objective: number) => void;
}

export interface SimplexUnmixingResult {
  /** L×P, plain memory. */
  readonly W: Matrix;
  /** P×N, columns summing to one (up to the penalty's slack). */
  readonly H: Matrix;
  readonly iterations: number;
  readonly objective: number;
}

/** L1/2 steps per product (see the module comment), and from the initial FCLS abundances. */
const H_STEPS = 10;
const INITIAL_H_STEPS = 50;
/** Projected-gradient steps for W per product. */
const W_STEPS = 10;
const CHECK_EVERY = 10;
/** Entries of H never go below this (Gillis & Glineur 2008: MU would lock exact zeros). */
const FLOOR = 1e-16;

export function simplexUnmixing(y: Matrix, w0: Matrix, options: SimplexUnmixingOptions): SimplexUnmixingResult {
  const l = y.rows;
  const n = y.cols;
  const p = w0.cols;
  if (w0.rows !== l) throw new RangeError(`initial endmembers have ${w0.rows} bands, the data ${l}`);
  const kernels = options.kernels;
  const mark = kernels.mark();
  try {
    let yy = 0;
    for (let i = 0; i < y.data.length; i++) yy += y.data[i]! * y.data[i]!;
    const meanSquare = yy / n || 1;
    const deltaSquared = meanSquare;
    const lambdaS = options.sparsity * meanSquare;
    const deltaV = 0.1 * meanSquare;

    const w = kernels.allocate(l, p);
    w.data.set(w0.data);
    const h = kernels.allocate(p, n);
    h.data.fill(1 / p);
    const wtY = kernels.allocate(p, n);
    const yHt = kernels.allocate(l, p);
    const hHtOut = kernels.allocate(p, p);
    const wtWOut = kernels.allocate(p, p);
    // Abundances for the current W: exact FCLS without sparsity (and as the start with it), then
    // L1/2 multiplicative steps from there.
    const abundanceStep = (exact: boolean): void => {
      kernels.matmulTN(w, y, wtY);
      kernels.matmulTN(w, w, wtWOut);
      const wtW = Float64Array.from(wtWOut.data);
      if (exact) fclsAbundances(h.data, wtY.data, wtW, p, n, deltaSquared);
      if (lambdaS > 0) updateAbundances(h.data, wtY.data, wtW, p, n, { steps: exact ? INITIAL_H_STEPS : H_STEPS, deltaSquared, lambda: lambdaS, floor: FLOOR });
    };
    abundanceStep(true);

    const products = (): Float64Array => {
      kernels.matmulNT(y, h, yHt);
      kernels.matmulNT(h, h, hHtOut);
      return Float64Array.from(hHtOut.data);
    };
    // ½‖Y − WH‖², formed row by row in float64. (Expanding it as ½(‖Y‖² − 2⟨W, YHᵀ⟩ + ⟨WᵀW, HHᵀ⟩)
    // from the products would be free, but cancels: with float32 products its error, ~1e-7·‖Y‖²,
    // was 1e-4 of a good fit's misfit, enough to make the objective seem to rise.)
    const sq = new Float64Array(n);
    const row = new Float64Array(n);
    const misfit = (): number => {
      columnResidualSquares(y, w, h, sq, row);
      let total = 0;
      for (let j = 0; j < n; j++) total += sq[j]!;
      return 0.5 * total;
    };
    // The objective as minimised: with the sum-to-one row's ½δ²‖1ᵀH − 1ᵀ‖² (small: the slack of
    // the constraint), so that it decreases monotonically.
    const objective = (lambdaV: number): number => {
      let value = misfit();
      const sums = new Float64Array(n);
      for (let k = 0; k < p; k++) for (let j = 0; j < n; j++) sums[j]! += h.data[k * n + j]!;
      let slack = 0;
      for (let j = 0; j < n; j++) slack += (sums[j]! - 1) ** 2;
      value += 0.5 * deltaSquared * slack;
      if (lambdaS > 0) {
        let s = 0;
        for (let i = 0; i < p * n; i++) s += Math.sqrt(h.data[i]!);
        value += lambdaS * s;
      }
      if (lambdaV > 0) value += (lambdaV / 2) * logDetSpd(gramPlusDelta(w.data, l, p, deltaV), p);
      return value;
    };

    let hHt = products();
    const lambdaV = minVolumeWeight(options.minVolume, misfit(), w.data, l, p, deltaV);
    const initial = objective(lambdaV);
    let previous = initial;
    let current = initial;
    let iteration = 0;
    while (iteration < options.maxIter) {
      throwIfCancelled(options.signal);
      if (iteration > 0) hHt = products();
      updateEndmembers(w.data, yHt.data, hHt, l, p, { steps: W_STEPS, lambda: lambdaV, delta: deltaV });
      iteration++;
      const check = iteration % CHECK_EVERY === 0 || iteration === options.maxIter;
      abundanceStep(lambdaS === 0);
      if (check) {
        current = objective(lambdaV);
        options.onIteration?.(iteration, current);
        if (options.tol > 0 && iteration % CHECK_EVERY === 0 && (previous - current) / Math.abs(initial || 1) < options.tol) break;
        previous = current;
      }
    }
    return {
      W: createMatrix(l, p, w.data.slice()),
      H: createMatrix(p, n, h.data.slice()),
      iterations: iteration,
      objective: current,
    };
  } finally {
    kernels.release(mark);
  }
}
