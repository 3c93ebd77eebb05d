import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { istft, magnitude, stft } from '../../app/audio/stft.js';
import { createRandom } from '../../app/random.js';

function whiteNoise(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return new Float32Array(length).map(() => 2 * random() - 1);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('stft / istft', () => {
  const combos: [number, number, number][] = [
    // windowSize, hop, signal length (lengths that are and are not multiples of the hop)
    [2048, 512, 20000],
    [1024, 256, 8192],
    [512, 128, 5000],
    [256, 100, 3001],
    [64, 32, 777],
    [16, 3, 100],
    [2048, 512, 700], // shorter than one window
  ];
  for (const [windowSize, hop, length] of combos) {
    it(`reconstructs white noise exactly (N=${windowSize}, hop=${hop}, ${length} samples)`, () => {
      const x = whiteNoise(length, windowSize + hop);
      const spec = stft(x, { windowSize, hop });
      assert.equal(spec.bins, windowSize / 2 + 1);
      assert.equal(spec.frames, 1 + Math.floor(length / hop));
      assert.equal(spec.length, length);
      assert.equal(spec.re.length, spec.bins * spec.frames);
      const y = istft(spec);
      const error = maxAbsDiff(x, y);
      assert.ok(error < 1e-5, `max reconstruction error ${error}`);
    });
  }

  it('uses the defaults 2048 / 512', () => {
    const spec = stft(whiteNoise(4096, 1));
    assert.equal(spec.windowSize, 2048);
    assert.equal(spec.hop, 512);
    assert.equal(spec.frames, 9);
  });

  it('puts a sine in the right bin with the Hann window\'s gain N/4 · amplitude', () => {
    const rate = 16000;
    const windowSize = 1024;
    for (const [frequency, amplitude] of [[1000, 0.5], [2000.5, 0.8], [437, 0.3]] as const) {
      const x = new Float32Array(rate).map((_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
      const spec = stft(x, { windowSize, hop: 256 });
      const V = magnitude(spec);
      assert.equal(V.rows, spec.bins);
      assert.equal(V.cols, spec.frames);
      const t = Math.floor(spec.frames / 2);
      let peak = 0;
      for (let b = 1; b < V.rows; b++) if (V.data[b * V.cols + t]! > V.data[peak * V.cols + t]!) peak = b;
      const expectedBin = Math.round((frequency * windowSize) / rate);
      assert.equal(peak, expectedBin, `${frequency} Hz peaks in bin ${peak}, expected ${expectedBin}`);
      if (Number.isInteger((frequency * windowSize) / rate)) {
        // On a bin centre the periodic Hann window's spectrum peak is exactly N/2 · ½ · A.
        const value = V.data[peak * V.cols + t]!;
        assert.ok(Math.abs(value - (windowSize / 4) * amplitude) < 1e-3 * value, `peak ${value}`);
      }
    }
  });

  it('magnitude is |re + i·im| cell by cell, bin-major', () => {
    const spec = stft(whiteNoise(1000, 4), { windowSize: 64, hop: 16 });
    const V = magnitude(spec);
    for (const i of [0, 17, 500, V.data.length - 1]) {
      assert.ok(Math.abs(V.data[i]! - Math.hypot(spec.re[i]!, spec.im[i]!)) < 1e-6);
    }
    // A DC signal lands in bin 0 (row 0) of every interior frame.
    const dc = magnitude(stft(new Float32Array(1000).fill(0.5), { windowSize: 64, hop: 16 }));
    const t = 30;
    assert.ok(dc.data[0 * dc.cols + t]! > 10);
    for (let b = 2; b < dc.rows; b++) assert.ok(dc.data[b * dc.cols + t]! < 1e-4, `bin ${b}`);
  });

  it('rejects bad options and inputs', () => {
    const x = whiteNoise(100, 2);
    assert.throws(() => stft(x, { windowSize: 1000, hop: 250 }), /window size must be a power of two ≥ 4, got 1000/);
    assert.throws(() => stft(x, { windowSize: 2, hop: 1 }), /power of two ≥ 4/);
    assert.throws(() => stft(x, { windowSize: 0, hop: 1 }), /power of two/);
    assert.throws(() => stft(x, { windowSize: 64, hop: 0 }), /hop must be an integer from 1 to windowSize\/2 = 32, got 0/);
    assert.throws(() => stft(x, { windowSize: 64, hop: 33 }), /hop must be an integer from 1 to windowSize\/2 = 32, got 33/);
    assert.throws(() => stft(x, { windowSize: 64, hop: 64 }), /hop must be/);
    assert.throws(() => stft(x, { windowSize: 64, hop: 2.5 }), /hop must be/);
    assert.throws(() => stft(new Float32Array(0), { windowSize: 64, hop: 16 }), /empty signal/);
    assert.throws(() => stft(new Float32Array([0, Number.NaN]), { windowSize: 64, hop: 16 }), /sample 1 is NaN/);
    const spec = stft(x, { windowSize: 64, hop: 16 });
    assert.throws(() => istft({ ...spec, length: 200 }), /7 frames, a 200-sample signal with hop 16 has 13/);
    assert.throws(() => istft({ ...spec, bins: 20 }), /does not fit window size 64/);
  });
});
