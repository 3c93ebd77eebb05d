import { throwIfCancelled, type CancelSignal } from '../cancellation.js';
import type { Matrix } from '../matrix.js';
import { factorize, factorizeWithRestarts, type NmfAlgorithm, type NmfLoss, type NmfOptions, type NmfResult } from '../nmf/index.js';
import type { PipelineHooks, PipelineProgress } from '../pipeline-hooks.js';
import { splitMixedComponents } from './component-splitting.js';
import { resynthesizeSources } from './masked-resynthesis.js';
import { DEFAULT_MASK_EXPONENT, validateMaskExponent } from './soft-mask.js';
import { DEFAULT_TEMPORAL_WEIGHT, groupComponents } from './source-grouping.js';
import { DEFAULT_STFT_OPTIONS, meanMagnitude, validateStftOptions, type StftOptions, type WindowType } from './stft.js';
import type { DecodedAudio } from './wav-codec.js';

/**
 * Audio source separation by NMF of the magnitude spectrogram (Smaragdis & Brown 2003; Virtanen
 * 2007), the plain pipeline:
 *   1. STFT of every channel (stft.ts: window type, length and hop are parameters);
 *   2. V = |STFT of the channel mean| (bins × frames; the only spectrogram held), factorized V ≈ W H with `components`
 *      components (KL divergence is the usual choice for magnitude spectra: Févotte, Bertin &
 *      Durrieu 2009; Frobenius and Itakura–Saito are selectable), optionally with an L1 penalty on
 *      H for sparse activations;
 *   3. components that hold notes of several pitches split into one component per pitch
 *      (component-splitting.ts; `splitComponents`), then grouped into `sources` sources from
 *      spectral and temporal evidence (source-grouping.ts);
 *   4. one generalized Wiener mask per source (soft-mask.ts, exponent `maskExponent`), applied to
 *      every channel's complex STFT, so a stereo mixture gives stereo sources with the mixture's
 *      own inter-channel phase and level differences;
 *   5. inverse STFT; 4 and 5 run frame by frame (masked-resynthesis.ts), so that a long
 *      recording needs little more memory than its samples, the sources and V.
 * The masks sum to one, so the sources add up to the mixture (mixtureResidual measures it), and a
 * new grouping can be resynthesised from the kept model without a new NMF (resynthesize below).
 */
export interface SeparationParams {
  /** Number of output sources S ≥ 1. */
  readonly sources: number;
  /** NMF rank K ≥ S: components are grouped into sources. defaultComponents(S) suits music. */
  readonly components: number;
  readonly loss: NmfLoss;
  readonly maxIter: number;
  readonly seed: number;
  /** STFT frame length, a power of two. Default 2048. */
  readonly windowSize?: number;
  /** STFT hop, at most windowSize / 2. Default windowSize / 4 (512 for the default window). */
  readonly hop?: number;
  /** STFT window. Default 'hann'. */
  readonly window?: WindowType;
  /** Exponent p of the generalized Wiener masks, (0, 16]. Default 2 (Wiener). */
  readonly maskExponent?: number;
  /**
   * Sparse activations: L1 penalty on H with scikit-learn's alpha_H meaning (l1_ratio = 1; the
   * penalty is bins · sparsity · Σ H), W's columns kept at unit norm (see sparseFactorize).
   * Default 0. The useful range depends on the level of V (the STFT magnitudes).
   */
  readonly sparsity?: number;
  /** Weight of the temporal features in the automatic grouping (source-grouping.ts). Default 0.5. */
  readonly temporalWeight?: number;
  /** NMF solver; default 'auto' (factorize.ts resolveAlgorithm). */
  readonly algorithm?: NmfAlgorithm;
  /**
   * Runs of the NMF from seeds seed, seed + 1, …, keeping the lowest objective (restarts.ts).
   * Default 1. Not with sparsity (its blocks restart from the previous block).
   */
  readonly restarts?: number;
  /**
   * Split components that hold notes of several pitches into one component per pitch before the
   * grouping (component-splitting.ts). Default true. The model then has more components than
   * `components`: its W·H is unchanged.
   */
  readonly splitComponents?: boolean;
}

export interface SeparatedSource {
  /** "source-1" … "source-S", from the lowest spectral centroid up. */
  readonly name: string;
  /** Same channel count and length as the input. */
  readonly channels: Float32Array[];
  /** This source's energy over the sum of all sources' energies (1/S each when all are silent). */
  readonly energyShare: number;
}

export interface SeparationOutput {
  readonly sampleRate: number;
  readonly sources: SeparatedSource[];
  /** max over channels and samples of |Σ_s source − mixture|. */
  readonly mixtureResidual: number;
  readonly nmf: {
    readonly iterations: number;
    readonly objective: number;
    readonly loss: NmfLoss;
    readonly algorithm: string;
    readonly seconds: number;
    /** NMF components split into one per pitch (component-splitting.ts), and the model's components after it. */
    readonly split?: { readonly components: number; readonly into: number };
  };
  /** Source index (0-based) of each of the model's components (the NMF's, some split by pitch). */
  readonly assignment: number[];
  /**
   * The NMF model behind the masks and the STFT framing it was computed with: what the
   * workspace's component views show and what a regrouping resynthesises from.
   */
  readonly model?: SeparationModelData;
}

export interface SeparationModelData {
  /** Bins × K: the components' spectra. */
  readonly W: Matrix;
  /** K × frames: the components' activations. */
  readonly H: Matrix;
  readonly windowSize: number;
  readonly hop: number;
  /** STFT window the model was computed with; absent means 'hann'. */
  readonly window?: WindowType;
  /** Mask exponent the sources were made with; absent means DEFAULT_MASK_EXPONENT. */
  readonly maskExponent?: number;
}

/** Progress reporter for a pipeline: monotone by construction, whatever an NMF's early stop does. */
export type ProgressReporter = (stage: string, fraction: number, iteration?: number | null, objective?: number | null) => void;

export function monotoneProgress(hooks: PipelineHooks): ProgressReporter {
  let reported = 0;
  return (stage, fraction, iteration = null, objective = null) => {
    reported = Math.min(1, Math.max(reported, fraction));
    const update: PipelineProgress = { stage, fraction: reported, iteration, objective };
    hooks.onProgress?.(update);
  };
}

/** Share of the progress bar that the STFT of every channel takes. */
export const STFT_PROGRESS_END = 0.1;

/**
 * V, the NMF's input: |STFT of the channel mean| (bins × frames). Only this magnitude is kept
 * through the NMF; resynthesis analyses the channels again frame by frame (masked-resynthesis.ts),
 * so no complex spectrogram is ever held whole.
 */
export function mixtureMagnitude(channels: readonly Float32Array[], options: Required<StftOptions>, progress: ProgressReporter, signal?: CancelSignal): Matrix {
  throwIfCancelled(signal);
  progress('STFT', 0);
  const V = meanMagnitude(channels, options, signal);
  progress('STFT', STFT_PROGRESS_END);
  return V;
}

/**
 * Default NMF rank for S sources: 8 per source. A note, a drum hit, a formant pattern each takes
 * a component or two, and a source plays several; in our test mixtures and on ../shared/data/audio
 * 6–8 per source did better than 3 (sources merged into shared components) and than 12 (more
 * components split between sources), at a cost linear in K.
 */
export function defaultComponents(sources: number): number {
  return 8 * sources;
}

/**
 * The NMF runs all maxIter iterations (tol 0): the separation keeps improving after the objective
 * has nearly flattened (components keep sorting themselves into single sources). On
 * ../shared/data/audio the engine's default early stop (relative decrease 1e-4, or even 1e-5) ended
 * KL runs after 60–120 iterations and cost up to 10 dB of SDR against 200 iterations.
 */
const SEPARATION_TOL = 0;

// Overall progress: STFT 0 → 0.1, NMF 0.1 → 0.9 (by iteration / maxIter), resynthesis 0.9 → 1.
const STFT_END = STFT_PROGRESS_END;
const NMF_END = 0.9;

export function validateSeparationParams(params: SeparationParams): void {
  const { sources, components, loss, maxIter, seed } = params;
  if (!Number.isInteger(sources) || sources < 1) throw new RangeError(`sources must be an integer ≥ 1, got ${sources}`);
  if (!Number.isInteger(components) || components < sources) {
    throw new RangeError(`components must be an integer ≥ sources (${sources}): every source needs at least one NMF component; got ${components}`);
  }
  if (loss !== 'kl' && loss !== 'frobenius' && loss !== 'is') throw new RangeError(`loss must be 'kl', 'frobenius' or 'is', got '${String(loss)}'`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`maxIter must be an integer ≥ 1, got ${maxIter}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  validateStftOptions(stftOptionsOf(params));
  if (params.maskExponent !== undefined) validateMaskExponent(params.maskExponent);
  if (params.sparsity !== undefined && !(params.sparsity >= 0 && Number.isFinite(params.sparsity))) {
    throw new RangeError(`sparsity must be a finite number ≥ 0, got ${params.sparsity}`);
  }
  if (params.temporalWeight !== undefined && !(params.temporalWeight >= 0 && Number.isFinite(params.temporalWeight))) {
    throw new RangeError(`temporalWeight must be a finite number ≥ 0, got ${params.temporalWeight}`);
  }
}

export function stftOptionsOf(params: Pick<SeparationParams, 'windowSize' | 'hop' | 'window'>): Required<StftOptions> {
  return {
    windowSize: params.windowSize ?? DEFAULT_STFT_OPTIONS.windowSize,
    // A quarter of the window when only the window size is given: the Hann window's w² COLA hop,
    // and always a valid hop (≤ N/2), unlike the fixed default for a small window.
    hop: params.hop ?? (params.windowSize === undefined ? DEFAULT_STFT_OPTIONS.hop : Math.max(1, params.windowSize / 4)),
    window: params.window ?? DEFAULT_STFT_OPTIONS.window,
  };
}

/** Checks channels: at least one, all the same non-zero length. Returns that length. */
export function validateChannels(channels: readonly Float32Array[]): number {
  if (channels.length === 0) throw new RangeError('the audio has no channels');
  const length = channels[0]!.length;
  if (length === 0) throw new RangeError('the audio is empty (0 samples)');
  channels.forEach((c, i) => {
    if (c.length !== length) throw new RangeError(`channel ${i} has ${c.length} samples, channel 0 has ${length}`);
  });
  return length;
}

export function separateAudio(audio: DecodedAudio, params: SeparationParams, hooks: PipelineHooks = {}): SeparationOutput {
  validateSeparationParams(params);
  const { channels, sampleRate } = audio;
  if (!(sampleRate > 0)) throw new RangeError(`sample rate must be positive, got ${sampleRate}`);
  validateChannels(channels);
  const { signal } = hooks;
  const S = params.sources;
  const stftOptions = stftOptionsOf(params);
  const exponent = params.maskExponent ?? DEFAULT_MASK_EXPONENT;

  const progress = monotoneProgress(hooks);
  let V: Matrix | null = mixtureMagnitude(channels, stftOptions, progress, signal);
  // K components need at least K frames; say so in the user's terms, not as an NMF rank error.
  if (V.cols < params.components) {
    throw new RangeError(
      `the recording gives only ${V.cols} STFT frames (window ${stftOptions.windowSize}, hop ${stftOptions.hop}) but ${params.components} components need at least as many: use a smaller window size or hop, or fewer components`,
    );
  }

  throwIfCancelled(signal);
  const sparsity = params.sparsity ?? 0;
  const onProgress = (iteration: number, objective: number): void =>
    progress('factorizing', STFT_END + ((NMF_END - STFT_END) * iteration) / params.maxIter, iteration, objective);
  const restarts = params.restarts ?? 1;
  if (!Number.isInteger(restarts) || restarts < 1) throw new RangeError(`restarts must be an integer ≥ 1, got ${restarts}`);
  if (restarts > 1 && sparsity > 0) throw new RangeError('restarts cannot be combined with sparsity (sparse NMF runs in blocks, each started from the last)');
  const common = {
    kernels: hooks.kernels,
    rank: params.components,
    loss: params.loss,
    tol: SEPARATION_TOL,
    seed: params.seed,
    ...(params.algorithm ? { algorithm: params.algorithm } : {}),
    ...(signal ? { signal } : {}),
  };
  const nmf =
    sparsity > 0
      ? sparseFactorize(V, common, params.maxIter, sparsity, onProgress)
      : restarts > 1
        ? // The bar spans all runs: run i's iteration t arrives as i·maxIter + t of restarts·maxIter.
          factorizeWithRestarts(
            V,
            { ...common, maxIter: params.maxIter, onProgress: (p) => progress('factorizing', STFT_END + ((NMF_END - STFT_END) * p.iteration) / p.maxIter, p.iteration, p.objective) },
            restarts,
          ).best
        : factorize(V, { ...common, maxIter: params.maxIter, onProgress: (p) => onProgress(p.iteration, p.objective) });
  progress('factorizing', NMF_END, nmf.iterations, nmf.objective);
  // Not needed past the NMF: the collector may take it before the sources are allocated
  // (212 MB for 10 minutes at 44.1 kHz).
  V = null;

  throwIfCancelled(signal);
  const { W, H, split } = params.splitComponents === false ? { ...nmf, split: { components: 0, into: nmf.W.cols } } : splitModel(nmf.W, nmf.H, sampleRate);
  const assignment = groupComponents(W, H, S, { sampleRate, hop: stftOptions.hop, temporalWeight: params.temporalWeight ?? DEFAULT_TEMPORAL_WEIGHT });
  const estimates = resynthesizeSources(channels, stftOptions, W, H, assignment, S, exponent, {
    ...(signal ? { signal } : {}),
    onStep: (done, steps) => progress('resynthesis', NMF_END + ((1 - NMF_END) * done) / steps),
  });
  return {
    sampleRate,
    sources: namedSources(estimates, Array.from({ length: S }, (_, s) => defaultSourceName(s))),
    mixtureResidual: mixtureResidual(channels, estimates),
    nmf: {
      iterations: nmf.iterations,
      objective: nmf.objective,
      loss: nmf.loss,
      algorithm: restarts > 1 ? `${nmf.algorithm}, best of ${restarts} runs` : nmf.algorithm,
      seconds: nmf.seconds,
      split,
    },
    assignment,
    model: { W, H, ...stftOptions, maskExponent: exponent },
  };
}

/** splitMixedComponents, with a count of the components it split. */
function splitModel(W: Matrix, H: Matrix, sampleRate: number): { W: Matrix; H: Matrix; split: { components: number; into: number } } {
  const result = splitMixedComponents(W, H, { sampleRate });
  const split = new Set(result.parent.filter((k, j) => result.parent[j + 1] === k)).size;
  return { W: result.W, H: result.H, split: { components: split, into: result.W.cols } };
}

/**
 * NMF with an L1 penalty on H only (sparse activations). A penalty on H alone is void under NMF's
 * scale ambiguity (W·α, H/α lowers it for free), so the factorization runs in blocks of
 * SPARSE_BLOCK iterations and W's columns are rescaled to unit L2 norm (H compensated) between
 * blocks: the heuristic renormalisation of sparse NMF (Virtanen 2007, §III; discussed by Le Roux,
 * Weninger & Hershey, "Sparse NMF – half-baked or well done?", MERL TR2015-023). The penalty has
 * scikit-learn's alpha_H meaning with l1_ratio 1: bins · sparsity · Σ H.
 */
const SPARSE_BLOCK = 10;

function sparseFactorize(
  V: Matrix,
  common: Omit<NmfOptions, 'maxIter' | 'onProgress'>,
  maxIter: number,
  sparsity: number,
  onProgress: (iteration: number, objective: number) => void,
): NmfResult {
  let result: NmfResult | null = null;
  let done = 0;
  let seconds = 0;
  while (done < maxIter) {
    const block = Math.min(SPARSE_BLOCK, maxIter - done);
    const start = result ? { initialW: result.W, initialH: result.H } : {};
    const next: NmfResult = factorize(V, { ...common, ...start, maxIter: block, tol: 0, alphaH: sparsity, alphaW: 0, l1Ratio: 1, normalize: false });
    done += next.iterations;
    seconds += next.seconds;
    const { W, H } = next;
    for (let k = 0; k < W.cols; k++) {
      let norm = 0;
      for (let b = 0; b < W.rows; b++) norm += W.data[b * W.cols + k]! ** 2;
      norm = Math.sqrt(norm);
      if (!(norm > 0)) continue;
      for (let b = 0; b < W.rows; b++) W.data[b * W.cols + k]! /= norm;
      for (let t = 0; t < H.cols; t++) H.data[k * H.cols + t]! *= norm;
    }
    result = next;
    onProgress(done, next.objective);
    if (next.iterations < block) break;
  }
  return { ...result!, iterations: done, seconds };
}

/**
 * Sources again from a kept model with a new component → source assignment: what moving a
 * component to another source does, without re-running NMF. The mixture's channels are
 * re-analysed with the model's STFT settings (cheap next to the NMF) and masked with the model's
 * mask exponent, so the result is exactly what separateAudio would have made with that
 * assignment. The sources still add up to the mixture.
 */
export function resynthesize(
  mixture: readonly Float32Array[],
  model: SeparationModelData,
  assignment: readonly number[],
  names: readonly string[],
  signal?: CancelSignal,
): { sources: SeparatedSource[]; mixtureResidual: number } {
  validateChannels(mixture);
  const S = names.length;
  if (S < 1) throw new RangeError('resynthesis needs at least one source name');
  const options: Required<StftOptions> = { windowSize: model.windowSize, hop: model.hop, window: model.window ?? DEFAULT_STFT_OPTIONS.window };
  const estimates = resynthesizeSources(mixture, options, model.W, model.H, assignment, S, model.maskExponent ?? DEFAULT_MASK_EXPONENT, signal ? { signal } : {});
  return { sources: namedSources(estimates, names), mixtureResidual: mixtureResidual(mixture, estimates) };
}

/** Name of source `index` (0-based) when nothing names it: `source-1`, `source-2`, … */
export function defaultSourceName(index: number): string {
  return `source-${index + 1}`;
}

/** Sources with names and energy shares (1/S each when all are silent). */
export function namedSources(estimates: readonly Float32Array[][], names: readonly string[]): SeparatedSource[] {
  const energies = estimates.map((source) => source.reduce((sum, channel) => sum + energy(channel), 0));
  const total = energies.reduce((a, b) => a + b, 0);
  return estimates.map((channels, s) => ({ name: names[s]!, channels, energyShare: total > 0 ? energies[s]! / total : 1 / estimates.length }));
}

function energy(x: Float32Array): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
  return e;
}

/** max over channels and samples of |Σ_s estimates[s][c] − mixture[c]|. */
export function mixtureResidual(mixture: readonly Float32Array[], estimates: readonly Float32Array[][]): number {
  let worst = 0;
  mixture.forEach((channel, c) => {
    for (let i = 0; i < channel.length; i++) {
      let sum = 0;
      for (const source of estimates) sum += source[c]![i]!;
      worst = Math.max(worst, Math.abs(sum - channel[i]!));
    }
  });
  return worst;
}
