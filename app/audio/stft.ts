import FFT from 'fft.js';
import { createMatrix, type Matrix } from '../matrix.js';

/**
 * Short-time Fourier transform and its inverse.
 *
 * Frames are centred like librosa's `center=True` with zero padding: frame t covers samples
 * [t·hop − N/2, t·hop + N/2), so there are 1 + ⌊length / hop⌋ frames and frame 0 is centred on the
 * first sample. The analysis window is a periodic Hann window, w[n] = sin²(πn/N).
 *
 * The inverse is Griffin & Lim's least-squares overlap-add (IEEE Trans. ASSP 32(2), 1984, eq. 6):
 *   x[p] = Σ_t w[p − t·hop] · y_t[p − t·hop] / Σ_t w²[p − t·hop]
 * with y_t the inverse DFT of frame t. For an unmodified STFT this gives x back exactly; for a
 * masked one it is the signal whose STFT is closest to the masked one in the least-squares sense.
 */
export interface StftOptions {
  /** Frame length N in samples; a power of two (fft.js's radix-4 FFT needs one). */
  readonly windowSize: number;
  /** Frame advance in samples, at most N/2. */
  readonly hop: number;
}

export const DEFAULT_STFT_OPTIONS: StftOptions = { windowSize: 2048, hop: 512 };

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
  /** Length of the analysed signal, which istft returns. */
  readonly length: number;
  readonly re: Float32Array;
  readonly im: Float32Array;
}

export function validateStftOptions(options: StftOptions): void {
  const { windowSize, hop } = options;
  if (!Number.isInteger(windowSize) || windowSize < 4 || (windowSize & (windowSize - 1)) !== 0) {
    throw new RangeError(`STFT window size must be a power of two ≥ 4, got ${windowSize}`);
  }
  // With a Hann window, hop ≤ N/2 keeps Σ w² ≥ 1/2 at every sample (sin⁴ + cos⁴ ≥ 1/2), so the
  // inverse's normalisation never divides by a tiny number. A larger hop leaves samples seen only
  // near the window's zeros (hop = N: not at all), where float32 spectra cannot be inverted.
  if (!Number.isInteger(hop) || hop < 1 || hop > windowSize / 2) {
    throw new RangeError(`STFT hop must be an integer from 1 to windowSize/2 = ${windowSize / 2}, got ${hop}`);
  }
}

export function stft(signal: Float32Array, options: Partial<StftOptions> = {}): Spectrogram {
  const windowSize = options.windowSize ?? DEFAULT_STFT_OPTIONS.windowSize;
  const hop = options.hop ?? DEFAULT_STFT_OPTIONS.hop;
  validateStftOptions({ windowSize, hop });
  const length = signal.length;
  if (length === 0) throw new RangeError('cannot take the STFT of an empty signal');
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(signal[i]!)) throw new RangeError(`signal sample ${i} is ${signal[i]}; the STFT needs finite samples`);
  }
  const half = windowSize / 2;
  const bins = half + 1;
  const frames = 1 + Math.floor(length / hop);
  const window = hannWindow(windowSize);
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
  return { bins, frames, windowSize, hop, length, re, im };
}

export function istft(spec: Spectrogram): Float32Array {
  const { bins, frames, windowSize, hop, length, re, im } = spec;
  validateStftOptions({ windowSize, hop });
  const half = windowSize / 2;
  if (bins !== half + 1 || re.length !== bins * frames || im.length !== bins * frames) {
    throw new RangeError(`spectrogram shape ${bins}×${frames} (${re.length}/${im.length} values) does not fit window size ${windowSize}`);
  }
  if (frames !== 1 + Math.floor(length / hop)) {
    throw new RangeError(`spectrogram has ${frames} frames, a ${length}-sample signal with hop ${hop} has ${1 + Math.floor(length / hop)}`);
  }
  const window = hannWindow(windowSize);
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
  // weight ≥ 1/2 everywhere by the hop ≤ N/2 rule (see validateStftOptions).
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

/** Periodic Hann window (the DFT-even form, scipy's `hann(N, sym=False)`). */
function hannWindow(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let n = 0; n < size; n++) {
    const s = Math.sin((Math.PI * n) / size);
    w[n] = s * s;
  }
  return w;
}
