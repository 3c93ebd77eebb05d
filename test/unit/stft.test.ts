import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analysisWindow, istft, magnitude, stft, type WindowType } from '../../app/audio/stft.js';
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

describe('window types and COLA', () => {
  const types: WindowType[] = ['hann', 'hamming', 'blackman', 'sine'];

  it('computes the periodic windows (scipy get_window with fftbins=True)', () => {
    const N = 16;
    const hann = analysisWindow('hann', N);
    const hamming = analysisWindow('hamming', N);
    const blackman = analysisWindow('blackman', N);
    const sine = analysisWindow('sine', N);
    for (let n = 0; n < N; n++) {
      const c = Math.cos((2 * Math.PI * n) / N);
      assert.ok(Math.abs(hann[n]! - (0.5 - 0.5 * c)) < 1e-15);
      assert.ok(Math.abs(hamming[n]! - (0.54 - 0.46 * c)) < 1e-15);
      assert.ok(Math.abs(blackman[n]! - Math.max(0, 0.42 - 0.5 * c + 0.08 * Math.cos((4 * Math.PI * n) / N))) < 1e-15);
      assert.ok(Math.abs(sine[n]! ** 2 - hann[n]!) < 1e-15, 'sine = √Hann');
    }
    assert.equal(hann[0], 0);
    assert.equal(hann[N / 2], 1);
  });

  it('has constant Σ w² (COLA of the squared window) at the documented hops, so the inverse is plain weighted overlap-add', () => {
    const N = 1024;
    const cola: [WindowType, number][] = [['hann', 4], ['hann', 8], ['hamming', 4], ['sine', 2], ['sine', 4], ['blackman', 8]];
    for (const [type, div] of cola) {
      const w = analysisWindow(type, N);
      const hop = N / div;
      const sums = Array.from({ length: hop }, (_, n) => {
        let s = 0;
        for (let k = n; k < N; k += hop) s += w[k]! ** 2;
        return s;
      });
      const ripple = (Math.max(...sums) - Math.min(...sums)) / Math.max(...sums);
      assert.ok(ripple < 1e-12, `${type} hop N/${div}: Σw² ripple ${ripple}`);
    }
    // …and not at others (Hann at N/2: Σw² swings between 1/2 and 1).
    const w = analysisWindow('hann', N);
    const at = (n: number): number => w[n]! ** 2 + w[n + N / 2]! ** 2;
    assert.ok(Math.abs(at(0) - 1) < 1e-12 && Math.abs(at(N / 4) - 0.5) < 1e-12);
  });

  for (const type of types) {
    for (const div of [2, 4, 8]) {
      it(`reconstructs white noise exactly with the ${type} window at hop N/${div}`, () => {
        const N = 512;
        const x = whiteNoise(9000, div * 7 + types.indexOf(type));
        const spec = stft(x, { windowSize: N, hop: N / div, window: type });
        assert.equal(spec.window, type);
        const y = istft(spec);
        const error = maxAbsDiff(x, y);
        assert.ok(error < 1e-5, `${type} N/${div}: max reconstruction error ${error}`);
      });
    }
  }

  it('uses the Hann window by default and for spectrograms that do not name one', () => {
    const x = whiteNoise(3000, 9);
    const a = stft(x, { windowSize: 256, hop: 64 });
    const b = stft(x, { windowSize: 256, hop: 64, window: 'hann' });
    assert.equal(a.window, 'hann');
    assert.deepEqual(a.re, b.re);
    const { window: _w, ...unnamed } = b;
    assert.deepEqual(istft(unnamed), istft(b));
    assert.throws(() => stft(x, { windowSize: 256, hop: 64, window: 'kaiser' as WindowType }), /STFT window must be one of hann, hamming, blackman, sine, got 'kaiser'/);
  });
});
