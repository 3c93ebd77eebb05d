import { throwIfCancelled } from '../cancellation.js';
import { createMatrix, type Matrix } from '../matrix.js';
import { factorize, initialize, type NmfAlgorithm, type NmfLoss, type NmfResult } from '../nmf/index.js';
import { createJsKernels } from '../nmf/kernels/js-kernels.js';
import type { NmfKernels } from '../nmf/kernels/nmf-kernels.js';
import { spa } from '../nmf/init/spa.js';
import { solveNnlsNormal } from '../nmf/solvers/nnls-bpp.js';
import type { PipelineHooks, PipelineProgress } from '../pipeline-hooks.js';
import { bandStatistics, type BandStatistics } from './band-statistics.js';
import type { Cube } from './cube.js';
import { hysime } from './hysime.js';
import { binCube, chooseBands, cropCube, validPixels, type SpatialWindow } from './prepare-cube.js';
import { columnResidualSquares } from './residual.js';
import { columnL1Norms, normalizePixelsL1, toShares, typicalBrightness } from './scaled-mixing.js';
import { simplexUnmixing } from './simplex-unmixing.js';
import { vca } from './vca.js';

/** How the endmembers start: VCA (default), SPA, NNDSVD or seeded random (see unmixCube). */
export type UnmixInit = 'vca' | 'spa' | 'nndsvd' | 'random';
export const UNMIX_INITS: readonly UnmixInit[] = ['vca', 'spa', 'nndsvd', 'random'];

export interface UnmixParams {
  /** Number of endmembers P: 1 ≤ P < min(bands, pixels). */
  endmembers: number;
  loss: NmfLoss;
  maxIter: number;
  seed: number;
  /**
   * Stopping tolerance of the NMF (NmfOptions.tol). Default 0: run all maxIter iterations. The
   * endmembers keep improving after the objective has flattened: on Samson (P = 3, seeds 0–4) the
   * NMF default 1e-4 stopped after 80–150 iterations at a mean spectral angle of 18.0° to the
   * ground truth, where 500 iterations reached 14.2°.
   */
  tol?: number;
  /** Default 'vca'. */
  init?: UnmixInit;
  /**
   * Abundances are fractions: nonnegative, summing to one in every pixel (the fully constrained
   * linear mixing model), fitted on spectra scaled to unit ℓ1 norm (see unmixCube). Implied by
   * sparsity > 0 and minVolume > 0. Default false (plain NMF).
   */
  sumToOne?: boolean;
  /**
   * L1/2 sparsity weight (Qian et al. 2011; l-half-sparsity.ts), relative to the mean squared
   * spectrum: 0 (default) none; around 0.01 favours pure pixels (Samson: mean SAD 12° → 1.7°).
   */
  sparsity?: number;
  /**
   * Minimum-volume weight λ̃ (logdet, min-volume.ts), relative to the initial misfit: 0 (default)
   * none; around 1 pulls the endmembers towards the smallest simplex that holds the data.
   */
  minVolume?: number;
  /**
   * Bands (0-based) to leave out of the fit, on top of the cube's own bad-band list
   * (cube.badBands, ENVI `bbl`): water-vapour absorption bands, dead detectors.
   */
  badBands?: readonly number[];
  /** Estimate the number of endmembers with HySime as a suggestion. Default true. */
  estimateEndmembers?: boolean;
  /** Solver of plain NMF (factorize.ts resolveAlgorithm); default 'auto'. Not for sum-to-one. */
  algorithm?: NmfAlgorithm;
  /**
   * Plain NMF from seeds seed, seed + 1, … (VCA and random starts differ by seed), keeping the
   * lowest objective, as restarts.ts does for a random start. Default 1. Not for sum-to-one.
   */
  restarts?: number;
  /**
   * Unmix only this window of the image (0-based rows and columns). The maps then cover the
   * window, and their georeferencing is moved to its corner (UnmixOutput.grid).
   */
  window?: SpatialWindow;
  /**
   * Fit only bands first…last (0-based, inclusive); the others are left out like bad bands (NaN
   * in the spectra, listed in droppedBands), so band numbers stay the file's.
   */
  bandRange?: { first: number; last: number };
  /**
   * Average bin × bin blocks of pixels (after the window) before unmixing, for a quick look at a
   * large image: maps are bin times smaller, their pixels bin times larger (prepare-cube.ts binCube).
   */
  bin?: number;
}

/** The pixel grid the maps lie on: the input cube's metadata after the window and binning. */
export type UnmixGrid = Omit<Cube, 'data'>;

export interface UnmixOutput {
  /**
   * bands × P; column p is spectrum p: with sumToOne in the data's units (about the spectrum of
   * a pixel made of it alone), otherwise scaled to a maximum of 1 (see unmixCube). Bands left out of the fit
   * (badBands) are NaN.
   */
  endmembers: Matrix;
  /**
   * P × pixels; row p is the map of endmember p, pixels in row-major order. With sumToOne:
   * fractions that sum to one in every pixel; otherwise scale factors (see unmixCube).
   */
  abundances: Matrix;
  /**
   * Per pixel: the root-mean-square reconstruction error over the fitted bands, in the data's
   * units, √(mean_b (y_b − ŷ_b)²). NaN for invalid pixels.
   */
  rmse: Float32Array;
  /** Values below zero set to 0 before factorizing (NMF needs nonnegative data). */
  clippedNegatives: number;
  /**
   * Pixels with a NaN, infinite or nodata value in any fitted band: they were left out of the fit,
   * their abundances are 0 and their RMSE NaN.
   */
  invalidPixels: number;
  /** Bands (0-based) left out of the fit, ascending. */
  droppedBands: number[];
  /** HySime's estimate of the number of endmembers (a suggestion), or null when not asked. */
  suggestedEndmembers: number | null;
  /** The grid of the abundance and RMSE maps (the input's, unless window or bin changed it). */
  grid: UnmixGrid;
  /** The method as run, options resolved. */
  method: { init: UnmixInit; sumToOne: boolean; sparsity: number; minVolume: number };
  nmf: { iterations: number; objective: number; loss: NmfLoss; algorithm: string; seconds: number };
}

// Shares of the progress fraction: preparing the matrix (and the initialisation), factorizing, the rest.
const PREPARED = 0.1;
const FACTORIZED = 0.98;

/**
 * Linear unmixing: the bands × pixels matrix Y ≈ W·H, with W (bands × P) the endmember spectra
 * and H (P × pixels) their abundances.
 *
 * Plain NMF (default): Frobenius or KL NMF started from the chosen initialisation. Abundances are
 * then scale factors, not fractions. NMF determines each pair (column p of W, row p of H) only up
 * to a factor; we fix it by scaling every endmember to a maximum of 1 and multiplying its
 * abundance row by the same factor, which keeps W·H (and the objective) unchanged: spectra then
 * compare by shape across runs and files, and an abundance is the pixel's contribution at the
 * spectrum's peak band, in the data's units.
 *
 * Sum-to-one (sumToOne, or any sparsity / minVolume): the fully constrained model with a scale
 * per pixel, y_j = t_j·Σ_k a_kj m_k with a_j ≥ 0, Σ_k a_kj = 1 — the scaled constrained linear
 * mixing model (Nascimento & Bioucas-Dias 2005 §II, the "scale factor modelling illumination
 * variability"; Veganzones et al. 2014, "A new extended linear mixing model to address spectral
 * variability", SCLSU). Every pixel is divided by its ℓ1 norm before fitting: topography and
 * illumination scale whole spectra, which a fixed simplex cannot absorb, and the scaling also
 * lets dark materials (water, shade) weigh as much in the fit as bright ones. Without it, Samson's
 * water endmember drifted 10–15° from the reference under every method tried; with it, see the
 * sparsity parameter. Frobenius runs simplex-unmixing.ts (L1/2 sparsity and minimum volume
 * optional); KL runs the NMF's multiplicative updates with the sum-to-one row (no penalties).
 * Abundances are then each pixel's signal shares (summing to one exactly; equal to area fractions
 * for equally bright endmembers, see scaled-mixing.ts), and endmembers are shown in the data's
 * units at the typical brightness of the pixels made of them.
 *
 * Initialisations: 'vca' (vca.ts, seeded), 'spa' (app/nmf/init/spa.ts), 'nndsvd' and 'random'
 * (app/nmf/init). For plain NMF with VCA the initial abundances are the nonnegative least-squares
 * fit to the VCA endmembers.
 *
 * The cube is not modified. Progress goes through hooks.onProgress with a monotone fraction (NMF
 * iterations map onto most of it); hooks.signal is checked between steps and every iteration.
 */
export function unmixCube(input: Cube, params: UnmixParams, hooks: PipelineHooks = {}): UnmixOutput {
  const cube = unmixingGrid(input, params);
  const pixels = cube.rows * cube.cols;
  validate(cube, params);
  const signal = hooks.signal;
  let lastFraction = 0;
  const report = (stage: string, fraction: number, iteration: number | null = null, objective: number | null = null): void => {
    lastFraction = Math.min(1, Math.max(lastFraction, fraction));
    const progress: PipelineProgress = { stage, fraction: lastFraction, iteration, objective };
    hooks.onProgress?.(progress);
  };
  throwIfCancelled(signal);
  report('preparing', 0);
  const started = Date.now();

  const init = params.init ?? 'vca';
  const sparsity = params.sparsity ?? 0;
  const minVolume = params.minVolume ?? 0;
  const sumToOne = (params.sumToOne ?? false) || sparsity > 0 || minVolume > 0;
  const p = params.endmembers;
  const bands = chooseBands(cube, { dropBands: params.badBands ?? [], ...(params.bandRange ? { bandRange: params.bandRange } : {}) });
  const l = bands.kept.length;
  if (p >= l) throw new RangeError(`the number of endmembers (${p}) must be smaller than the number of bands fitted (${l} of ${cube.bands}; ${bands.dropped.length} left out)`);
  if (sumToOne && params.loss === 'kl' && (sparsity > 0 || minVolume > 0)) {
    throw new RangeError('sparsity and minimum volume are implemented for the Frobenius loss only; use --loss frobenius');
  }

  const kernels: NmfKernels = hooks.kernels ?? referenceKernels;
  const mark = kernels.mark();
  try {
    const prepared = prepareMatrix(cube, bands.kept, kernels);
    const y = prepared.matrix;
    const n = y.cols;
    if (p >= n) throw new RangeError(`the number of endmembers (${p}) must be smaller than the number of valid pixels (${n})`);
    throwIfCancelled(signal);
    // Band statistics of Y, shared by HySime and (for plain NMF) VCA.
    const statistics = params.estimateEndmembers !== false || (!sumToOne && init === 'vca') ? bandStatistics(y) : undefined;
    const suggestedEndmembers = statistics && params.estimateEndmembers !== false ? safeHySime(y, statistics) : null;
    throwIfCancelled(signal);
    report('initialising', PREPARED / 2);

    const onIteration = (iteration: number, maxIter: number, objective: number): void => {
      const done = maxIter > 0 ? iteration / maxIter : 1;
      report('factorizing', PREPARED + (FACTORIZED - PREPARED) * done, iteration, objective);
    };
    let w: Matrix; // l × p, columns normalised below
    let h: Matrix; // p × n
    let rmse: Float64Array; // n
    let nmf: UnmixOutput['nmf'];
    if (sumToOne) {
      const scale = normalizePixelsL1(y);
      const w0 = initialEndmembers(y, p, init, params.seed);
      normalizeColumns(w0, meanColumn(y));
      throwIfCancelled(signal);
      report('factorizing', PREPARED);
      if (params.loss === 'kl') {
        // Start from the FCLS abundances of the initial endmembers: from uniform ones, the first
        // multiplicative steps pull W away before H has caught up (measured: 6–9° off on
        // noiseless separable data where the FCLS start stays within 1°).
        const h0 = simplexUnmixing(y, w0, { sparsity: 0, minVolume: 0, maxIter: 0, tol: 0, kernels }).H;
        const result = factorize(y, {
          kernels,
          rank: p,
          loss: 'kl',
          algorithm: 'mu',
          maxIter: params.maxIter,
          tol: params.tol ?? 0,
          initialW: w0,
          initialH: h0,
          sumToOneH: true,
          normalize: false,
          ...(signal ? { signal } : {}),
          onProgress: (q) => onIteration(q.iteration, q.maxIter, q.objective),
        });
        w = result.W;
        h = result.H;
        nmf = { iterations: result.iterations, objective: result.objective, loss: 'kl', algorithm: 'mu, sum-to-one', seconds: 0 };
      } else {
        const result = simplexUnmixing(y, w0, {
          sparsity,
          minVolume,
          maxIter: params.maxIter,
          tol: params.tol ?? 0,
          kernels,
          ...(signal ? { signal } : {}),
          onIteration: (iteration, objective) => onIteration(iteration, params.maxIter, objective),
        });
        w = result.W;
        h = result.H;
        nmf = { iterations: result.iterations, objective: result.objective, loss: 'frobenius', algorithm: algorithmName(sparsity, minVolume), seconds: 0 };
      }
      throwIfCancelled(signal);
      report('normalising', FACTORIZED, nmf.iterations, nmf.objective);
      // Unit-ℓ1 shapes and signal shares (scaled-mixing.ts): the fitted model y_j ≈ s_j·W h_j, whose
      // error is the RMSE map; then the endmembers shown at the brightness of their pixels.
      toShares(w, h);
      rmse = reconstructionRmse(y, w, h, scale);
      const brightness = typicalBrightness(h, scale);
      for (let b = 0; b < l; b++) for (let k = 0; k < p; k++) w.data[b * p + k] = w.data[b * p + k]! * brightness[k]!;
    } else {
      report('factorizing', PREPARED);
      const nmfInit = init === 'vca' ? undefined : init;
      // Restarts (restarts.ts's rule: lowest objective wins, the earliest on ties); the VCA start is
      // made per seed here, since restarts.ts can only vary the seed of factorize's own start.
      const restarts = params.restarts ?? 1;
      let result: NmfResult | null = null;
      for (let run = 0; run < restarts; run++) {
        throwIfCancelled(signal);
        const seed = params.seed + run;
        const start = init === 'vca' ? vcaStart(y, p, seed, statistics) : null;
        const candidate = factorize(y, {
          kernels,
          rank: p,
          loss: params.loss,
          maxIter: params.maxIter,
          tol: params.tol ?? 0,
          seed,
          ...(params.algorithm ? { algorithm: params.algorithm } : {}),
          ...(start ? { initialW: start.W, initialH: start.H } : { init: nmfInit }),
          ...(signal ? { signal } : {}),
          onProgress: (q) => onIteration(run * q.maxIter + q.iteration, restarts * q.maxIter, q.objective),
        });
        if (result === null || candidate.objective < result.objective || (Number.isNaN(result.objective) && !Number.isNaN(candidate.objective))) result = candidate;
      }
      if (result === null) throw new RangeError(`restarts must be an integer ≥ 1, got ${restarts}`);
      throwIfCancelled(signal);
      w = result.W;
      h = result.H;
      nmf = { iterations: result.iterations, objective: result.objective, loss: result.loss, algorithm: restarts > 1 ? `${result.algorithm}, best of ${restarts} runs` : result.algorithm, seconds: 0 };
      report('normalising', FACTORIZED, nmf.iterations, nmf.objective);
      rmse = reconstructionRmse(y, w, h, null);
    }

    // Plain NMF: peak normalisation (see above), the abundances absorbing the factor. Sum-to-one
    // endmembers are already in the data's units.
    for (let k = 0; k < p && !sumToOne; k++) {
      let peak = 0;
      for (let b = 0; b < l; b++) peak = Math.max(peak, w.data[b * p + k]!);
      // A component that died (all zero) has nothing to normalise.
      if (!(peak > 0)) continue;
      for (let b = 0; b < l; b++) w.data[b * p + k] = w.data[b * p + k]! / peak;
      for (let j = 0; j < n; j++) h.data[k * n + j] = h.data[k * n + j]! * peak;
    }

    // Back to the cube's bands and pixels.
    const endmembers = createMatrix(cube.bands, p, new Float32Array(cube.bands * p).fill(Number.NaN));
    bands.kept.forEach((band, b) => endmembers.data.set(w.data.subarray(b * p, (b + 1) * p), band * p));
    const abundances = createMatrix(p, pixels);
    const rmseMap = new Float32Array(pixels).fill(Number.NaN);
    const columns = prepared.columns;
    for (let c = 0; c < n; c++) {
      const j = columns[c]!;
      for (let k = 0; k < p; k++) abundances.data[k * pixels + j] = h.data[k * n + c]!;
      rmseMap[j] = rmse[c]!;
    }
    nmf.seconds = (Date.now() - started) / 1000;
    report('done', 1, nmf.iterations, nmf.objective);
    const { data: _data, ...grid } = cube;
    return {
      grid,
      endmembers,
      abundances,
      rmse: rmseMap,
      clippedNegatives: prepared.clippedNegatives,
      invalidPixels: pixels - n,
      droppedBands: bands.dropped,
      suggestedEndmembers,
      method: { init, sumToOne, sparsity, minVolume },
      nmf,
    };
  } finally {
    kernels.release(mark);
  }
}

const referenceKernels = createJsKernels();

/**
 * The cube unmixing works on: the window (cropCube) then the binning (binCube), each moving or
 * scaling the georeferencing; the input itself (no copy) when neither is asked for.
 */
export function unmixingGrid(cube: Cube, params: Pick<UnmixParams, 'window' | 'bin'>): Cube {
  let out = cube;
  const w = params.window;
  if (w && !(w.row === 0 && w.col === 0 && w.rows === cube.rows && w.cols === cube.cols)) out = cropCube(out, w);
  if (params.bin !== undefined && params.bin !== 1) out = binCube(out, params.bin);
  return out;
}

function algorithmName(sparsity: number, minVolume: number): string {
  const parts = ['sum-to-one'];
  if (sparsity > 0) parts.push('L1/2');
  if (minVolume > 0) parts.push('min-volume');
  return parts.join(', ');
}

function validate(cube: Cube, params: UnmixParams): void {
  const pixels = cube.rows * cube.cols;
  if (!(Number.isInteger(cube.rows) && Number.isInteger(cube.cols) && Number.isInteger(cube.bands)) || cube.bands < 1 || pixels < 1) {
    throw new RangeError(`cannot unmix an empty cube (${cube.rows}×${cube.cols} pixels, ${cube.bands} bands)`);
  }
  if (cube.data.length !== cube.bands * pixels) {
    throw new RangeError(`cube data has ${cube.data.length} values, expected ${cube.bands} bands × ${pixels} pixels`);
  }
  const p = params.endmembers;
  const limit = Math.min(cube.bands, pixels);
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`the number of endmembers must be a whole number ≥ 1, got ${p}`);
  const restarts = params.restarts ?? 1;
  if (!Number.isInteger(restarts) || restarts < 1) throw new RangeError(`restarts must be a whole number ≥ 1, got ${restarts}`);
  const constrained = params.sumToOne === true || (params.sparsity ?? 0) > 0 || (params.minVolume ?? 0) > 0;
  if (constrained && ((params.algorithm ?? 'auto') !== 'auto' || restarts > 1)) {
    throw new RangeError('algorithm and restarts apply to plain NMF unmixing; the sum-to-one model (also implied by sparsity or minimum volume) has its own solver');
  }
  if (p >= limit) {
    throw new RangeError(
      `the number of endmembers (${p}) must be smaller than both the band count (${cube.bands}) and the pixel count (${pixels})`,
    );
  }
  if (params.loss !== 'frobenius' && params.loss !== 'kl') throw new RangeError(`unknown loss '${String(params.loss)}', expected 'frobenius' or 'kl'`);
  if (!Number.isInteger(params.maxIter) || params.maxIter < 1) throw new RangeError(`maxIter must be a whole number ≥ 1, got ${params.maxIter}`);
  if (!Number.isFinite(params.seed)) throw new RangeError(`seed must be a finite number, got ${params.seed}`);
  if (params.tol !== undefined && !(params.tol >= 0)) throw new RangeError(`tol must be ≥ 0, got ${params.tol}`);
  if (params.init !== undefined && !UNMIX_INITS.includes(params.init)) throw new RangeError(`unknown init '${String(params.init)}', expected ${UNMIX_INITS.join(', ')}`);
  for (const [name, value] of [['sparsity', params.sparsity], ['minVolume', params.minVolume]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}`);
  }
  for (const b of params.badBands ?? []) {
    // Indices are 0-based; people (and --bad-bands) count bands from 1, as ENVI shows them.
    if (!Number.isInteger(b)) throw new RangeError(`bad band index ${b} is not a whole number`);
    if (b < 0 || b >= cube.bands) throw new RangeError(`bad band ${b + 1} (counting from 1) is not a band of the cube, which has ${cube.bands}`);
  }
}

/**
 * Y = the kept bands of the valid pixels, as a bands × pixels matrix in the kernels' memory (a copy:
 * the cube stays as read). A pixel with any non-finite or nodata value in a kept band is left out;
 * negative values (sensor noise below the dark level, atmospheric over-correction) are clipped to 0.
 */
function prepareMatrix(cube: Cube, kept: readonly number[], kernels: NmfKernels): { matrix: Matrix; columns: Int32Array; clippedNegatives: number } {
  const pixels = cube.rows * cube.cols;
  const { mask, invalidPixels } = validPixels(cube, kept);
  const n = pixels - invalidPixels;
  if (n === 0) throw new RangeError('every pixel has a nodata, NaN or infinite value: nothing to unmix');
  const columns = new Int32Array(n);
  for (let j = 0, c = 0; j < pixels; j++) if (mask[j]) columns[c++] = j;
  const matrix = kernels.allocate(kept.length, n);
  let clippedNegatives = 0;
  kept.forEach((band, b) => {
    const src = band * pixels;
    const dst = b * n;
    if (n === pixels) matrix.data.set(cube.data.subarray(src, src + pixels), dst);
    else for (let c = 0; c < n; c++) matrix.data[dst + c] = cube.data[src + columns[c]!]!;
    for (let c = 0; c < n; c++) {
      if (matrix.data[dst + c]! < 0) {
        matrix.data[dst + c] = 0;
        clippedNegatives++;
      }
    }
  });
  return { matrix, columns, clippedNegatives };
}

/** HySime on the prepared data; a failure (degenerate data) only loses the suggestion. */
function safeHySime(y: Matrix, statistics: BandStatistics): number | null {
  if (y.rows < 2) return null;
  try {
    return hysime(y, statistics).endmembers;
  } catch {
    return null;
  }
}

/** Scales W's columns to unit ℓ1 norm; a zero column becomes `fallback` (the mean spectrum). */
function normalizeColumns(w: Matrix, fallback: Float64Array): void {
  const norms = columnL1Norms(w);
  const fallbackNorm = fallback.reduce((a, b) => a + b, 0) || 1;
  for (let k = 0; k < w.cols; k++) {
    for (let b = 0; b < w.rows; b++) {
      w.data[b * w.cols + k] = norms[k]! > 0 ? w.data[b * w.cols + k]! / norms[k]! : fallback[b]! / fallbackNorm;
    }
  }
}

function meanColumn(y: Matrix): Float64Array {
  const mean = new Float64Array(y.rows);
  for (let i = 0; i < y.rows; i++) {
    let s = 0;
    const off = i * y.cols;
    for (let j = 0; j < y.cols; j++) s += y.data[off + j]!;
    mean[i] = s / y.cols;
  }
  return mean;
}

/** Initial endmembers (bands × P, nonnegative) by the chosen method. */
function initialEndmembers(y: Matrix, p: number, init: UnmixInit, seed: number, statistics?: BandStatistics): Matrix {
  switch (init) {
    case 'vca':
      return clipNegative(vca(y, p, seed, { statistics: statistics ?? bandStatistics(y) }).endmembers);
    case 'spa': {
      const picked = spa(y, p);
      const w = createMatrix(y.rows, p);
      for (let i = 0; i < y.rows; i++) for (let k = 0; k < p; k++) w.data[i * p + k] = y.data[i * y.cols + picked[k]!]!;
      return w;
    }
    case 'nndsvd':
    case 'random':
      return initialize(y, p, init, seed).W;
  }
}

function clipNegative(m: Matrix): Matrix {
  for (let i = 0; i < m.data.length; i++) if (!(m.data[i]! > 0)) m.data[i] = 0;
  return m;
}

/**
 * VCA endmembers and the nonnegative least-squares abundances for them (block principal
 * pivoting, as the SPA initialisation does): the start of plain NMF with init 'vca'.
 */
function vcaStart(y: Matrix, p: number, seed: number, statistics?: BandStatistics): { W: Matrix; H: Matrix } {
  const w = initialEndmembers(y, p, 'vca', seed, statistics);
  const l = y.rows;
  const n = y.cols;
  const gram = new Float64Array(p * p);
  const rhs = new Float64Array(p * n);
  for (let i = 0; i < l; i++) {
    for (let c = 0; c < p; c++) {
      const wc = w.data[i * p + c]!;
      if (wc === 0) continue;
      for (let d = 0; d < p; d++) gram[c * p + d]! += wc * w.data[i * p + d]!;
      const rOff = c * n;
      const yOff = i * n;
      for (let j = 0; j < n; j++) rhs[rOff + j]! += wc * y.data[yOff + j]!;
    }
  }
  // A dead VCA endmember (all entries clipped) gets a tiny ridge so NNLS stays well posed.
  for (let c = 0; c < p; c++) if (!(gram[c * p + c]! > 0)) gram[c * p + c] = 1;
  const hx = solveNnlsNormal(gram, rhs, p, n);
  const h = createMatrix(p, n);
  for (let i = 0; i < hx.length; i++) h.data[i] = Math.max(hx[i]!, 0);
  // MU-based solvers cannot move an entry that starts at exactly 0; HALS can. Keep W positive.
  let max = 0;
  for (const x of w.data) max = Math.max(max, x);
  for (let i = 0; i < w.data.length; i++) w.data[i] = Math.max(w.data[i]!, 1e-6 * max);
  return { W: w, H: h };
}

/**
 * √(mean_b (y_bj − (WH)_bj)²) per column j, multiplied by scale[j] when given (the sum-to-one
 * path fits ℓ1-normalised pixels; the error in the data's units is s_j times theirs).
 */
function reconstructionRmse(y: Matrix, w: Matrix, h: Matrix, scale: Float64Array | null): Float64Array {
  const l = y.rows;
  const sq = columnResidualSquares(y, w, h);
  for (let j = 0; j < sq.length; j++) sq[j] = Math.sqrt(sq[j]! / l) * (scale ? scale[j]! : 1);
  return sq;
}
