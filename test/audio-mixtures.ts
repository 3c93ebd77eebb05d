/**
 * Synthetic two-source test mixtures with known sources, made from seeded parts so every run (and
 * every platform) gets the same samples: harmonic tones with different pitches, timbres and
 * onsets, percussive noise bursts and a gliding chirp. The mixture is the plain sum of the sources.
 *
 * Each source is scaled to the same RMS before mixing.
 *
 * The pitches are not all tempered: they were picked so that no strong partial of one source
 * comes within 45 Hz (3 bins of a 1024-point STFT at 16 kHz) of a strong partial of a note of the
 * other source sounding at the same time (an octave or a twelfth between simultaneous notes puts
 * the partials of both in the same cells, and a spectrogram mask cannot split a shared cell). So
 * the tests measure the grouping, not the material.
 */
import { createRandom } from '../app/random.js';

export interface TestMixture {
  readonly name: string;
  readonly sampleRate: number;
  /** The true sources, each one channel per output channel. */
  readonly sources: Float32Array[][];
  /** Channel arrays of the mixture (the sum of the sources). */
  readonly mixture: Float32Array[];
}

export interface Note {
  /** Fundamental frequency in Hz. */
  readonly f0: number;
  readonly onset: number;
  readonly duration: number;
}

export interface Timbre {
  /** Amplitude of partial h (1-based). */
  readonly partial: (h: number) => number;
  readonly partials: number;
  /** Envelope over the note's own time t ∈ [0, duration), in seconds. */
  readonly envelope: (t: number, duration: number) => number;
}

/** Sustained, hollow (odd partials strong): a clarinet-like tone with 30 ms attack and release. */
export const WOODWIND: Timbre = {
  partials: 9,
  partial: (h) => (h % 2 === 1 ? 1 / h : 0.15 / h),
  envelope: (t, d) => Math.min(1, t / 0.03, (d - t) / 0.03),
};

/** Plucked, bright (every partial, 1/h), decaying with a 0.35 s time constant after a 5 ms attack. */
export const PLUCKED: Timbre = {
  partials: 12,
  partial: (h) => 1 / h,
  envelope: (t, d) => Math.min(1, t / 0.005, (d - t) / 0.01) * Math.exp(-t / 0.35),
};

/** Soft, few partials, slow 80 ms attack: a flute-like tone. */
export const FLUTE: Timbre = {
  partials: 4,
  partial: (h) => [1, 0.4, 0.15, 0.05][h - 1]!,
  envelope: (t, d) => Math.min(1, t / 0.08, (d - t) / 0.05),
};

export function silence(sampleRate: number, seconds: number): Float32Array {
  return new Float32Array(Math.round(sampleRate * seconds));
}

/** Adds notes of a timbre into `out`; every note gets its own seeded random partial phases. */
export function addNotes(out: Float32Array, sampleRate: number, notes: readonly Note[], timbre: Timbre, gain: number, seed: number): Float32Array {
  const random = createRandom(seed);
  for (const note of notes) {
    const phases = Array.from({ length: timbre.partials }, () => 2 * Math.PI * random());
    const start = Math.round(note.onset * sampleRate);
    const end = Math.min(out.length, start + Math.round(note.duration * sampleRate));
    for (let i = start; i < end; i++) {
      const t = (i - start) / sampleRate;
      const envelope = timbre.envelope(t, note.duration);
      if (envelope <= 0) continue;
      let x = 0;
      for (let h = 1; h <= timbre.partials; h++) {
        const f = h * note.f0;
        if (f >= sampleRate / 2) break;
        x += timbre.partial(h) * Math.sin(2 * Math.PI * f * t + phases[h - 1]!);
      }
      out[i] += gain * envelope * x;
    }
  }
  return out;
}

/**
 * Percussive noise bursts: white noise through a one-pole band emphasis (a resonator at
 * `centre` Hz), 2 ms attack and exponential decay with time constant `decay`.
 */
export function addNoiseBursts(out: Float32Array, sampleRate: number, onsets: readonly number[], centre: number, decay: number, gain: number, seed: number): Float32Array {
  const random = createRandom(seed);
  // Two-pole resonator y[n] = x[n] + 2r cos(θ) y[n−1] − r² y[n−2], bandwidth ~ (1 − r)·rate/π.
  const r = 0.97;
  const theta = (2 * Math.PI * centre) / sampleRate;
  const a1 = 2 * r * Math.cos(theta);
  const a2 = -r * r;
  for (const onset of onsets) {
    const start = Math.round(onset * sampleRate);
    const end = Math.min(out.length, start + Math.round(6 * decay * sampleRate));
    let y1 = 0;
    let y2 = 0;
    for (let i = start; i < end; i++) {
      const t = (i - start) / sampleRate;
      const x = (2 * random() - 1) * Math.min(1, t / 0.002) * Math.exp(-t / decay);
      const y = x + a1 * y1 + a2 * y2;
      y2 = y1;
      y1 = y;
      out[i] += gain * (1 - r) * y;
    }
  }
  return out;
}

/** A harmonic glide: f0 moves exponentially from `from` to `to` Hz over the tone's duration. */
export function addChirp(out: Float32Array, sampleRate: number, onset: number, duration: number, from: number, to: number, timbre: Timbre, gain: number): Float32Array {
  const start = Math.round(onset * sampleRate);
  const end = Math.min(out.length, start + Math.round(duration * sampleRate));
  const rate = Math.log(to / from) / duration;
  for (let i = start; i < end; i++) {
    const t = (i - start) / sampleRate;
    // Phase of f0(t) = from·e^{rate·t}: ∫ 2π f0 = 2π·from·(e^{rate·t} − 1)/rate.
    const phase = (2 * Math.PI * from * (Math.exp(rate * t) - 1)) / rate;
    const f0 = from * Math.exp(rate * t);
    let x = 0;
    for (let h = 1; h <= timbre.partials; h++) {
      if (h * f0 >= sampleRate / 2) break;
      x += timbre.partial(h) * Math.sin(h * phase);
    }
    out[i] += gain * timbre.envelope(t, duration) * x;
  }
  return out;
}

/** Sources scaled to the same RMS (0.1, about −20 dBFS): equal loudness, like ../shared/data/audio. */
function mono(name: string, sampleRate: number, raw: Float32Array[]): TestMixture {
  const sources = raw.map((s) => {
    let e = 0;
    for (const x of s) e += x * x;
    const gain = 0.1 / Math.sqrt(e / s.length);
    return s.map((x) => gain * x);
  });
  const mixture = new Float32Array(sources[0]!.length);
  for (const s of sources) for (let i = 0; i < s.length; i++) mixture[i] += s[i]!;
  return { name, sampleRate, sources: sources.map((s) => [s]), mixture: [mixture] };
}

/** Equal-power pan of mono sources: pan ∈ [0, 1], 0 = left. */
export function panned(mixture: TestMixture, pans: readonly number[]): TestMixture {
  const sources = mixture.sources.map((source, s) => {
    const angle = (pans[s]! * Math.PI) / 2;
    return [source[0]!.map((x) => Math.cos(angle) * x), source[0]!.map((x) => Math.sin(angle) * x)];
  });
  const channels = [0, 1].map((c) => {
    const out = new Float32Array(sources[0]![c]!.length);
    for (const s of sources) for (let i = 0; i < out.length; i++) out[i] += s[c]![i]!;
    return out;
  });
  return { name: `${mixture.name} (stereo)`, sampleRate: mixture.sampleRate, sources, mixture: channels };
}

const RATE = 16000;
const SECONDS = 3;

/**
 * Two harmonic instruments: a woodwind melody in the low register (G3–B3) and plucked notes
 * about an octave and a half above, with onsets that do not line up, overlapping most of the time.
 */
export function woodwindAndPlucked(): TestMixture {
  const low = addNotes(silence(RATE, SECONDS), RATE, [
    { f0: 196.0, onset: 0.0, duration: 0.8 },
    { f0: 220.0, onset: 0.8, duration: 0.7 },
    { f0: 246.9, onset: 1.5, duration: 0.8 },
    { f0: 207.7, onset: 2.3, duration: 0.7 },
  ], WOODWIND, 0.3, 1);
  const high = addNotes(silence(RATE, SECONDS), RATE, [
    { f0: 720.0, onset: 0.35, duration: 0.6 },
    { f0: 801.0, onset: 0.95, duration: 0.6 },
    { f0: 680.0, onset: 1.55, duration: 0.6 },
    { f0: 801.0, onset: 2.15, duration: 0.8 },
  ], PLUCKED, 0.3, 2);
  return mono('woodwind + plucked', RATE, [low, high]);
}

/** Two sustained instruments in overlapping registers told apart by timbre and timing: flute over woodwind. */
export function fluteAndWoodwind(): TestMixture {
  const woodwind = addNotes(silence(RATE, SECONDS), RATE, [
    { f0: 261.6, onset: 0.0, duration: 1.0 },
    { f0: 233.1, onset: 1.0, duration: 1.0 },
    { f0: 277.2, onset: 2.0, duration: 1.0 },
  ], WOODWIND, 0.3, 3);
  // Each flute note starts half-way through a woodwind note: no two notes share an onset.
  const flute = addNotes(silence(RATE, SECONDS), RATE, [
    { f0: 327.0, onset: 0.5, duration: 0.9 },
    { f0: 438.3, onset: 1.45, duration: 1.0 },
    { f0: 349.2, onset: 2.5, duration: 0.5 },
  ], FLUTE, 0.4, 4);
  return mono('flute + woodwind', RATE, [woodwind, flute]);
}

/** A woodwind melody against band-limited percussive noise bursts. */
export function tonesAndNoiseBursts(): TestMixture {
  const tones = addNotes(silence(RATE, SECONDS), RATE, [
    { f0: 233.1, onset: 0.1, duration: 1.3 },
    { f0: 311.1, onset: 1.4, duration: 1.5 },
  ], WOODWIND, 0.3, 5);
  const bursts = addNoiseBursts(silence(RATE, SECONDS), RATE, [0.25, 0.75, 1.25, 1.75, 2.25, 2.6], 3500, 0.06, 0.8, 6);
  return mono('tones + noise bursts', RATE, [tones, bursts]);
}

/** A rising flute glide against a plucked line. */
export function chirpAndPlucked(): TestMixture {
  const chirp = addChirp(silence(RATE, SECONDS), RATE, 0.2, 2.6, 300, 520, FLUTE, 0.35);
  const plucked = addNotes(silence(RATE, SECONDS), RATE, [
    { f0: 987.8, onset: 0.0, duration: 0.7 },
    { f0: 880.0, onset: 0.7, duration: 0.7 },
    { f0: 1108.7, onset: 1.4, duration: 0.8 },
    { f0: 830.6, onset: 2.2, duration: 0.8 },
  ], PLUCKED, 0.25, 7);
  return mono('chirp + plucked', RATE, [chirp, plucked]);
}

/** The harmonic two-source mixtures the ≥ 10 dB automatic-grouping target applies to. */
export function harmonicMixtures(): TestMixture[] {
  return [woodwindAndPlucked(), fluteAndWoodwind()];
}
