/**
 * Synthetic two-source test mixtures for guided separation, made in code (seeded): harmonic
 * notes of two timbres in overlapping registers, noise bursts, a chirp. Each case comes with the
 * true sources, an example clip per source (the same instrument playing other notes at other
 * times, as a user's own recording would) and the time ranges where each source plays alone
 * (the mixture starts with source 1 alone and ends with source 2 alone).
 */
import type { TimeRange } from '../app/audio/guided-dictionary.js';
import { createRandom } from '../app/random.js';

export const RATE = 16000;

export interface GuidedCase {
  readonly name: string;
  readonly sources: readonly [Float32Array, Float32Array];
  readonly mixture: Float32Array;
  /** An example clip of each source alone. */
  readonly clips: readonly [Float32Array, Float32Array];
  /** Where each source plays alone in the mixture. */
  readonly solo: readonly [TimeRange[], TimeRange[]];
}

type Instrument = (out: Float32Array, start: number, seconds: number, pitch: number, seed: number) => void;

/** A harmonic note with partial amplitudes amp(h), attack 10 ms and exponential decay. */
function harmonic(amp: (h: number) => number, partials: number, decay: number): Instrument {
  return (out, start, seconds, f0, _seed) => {
    const first = Math.round(start * RATE);
    const n = Math.round(seconds * RATE);
    for (let i = 0; i < n && first + i < out.length; i++) {
      const t = i / RATE;
      const envelope = Math.min(1, t / 0.01) * Math.exp(-decay * t) * Math.min(1, (seconds - t) / 0.01);
      let x = 0;
      for (let h = 1; h <= partials && h * f0 < RATE / 2; h++) x += amp(h) * Math.sin(2 * Math.PI * h * f0 * t);
      out[first + i] += 0.3 * envelope * x;
    }
  };
}

/** Clarinet-like: odd partials only. */
export const reed = harmonic((h) => (h % 2 === 1 ? 1 / h : 0), 9, 0.5);
/** Bright plucked string: every partial, 1/h, fast decay. */
export const pluck = harmonic((h) => 1 / h, 10, 4);

/** A burst of seeded noise, shaped by a one-pole high-pass and a fast decay (a hi-hat or snare). */
export const noiseBurst: Instrument = (out, start, seconds, brightness, seed) => {
  const random = createRandom(seed);
  const first = Math.round(start * RATE);
  const n = Math.round(seconds * RATE);
  const a = brightness / 10000; // high-pass coefficient from the "pitch" argument
  let previous = 0;
  let previousOut = 0;
  for (let i = 0; i < n && first + i < out.length; i++) {
    const white = 2 * random() - 1;
    const hp = a * (previousOut + white - previous);
    previous = white;
    previousOut = hp;
    out[first + i] += 0.25 * Math.exp((-12 * i) / RATE) * hp;
  }
};

/** A linear chirp with 20 ms fades. */
export const chirp: Instrument = (out, start, seconds, from, _seed) => {
  const first = Math.round(start * RATE);
  const n = Math.round(seconds * RATE);
  const to = from * 4;
  for (let i = 0; i < n && first + i < out.length; i++) {
    const t = i / RATE;
    const phase = 2 * Math.PI * (from * t + ((to - from) * t * t) / (2 * seconds));
    const fade = Math.min(1, t / 0.02, (seconds - t) / 0.02);
    out[first + i] += 0.2 * fade * Math.sin(phase);
  }
};

/** Notes (start s, length s, pitch) played by an instrument into a fresh signal. */
function play(instrument: Instrument, seconds: number, notes: readonly (readonly [number, number, number])[], seed: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  notes.forEach(([start, length, pitch], i) => instrument(out, start, length, pitch, seed * 1000 + i));
  return out;
}

/** The pitches one after another from `start`, each `each` seconds long. */
function sequence(pitches: readonly number[], start: number, each: number): [number, number, number][] {
  return pitches.map((pitch, i) => [start + i * each, each, pitch]);
}

// Layout of every mixture (seconds): source 1 alone, both, source 2 alone.
const SOLO_ONE: TimeRange = { start: 0, end: 1.2 };
const BOTH: TimeRange = { start: 1.2, end: 3.2 };
const SOLO_TWO: TimeRange = { start: 3.2, end: 4.4 };
const SECONDS = SOLO_TWO.end;

/**
 * Each source plays its pitches three times: alone (in the given order), together with the other
 * source (reversed for source 1, rotated and 0.15 s late for source 2, so onsets differ), and in
 * its example clip (rotated the other way, at another tempo).
 */
function makeCase(name: string, one: Instrument, pitchesOne: readonly number[], two: Instrument, pitchesTwo: readonly number[]): GuidedCase {
  const soloLength = SOLO_ONE.end - SOLO_ONE.start;
  const bothLength = BOTH.end - BOTH.start;
  const rotate = (p: readonly number[], by: number): number[] => p.map((_, i) => p[(i + by) % p.length]!);
  const a = play(one, SECONDS, [...sequence(pitchesOne, SOLO_ONE.start, soloLength / pitchesOne.length), ...sequence([...pitchesOne].reverse(), BOTH.start, bothLength / pitchesOne.length)], 1);
  const b = play(two, SECONDS, [...sequence(rotate(pitchesTwo, 1), BOTH.start + 0.15, (bothLength - 0.15) / pitchesTwo.length), ...sequence(pitchesTwo, SOLO_TWO.start, soloLength / pitchesTwo.length)], 2);
  const clipSeconds = 1.5;
  return {
    name,
    sources: [a, b],
    mixture: a.map((x, i) => x + b[i]!),
    clips: [
      play(one, clipSeconds, sequence(rotate(pitchesOne, pitchesOne.length - 1), 0, clipSeconds / pitchesOne.length), 3),
      play(two, clipSeconds, sequence(rotate(pitchesTwo, pitchesTwo.length - 1), 0, clipSeconds / pitchesTwo.length), 4),
    ],
    solo: [[SOLO_ONE], [SOLO_TWO]],
  };
}

export const GUIDED_CASES: readonly GuidedCase[] = [
  // Two harmonic instruments in the same register, different timbres and onsets.
  makeCase('reed vs pluck, same register', reed, [262, 330, 294, 349], pluck, [294, 392, 262, 330, 247]),
  // A melody against noise bursts (drums): the "pitch" of a burst sets its brightness.
  makeCase('reed vs noise bursts', reed, [220, 277, 330, 247], noiseBurst, [8000, 9000, 8000, 9500, 8500, 9000]),
  // Low tones against high ones.
  makeCase('low pluck vs high reed', pluck, [110, 131, 147], reed, [880, 988, 1175, 1047]),
  // Plucked notes against chirps (sweeps from the "pitch" up two octaves).
  makeCase('pluck vs chirp', pluck, [392, 330, 440, 294], chirp, [300, 500]),
];
