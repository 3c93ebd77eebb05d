import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMask, softMasks } from '../../app/audio/soft-mask.js';
import { separateAudio, type SeparationParams } from '../../app/audio/separate.js';
import { groupComponents } from '../../app/audio/source-grouping.js';
import type { DecodedAudio } from '../../app/audio/wav-codec.js';
import { CancelledError, type CancelSignal } from '../../app/cancellation.js';
import { createMatrix, type Matrix } from '../../app/matrix.js';
import type { PipelineProgress } from '../../app/pipeline-hooks.js';
import { createRandom } from '../../app/random.js';

const RATE = 16000;
const SECONDS = 2;

/**
 * A harmonic tone: partials h·f0 with amplitude 1/h, switched on at `onset` and off at `offset`
 * (seconds) with 20 ms raised-cosine ramps so the edges do not splash energy over all bins.
 */
function tone(f0: number, partials: number, onset: number, offset: number, gain: number): Float32Array {
  const out = new Float32Array(RATE * SECONDS);
  const ramp = 0.02 * RATE;
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    if (t < onset || t >= offset) continue;
    const fromOn = (t - onset) * RATE;
    const toOff = (offset - t) * RATE;
    const edge = Math.min(1, fromOn / ramp, toOff / ramp);
    const envelope = gain * 0.5 * (1 - Math.cos(Math.PI * edge));
    let x = 0;
    for (let h = 1; h <= partials; h++) x += Math.sin(2 * Math.PI * h * f0 * t) / h;
    out[i] = envelope * x;
  }
  return out;
}

// Two sources in different registers and with different onsets: a low tone (220 Hz) from 0 to
// 1.4 s, a high one (880 Hz) from 0.6 to 2 s, plus a faint seeded noise floor.
const low = tone(220, 5, 0, 1.4, 0.25);
const high = tone(880, 4, 0.6, 2, 0.2);

function mix(gainLow: number, gainHigh: number, noiseSeed: number): Float32Array {
  const random = createRandom(noiseSeed);
  return low.map((x, i) => gainLow * x + gainHigh * high[i]! + 1e-3 * (2 * random() - 1));
}

const mono: DecodedAudio = { sampleRate: RATE, channels: [mix(1, 1, 1)], bitDepth: 16, float: false };
// Panned: low mostly left, high mostly right.
const stereo: DecodedAudio = { sampleRate: RATE, channels: [mix(0.9, 0.3, 2), mix(0.3, 0.9, 3)], bitDepth: 24, float: false };

const params: SeparationParams = { sources: 2, components: 4, loss: 'kl', maxIter: 100, seed: 7, windowSize: 1024, hop: 256 };

function correlation(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

/** For each true source, the index of the estimate it correlates with best, and that correlation. */
function bestMatches(truths: readonly Float32Array[], estimates: readonly Float32Array[]): { index: number; r: number }[] {
  return truths.map((truth) => {
    const rs = estimates.map((e) => correlation(truth, e));
    const index = rs.indexOf(Math.max(...rs));
    return { index, r: rs[index]! };
  });
}

describe('separateAudio', () => {
  it('splits a mono two-tone mixture into sources that add up to it', () => {
    const out = separateAudio(mono, params);
    assert.equal(out.sampleRate, RATE);
    assert.deepEqual(out.sources.map((s) => s.name), ['source-1', 'source-2']);
    for (const source of out.sources) {
      assert.equal(source.channels.length, 1);
      assert.equal(source.channels[0]!.length, mono.channels[0]!.length);
    }
    assert.ok(out.mixtureResidual < 1e-4, `mixture residual ${out.mixtureResidual}`);
    // Recompute the residual independently of the reported number.
    let worst = 0;
    mono.channels[0]!.forEach((x, i) => {
      worst = Math.max(worst, Math.abs(out.sources[0]!.channels[0]![i]! + out.sources[1]!.channels[0]![i]! - x));
    });
    assert.ok(worst < 1e-4, `recomputed residual ${worst}`);
    assert.ok(Math.abs(out.mixtureResidual - worst) < 1e-6);

    const shares = out.sources.map((s) => s.energyShare);
    assert.ok(Math.abs(shares[0]! + shares[1]! - 1) < 1e-9, `shares ${shares}`);
    assert.ok(shares.every((s) => s > 0 && s < 1));

    // One source per component of the model: the NMF's, some possibly split by pitch.
    assert.equal(out.assignment.length, out.model!.W.cols);
    assert.ok(out.model!.W.cols >= params.components);
    assert.equal(out.nmf.split!.into, out.model!.W.cols);
    assert.deepEqual([...new Set(out.assignment)].sort(), [0, 1]);
    assert.equal(out.nmf.loss, 'kl');
    assert.ok(out.nmf.iterations >= 1 && out.nmf.iterations <= params.maxIter);
    assert.ok(Number.isFinite(out.nmf.objective) && out.nmf.objective >= 0);

    // Each true source matches a different estimate: the low tone source-1 (lowest centroid).
    const matches = bestMatches([low, high], out.sources.map((s) => s.channels[0]!));
    assert.deepEqual(matches.map((m) => m.index), [0, 1], `matches ${JSON.stringify(matches)}`);
    assert.ok(matches.every((m) => m.r > 0.8), `correlations ${JSON.stringify(matches)}`);
  });

  it('keeps stereo: two channels per source, each adding up to its mixture channel', () => {
    const out = separateAudio(stereo, params);
    assert.equal(out.sources.length, 2);
    for (const source of out.sources) assert.equal(source.channels.length, 2);
    assert.ok(out.mixtureResidual < 1e-4, `mixture residual ${out.mixtureResidual}`);
    for (let c = 0; c < 2; c++) {
      let worst = 0;
      stereo.channels[c]!.forEach((x, i) => {
        worst = Math.max(worst, Math.abs(out.sources[0]!.channels[c]![i]! + out.sources[1]!.channels[c]![i]! - x));
      });
      assert.ok(worst < 1e-4, `channel ${c} residual ${worst}`);
    }
    assert.ok(Math.abs(out.sources[0]!.energyShare + out.sources[1]!.energyShare - 1) < 1e-9);
    // The panning survives: the low source is louder on the left, the high one on the right.
    const [left, right] = [0, 1].map((c) => out.sources.map((s) => energy(s.channels[c]!)));
    assert.ok(left![0]! > right![0]!, 'low source louder on the left');
    assert.ok(right![1]! > left![1]!, 'high source louder on the right');
    const matches = bestMatches([low, high], out.sources.map((s) => s.channels[0]!));
    assert.deepEqual(matches.map((m) => m.index), [0, 1], `matches ${JSON.stringify(matches)}`);
  });

  it('is deterministic for a seed and reports monotone progress ending at 1', () => {
    const seen: PipelineProgress[] = [];
    const a = separateAudio(mono, params, { onProgress: (p) => seen.push(p) });
    const b = separateAudio(mono, params);
    assert.deepEqual(a.assignment, b.assignment);
    assert.deepEqual(a.sources[0]!.channels[0], b.sources[0]!.channels[0]);
    assert.ok(seen.length >= 3);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.fraction >= seen[i - 1]!.fraction, `progress went back at ${i}`);
    assert.equal(seen[seen.length - 1]!.fraction, 1);
    const stages = new Set(seen.map((p) => p.stage));
    for (const stage of ['STFT', 'factorizing', 'resynthesis']) assert.ok(stages.has(stage), `no '${stage}' progress`);
    const nmfDone = seen.filter((p) => p.stage === 'factorizing').pop();
    assert.equal(nmfDone?.iteration, a.nmf.iterations);
    assert.equal(nmfDone?.objective, a.nmf.objective);
    assert.ok(Math.abs(nmfDone.fraction - 0.9) < 1e-12, `NMF ends at ${nmfDone.fraction}`);
  });

  it('throws CancelledError for an aborted signal, before or during the factorization', () => {
    const controller = new AbortController();
    controller.abort();
    assert.throws(() => separateAudio(mono, params, { signal: controller.signal }), CancelledError);

    // A signal that turns aborted after a few checks: by then the NMF is running (separateAudio
    // checks at the start, per channel and before the NMF; the NMF checks every iteration).
    let reads = 0;
    const later: CancelSignal = {
      get aborted() {
        reads++;
        return reads > 6;
      },
    };
    const stages: string[] = [];
    assert.throws(() => separateAudio(mono, params, { signal: later, onProgress: (p) => stages.push(p.stage) }), CancelledError);
    assert.ok(reads > 6);
    assert.ok(!stages.includes('resynthesis'));
  });

  it('rejects bad parameters and audio with clear messages', () => {
    const bad = (change: Partial<SeparationParams>, pattern: RegExp): void => {
      assert.throws(() => separateAudio(mono, { ...params, ...change }), pattern);
    };
    bad({ sources: 0 }, /sources must be an integer ≥ 1, got 0/);
    bad({ sources: 1.5 }, /sources must be an integer/);
    bad({ components: 1 }, /components must be an integer ≥ sources \(2\)/);
    bad({ components: 3.5 }, /components must be an integer/);
    bad({ loss: 'l1' as SeparationParams['loss'] }, /loss must be 'kl', 'frobenius' or 'is', got 'l1'/);
    bad({ window: 'kaiser' as SeparationParams['window'] }, /STFT window must be one of hann, hamming, blackman, sine, got 'kaiser'/);
    bad({ maskExponent: 0 }, /mask exponent must be a number in \(0, 16\], got 0/);
    bad({ sparsity: -1 }, /sparsity must be a finite number ≥ 0, got -1/);
    bad({ temporalWeight: Number.NaN }, /temporalWeight must be a finite number ≥ 0/);
    bad({ maxIter: 0 }, /maxIter must be an integer ≥ 1/);
    bad({ seed: Number.NaN }, /seed must be an integer/);
    bad({ windowSize: 1000 }, /window size must be a power of two/);
    bad({ hop: 600 }, /hop must be an integer from 1 to windowSize\/2 = 512/);
    assert.throws(() => separateAudio({ ...mono, channels: [] }, params), /no channels/);
    assert.throws(() => separateAudio({ ...mono, channels: [new Float32Array(0)] }, params), /empty/);
    assert.throws(() => separateAudio({ ...mono, channels: [new Float32Array(10), new Float32Array(11)] }, params), /channel 1 has 11 samples, channel 0 has 10/);
  });

  it('works with the Frobenius loss and a single source (which is the mixture)', () => {
    const one = separateAudio(mono, { ...params, sources: 1, components: 2, loss: 'frobenius', maxIter: 20 });
    assert.equal(one.sources.length, 1);
    assert.equal(one.sources[0]!.energyShare, 1);
    assert.equal(one.nmf.loss, 'frobenius');
    assert.ok(one.mixtureResidual < 1e-4);
  });
});

function energy(x: Float32Array): number {
  let e = 0;
  for (const v of x) e += v * v;
  return e;
}

/** W with one column per peak bin (a narrow bump there), and H of ones with the given row gains. */
function peaked(bins: number, peaks: readonly number[], gains: readonly number[], frames = 5): { W: Matrix; H: Matrix } {
  const K = peaks.length;
  const W = createMatrix(bins, K);
  peaks.forEach((p, k) => {
    for (let d = -1; d <= 1; d++) W.data[(p + d) * K + k] = d === 0 ? 1 : 0.5;
  });
  const H = createMatrix(K, frames);
  gains.forEach((g, k) => H.data.fill(g, k * frames, (k + 1) * frames));
  return { W, H };
}

describe('groupComponents', () => {
  it('groups components by register, sources numbered from low to high', () => {
    const { W, H } = peaked(600, [100, 11, 110, 10], [1, 1, 1, 1]);
    assert.deepEqual(groupComponents(W, H, 2), [1, 0, 1, 0]);
    assert.deepEqual(groupComponents(W, H, 1), [0, 0, 0, 0]);
    assert.deepEqual(groupComponents(W, H, 4), [2, 1, 3, 0]);
  });

  it('does not give a faint stray component a source of its own', () => {
    // Unweighted, the far-away bin-500 component would be the best singleton group.
    const { W, H } = peaked(600, [10, 12, 100, 110, 500], [1, 1, 1, 1, 1e-6]);
    const assignment = groupComponents(W, H, 2);
    assert.deepEqual(assignment.slice(0, 4), [0, 0, 1, 1], `assignment ${assignment}`);
  });

  it('gives every source at least one component and rejects impossible requests', () => {
    const random = createRandom(3);
    const W = createMatrix(64, 6, new Float32Array(64 * 6).map(() => random()));
    const H = createMatrix(6, 9, new Float32Array(6 * 9).map(() => random()));
    for (let S = 1; S <= 6; S++) {
      const assignment = groupComponents(W, H, S);
      assert.equal(assignment.length, 6);
      assert.deepEqual([...new Set(assignment)].sort((a, b) => a - b), Array.from({ length: S }, (_, s) => s));
    }
    assert.throws(() => groupComponents(W, H, 7), /cannot group 6 components into 7 sources/);
    assert.throws(() => groupComponents(W, H, 0), /positive integer/);
  });
});

describe('softMasks', () => {
  it('gives masks that sum to one, 1/S where the model is zero, and the component ratio elsewhere', () => {
    const random = createRandom(5);
    const W = createMatrix(8, 3, new Float32Array(24).map(() => random()));
    const H = createMatrix(3, 4, new Float32Array(12).map(() => random()));
    H.data.fill(0, 0, 4); // component 0 silent
    H.data[1 * 4 + 2] = 0; // frame 2: only component... zero the others too
    H.data[2 * 4 + 2] = 0;
    const masks = softMasks(W, H, [0, 1, 1], 3);
    assert.equal(masks.length, 3);
    for (let i = 0; i < 8 * 4; i++) {
      const sum = masks[0]![i]! + masks[1]![i]! + masks[2]![i]!;
      assert.ok(Math.abs(sum - 1) < 1e-6, `cell ${i} sums to ${sum}`);
      const t = i % 4;
      if (t === 2) for (const mask of masks) assert.ok(Math.abs(mask[i]! - 1 / 3) < 1e-7);
      else {
        assert.equal(masks[0]![i], 0);
        assert.equal(masks[2]![i], 0);
        assert.ok(Math.abs(masks[1]![i]! - 1) < 1e-6);
      }
    }
    assert.throws(() => softMasks(W, H, [0, 1], 2), /assignment lists 2 components/);
    assert.throws(() => softMasks(W, H, [0, 1, 2], 2), /component 2 is assigned to source 2/);
  });

  it('splits cells between sources by their share of the model', () => {
    // One bin, one frame, components 1 and 3 (source 0) vs 2 (source 1): masks 4/6 and 2/6.
    const W = createMatrix(1, 3, new Float32Array([1, 2, 3]));
    const H = createMatrix(3, 1, new Float32Array([1, 1, 1]));
    const [a, b] = softMasks(W, H, [0, 1, 0], 2, 1);
    assert.ok(Math.abs(a![0]! - 4 / 6) < 1e-7 && Math.abs(b![0]! - 2 / 6) < 1e-7);
    // Generalized Wiener masks: parts 4 and 2 to the power p.
    const [a2, b2] = softMasks(W, H, [0, 1, 0], 2);
    assert.ok(Math.abs(a2![0]! - 16 / 20) < 1e-7 && Math.abs(b2![0]! - 4 / 20) < 1e-7, 'default exponent 2');
    const [a3] = softMasks(W, H, [0, 1, 0], 2, 0.5);
    assert.ok(Math.abs(a3![0]! - 2 / (2 + Math.SQRT2)) < 1e-7);
    // Huge and tiny magnitudes: no overflow or underflow in the powers.
    const big = softMasks(createMatrix(1, 2, new Float32Array([1e30, 1e-30])), createMatrix(2, 1, new Float32Array([1e8, 1e8])), [0, 1], 2, 8);
    assert.ok(Math.abs(big[0]![0]! - 1) < 1e-7 && big[1]![0]! >= 0);
    assert.throws(() => softMasks(W, H, [0, 1, 0], 2, 0), /mask exponent must be a number in \(0, 16\]/);
  });

  it('applies a mask to both parts of a complex spectrogram', () => {
    const spec = { bins: 2, frames: 2, windowSize: 2, hop: 1, length: 1, re: new Float32Array([1, 2, 3, 4]), im: new Float32Array([-1, 0, 1, 2]) };
    const masked = applyMask(spec, new Float32Array([0, 0.5, 1, 0.25]));
    assert.deepEqual([...masked.re], [0, 1, 3, 1]);
    assert.deepEqual([...masked.im], [-0, 0, 1, 0.5]);
    assert.equal(masked.bins, 2);
    assert.deepEqual([...spec.re], [1, 2, 3, 4], 'input untouched');
    assert.throws(() => applyMask(spec, new Float32Array(3)), /mask has 3 cells/);
  });
});
