/**
 * Separation quality on synthetic mixtures with known sources (test/audio-mixtures.ts), measured
 * with BSS Eval: the automatic grouping's SDR target, stereo, mixture consistency, regrouping
 * without a new NMF, and the options (window, mask exponent, sparsity).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bssEval } from '../../app/audio/bss-eval.js';
import { defaultComponents, resynthesize, separateAudio, type SeparationOutput, type SeparationParams } from '../../app/audio/separate.js';
import type { DecodedAudio } from '../../app/audio/wav-codec.js';
import type { Matrix } from '../../app/matrix.js';
import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import { createWasmKernels } from '../../native-workers/common/wasm-kernels.js';
import { chirpAndPlucked, harmonicMixtures, panned, tonesAndNoiseBursts, woodwindAndPlucked, type TestMixture } from '../audio-mixtures.js';

// The compute workers' WebAssembly kernels (same results as the JS ones, 20× faster).
const kernels = createWasmKernels() ?? createJsKernels();

// 16 kHz mixtures: a 1024-sample window (64 ms) and hop 256 play the part of 2048/512 at 44.1 kHz.
const base: SeparationParams = { sources: 2, components: defaultComponents(2), loss: 'kl', maxIter: 200, seed: 0, windowSize: 1024, hop: 256 };

function audioOf(m: TestMixture): DecodedAudio {
  return { sampleRate: m.sampleRate, channels: m.mixture, bitDepth: 16, float: false };
}

function separate(m: TestMixture, change: Partial<SeparationParams> = {}): SeparationOutput {
  return separateAudio(audioOf(m), { ...base, ...change }, { kernels });
}

function sdrOf(m: TestMixture, out: SeparationOutput): number[] {
  return bssEval(m.sources, out.sources.map((s) => s.channels)).sdr;
}

/** Σ_s sources − mixture, recomputed here (not the reported number). */
function residual(m: TestMixture, out: SeparationOutput): number {
  let worst = 0;
  m.mixture.forEach((channel, c) => {
    for (let i = 0; i < channel.length; i++) {
      let sum = 0;
      for (const s of out.sources) sum += s.channels[c]![i]!;
      worst = Math.max(worst, Math.abs(sum - channel[i]!));
    }
  });
  return worst;
}

describe('automatic separation quality', () => {
  for (const mixture of harmonicMixtures()) {
    it(`reaches SDR ≥ 10 dB on both sources of '${mixture.name}' from every one of 5 NMF seeds`, () => {
      const report: string[] = [];
      const worstUnsplit: number[] = [];
      for (let seed = 0; seed < 5; seed++) {
        const out = separate(mixture, { seed });
        const sdr = sdrOf(mixture, out);
        report.push(sdr.map((x) => x.toFixed(1)).join('/'));
        assert.ok(out.mixtureResidual < 1e-4 && residual(mixture, out) < 1e-4, `mixture residual ${out.mixtureResidual}`);
        assert.ok(Math.min(...sdr) >= 10, `seed ${seed}: SDR (source 1 / source 2) ${report.at(-1)} dB`);
        assert.equal(out.model!.W.cols, out.nmf.split!.into);
        assert.equal(out.assignment.length, out.model!.W.cols);
        worstUnsplit.push(Math.min(...sdrOf(mixture, separate(mixture, { seed, splitComponents: false }))));
      }
      // What the splitting is for: some random starts merge notes of both instruments that sound
      // together into one component, which no grouping of whole components can undo.
      assert.ok(
        Math.min(...worstUnsplit) < 10,
        `without splitting every seed also reaches 10 dB (${worstUnsplit.map((x) => x.toFixed(1)).join(', ')}): the mixture no longer tests the splitting`,
      );
    });
  }

  it('separates percussive noise bursts from tones (SDR ≥ 10 dB)', () => {
    const m = tonesAndNoiseBursts();
    const sdr = sdrOf(m, separate(m));
    assert.ok(sdr.every((x) => x >= 10), `SDR ${sdr}`);
  });

  it('keeps the mixture consistent on a chirp (which NMF of a fixed dictionary models poorly)', () => {
    // A glide has no fixed spectrum: NMF spends components on pieces of it, and they look like
    // neither source to the grouping. Measured, not asserted: the sum must still be the mixture.
    const m = chirpAndPlucked();
    const out = separate(m);
    assert.ok(residual(m, out) < 1e-4);
    const sdr = sdrOf(m, out);
    assert.ok(sdr.every(Number.isFinite));
  });

  it('keeps stereo: panned sources come back stereo, panned, and separated', () => {
    const m = panned(woodwindAndPlucked(), [0.2, 0.8]);
    const out = separate(m);
    for (const source of out.sources) assert.equal(source.channels.length, 2);
    assert.ok(residual(m, out) < 1e-4, `residual ${residual(m, out)}`);
    const result = bssEval(m.sources, out.sources.map((s) => s.channels));
    assert.ok(result.sdr.every((x) => x >= 10), `stereo SDR ${result.sdr}`);
    // The first true source (woodwind, panned left) is matched by an estimate louder on the left.
    const left = out.sources[result.permutation[0]!]!.channels;
    const e = (x: Float32Array): number => x.reduce((s, v) => s + v * v, 0);
    assert.ok(e(left[0]!) > 2 * e(left[1]!), 'the left-panned source stays left');
  });
});

describe('resynthesize', () => {
  const m = woodwindAndPlucked();
  const out = separate(m);
  const model = out.model!;
  const names = out.sources.map((s) => s.name);

  it('reproduces the separation from the kept model and the same assignment', () => {
    const again = resynthesize(m.mixture, model, out.assignment, names);
    again.sources.forEach((s, i) => {
      assert.equal(s.name, names[i]);
      assert.deepEqual(s.channels[0], out.sources[i]!.channels[0]);
    });
    assert.equal(again.mixtureResidual, out.mixtureResidual);
  });

  it('moves a component to another source without a new NMF; the sources still sum to the mixture', () => {
    // The loudest component of source 1 moves to source 2.
    const share = (k: number): number => rowSum(model.H, k) * columnSum(model.W, k);
    const candidates = out.assignment.flatMap((s, k) => (s === 0 ? [k] : []));
    const moved = candidates.reduce((a, b) => (share(b) > share(a) ? b : a));
    const assignment = out.assignment.map((s, k) => (k === moved ? 1 : s));
    const before = { W: model.W.data.slice(), H: model.H.data.slice() };
    const regrouped = resynthesize(m.mixture, model, assignment, names);
    assert.ok(regrouped.mixtureResidual < 1e-4, `residual ${regrouped.mixtureResidual}`);
    const e = (x: Float32Array): number => x.reduce((s, v) => s + v * v, 0);
    assert.ok(e(regrouped.sources[0]!.channels[0]!) < e(out.sources[0]!.channels[0]!), 'source 1 lost energy');
    assert.ok(e(regrouped.sources[1]!.channels[0]!) > e(out.sources[1]!.channels[0]!), 'source 2 gained it');
    assert.ok(Math.abs(regrouped.sources[0]!.energyShare + regrouped.sources[1]!.energyShare - 1) < 1e-9);
    assert.deepEqual(model.W.data, before.W, 'the model is not refitted or changed');
    assert.deepEqual(model.H.data, before.H);
    // Moving it back restores the automatic result.
    assert.deepEqual(resynthesize(m.mixture, model, out.assignment, names).sources[0]!.channels[0], out.sources[0]!.channels[0]);
  });

  it('rejects a mixture or an assignment that does not fit the model', () => {
    assert.throws(() => resynthesize([m.mixture[0]!.subarray(0, 1000)], model, out.assignment, names), /does not match the model/);
    const K = model.W.cols;
    assert.throws(() => resynthesize(m.mixture, model, out.assignment.slice(1), names), new RegExp(`assignment lists ${K - 1} components, the model has ${K}`));
    assert.throws(() => resynthesize(m.mixture, model, out.assignment.map(() => 2), names), /assigned to source 2, expected 0…1/);
  });
});

describe('separation options', () => {
  const m = woodwindAndPlucked();

  it('records the STFT window and mask exponent in the model, and honours them', () => {
    const sine = separate(m, { window: 'sine', maskExponent: 1 });
    assert.equal(sine.model!.window, 'sine');
    assert.equal(sine.model!.maskExponent, 1);
    assert.ok(residual(m, sine) < 1e-4);
    // Resynthesis from the kept model uses its window and exponent, not the defaults.
    const again = resynthesize(m.mixture, sine.model!, sine.assignment, sine.sources.map((s) => s.name));
    again.sources.forEach((s, i) => assert.deepEqual(s.channels, sine.sources[i]!.channels));
    const hard = separate(m, { maskExponent: 8 });
    assert.ok(residual(m, hard) < 1e-4);
    // A larger exponent makes the masks closer to binary: less of each source in the other.
    const soft = separate(m, { maskExponent: 1 });
    const sir = (o: SeparationOutput): number => Math.min(...bssEval(m.sources, o.sources.map((s) => s.channels)).sir);
    assert.ok(sir(hard) > sir(soft), `SIR with p = 8: ${sir(hard)}, p = 1: ${sir(soft)}`);
  });

  it('makes activations sparser with the sparsity option', () => {
    const hoyer = (H: Matrix): number => {
      // Mean Hoyer sparseness of H's rows: 0 for a flat row, 1 for a single spike.
      let total = 0;
      const n = H.cols;
      for (let k = 0; k < H.rows; k++) {
        let l1 = 0;
        let l2 = 0;
        for (let t = 0; t < n; t++) {
          const x = H.data[k * n + t]!;
          l1 += x;
          l2 += x * x;
        }
        total += l2 > 0 ? (Math.sqrt(n) - l1 / Math.sqrt(l2)) / (Math.sqrt(n) - 1) : 1;
      }
      return total / H.rows;
    };
    const plain = separate(m);
    const sparse = separate(m, { sparsity: 0.01 });
    assert.ok(hoyer(sparse.model!.H) > hoyer(plain.model!.H) + 0.02, `Hoyer ${hoyer(sparse.model!.H)} vs ${hoyer(plain.model!.H)}`);
    assert.ok(residual(m, sparse) < 1e-4);
  });

  it('accepts Itakura–Saito', () => {
    const is = separate(m, { loss: 'is', maxIter: 50 });
    assert.equal(is.nmf.loss, 'is');
    assert.ok(residual(m, is) < 1e-4);
  });
});

function rowSum(H: Matrix, k: number): number {
  let s = 0;
  for (let t = 0; t < H.cols; t++) s += H.data[k * H.cols + t]!;
  return s;
}

function columnSum(W: Matrix, k: number): number {
  let s = 0;
  for (let b = 0; b < W.rows; b++) s += W.data[b * W.cols + k]!;
  return s;
}
