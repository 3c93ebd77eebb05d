import FFT from 'fft.js';
import type { SpectrogramLevels } from './analysis-protocol.js';

/** Display range below the peak: 80 dB, about what a 16-bit recording's noise floor allows. */
export const DISPLAY_RANGE_DB = 80;
/** At most this many frames: longer signals get a larger hop (a 10 min, 44.1 kHz file: hop ≈ 441). */
const MAX_FRAMES = 60_000;
/**
 * dB are held until the peak is known in hundredths of a dB above -200 dB (the 1e-20 power floor)
 * in 16 bits: half the memory of float32 (123 MB rather than 246 MB for 10 minutes), and far finer
 * than a level's 80/255 dB.
 */
const DB_FLOOR = -200;
const DB_STEP = 0.01;

/**
 * The magnitude spectrogram of a signal, in dB and quantised to 8 bits for a texture. Framing as
 * app/audio/stft.ts (centred frames, periodic Hann window), but one frame at a time so a long
 * recording never holds its complex STFT: a 10 min file at 44.1 kHz needs 53 MB of levels rather
 * than 420 MB of float pairs.
 */
export function spectrogramLevels(signal: Float32Array, sampleRate: number): SpectrogramLevels {
  const windowSize = sampleRate >= 32_000 ? 2048 : 1024;
  const hop = Math.max(windowSize / 4, Math.ceil(signal.length / MAX_FRAMES));
  const half = windowSize / 2;
  const bins = half + 1;
  const frames = 1 + Math.floor(signal.length / hop);
  const window = new Float64Array(windowSize).map((_, n) => Math.sin((Math.PI * n) / windowSize) ** 2);
  // Full-scale sine → 0 dB: a Hann window's coherent gain is N/2, and a real sine splits in two.
  const scale = 4 / windowSize;
  const fft = new FFT(windowSize);
  const frame = new Float64Array(windowSize);
  const spectrum = new Float64Array(2 * windowSize);
  const db = new Uint16Array(bins * frames);
  let peak = -Infinity;
  for (let t = 0; t < frames; t++) {
    const start = t * hop - half;
    for (let n = 0; n < windowSize; n++) {
      const i = start + n;
      frame[n] = i >= 0 && i < signal.length ? signal[i]! * window[n]! : 0;
    }
    fft.realTransform(spectrum, frame);
    for (let b = 0; b < bins; b++) {
      const re = spectrum[2 * b]!;
      const im = spectrum[2 * b + 1]!;
      const value = 10 * Math.log10((re * re + im * im) * scale * scale + 1e-20);
      db[b * frames + t] = Math.min(65535, Math.round((value - DB_FLOOR) / DB_STEP));
      if (value > peak) peak = value;
    }
  }
  if (!Number.isFinite(peak)) peak = 0;
  const floor = peak - DISPLAY_RANGE_DB;
  const levels = new Uint8Array(bins * frames);
  for (let i = 0; i < levels.length; i++) {
    const value = DB_FLOOR + db[i]! * DB_STEP;
    levels[i] = Math.max(0, Math.min(255, Math.round(((value - floor) / DISPLAY_RANGE_DB) * 255)));
  }
  return { bins, frames, windowSize, hop, sampleRate, levels, peakDb: peak, floorDb: floor };
}
