import { CancelledError } from '../cancellation.js';
import { createMatrix, type Matrix } from '../matrix.js';
import { factorize, type NmfLoss } from '../nmf/index.js';
import type { PipelineHooks } from '../pipeline-hooks.js';
import { magnitude, stft, type StftOptions } from './stft.js';
import type { DecodedAudio } from './wav-codec.js';

/**
 * The first half of guided separation (semi-supervised NMF, Smaragdis, Raj & Shashanka,
 * "Supervised and semi-supervised separation of sounds from single-channel mixtures", ICA 2007,
 * §2–3): a source's spectral dictionary, learnt by NMF on an example where that source plays
 * alone. The example is either
 *  - a clip (its own recording of the source), analysed with the mixture's STFT settings, or
 *  - time ranges of the mixture itself where only that source plays: the mixture's magnitude
 *    frames inside the ranges.
 * The learnt W columns (unit L2 norm, from factorize's normalisation) are then held fixed while
 * the mixture is factorized (guided-separation.ts).
 */

/** A span of the mixture, in seconds from its start. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/** An example clip, with the name its errors should carry (a file name). */
export interface GuideClip {
  readonly name: string;
  readonly audio: DecodedAudio;
}

export interface DictionaryOptions {
  /** Number of dictionary columns K_s to learn. */
  readonly components: number;
  readonly loss: NmfLoss;
  readonly maxIter: number;
  readonly seed: number;
}

/**
 * |STFT| of a clip's channel mean (the STFT is linear, so this is the mean of the channels'
 * STFTs, as the mixture's V is): bins × frames. The clip must have the mixture's sample rate,
 * else its bins would stand for other frequencies than the mixture's.
 */
export function clipSpectrogram(clip: GuideClip, sampleRate: number, stftOptions: StftOptions): Matrix {
  const { audio, name } = clip;
  if (audio.sampleRate !== sampleRate) {
    throw new Error(`${name}: the guide clip is sampled at ${audio.sampleRate} Hz but the mixture at ${sampleRate} Hz; resample the clip to ${sampleRate} Hz`);
  }
  const channels = audio.channels;
  const length = channels[0]?.length ?? 0;
  if (channels.length === 0 || length === 0) throw new Error(`${name}: the guide clip is empty`);
  let mono = channels[0]!;
  if (channels.length > 1) {
    mono = new Float32Array(length);
    const scale = 1 / channels.length;
    for (const channel of channels) for (let i = 0; i < length; i++) mono[i] += channel[i]! * scale;
  }
  return magnitude(stft(mono, stftOptions));
}

/**
 * The frames (columns of the mixture's V) that lie inside the ranges. A frame counts when its
 * whole window does, [t·hop − N/2, t·hop + N/2) ⊆ [start, end) in samples (frames are centred,
 * see stft.ts), so no sound from outside a range leaks into the dictionary. Ranges are checked
 * against the mixture's duration; overlapping ranges give each frame once.
 */
export function framesInRanges(ranges: readonly TimeRange[], sampleRate: number, length: number, stftOptions: StftOptions, what: string): number[] {
  const { windowSize, hop } = stftOptions;
  const frames = 1 + Math.floor(length / hop);
  const duration = length / sampleRate;
  const picked = new Uint8Array(frames);
  for (const { start, end } of ranges) {
    if (!(Number.isFinite(start) && Number.isFinite(end) && start >= 0 && end > start)) {
      throw new RangeError(`${what}: time range ${start}–${end} s is not a range (need 0 ≤ start < end)`);
    }
    if (start >= duration) throw new RangeError(`${what}: time range ${start}–${end} s starts after the mixture ends (${duration.toFixed(3)} s)`);
    // A range that runs past the end stops at it (the user marked "to the end").
    const from = start * sampleRate;
    const to = Math.min(end, duration) * sampleRate;
    const first = Math.max(0, Math.ceil((from + windowSize / 2) / hop));
    const last = Math.min(frames - 1, Math.floor((to - windowSize / 2) / hop));
    for (let t = first; t <= last; t++) picked[t] = 1;
  }
  const out: number[] = [];
  picked.forEach((p, t) => p && out.push(t));
  return out;
}

/** The listed columns of V, as a bins × columns.length matrix. */
export function selectColumns(V: Matrix, columns: readonly number[]): Matrix {
  const out = createMatrix(V.rows, columns.length);
  for (let b = 0; b < V.rows; b++) {
    const from = b * V.cols;
    const to = b * columns.length;
    columns.forEach((t, j) => (out.data[to + j] = V.data[from + t]!));
  }
  return out;
}

/** Side by side: [A | B | …], all with the same number of rows. */
export function concatColumns(parts: readonly Matrix[]): Matrix {
  const rows = parts[0]?.rows ?? 0;
  const cols = parts.reduce((sum, p) => sum + p.cols, 0);
  const out = createMatrix(rows, cols);
  let offset = 0;
  for (const part of parts) {
    if (part.rows !== rows) throw new RangeError(`cannot put a ${part.rows}-row matrix beside ${rows}-row ones`);
    for (let b = 0; b < rows; b++) out.data.set(part.data.subarray(b * part.cols, (b + 1) * part.cols), b * cols + offset);
    offset += part.cols;
  }
  return out;
}

/**
 * Learns K_s spectral templates of one source: NMF of its example spectrogram V_s ≈ W_s H_s,
 * keeping W_s (bins × K_s, unit-norm columns). `what` names the source and its guide in errors.
 */
export function learnDictionary(example: Matrix, options: DictionaryOptions, what: string, hooks: PipelineHooks = {}): Matrix {
  const { components } = options;
  let active = 0;
  for (let t = 0; t < example.cols; t++) {
    for (let b = 0; b < example.rows; b++) {
      if (example.data[b * example.cols + t]! > 0) {
        active++;
        break;
      }
    }
  }
  if (active === 0) throw new Error(`${what}: the guide is silent (all its frames are zero): there is nothing to learn the source from`);
  if (active < components) {
    throw new Error(
      `${what}: the guide holds ${active} sounding STFT frame${active === 1 ? '' : 's'}, too few to learn ${components} components; give a longer clip or range, or fewer components per guided source`,
    );
  }
  try {
    const result = factorize(example, {
      rank: components,
      loss: options.loss,
      maxIter: options.maxIter,
      seed: options.seed,
      ...(hooks.kernels ? { kernels: hooks.kernels } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    return result.W;
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    throw new Error(`${what}: learning its dictionary failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
