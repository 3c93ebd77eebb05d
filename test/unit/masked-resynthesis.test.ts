import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resynthesizeSources } from '../../app/audio/masked-resynthesis.js';
import { applyMask, softMasks } from '../../app/audio/soft-mask.js';
import { istft, magnitude, meanMagnitude, stft, type StftOptions } from '../../app/audio/stft.js';
import { createMatrix } from '../../app/matrix.js';
import { createRandom } from '../../app/random.js';

/**
 * The streamed pipeline (meanMagnitude, resynthesizeSources) against the whole-spectrogram one it
 * replaces (stft of each channel, their mean's magnitude; softMasks, applyMask, istft): the same
 * numbers up to float32 rounding, for odd and even source counts, every window, and a length that
 * is not a multiple of the hop.
 */
const random = createRandom(7);
const noise = (n: number): Float32Array => new Float32Array(n).map(() => 2 * random() - 1);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('meanMagnitude', () => {
  it('is |mean of the channels\' STFTs| without holding them', () => {
    const options: Required<StftOptions> = { windowSize: 256, hop: 64, window: 'hann' };
    const channels = [noise(3001), noise(3001)];
    const [a, b] = channels.map((c) => stft(c, options));
    const mean = { ...a!, re: a!.re.map((x, i) => (x + b!.re[i]!) / 2), im: a!.im.map((x, i) => (x + b!.im[i]!) / 2) };
    const expected = magnitude(mean);
    const V = meanMagnitude(channels, options);
    assert.deepEqual([V.rows, V.cols], [expected.rows, expected.cols]);
    assert.ok(maxAbsDiff(V.data, expected.data) < 1e-5, `max difference ${maxAbsDiff(V.data, expected.data)}`);
    // One channel: exactly |stft|.
    assert.ok(maxAbsDiff(meanMagnitude([channels[0]!], options).data, magnitude(a!).data) < 1e-5);
  });

  it('refuses non-finite samples, naming the channel', () => {
    const bad = noise(600);
    bad[17] = Number.NaN;
    assert.throws(() => meanMagnitude([noise(600), bad], { windowSize: 64, hop: 16, window: 'hann' }), /channel 1 sample 17 is NaN/);
  });
});

describe('resynthesizeSources', () => {
  for (const [sources, window, exponent] of [
    [2, 'hann', 2],
    [3, 'hamming', 1],
    [1, 'blackman', 2],
    [4, 'sine', 0.5],
  ] as const) {
    it(`matches istft(mask ∘ stft) for ${sources} source(s), ${window} window, exponent ${exponent}`, () => {
      const options: Required<StftOptions> = { windowSize: 128, hop: window === 'blackman' ? 16 : 32, window };
      const channels = [noise(2345), noise(2345)];
      const frames = 1 + Math.floor(2345 / options.hop);
      const K = 5;
      const W = createMatrix(65, K, new Float32Array(65 * K).map(() => random()));
      const H = createMatrix(K, frames, new Float32Array(K * frames).map(() => (random() < 0.2 ? 0 : random())));
      const assignment = Array.from({ length: K }, (_, k) => k % sources);
      const streamed = resynthesizeSources(channels, options, W, H, assignment, sources, exponent);
      const masks = softMasks(W, H, assignment, sources, exponent);
      channels.forEach((channel, c) => {
        const spec = stft(channel, options);
        for (let s = 0; s < sources; s++) {
          const whole = istft(applyMask(spec, masks[s]!));
          const diff = maxAbsDiff(streamed[s]![c]!, whole);
          assert.ok(diff < 2e-5, `source ${s} channel ${c}: max difference ${diff}`);
        }
        // The sources add up to the channel.
        let residual = 0;
        for (let i = 0; i < channel.length; i++) {
          let sum = 0;
          for (let s = 0; s < sources; s++) sum += streamed[s]![c]![i]!;
          residual = Math.max(residual, Math.abs(sum - channel[i]!));
        }
        assert.ok(residual < 1e-5, `residual ${residual}`);
      });
    });
  }

  it('refuses a model that does not fit the mixture', () => {
    const options: Required<StftOptions> = { windowSize: 64, hop: 16, window: 'hann' };
    const W = createMatrix(33, 2, new Float32Array(66).fill(1));
    const H = createMatrix(2, 10, new Float32Array(20).fill(1));
    assert.throws(() => resynthesizeSources([noise(1000)], options, W, H, [0, 1], 2, 2), /the mixture's STFT \(33 bins × 63 frames\) does not match the model \(33 × 10\)/);
    assert.throws(() => resynthesizeSources([noise(144)], options, W, H, [0, 2], 2, 2), /component 1 is assigned to source 2/);
  });
});
