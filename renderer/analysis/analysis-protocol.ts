import type { ColormapName } from '../colormap.js';

/**
 * Messages between the page and its analysis worker (analysis-worker.ts), which computes what the
 * workspaces draw (spectrograms, waveform envelopes, band images, principal components) off the
 * page's thread, from the bytes of the file the user opened, so the UI never stalls on them.
 */

/** A magnitude spectrogram quantised for display: levels[b * frames + t], 0 = floor, 255 = peak. */
export interface SpectrogramLevels {
  readonly bins: number;
  readonly frames: number;
  readonly windowSize: number;
  readonly hop: number;
  readonly sampleRate: number;
  readonly levels: Uint8Array;
  /** dB (re full scale 1.0) of level 255 and of level 0. */
  readonly peakDb: number;
  readonly floorDb: number;
}

/** Minimum and maximum of the channel mean over consecutive blocks of `block` samples. */
export interface WaveformEnvelope {
  readonly block: number;
  readonly min: Float32Array;
  readonly max: Float32Array;
}

export interface AudioAnalysis {
  readonly sampleRate: number;
  readonly channels: number;
  readonly length: number;
  readonly spectrogram: SpectrogramLevels;
  readonly envelope: WaveformEnvelope;
}

export interface CubeAnalysis {
  readonly rows: number;
  readonly cols: number;
  readonly bands: number;
  readonly wavelengths: readonly number[] | null;
  readonly wavelengthUnits: string | null;
  /** Band indices nearest 640, 550 and 465 nm when the wavelengths cover the visible range, else null. */
  readonly trueColorBands: readonly [number, number, number] | null;
  /** Per band, the 2nd and 98th percentiles: the default contrast stretch. */
  readonly bandLow: Float32Array;
  readonly bandHigh: Float32Array;
  /** Up to 20 000 sampled pixels on the first three principal components (n × 3) and their colours (n × 3, RGB). */
  readonly pca: { readonly points: Float32Array; readonly colors: Uint8Array; readonly explained: readonly number[] };
}

export type ImageRequest =
  | { readonly mode: 'rgb'; readonly bands: readonly [number, number, number] }
  | { readonly mode: 'single'; readonly band: number; readonly colormap: ColormapName };

export type AnalysisRequest =
  | { readonly op: 'audio'; readonly bytes: ArrayBuffer; readonly name: string }
  | { readonly op: 'cube'; readonly bytes: ArrayBuffer; readonly name: string }
  | { readonly op: 'image'; readonly image: ImageRequest }
  | { readonly op: 'pixel'; readonly row: number; readonly col: number }
  /** endmembers: bands × P row-major; abundances: P × pixels row-major (see UnmixingFit). */
  | { readonly op: 'fit'; readonly endmembers: Float32Array; readonly abundances: Float32Array; readonly count: number; readonly scaled: boolean };

/**
 * How an unmixing fits the cube, pixel by pixel. Plain NMF models pixel j as Σ_p a_pj w_p; the
 * sum-to-one model (fractions a, peak-normalised w) as s_j Σ_p a_pj c_p w_p, with s_j the pixel's
 * ℓ1 norm and c_p the factors the host's peak normalisation took out (recovered by least squares,
 * see unmixingFit). Plain NMF: s_j = c_p = 1.
 */
export interface UnmixingFit {
  /** Per pixel: RMS over the fitted bands of the pixel minus its model. */
  readonly error: Float32Array;
  /** Per pixel: s_j. */
  readonly scales: Float32Array;
  /** Per endmember: c_p. */
  readonly factors: Float32Array;
  /**
   * The simplex corners on the principal components (P × 3): endmember p as it appears in its
   * purest pixel j* (largest a_pj), s_j* a_pj* w_p.
   */
  readonly corners: Float32Array;
}

export interface AnalysisResults {
  audio: AudioAnalysis;
  cube: CubeAnalysis;
  image: Uint8ClampedArray;
  pixel: Float32Array;
  fit: UnmixingFit;
}

export type AnalysisMessage = { readonly id: number } & AnalysisRequest;

export type AnalysisReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };
