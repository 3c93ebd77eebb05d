import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bestPermutation, bssEval, bssEvalSources } from '../../app/audio/bss-eval.js';
import { siSdr } from '../../app/audio/si-sdr.js';
import { createRandom } from '../../app/random.js';

interface FixtureCase {
  readonly name: string;
  readonly references: string[];
  readonly estimates: string[];
  readonly sdr: number[];
  readonly sir: number[];
  readonly sar: number[];
  readonly permutation: number[];
  readonly siSdr: number[];
}

// Made by test/make-bss-eval-fixture.py with mir_eval's bss_eval_sources (BSS Eval v3).
const fixture = JSON.parse(readFileSync(new URL('../fixtures/bss-eval-mir-eval.json', import.meta.url), 'utf8')) as { cases: FixtureCase[] };

function decodeFloat32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(4 * i);
  return out;
}

/** Gaussian white noise (Box–Muller on the seeded generator). */
function noise(length: number, seed: number, scale = 1): Float64Array {
  const random = createRandom(seed);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const u = 1 - random();
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return out;
}

const energy = (x: ArrayLike<number>): number => {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
  return e;
};
const db = (ratio: number): number => 10 * Math.log10(ratio);
const add = (...parts: [number, ArrayLike<number>][]): Float64Array => {
  const out = new Float64Array(parts[0]![1].length);
  for (const [gain, x] of parts) for (let i = 0; i < out.length; i++) out[i] += gain * x[i]!;
  return out;
};

describe('bssEvalSources', () => {
  for (const c of fixture.cases) {
    it(`matches mir_eval's bss_eval_sources: ${c.name}`, () => {
      const refs = c.references.map(decodeFloat32);
      const ests = c.estimates.map(decodeFloat32);
      const result = bssEvalSources(refs, ests);
      assert.deepEqual(result.permutation, c.permutation);
      for (const key of ['sdr', 'sir', 'sar'] as const) {
        result[key].forEach((value, j) => {
          const expected = c[key][j]!;
          // Above ~100 dB both sides only measure rounding.
          if (expected > 100) assert.ok(value > 80, `${key}[${j}] = ${value}, mir_eval ${expected}`);
          else assert.ok(Math.abs(value - expected) < 1e-3, `${key}[${j}] = ${value}, mir_eval ${expected}`);
        });
      }
      c.siSdr.forEach((expected, j) => {
        const value = siSdr([refs[j]!], [ests[c.permutation[j]!]!]);
        assert.ok(Math.abs(value - expected) < 1e-3, `SI-SDR[${j}] = ${value}, numpy ${expected}`);
      });
    });
  }

  it('recovers planted interference and artifact levels', () => {
    // Independent white sources, so the cross terms vanish up to O(1/√n) and the planted ratios
    // are the expected ones: SIR = ‖s1‖²/‖g·s2‖², SAR = ‖s1 + g·s2‖²/‖noise‖², except for the
    // sliver of the white artefact that 512 delayed copies of a white reference happen to explain
    // (512/n of its energy per reference), which moves to the interference and the target.
    const n = 40000;
    const s1 = noise(n, 1);
    const s2 = noise(n, 2);
    const explained = 512 / n;
    for (const [sirDb, sarDb] of [[15, 25], [5, 10], [20, 8]] as const) {
      const g = Math.sqrt(energy(s1) / energy(s2) / 10 ** (sirDb / 10));
      const clean = add([1, s1], [g, s2]);
      const sigma = Math.sqrt(energy(clean) / n / 10 ** (sarDb / 10));
      const artefact = noise(n, 3 + sirDb, sigma);
      const estimate = add([1, clean], [1, artefact]);
      const other = add([1, s2], [0.01, s1]);
      const result = bssEvalSources([s1, s2], [estimate, other]);
      assert.deepEqual(result.permutation, [0, 1]);
      const target = energy(s1) + explained * energy(artefact);
      const interference = g * g * energy(s2) + explained * energy(artefact);
      const expected = {
        sir: db(target / interference),
        sar: db((energy(clean) + 2 * explained * energy(artefact)) / ((1 - 2 * explained) * energy(artefact))),
        sdr: db(target / (interference + (1 - 2 * explained) * energy(artefact))),
      };
      assert.ok(Math.abs(expected.sir - sirDb) < 1 && Math.abs(expected.sar - sarDb) < 0.2, 'the planted levels are near the nominal ones');
      for (const key of ['sir', 'sar', 'sdr'] as const) {
        assert.ok(Math.abs(result[key][0]! - expected[key]) < 0.3, `${key} ${result[key][0]}, expected ${expected[key]} (planted SIR ${sirDb}, SAR ${sarDb})`);
      }
      assert.ok(Math.abs(result.sir[1]! - 40) < 0.3, `SIR of the other estimate ${result.sir[1]}`);
    }
  });

  it('counts a delayed, filtered copy as the target (SDR high) where SI-SDR does not', () => {
    const n = 20000;
    // Silent for its last 1000 samples, so the delayed copy below is not cut off by the end.
    const s1 = noise(n, 11).fill(0, n - 1000);
    const s2 = noise(n, 12);
    // A 3-tap filter after a 100-sample delay: inside the 512-tap distortion filter.
    const taps = [0.6, -0.3, 0.1];
    const filtered = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      for (let k = 0; k < taps.length; k++) {
        const i = t - 100 - k;
        if (i >= 0) filtered[t] += taps[k]! * s1[i]!;
      }
    }
    const estimate = add([1, filtered], [1, noise(n, 13, 1e-4)]);
    const result = bssEvalSources([s1, s2], [estimate, s2]);
    assert.ok(result.sdr[0]! > 60, `SDR of a filtered copy ${result.sdr[0]}`);
    assert.ok(result.sir[0]! > 60, `SIR ${result.sir[0]}`);
    assert.ok(siSdr([s1], [estimate]) < 0, 'SI-SDR allows no delay');
    // A delay beyond the filter is not a distortion of the target any more.
    const late = new Float64Array(n);
    for (let t = 600; t < n; t++) late[t] = s1[t - 600]!;
    const lateResult = bssEvalSources([s1, s2], [add([1, late], [1, noise(n, 14, 1e-4)]), s2]);
    assert.ok(lateResult.sdr[0]! < -10, `SDR of a copy delayed past the filter ${lateResult.sdr[0]}`);
  });

  it('finds the permutation of shuffled estimates', () => {
    const n = 8000;
    const refs = [noise(n, 21), noise(n, 22), noise(n, 23)];
    // Estimate e is reference order[e] with 10 % leakage from the next one and a little noise.
    const order = [2, 0, 1];
    const ests = order.map((j, e) => add([1, refs[j]!], [0.1, refs[(j + 1) % 3]!], [1, noise(n, 30 + e, 0.01)]));
    const result = bssEvalSources(refs, ests);
    // permutation[j] = the estimate that holds reference j.
    assert.deepEqual(result.permutation, [1, 2, 0]);
    for (const sir of result.sir) assert.ok(Math.abs(sir - 20) < 0.5, `SIR ${sir}`);
  });

  it('sums energies over channels; a duplicated mono pair scores like mono', () => {
    const n = 6000;
    const s1 = noise(n, 41);
    const s2 = noise(n, 42);
    const e1 = add([1, s1], [0.2, s2], [1, noise(n, 43, 0.05)]);
    const e2 = add([1, s2], [0.3, s1]);
    const mono = bssEvalSources([s1, s2], [e1, e2]);
    const stereo = bssEval([[s1, s1], [s2, s2]], [[e1, e1], [e2, e2]]);
    for (const key of ['sdr', 'sir', 'sar'] as const) {
      mono[key].forEach((v, j) => assert.ok(Math.abs(v - stereo[key][j]!) < 1e-6, `${key}[${j}] ${v} vs ${stereo[key][j]}`));
    }
    // A clean right channel cannot make a bad left channel disappear, nor the other way round.
    const mixed = bssEval([[s1, s1], [s2, s2]], [[e1, s1], [e2, e2]]);
    assert.ok(mixed.sdr[0]! > mono.sdr[0]! && mixed.sdr[0]! < mono.sdr[0]! + 3.5, `stereo SDR ${mixed.sdr[0]} vs mono ${mono.sdr[0]}`);
  });

  it('rejects input it cannot score, naming the problem', () => {
    const a = noise(1000, 1);
    const b = noise(1000, 2);
    assert.throws(() => bssEvalSources([a, b], [a]), /2 reference sources but 1 estimates/);
    assert.throws(() => bssEvalSources([a, new Float64Array(1000)], [a, b]), /reference 2 is silent/);
    assert.throws(() => bssEvalSources([a, b], [a, new Float64Array(1000)]), /estimate 2 is silent/);
    assert.throws(() => bssEvalSources([a, b], [a, b.subarray(0, 999)]), /estimate 2 channel 1 has 999 samples, reference 1 has 1000/);
    assert.throws(() => bssEval([[a], [b, b]], [[a], [b]]), /reference 2 has 2 channels, reference 1 has 1/);
    assert.throws(() => bssEvalSources([a, b], [a, Float64Array.from(b, (x, i) => (i === 5 ? Number.NaN : x))]), /estimate 2 channel 1 sample 5 is NaN/);
    assert.throws(() => bssEvalSources([], []), /at least one reference/);
  });
});

describe('bestPermutation', () => {
  it('maximises the mean score and breaks ties lexicographically', () => {
    assert.deepEqual(bestPermutation([[1, 5], [6, 1]]), [1, 0]);
    assert.deepEqual(bestPermutation([[1, 1], [1, 1]]), [0, 1]);
    assert.deepEqual(bestPermutation([[0, 0, 9], [9, 0, 0], [0, 9, 0]]), [1, 2, 0]);
  });
});

describe('siSdr', () => {
  it('is scale-invariant, ignores the mean and matches a planted noise level', () => {
    const n = 50000;
    const s = noise(n, 51);
    const err = noise(n, 52, Math.sqrt(energy(s) / n / 100)); // 20 dB below
    const e = add([1, s], [1, err]);
    const value = siSdr([s], [e]);
    assert.ok(Math.abs(value - 20) < 0.1, `SI-SDR ${value}`);
    const scaled = Float64Array.from(e, (x) => 3 * x + 0.5);
    assert.ok(Math.abs(siSdr([s], [scaled]) - value) < 1e-9, 'gain and offset do not change it');
    assert.equal(siSdr([s], [s]), Infinity);
    assert.throws(() => siSdr([new Float64Array(10).fill(1)], [s.subarray(0, 10)]), /constant/);
    assert.throws(() => siSdr([s], [s.subarray(1)]), /estimate has 49999 samples/);
  });
});
