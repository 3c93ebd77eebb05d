import FFT from 'fft.js';
import { createMatrix, type Matrix } from '../matrix.js';

/**
 * Short-time Fourier transform and its inverse.
 *
 * Frames are centred like librosa's `center=True` with zero padding: frame t covers samples
 * [t·hop − N/2, t·hop + N/2), so there are 1 + ⌊length / hop⌋ frames and frame 0 is centred on the
 * first sample. The analysis window is periodic (DFT-even, scipy's `sym=False`): Hann by default,
 * w[n] = sin²(πn/N); Hamming, Blackman and sine (√Hann) are the alternatives.
 *
 * The inverse is Griffin & Lim's least-squares overlap-add (IEEE Trans. ASSP 32(2), 1984, eq. 6):
 *   x[p] = Σ_t w[p − t·hop] · y_t[p − t·hop] / Σ_t w²[p − t·hop]
 * with y_t the inverse DFT of frame t. For an unmodified STFT this gives x back exactly, for any
 * window whose squares overlap without gaps; for a masked one it is the signal whose STFT is
 * closest to the masked one in the least-squares sense. Where w² is constant-overlap-add (COLA for
 * w²: Hann and Hamming at hops N/4, N/8, …; sine at N/2, N/4, …; Blackman at N/8, …),
 * the denominator is a constant in the interior and this is plain weighted overlap-add, the
 * classic perfect-reconstruction condition (Allen 1977; Smith, "Spectral Audio Signal
 * Processing", 2011, "Weighted Overlap-Add").
 *
 * Defaults suit music at 44.1 kHz: N = 2048 (46 ms, 21.5 Hz bins, enough to resolve the partials
 * of notes from about 65 Hz up) and hop N/4 = 512 (11.6 ms), the Hann window's w² COLA hop.
 */
export type WindowType = 'hann' | 'hamming' | 'blackman' | 'sine';

export const WINDOW_TYPES: readonly WindowType[] = ['hann', 'hamming', 'blackman', 'sine'];

export interface StftOptions {
  /** Frame length N in samples; a power of two (fft.js's radix-4 FFT needs one). */
  readonly windowSize: number;
  /** Frame advance in samples, at most N/2. */
  readonly hop: number;
  /** Analysis (and synthesis) window. Default 'hann'. */
  readonly window?: WindowType;
}

export const DEFAULT_STFT_OPTIONS: Required<StftOptions> = { windowSize: 2048, hop: 512, window: 'hann' };

/**
 * Complex STFT stored bin-major: bin b of frame t is (re, im)[b · frames + t]. So the magnitude
 * is directly an NMF matrix V with one row per frequency bin and one column per frame.
 */
export interface Spectrogram {
  /** N/2 + 1: DC to Nyquist. */
  readonly bins: number;
  readonly frames: number;
  readonly windowSize: number;
  readonly hop: number;
  /** The analysis window; istft uses the same one. Absent means 'hann'. */
  readonly window?: WindowType;
  /** Length of the analysed signal, which istft returns. */
  readonly length: number;
  readonly re: Float32Array;
  readonly im: Float32Array;
}

export function validateStftOptions(options: StftOptions): void {
  const { windowSize, hop } = options;
  if (options.window !== undefined && !WINDOW_TYPES.includes(options.window)) {
    throw new RangeError(`STFT window must be one of ${WINDOW_TYPES.join(', ')}, got '${String(options.window)}'`);
  }
  if (!Number.isInteger(windowSize) || windowSize < 4 || (windowSize & (windowSize - 1)) !== 0) {
    throw new RangeError(`STFT window size must be a power of two ≥ 4, got ${windowSize}`);
  }
  // hop ≤ N/2 puts every interior sample within N/4 of some frame's centre, where every window
  // here is ≥ 0.34 (Blackman; Hann 1/2), so the inverse's normalisation Σ w² never divides by a
  // tiny number. A larger hop leaves samples seen only near the window's zeros (hop = N: not at
  // all), where float32 spectra cannot be inverted.
  if (!Number.isInteger(hop) || hop < 1 || hop > windowSize / 2) {
    throw new RangeError(`STFT hop must be an integer from 1 to windowSize/2 = ${windowSize / 2}, got ${hop}`);
  }
}

export function stft(signal: Float32Array, options: Partial<StftOptions> = {}): Spectrogram {
  const windowSize = options.windowSize ?? DEFAULT_STFT_OPTIONS.windowSize;
  const hop = options.hop ?? DEFAULT_STFT_OPTIONS.hop;
  const windowType = options.window ?? DEFAULT_STFT_OPTIONS.window;
  validateStftOptions({ windowSize, hop, window: windowType });
  const length = signal.length;
  if (length === 0) throw new RangeError('cannot take the STFT of an empty signal');
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(signal[i]!)) throw new RangeError(`signal sample ${i} is ${signal[i]}; the STFT needs finite samples`);
  }
  const half = windowSize / 2;
  const bins = half + 1;
  const frames = 1 + Math.floor(length / hop);
  const window = analysisWindow(windowType, windowSize);
  const fft = new FFT(windowSize);
  const frame = new Float64Array(windowSize);
  const spectrum = new Float64Array(2 * windowSize);
  const re = new Float32Array(bins * frames);
  const im = new Float32Array(bins * frames);
  for (let t = 0; t < frames; t++) {
    const start = t * hop - half;
    for (let n = 0; n < windowSize; n++) {
      const i = start + n;
      frame[n] = i >= 0 && i < length ? signal[i]! * window[n]! : 0;
    }
    // realTransform fills bins 0…N/2 (interleaved re, im) of X[b] = Σ x[n] e^{−2πi·bn/N}.
    fft.realTransform(spectrum, frame);
    for (let b = 0; b < bins; b++) {
      re[b * frames + t] = spectrum[2 * b]!;
      im[b * frames + t] = spectrum[2 * b + 1]!;
    }
  }
  return { bins, frames, windowSize, hop, window: windowType, length, re, im };
}

export function istft(spec: Spectrogram): Float32Array {
  const { bins, frames, windowSize, hop, length, re, im } = spec;
  const windowType = spec.window ?? 'hann';
  validateStftOptions({ windowSize, hop, window: windowType });
  const half = windowSize / 2;
  if (bins !== half + 1 || re.length !== bins * frames || im.length !== bins * frames) {
    throw new RangeError(`spectrogram shape ${bins}×${frames} (${re.length}/${im.length} values) does not fit window size ${windowSize}`);
  }
  if (frames !== 1 + Math.floor(length / hop)) {
    throw new RangeError(`spectrogram has ${frames} frames, a ${length}-sample signal with hop ${hop} has ${1 + Math.floor(length / hop)}`);
  }
  const window = analysisWindow(windowType, windowSize);
  const fft = new FFT(windowSize);
  const spectrum = new Float64Array(2 * windowSize);
  const frame = new Float64Array(2 * windowSize);
  const sum = new Float64Array(length);
  const weight = new Float64Array(length);
  for (let t = 0; t < frames; t++) {
    // Rebuild the full Hermitian spectrum; taking the real part of the inverse below drops any
    // imaginary part left at DC and Nyquist, i.e. projects onto real signals.
    for (let b = 0; b < bins; b++) {
      spectrum[2 * b] = re[b * frames + t]!;
      spectrum[2 * b + 1] = im[b * frames + t]!;
    }
    for (let b = 1; b < half; b++) {
      spectrum[2 * (windowSize - b)] = spectrum[2 * b]!;
      spectrum[2 * (windowSize - b) + 1] = -spectrum[2 * b + 1]!;
    }
    fft.inverseTransform(frame, spectrum);
    const start = t * hop - half;
    const from = Math.max(0, -start);
    const to = Math.min(windowSize, length - start);
    for (let n = from; n < to; n++) {
      const w = window[n]!;
      sum[start + n] += w * frame[2 * n]!;
      weight[start + n] += w * w;
    }
  }
  const out = new Float32Array(length);
  // weight is bounded away from zero by the hop ≤ N/2 rule (see validateStftOptions).
  for (let i = 0; i < length; i++) out[i] = sum[i]! / weight[i]!;
  return out;
}

/** |X| as a bins × frames matrix: the V that NMF factorizes. */
export function magnitude(spec: Spectrogram): Matrix {
  const out = createMatrix(spec.bins, spec.frames);
  const { re, im } = spec;
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.sqrt(re[i]! * re[i]! + im[i]! * im[i]!);
  return out;
}

/**
 * The periodic (DFT-even) window of the given type, w[n] for n = 0 … N−1 (scipy.signal.get_window
 * with fftbins=True): Hann 0.5 − 0.5 cos(2πn/N); Hamming 0.54 − 0.46 cos(2πn/N); Blackman
 * 0.42 − 0.5 cos(2πn/N) + 0.08 cos(4πn/N); sine sin(πn/N), the square root of Hann.
 */
export function analysisWindow(type: WindowType, size: number): Float64Array {
  const w = new Float64Array(size);
  for (let n = 0; n < size; n++) {
    const phase = (2 * Math.PI * n) / size;
    switch (type) {
      case 'hann': {
        // sin² form: exactly 0 at n = 0, no cancellation near the ends.
        const s = Math.sin((Math.PI * n) / size);
        w[n] = s * s;
        break;
      }
      case 'hamming':
        w[n] = 0.54 - 0.46 * Math.cos(phase);
        break;
      case 'blackman':
        // The three-term form dips a hair below zero at n = 0 in floating point; clamp it.
        w[n] = Math.max(0, 0.42 - 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase));
        break;
      case 'sine':
        w[n] = Math.sin((Math.PI * n) / size);
        break;
    }
  }
  return w;
}
