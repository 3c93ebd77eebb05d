import { throwIfCancelled } from '../cancellation.js';
import { factorize, type NmfLoss } from '../nmf/index.js';
import type { PipelineHooks, PipelineProgress } from '../pipeline-hooks.js';
import { applyMask, softMasks } from './soft-mask.js';
import { groupComponents } from './source-grouping.js';
import { DEFAULT_STFT_OPTIONS, istft, magnitude, stft, validateStftOptions, type Spectrogram } from './stft.js';
import type { DecodedAudio } from './wav-codec.js';

/**
 * Audio source separation by NMF of the magnitude spectrogram (Smaragdis & Brown 2003; Virtanen
 * 2007), the plain pipeline:
 *   1. STFT of every channel;
 *   2. V = |STFT of the channel mean| (bins × frames), factorized V ≈ W H with `components`
 *      components (KL divergence is the usual choice for magnitude spectra: Févotte, Bertin &
 *      Durrieu 2009);
 *   3. components grouped into `sources` sources (source-grouping.ts);
 *   4. one soft mask per source (soft-mask.ts), applied to every channel's complex STFT, so a
 *      stereo mixture gives stereo sources with the mixture's own inter-channel phase;
 *   5. inverse STFT.
 * The masks sum to one, so the sources add up to the mixture (mixtureResidual measures it).
 */
export interface SeparationParams {
  /** Number of output sources S ≥ 1. */
  readonly sources: number;
  /** NMF rank K ≥ S: components are grouped into sources. */
  readonly components: number;
  readonly loss: NmfLoss;
  readonly maxIter: number;
  readonly seed: number;
  /** STFT frame length, a power of two. Default 2048. */
  readonly windowSize?: number;
  /** STFT hop, at most windowSize / 2. Default 512. */
  readonly hop?: number;
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
  readonly nmf: { readonly iterations: number; readonly objective: number; readonly loss: NmfLoss; readonly algorithm: string; readonly seconds: number };
  /** Source index (0-based) of each NMF component. */
  readonly assignment: number[];
}

// Overall progress: STFT 0 → 0.1, NMF 0.1 → 0.9 (by iteration / maxIter), resynthesis 0.9 → 1.
const STFT_END = 0.1;
const NMF_END = 0.9;

export function validateSeparationParams(params: SeparationParams): void {
  const { sources, components, loss, maxIter, seed } = params;
  if (!Number.isInteger(sources) || sources < 1) throw new RangeError(`sources must be an integer ≥ 1, got ${sources}`);
  if (!Number.isInteger(components) || components < sources) {
    throw new RangeError(`components must be an integer ≥ sources (${sources}): every source needs at least one NMF component; got ${components}`);
  }
  if (loss !== 'kl' && loss !== 'frobenius') throw new RangeError(`loss must be 'kl' or 'frobenius', got '${String(loss)}'`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`maxIter must be an integer ≥ 1, got ${maxIter}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  validateStftOptions({ windowSize: params.windowSize ?? DEFAULT_STFT_OPTIONS.windowSize, hop: params.hop ?? DEFAULT_STFT_OPTIONS.hop });
}

export function separateAudio(audio: DecodedAudio, params: SeparationParams, hooks: PipelineHooks = {}): SeparationOutput {
  validateSeparationParams(params);
  const { channels, sampleRate } = audio;
  if (!(sampleRate > 0)) throw new RangeError(`sample rate must be positive, got ${sampleRate}`);
  if (channels.length === 0) throw new RangeError('the audio has no channels');
  const length = channels[0]!.length;
  if (length === 0) throw new RangeError('the audio is empty (0 samples)');
  channels.forEach((c, i) => {
    if (c.length !== length) throw new RangeError(`channel ${i} has ${c.length} samples, channel 0 has ${length}`);
  });
  const { signal } = hooks;
  const S = params.sources;
  const stftOptions = { windowSize: params.windowSize ?? DEFAULT_STFT_OPTIONS.windowSize, hop: params.hop ?? DEFAULT_STFT_OPTIONS.hop };

  let reported = 0;
  const progress = (stage: string, fraction: number, iteration: number | null = null, objective: number | null = null): void => {
    // Monotone by construction, whatever the NMF's early stop does to the iteration count.
    reported = Math.min(1, Math.max(reported, fraction));
    const update: PipelineProgress = { stage, fraction: reported, iteration, objective };
    hooks.onProgress?.(update);
  };

  throwIfCancelled(signal);
  progress('STFT', 0);
  const spectra: Spectrogram[] = [];
  for (const channel of channels) {
    throwIfCancelled(signal);
    spectra.push(stft(channel, stftOptions));
    progress('STFT', (STFT_END * spectra.length) / (channels.length + 1));
  }
  // The STFT is linear, so the mono mix's STFT is the mean of the channels' STFTs.
  const mono = meanSpectrogram(spectra);
  const V = magnitude(mono);
  progress('STFT', STFT_END);

  throwIfCancelled(signal);
  const nmf = factorize(V, {
    kernels: hooks.kernels,
    rank: params.components,
    loss: params.loss,
    maxIter: params.maxIter,
    seed: params.seed,
    ...(signal ? { signal } : {}),
    onProgress: (p) => progress('factorizing', STFT_END + ((NMF_END - STFT_END) * p.iteration) / p.maxIter, p.iteration, p.objective),
  });
  progress('factorizing', NMF_END, nmf.iterations, nmf.objective);

  throwIfCancelled(signal);
  const assignment = groupComponents(nmf.W, nmf.H, S);
  const masks = softMasks(nmf.W, nmf.H, assignment, S);

  const estimates: Float32Array[][] = [];
  const steps = S * channels.length;
  for (let s = 0; s < S; s++) {
    const out: Float32Array[] = [];
    for (const spec of spectra) {
      throwIfCancelled(signal);
      out.push(istft(applyMask(spec, masks[s]!)));
      progress('resynthesis', NMF_END + ((1 - NMF_END) * (s * channels.length + out.length)) / steps);
    }
    estimates.push(out);
  }

  const energies = estimates.map((source) => source.reduce((sum, channel) => sum + energy(channel), 0));
  const totalEnergy = energies.reduce((a, b) => a + b, 0);
  const sources = estimates.map((source, s) => ({
    name: `source-${s + 1}`,
    channels: source,
    energyShare: totalEnergy > 0 ? energies[s]! / totalEnergy : 1 / S,
  }));
  return {
    sampleRate,
    sources,
    mixtureResidual: mixtureResidual(channels, estimates),
    nmf: { iterations: nmf.iterations, objective: nmf.objective, loss: nmf.loss, algorithm: nmf.algorithm, seconds: nmf.seconds },
    assignment,
  };
}

function meanSpectrogram(spectra: readonly Spectrogram[]): Spectrogram {
  const first = spectra[0]!;
  if (spectra.length === 1) return first;
  const re = new Float32Array(first.re.length);
  const im = new Float32Array(first.im.length);
  const scale = 1 / spectra.length;
  for (let i = 0; i < re.length; i++) {
    let sr = 0;
    let si = 0;
    for (const spec of spectra) {
      sr += spec.re[i]!;
      si += spec.im[i]!;
    }
    re[i] = sr * scale;
    im[i] = si * scale;
  }
  return { ...first, re, im };
}

function energy(x: Float32Array): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
  return e;
}

function mixtureResidual(mixture: readonly Float32Array[], estimates: readonly Float32Array[][]): number {
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
