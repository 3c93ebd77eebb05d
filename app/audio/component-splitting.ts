import { createMatrix, type Matrix } from '../matrix.js';
import { salientF0Of, spectrumGrid, type SpectrumGrid } from './harmonic-summation.js';

/**
 * Splitting NMF components that hold two notes at once.
 *
 * Why: when two instruments play notes that overlap in time, KL-NMF of the mixture's spectrogram
 * often spends one component on the pair (its spectrum is both harmonic combs, its activation the
 * time they sound together): the cheaper fit for a fixed rank. No grouping of whole components
 * can then give each instrument its own partials. On the synthetic mixtures of
 * test/audio-mixtures.ts this happened on about half of the random starts, and an oracle grouping
 * of those models was as bad as the automatic one.
 *
 * What: each W column is searched for several fundamentals by iterative estimation and
 * cancellation (Klapuri, "Multiple fundamental frequency estimation by summing harmonic
 * amplitudes", ISMIR 2006), over the column's spectral peaks:
 *  1. peaks: local maxima above 1e-3 of the column's largest bin, their frequency refined by a
 *     parabola through the log magnitudes of the three bins (Smith & Serra 1987, for a Hann-type
 *     window accurate to a small fraction of a bin), each owning the bins down to the valleys on
 *     either side;
 *  2. the most salient f0 on a 1/120-octave grid: Σ_h a_h/√h over partials h = 1 … 8, a_h the
 *     largest free peak within 1.5 % (at least a quarter bin) of h·f0, scaled down when the
 *     fundamental is weak next to partial 2 or 3 (Hermes 1988's guard against subharmonics). The
 *     refined peak frequencies and the narrow tolerance are what keep two notes a semitone or a
 *     whole tone apart from passing for one mistuned note at the STFT's resolution (with ±1-bin
 *     windows, or a 3 % tolerance, a woodwind at 233 Hz and a flute at 438 Hz ≈ 2 × 219 Hz were
 *     taken for one note at 222–226 Hz);
 *  3. the f0's partials take their peaks, h = 1, 2, … up to 30, ending after 3 partials in a row
 *     without a peak; the next f0 is searched among the free peaks.
 * A set of peaks counts as a note when it has at least 3 partials, two of them among partials
 * 1–3 (a clarinet's 1 and 3 qualify; formant peaks of a voice matching partials 1, 4, 5 of some
 * f0 do not). A column whose first f0 is no note, or has one note only, stays whole. A further
 * note is kept when its peaks hold at least `minShare` of the column's magnitude and its f0 is
 * not in an integer ratio (within 3 %) with one already found. A column with two or more notes
 * becomes that many columns: each takes the bins of its peaks, and the bins of no partial
 * (noise, the valleys) are shared in proportion to the parts' partial magnitudes; every part
 * keeps the parent's activation row. The parts' columns sum to the parent's, so W′H′ = WH (to
 * float rounding): the model's fit is unchanged, only the grouping (and so the masks) can now
 * send each note to its own source.
 *
 * Measured (test/audio-mixtures.ts, 10 NMF seeds each, the worse source's SDR): woodwind +
 * plucked 3.5–15.5 dB, 4 seeds under 10 dB, became 15.5–31.2 dB, none under 10; flute + woodwind
 * 0.8–31.0 dB, 5 under 10, became 22.9–31.4 dB. On ../shared/data/audio (sampled instruments,
 * speech) the note rule leaves speech/marimba and clarinet/guitar as they were (within 0.1 dB);
 * trumpet/strings moves from 7.5 / 3.7 to 7.1 / 3.5 dB. Tried and dropped: refitting the split
 * model's activations with W′ fixed (30 multiplicative updates) to merge parts that do not sound
 * together: it changed no SDR by more than 0.2 dB and the overlap it measured was 0.75–0.96 for
 * every split, good and bad alike.
 */
export interface SplitOptions {
  /** Sample rate of the audio (Hz). */
  readonly sampleRate: number;
  /** At most this many fundamentals per component. Default 3. */
  readonly maxParts?: number;
  /** A further fundamental's partials must hold this share of the column's magnitude. Default 0.15. */
  readonly minShare?: number;
}

export interface SplitModel {
  readonly W: Matrix;
  readonly H: Matrix;
  /** parent[j]: the original component that column j of W came from. */
  readonly parent: number[];
}

interface Peak {
  /** Refined frequency (Hz). */
  readonly hz: number;
  readonly amplitude: number;
  /** Bins owned: from … to inclusive (valley to valley). */
  readonly from: number;
  readonly to: number;
}

const PEAK_FLOOR = 1e-3;
const OWNED_PARTIALS = 30;
/** A partial matches a peak within 1.5 % of its frequency (a quarter-tone is 2.9 %), at least a quarter bin. */
const TOLERANCE = 0.015;
const TOLERANCE_BINS = 0.25;
/** A harmonic series ends after this many partials in a row without a peak. */
const MAX_MISSES = 3;
/** Two fundamentals in an integer ratio up to 8, within 3 %, are taken for one note's partials. */
const MAX_RATIO = 8;
const RELATED_TOLERANCE = 0.03;

export function splitMixedComponents(W: Matrix, H: Matrix, options: SplitOptions): SplitModel {
  const bins = W.rows;
  const K = W.cols;
  const n = H.cols;
  if (H.rows !== K) throw new RangeError(`W has ${K} components but H has ${H.rows}`);
  const maxParts = options.maxParts ?? 3;
  const minShare = options.minShare ?? 0.15;
  if (!(options.sampleRate > 0) || !Number.isFinite(options.sampleRate)) throw new RangeError(`sample rate must be a positive number, got ${options.sampleRate}`);
  if (!Number.isInteger(maxParts) || maxParts < 1 || maxParts > 16) throw new RangeError(`maxParts must be an integer in [1, 16], got ${maxParts}`);
  if (!(minShare >= 0 && minShare <= 1)) throw new RangeError(`minShare must be in [0, 1], got ${minShare}`);
  const grid = spectrumGrid(bins, options.sampleRate);
  const columns: Float64Array[] = [];
  const parent: number[] = [];
  const column = new Float64Array(bins);
  for (let k = 0; k < K; k++) {
    let total = 0;
    for (let b = 0; b < bins; b++) total += column[b] = W.data[b * K + k]!;
    const parts = total > 0 ? fundamentals(column, spectralPeaks(column, grid), grid, total, maxParts, minShare) : [];
    if (parts.length < 2) {
      columns.push(Float64Array.from(column));
      parent.push(k);
      continue;
    }
    const owner = new Int8Array(bins).fill(-1);
    const energy = parts.map((peaks, p) => {
      let e = 0;
      for (const peak of peaks) {
        for (let b = peak.from; b <= peak.to; b++) {
          owner[b] = p;
          e += column[b]!;
        }
      }
      return e;
    });
    const sum = energy.reduce((a, b) => a + b, 0);
    parts.forEach((_, p) => {
      const out = new Float64Array(bins);
      for (let b = 0; b < bins; b++) out[b] = owner[b] === p ? column[b]! : owner[b] === -1 ? (column[b]! * energy[p]!) / sum : 0;
      columns.push(out);
      parent.push(k);
    });
  }
  const K2 = columns.length;
  const W2 = createMatrix(bins, K2);
  const H2 = createMatrix(K2, n);
  columns.forEach((c, j) => {
    for (let b = 0; b < bins; b++) W2.data[b * K2 + j] = c[b]!;
    H2.data.set(H.data.subarray(parent[j]! * n, (parent[j]! + 1) * n), j * n);
  });
  return { W: W2, H: H2, parent };
}

/** Local maxima above PEAK_FLOOR·max, frequency by parabolic interpolation of log magnitude, sorted by frequency. */
function spectralPeaks(column: Float64Array, grid: SpectrumGrid): Peak[] {
  const bins = column.length;
  let max = 0;
  for (let b = 0; b < bins; b++) if (column[b]! > max) max = column[b]!;
  const floor = PEAK_FLOOR * max;
  const peaks: Peak[] = [];
  for (let b = 1; b < bins - 1; b++) {
    const x = column[b]!;
    if (!(x > floor) || x < column[b - 1]! || x <= column[b + 1]!) continue;
    const [l, c, r] = [column[b - 1]!, x, column[b + 1]!].map((v) => Math.log(Math.max(v, floor * 1e-3)));
    const denominator = l! - 2 * c! + r!;
    const offset = denominator < 0 ? (0.5 * (l! - r!)) / denominator : 0;
    let from = b;
    while (from > 0 && column[from - 1]! <= column[from]! && column[from - 1]! > 0) from--;
    let to = b;
    while (to < bins - 1 && column[to + 1]! < column[to]!) to++;
    peaks.push({ hz: (b + Math.max(-0.5, Math.min(0.5, offset))) * grid.binHz, amplitude: x, from, to });
  }
  // Neighbouring peaks' regions may share a valley bin: it goes to the lower peak.
  for (let i = 1; i < peaks.length; i++) {
    const previous = peaks[i - 1]!;
    if (peaks[i]!.from <= previous.to) peaks[i] = { ...peaks[i]!, from: previous.to + 1 };
  }
  return peaks;
}

/** Iterative estimation and cancellation: the peaks of each fundamental found, strongest first. */
function fundamentals(column: Float64Array, peaks: readonly Peak[], grid: SpectrumGrid, total: number, maxParts: number, minShare: number): Peak[][] {
  const taken = new Uint8Array(peaks.length);
  const found: number[] = [];
  const parts: Peak[][] = [];
  while (parts.length < maxParts) {
    const f0 = peakSalientF0(peaks, taken, grid);
    if (f0 === 0 || found.some((g) => related(f0, g))) break;
    const owned: number[] = [];
    let misses = 0;
    let low = 0;
    for (let h = 1; h <= OWNED_PARTIALS && h * f0 < grid.nyquist && misses < MAX_MISSES; h++) {
      const i = nearestFreePeak(peaks, taken, h * f0, grid);
      if (i >= 0 && !owned.includes(i)) {
        owned.push(i);
        if (h <= 3) low++;
        misses = 0;
      } else misses++;
    }
    let e = 0;
    for (const i of owned) for (let b = peaks[i]!.from; b <= peaks[i]!.to; b++) e += column[b]!;
    const note = owned.length >= 3 && low >= 2;
    if (!note || (parts.length > 0 && e < minShare * total)) break;
    for (const i of owned) taken[i] = 1;
    found.push(f0);
    parts.push(owned.map((i) => peaks[i]!));
  }
  return parts;
}

/** The most salient f0 among the free peaks (harmonic-summation.ts, A(f) = the largest free peak near f). */
function peakSalientF0(peaks: readonly Peak[], taken: Uint8Array, grid: SpectrumGrid): number {
  return salientF0Of((hz) => {
    const i = nearestFreePeak(peaks, taken, hz, grid);
    return i >= 0 ? peaks[i]!.amplitude : 0;
  }, grid);
}

/** Index of the largest free peak within the tolerance of `hz`, or −1. */
function nearestFreePeak(peaks: readonly Peak[], taken: Uint8Array, hz: number, grid: SpectrumGrid): number {
  const tolerance = Math.max(TOLERANCE * hz, TOLERANCE_BINS * grid.binHz);
  // Binary search for the first peak at or above hz − tolerance.
  let lo = 0;
  let hi = peaks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (peaks[mid]!.hz < hz - tolerance) lo = mid + 1;
    else hi = mid;
  }
  let pick = -1;
  for (let i = lo; i < peaks.length && peaks[i]!.hz <= hz + tolerance; i++) {
    if (!taken[i] && (pick < 0 || peaks[i]!.amplitude > peaks[pick]!.amplitude)) pick = i;
  }
  return pick;
}

/** f and g a (near) integer ratio apart: partials of one note, not two notes. */
function related(f: number, g: number): boolean {
  const ratio = f > g ? f / g : g / f;
  const nearest = Math.round(ratio);
  return nearest <= MAX_RATIO && Math.abs(ratio - nearest) <= RELATED_TOLERANCE * nearest;
}

