import FFT from 'fft.js';
import { throwIfCancelled, type CancelSignal } from '../cancellation.js';
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

/**
 * Frames are transformed in blocks of FRAME_BLOCK and moved between frame-major scratch and the
 * bin-major spectrogram a block at a time: writing (or reading) one frame's bins straight into a
 * bin-major array strides through memory by `frames` floats per bin, a cache and TLB miss per
 * value. On a 10-minute 44.1 kHz channel (51 680 frames) that cost as much as the FFTs themselves.
 */
const FRAME_BLOCK = 32;

export function stft(signal: Float32Array, options: Partial<StftOptions> = {}): Spectrogram {
  const windowSize = options.windowSize ?? DEFAULT_STFT_OPTIONS.windowSize;
  const hop = options.hop ?? DEFAULT_STFT_OPTIONS.hop;
  const windowType = options.window ?? DEFAULT_STFT_OPTIONS.window;
  validateStftOptions({ windowSize, hop, window: windowType });
  const length = signal.length;
  if (length === 0) throw new RangeError('cannot take the STFT of an empty signal');
  checkFinite([signal], 'signal');
  const bins = windowSize / 2 + 1;
  const frames = 1 + Math.floor(length / hop);
  const analyser = new FrameAnalyser({ windowSize, hop, window: windowType }, [signal]);
  const re = new Float32Array(bins * frames);
  const im = new Float32Array(bins * frames);
  const blockRe = new Float64Array(FRAME_BLOCK * bins);
  const blockIm = new Float64Array(FRAME_BLOCK * bins);
  for (let t0 = 0; t0 < frames; t0 += FRAME_BLOCK) {
    const count = Math.min(FRAME_BLOCK, frames - t0);
    for (let j = 0; j < count; j++) {
      const spectrum = analyser.analyse(t0 + j);
      for (let b = 0; b < bins; b++) {
        blockRe[b * FRAME_BLOCK + j] = spectrum[2 * b]!;
        blockIm[b * FRAME_BLOCK + j] = spectrum[2 * b + 1]!;
      }
    }
    for (let b = 0; b < bins; b++) {
      const to = b * frames + t0;
      const from = b * FRAME_BLOCK;
      for (let j = 0; j < count; j++) {
        re[to + j] = blockRe[from + j]!;
        im[to + j] = blockIm[from + j]!;
      }
    }
  }
  return { bins, frames, windowSize, hop, window: windowType, length, re, im };
}

/**
 * |STFT| of the mean of the channels, bins × frames: the NMF's V for a multichannel recording.
 * The STFT is linear, so this is |mean of the channels' STFTs|, computed frame by frame from the
 * samples without holding any complex spectrogram (for 10 minutes of 44.1 kHz stereo those are
 * 424 MB each).
 */
export function meanMagnitude(channels: readonly Float32Array[], options: Required<StftOptions>, signal?: CancelSignal): Matrix {
  validateStftOptions(options);
  const length = channels[0]?.length ?? 0;
  if (length === 0) throw new RangeError('cannot take the STFT of an empty signal');
  checkFinite(channels, 'channel');
  const bins = options.windowSize / 2 + 1;
  const frames = 1 + Math.floor(length / options.hop);
  const analyser = new FrameAnalyser(options, channels);
  const out = createMatrix(bins, frames);
  const block = new Float64Array(FRAME_BLOCK * bins);
  for (let t0 = 0; t0 < frames; t0 += FRAME_BLOCK) {
    throwIfCancelled(signal);
    const count = Math.min(FRAME_BLOCK, frames - t0);
    for (let j = 0; j < count; j++) {
      const spectrum = analyser.analyse(t0 + j);
      for (let b = 0; b < bins; b++) {
        const re = spectrum[2 * b]!;
        const im = spectrum[2 * b + 1]!;
        // Not Math.hypot: V8's is several times slower, and these magnitudes cannot overflow.
        block[b * FRAME_BLOCK + j] = Math.sqrt(re * re + im * im);
      }
    }
    for (let b = 0; b < bins; b++) {
      const to = b * frames + t0;
      const from = b * FRAME_BLOCK;
      for (let j = 0; j < count; j++) out.data[to + j] = block[from + j]!;
    }
  }
  return out;
}

/**
 * One analysis frame at a time: frame t of the (mean of the) channels, windowed, through the real
 * FFT. analyse(t) returns bins 0…N/2 interleaved (re, im) of X[b] = Σ x[n] e^{−2πi·bn/N}; the
 * buffer is reused by the next call.
 */
export class FrameAnalyser {
  private readonly window: Float64Array;
  private readonly fft: FFT;
  private readonly frame: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly length: number;

  constructor(
    private readonly options: Required<StftOptions>,
    private readonly channels: readonly Float32Array[],
  ) {
    this.window = analysisWindow(options.window, options.windowSize);
    this.fft = new FFT(options.windowSize);
    this.frame = new Float64Array(options.windowSize);
    this.spectrum = new Float64Array(2 * options.windowSize);
    this.length = channels[0]!.length;
  }

  analyse(t: number): Float64Array {
    const { windowSize, hop } = this.options;
    const { window, frame, channels, length } = this;
    const start = t * hop - windowSize / 2;
    const scale = 1 / channels.length;
    for (let n = 0; n < windowSize; n++) {
      const i = start + n;
      if (i < 0 || i >= length) {
        frame[n] = 0;
        continue;
      }
      if (channels.length === 1) {
        frame[n] = channels[0]![i]! * window[n]!;
      } else {
        let sum = 0;
        for (const channel of channels) sum += channel[i]!;
        frame[n] = sum * scale * window[n]!;
      }
    }
    this.fft.realTransform(this.spectrum, frame);
    return this.spectrum;
  }
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
  const out = new Float32Array(length);
  const synthesis = new FrameSynthesiser(windowSize);
  const overlapAdd = new OverlapAdd(out, analysisWindow(windowType, windowSize), hop);
  const blockRe = new Float64Array(FRAME_BLOCK * bins);
  const blockIm = new Float64Array(FRAME_BLOCK * bins);
  for (let t0 = 0; t0 < frames; t0 += FRAME_BLOCK) {
    const count = Math.min(FRAME_BLOCK, frames - t0);
    for (let b = 0; b < bins; b++) {
      const from = b * frames + t0;
      const to = b * FRAME_BLOCK;
      for (let j = 0; j < count; j++) {
        blockRe[to + j] = re[from + j]!;
        blockIm[to + j] = im[from + j]!;
      }
    }
    // Two real frames per complex inverse FFT (FrameSynthesiser.pair).
    for (let j = 0; j < count; j += 2) {
      const a = synthesis.a;
      const b = synthesis.b;
      for (let k = 0; k < bins; k++) {
        a[2 * k] = blockRe[k * FRAME_BLOCK + j]!;
        a[2 * k + 1] = blockIm[k * FRAME_BLOCK + j]!;
      }
      if (j + 1 < count) {
        for (let k = 0; k < bins; k++) {
          b[2 * k] = blockRe[k * FRAME_BLOCK + j + 1]!;
          b[2 * k + 1] = blockIm[k * FRAME_BLOCK + j + 1]!;
        }
      } else {
        b.fill(0);
      }
      const z = synthesis.pair();
      overlapAdd.add(t0 + j, z, 0);
      if (j + 1 < count) overlapAdd.add(t0 + j + 1, z, 1);
    }
  }
  overlapAdd.finish();
  return out;
}

/**
 * Inverse real FFTs two frames at a time. Fill `a` and `b` with two half spectra (bins 0…N/2,
 * interleaved re, im); pair() returns the interleaved complex inverse z of A + iB (each extended to
 * the full Hermitian spectrum), whose real parts z[2n] are a's frame and imaginary parts z[2n+1]
 * b's: for real x and y, IFFT(X + iY) = x + iy. The imaginary parts of the DC and Nyquist bins are
 * dropped first, which is what taking the real part of a lone inverse would do (the projection onto
 * real signals); the packing is then exact and halves the inverse FFTs.
 */
export class FrameSynthesiser {
  readonly a: Float64Array;
  readonly b: Float64Array;
  private readonly fft: FFT;
  private readonly full: Float64Array;
  private readonly out: Float64Array;
  private readonly size: number;

  constructor(windowSize: number) {
    this.size = windowSize;
    this.fft = new FFT(windowSize);
    this.a = new Float64Array(windowSize + 2);
    this.b = new Float64Array(windowSize + 2);
    this.full = new Float64Array(2 * windowSize);
    this.out = new Float64Array(2 * windowSize);
  }

  pair(): Float64Array {
    const { a, b, full, size } = this;
    const half = size / 2;
    full[0] = a[0]!;
    full[1] = b[0]!;
    full[2 * half] = a[2 * half]!;
    full[2 * half + 1] = b[2 * half]!;
    for (let k = 1; k < half; k++) {
      const ar = a[2 * k]!;
      const ai = a[2 * k + 1]!;
      const br = b[2 * k]!;
      const bi = b[2 * k + 1]!;
      // Z[k] = A[k] + i·B[k]; Z[N−k] = conj(A[k]) + i·conj(B[k]).
      full[2 * k] = ar - bi;
      full[2 * k + 1] = ai + br;
      full[2 * (size - k)] = ar + bi;
      full[2 * (size - k) + 1] = br - ai;
    }
    this.fft.inverseTransform(this.out, full);
    return this.out;
  }
}

/**
 * Griffin & Lim's least-squares overlap-add (see the top of this file), streamed: frames are added
 * in increasing order and each output sample is written once no later frame can reach it, so the
 * running sums live in two rings of N values instead of two float64 arrays as long as the signal.
 */
export class OverlapAdd {
  private readonly sum: Float64Array;
  private readonly weight: Float64Array;
  private readonly mask: number;
  private flushed = 0;

  constructor(
    private readonly out: Float32Array,
    private readonly window: Float64Array,
    private readonly hop: number,
  ) {
    const size = window.length;
    this.sum = new Float64Array(size);
    this.weight = new Float64Array(size);
    this.mask = size - 1; // the size is a power of two
  }

  /** Adds frame t, whose n-th sample is frame[2n + offset] (an interleaved inverse FFT output). */
  add(t: number, frame: Float64Array, offset: 0 | 1): void {
    const { window, sum, weight, mask, out } = this;
    const size = window.length;
    const start = t * this.hop - size / 2;
    this.flushTo(start);
    const from = Math.max(0, -start);
    const to = Math.min(size, out.length - start);
    for (let n = from; n < to; n++) {
      const w = window[n]!;
      const r = (start + n) & mask;
      sum[r] += w * frame[2 * n + offset]!;
      weight[r] += w * w;
    }
  }

  /** Writes the samples left once every frame has been added. */
  finish(): void {
    this.flushTo(this.out.length);
  }

  private flushTo(end: number): void {
    const { sum, weight, mask, out } = this;
    const stop = Math.min(end, out.length);
    // weight is bounded away from zero by the hop ≤ N/2 rule (see validateStftOptions).
    for (let i = this.flushed; i < stop; i++) {
      const r = i & mask;
      out[i] = sum[r]! / weight[r]!;
      sum[r] = 0;
      weight[r] = 0;
    }
    if (stop > this.flushed) this.flushed = stop;
  }
}

function checkFinite(signals: readonly Float32Array[], what: string): void {
  signals.forEach((signal, c) => {
    for (let i = 0; i < signal.length; i++) {
      if (!Number.isFinite(signal[i]!)) {
        const name = signals.length > 1 ? `${what} ${c} sample ${i}` : `${what} sample ${i}`;
        throw new RangeError(`${name} is ${signal[i]}; the STFT needs finite samples`);
      }
    }
  });
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
