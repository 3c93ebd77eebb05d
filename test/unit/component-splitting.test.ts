/**
 * component-splitting.ts: a W column that holds two notes becomes one column per note, each with
 * only its own partials; a single note, an octave, or a column that is not a harmonic series stays
 * whole; W′H′ = WH.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitMixedComponents } from '../../app/audio/component-splitting.js';
import { meanMagnitude } from '../../app/audio/stft.js';
import { createMatrix, type Matrix } from '../../app/matrix.js';
import { createRandom } from '../../app/random.js';
import { addNotes, FLUTE, PLUCKED, silence, WOODWIND, type Timbre } from '../audio-mixtures.js';

const RATE = 16000;
const STFT = { windowSize: 1024, hop: 256, window: 'hann' as const };
const BINS = STFT.windowSize / 2 + 1;
const BIN_HZ = RATE / STFT.windowSize;

/** The time-averaged magnitude spectrum of steady notes played together: a W column. */
function spectrumOf(notes: readonly { f0: number; timbre: Timbre; gain?: number }[]): Float64Array {
  const signal = silence(RATE, 0.5);
  notes.forEach(({ f0, timbre, gain }, i) => addNotes(signal, RATE, [{ f0, onset: 0, duration: 0.5 }], { ...timbre, envelope: () => 1 }, gain ?? 0.3, i + 1));
  const V = meanMagnitude([signal], STFT);
  const column = new Float64Array(BINS);
  // Frames wholly inside the signal: no onset or end transients.
  for (let t = 4; t < V.cols - 4; t++) for (let b = 0; b < BINS; b++) column[b] += V.data[b * V.cols + t]!;
  return column;
}

/** W (bins × columns.length) and a random H (columns.length × 6). */
function model(columns: readonly Float64Array[]): { W: Matrix; H: Matrix } {
  const K = columns.length;
  const W = createMatrix(BINS, K);
  columns.forEach((c, k) => c.forEach((x, b) => (W.data[b * K + k] = x)));
  const random = createRandom(7);
  const H = createMatrix(K, 6, Float32Array.from({ length: K * 6 }, () => random()));
  return { W, H };
}

function column(W: Matrix, k: number): Float64Array {
  return Float64Array.from({ length: W.rows }, (_, b) => W.data[b * W.cols + k]!);
}

/** Share of a column's magnitude within ±2 bins of the partials of f0. */
function shareAt(c: Float64Array, f0: number): number {
  let inside = 0;
  let total = 0;
  const near = new Uint8Array(c.length);
  for (let h = 1; h * f0 < RATE / 2; h++) {
    const centre = Math.round((h * f0) / BIN_HZ);
    for (let b = centre - 2; b <= centre + 2; b++) if (b >= 0 && b < c.length) near[b] = 1;
  }
  c.forEach((x, b) => {
    total += x;
    if (near[b]) inside += x;
  });
  return inside / total;
}

describe('splitMixedComponents', () => {
  it('splits a column holding a woodwind note and a flute note into one column per note', () => {
    // 233.1 Hz and 438.3 Hz: 438.3 is nearly 2 × 219, one bin from 233, so a compromise f0 near
    // 222 Hz would cover both within a bin; the peaks' refined frequencies tell them apart.
    const mixed = spectrumOf([{ f0: 233.1, timbre: WOODWIND }, { f0: 438.3, timbre: FLUTE, gain: 0.4 }]);
    const single = spectrumOf([{ f0: 261.6, timbre: PLUCKED }]);
    const { W, H } = model([single, mixed]);
    const split = splitMixedComponents(W, H, { sampleRate: RATE });
    assert.deepEqual(split.parent, [0, 1, 1], 'the single note stays whole, the pair becomes two columns');
    const parts = [column(split.W, 1), column(split.W, 2)];
    const woodwind = parts.findIndex((c) => shareAt(c, 233.1) > 0.9);
    const flute = parts.findIndex((c) => shareAt(c, 438.3) > 0.9);
    assert.ok(woodwind >= 0 && flute >= 0 && woodwind !== flute, `shares ${parts.map((c) => [shareAt(c, 233.1), shareAt(c, 438.3)].map((x) => x.toFixed(2)))}`);
    // Each part has little of the other note (the partials of 438.3 that fall on the woodwind's
    // are shared by the two notes in the mixture too).
    assert.ok(shareAt(parts[woodwind]!, 438.3) < 0.2, `flute in the woodwind part: ${shareAt(parts[woodwind]!, 438.3)}`);
  });

  it('keeps W·H: the parts sum to their parent and keep its activation row', () => {
    const mixed = spectrumOf([{ f0: 196, timbre: WOODWIND }, { f0: 720, timbre: PLUCKED }]);
    const { W, H } = model([mixed, spectrumOf([{ f0: 300, timbre: FLUTE }])]);
    const split = splitMixedComponents(W, H, { sampleRate: RATE });
    assert.deepEqual(split.parent, [0, 0, 1]);
    for (let b = 0; b < BINS; b++) {
      const sum = split.W.data[b * 3]! + split.W.data[b * 3 + 1]!;
      assert.ok(Math.abs(sum - W.data[b * 2]!) <= 1e-6 * Math.max(1, W.data[b * 2]!), `bin ${b}: ${sum} vs ${W.data[b * 2]}`);
      assert.equal(split.W.data[b * 3 + 2], W.data[b * 2 + 1]);
    }
    for (let j = 0; j < 3; j++) assert.deepEqual(split.H.data.subarray(j * 6, j * 6 + 6), H.data.subarray(split.parent[j]! * 6, split.parent[j]! * 6 + 6));
  });

  it('splits two notes a whole tone apart', () => {
    const { W, H } = model([spectrumOf([{ f0: 261.6, timbre: PLUCKED }, { f0: 293.7, timbre: PLUCKED }])]);
    assert.deepEqual(splitMixedComponents(W, H, { sampleRate: RATE }).parent, [0, 0]);
  });

  it('keeps a single note, an octave, and a note with a faint second one whole', () => {
    const cases = [
      spectrumOf([{ f0: 196, timbre: WOODWIND }]),
      spectrumOf([{ f0: 220, timbre: PLUCKED }, { f0: 440, timbre: FLUTE }]),
      spectrumOf([{ f0: 220, timbre: PLUCKED }, { f0: 330 * 1.06, timbre: FLUTE, gain: 0.02 }]),
    ];
    const { W, H } = model(cases);
    assert.deepEqual(splitMixedComponents(W, H, { sampleRate: RATE }).parent, [0, 1, 2]);
  });

  it('keeps a column that is not a harmonic series whole (noise, formant-like peaks)', () => {
    const random = createRandom(3);
    const noise = Float64Array.from({ length: BINS }, () => random());
    // Scattered resonances at inharmonic frequencies, like a formant pattern.
    const formants = new Float64Array(BINS);
    for (const hz of [510, 1290, 1830, 2950, 3370, 4810]) {
      const centre = hz / BIN_HZ;
      for (let b = 0; b < BINS; b++) formants[b] += Math.exp(-(((b - centre) / 1.5) ** 2)) + 0.01 * random();
    }
    // A note with strong resonances at 870, 4·870 and 5·870 Hz: three "partials" of 870 Hz, but not
    // its 2nd or 3rd, so no second note (a harmonic series has partials 1–3, or 1 and 3).
    const resonant = spectrumOf([{ f0: 200, timbre: PLUCKED }]);
    const peak = resonant.reduce((a, b) => Math.max(a, b), 0);
    for (const hz of [870, 3480, 4350]) {
      const centre = hz / BIN_HZ;
      for (let b = 0; b < BINS; b++) resonant[b] += 0.8 * peak * Math.exp(-(((b - centre) / 1.2) ** 2));
    }
    const { W, H } = model([noise, formants, resonant]);
    assert.deepEqual(splitMixedComponents(W, H, { sampleRate: RATE }).parent, [0, 1, 2]);
  });

  it('leaves a silent column alone and refuses mismatched factors', () => {
    const { W, H } = model([new Float64Array(BINS), spectrumOf([{ f0: 196, timbre: WOODWIND }])]);
    assert.deepEqual(splitMixedComponents(W, H, { sampleRate: RATE }).parent, [0, 1]);
    assert.throws(() => splitMixedComponents(W, createMatrix(3, 6), { sampleRate: RATE }), /W has 2 components but H has 3/);
    assert.throws(() => splitMixedComponents(W, H, { sampleRate: 0 }), /sample rate must be a positive number/);
    assert.throws(() => splitMixedComponents(W, H, { sampleRate: RATE, maxParts: 0 }), /maxParts must be an integer in \[1, 16\]/);
    assert.throws(() => splitMixedComponents(W, H, { sampleRate: RATE, minShare: Number.NaN }), /minShare must be in \[0, 1\]/);
    // maxParts 1 never splits.
    const pair = model([spectrumOf([{ f0: 196, timbre: WOODWIND }, { f0: 720, timbre: PLUCKED }])]);
    assert.deepEqual(splitMixedComponents(pair.W, pair.H, { sampleRate: RATE, maxParts: 1 }).parent, [0]);
  });
});
