import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CancelledError } from '../../app/cancellation.js';
import type { Cube } from '../../app/hsi/cube.js';
import { matchEndmembers, spectralAngle } from '../../app/hsi/spectral-angle.js';
import { unmixCube, type UnmixParams } from '../../app/hsi/unmix.js';
import { scoreUnmixing } from '../../app/hsi/unmixing-metrics.js';
import { gramPlusDelta, logDetSpd } from '../../app/hsi/min-volume.js';
import { simplexUnmixing } from '../../app/hsi/simplex-unmixing.js';
import { vca } from '../../app/hsi/vca.js';
import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import { createMatrix, multiply, type Matrix } from '../../app/matrix.js';
import type { PipelineProgress } from '../../app/pipeline-hooks.js';
import { createRandom } from '../../app/random.js';

const DEG = 180 / Math.PI;

/**
 * A linear-mixture cube: three smooth, overlapping Gaussian-bump spectra (bands × 3) mixed with
 * Dirichlet(½)-distributed abundances (normalised squared Gaussians: many pixels near the simplex
 * edges), pixels 0–2 pure. No noise.
 */
function syntheticCube(seed: number, rows = 16, cols = 16, bands = 40): { cube: Cube; spectra: Matrix; abundances: Matrix } {
  const random = createRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const spectra = createMatrix(bands, 3);
  const centres = [0.15, 0.5, 0.85];
  for (let b = 0; b < bands; b++) {
    const x = b / (bands - 1);
    centres.forEach((centre, k) => {
      spectra.data[b * 3 + k] = 0.05 + Math.exp(-(((x - centre) / 0.12) ** 2));
    });
  }
  const pixels = rows * cols;
  const abundances = createMatrix(3, pixels);
  for (let j = 0; j < pixels; j++) {
    const g = j < 3 ? [0, 1, 2].map((k) => (k === j ? 1 : 0)) : [0, 1, 2].map(() => gaussian() ** 2 + 1e-9);
    const sum = g[0]! + g[1]! + g[2]!;
    for (let k = 0; k < 3; k++) abundances.data[k * pixels + j] = g[k]! / sum;
  }
  const v = multiply(spectra, abundances);
  const cube: Cube = { rows, cols, bands, data: v.data, wavelengths: null, wavelengthUnits: null, bandNames: null, noData: null, geo: null };
  return { cube, spectra, abundances };
}

test('unmixing a synthetic 3-endmember cube recovers the spectra (mean spectral angle < 5°; 0.6° with these seeds, at most 2.9° over 100 seed pairs)', () => {
  const { cube, spectra } = syntheticCube(1);
  const before = cube.data.slice();
  const out = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 500, seed: 0, init: 'random' });
  assert.equal(out.nmf.iterations, 500);
  assert.equal(out.nmf.loss, 'frobenius');
  assert.deepEqual([out.endmembers.rows, out.endmembers.cols], [40, 3]);
  assert.deepEqual([out.abundances.rows, out.abundances.cols], [3, 256]);
  assert.equal(out.clippedNegatives, 0);
  assert.equal(out.invalidPixels, 0);
  assert.deepEqual(cube.data, before, 'the cube is not modified');

  const match = matchEndmembers(out.endmembers, spectra);
  const report = match.angles.map((a) => `${(a * DEG).toFixed(2)}°`).join(', ');
  assert.ok(match.meanAngle * DEG < 5, `mean spectral angle ${(match.meanAngle * DEG).toFixed(2)}° (${report})`);
  for (const a of match.angles) assert.ok(a * DEG < 8, report);
  // Random spectra would be far off: the threshold separates success from chance.
  const random = createRandom(99);
  const noise = createMatrix(40, 3, Float32Array.from({ length: 120 }, () => random()));
  assert.ok(matchEndmembers(noise, spectra).meanAngle * DEG > 15);

  // Each endmember peaks at exactly 1 …
  for (let k = 0; k < 3; k++) {
    let peak = 0;
    for (let b = 0; b < 40; b++) peak = Math.max(peak, out.endmembers.data[b * 3 + k]!);
    assert.ok(Math.abs(peak - 1) < 1e-6, `endmember ${k} peak ${peak}`);
  }
  // … and the abundances compensate: W·H still has the objective the NMF reported.
  const wh = multiply(out.endmembers, out.abundances);
  let sq = 0;
  let norm = 0;
  for (let i = 0; i < wh.data.length; i++) {
    sq += (cube.data[i]! - wh.data[i]!) ** 2;
    norm += cube.data[i]! ** 2;
  }
  assert.ok(Math.abs(0.5 * sq - out.nmf.objective) <= 1e-3 * out.nmf.objective + 1e-9, `½‖V−WH‖² = ${0.5 * sq}, reported ${out.nmf.objective}`);
  assert.ok(sq / norm < 1e-3, `relative residual ${sq / norm}`);
});

test('KL unmixing runs on the same data and keeps the shapes', () => {
  const { cube, spectra } = syntheticCube(2, 8, 8, 20);
  const out = unmixCube(cube, { endmembers: 3, loss: 'kl', maxIter: 300, seed: 4 });
  assert.equal(out.nmf.loss, 'kl');
  assert.deepEqual([out.abundances.rows, out.abundances.cols], [3, 64]);
  for (const x of [...out.endmembers.data, ...out.abundances.data]) assert.ok(Number.isFinite(x) && x >= 0);
  assert.ok(matchEndmembers(out.endmembers, spectra).meanAngle * DEG < 6);
});

test('negatives are clipped and counted; NaN and nodata pixels are zeroed, counted and get zero abundance', () => {
  const { cube } = syntheticCube(3, 6, 6, 12);
  const pixels = 36;
  const data = cube.data.slice();
  const negatives = [5, 40, 41, 100, 431];
  for (const i of negatives) data[i] = -0.25;
  data[2 * pixels + 7] = NaN; // pixel 7, band 2
  for (let b = 0; b < 12; b++) data[b * pixels + 20] = -9999; // pixel 20 is nodata in every band
  const input: Cube = { ...cube, data, noData: -9999 };
  const out = unmixCube(input, { endmembers: 2, loss: 'frobenius', maxIter: 50, seed: 1 });
  assert.equal(out.clippedNegatives, negatives.length);
  assert.equal(out.invalidPixels, 2);
  for (let k = 0; k < 2; k++) {
    assert.equal(out.abundances.data[k * pixels + 7], 0);
    assert.equal(out.abundances.data[k * pixels + 20], 0);
  }
  for (const x of [...out.endmembers.data, ...out.abundances.data]) assert.ok(Number.isFinite(x) && x >= 0);
  assert.equal(input.data[5], -0.25, 'the input cube is left as it was');
});

test('progress is monotone, ends at 1 and reports NMF iterations', () => {
  const { cube } = syntheticCube(4, 8, 8, 20);
  const events: PipelineProgress[] = [];
  const out = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 40, seed: 2 }, { onProgress: (p) => events.push(p) });
  assert.ok(events.length >= 3);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.fraction >= events[i - 1]!.fraction, 'fraction never decreases');
  assert.equal(events.at(-1)!.fraction, 1);
  assert.ok(events.every((e) => e.fraction >= 0 && e.fraction <= 1));
  const nmf = events.filter((e) => e.stage === 'factorizing');
  assert.ok(nmf.length > 0 && nmf.at(-1)!.iteration === out.nmf.iterations && nmf.at(-1)!.objective !== null);
});

test('an aborted signal stops the unmixing with CancelledError', () => {
  const { cube } = syntheticCube(5, 8, 8, 20);
  const params = { endmembers: 3, loss: 'frobenius', maxIter: 10_000, seed: 0 } as const;
  assert.throws(() => unmixCube(cube, params, { signal: { aborted: true } }), CancelledError);
  // Aborted mid-factorization: the signal turns after a few checks.
  let checks = 0;
  const signal = {
    get aborted(): boolean {
      checks++;
      return checks > 10;
    },
  };
  let lastIteration = 0;
  const onProgress = (p: PipelineProgress): void => {
    lastIteration = Math.max(lastIteration, p.iteration ?? 0);
  };
  assert.throws(() => unmixCube(cube, params, { signal, onProgress }), CancelledError);
  // It stopped at the first check after the signal turned, long before 10 000 iterations.
  assert.ok(checks > 10 && checks < 20, `${checks} checks`);
  assert.ok(lastIteration < 20, `stopped after iteration ${lastIteration}`);
});

test('invalid parameters are rejected with clear messages', () => {
  const { cube } = syntheticCube(6, 3, 4, 6); // 6 bands, 12 pixels
  const ok = { endmembers: 2, loss: 'frobenius', maxIter: 10, seed: 0 } as const;
  assert.throws(() => unmixCube(cube, { ...ok, endmembers: 0 }), /number of endmembers must be a whole number ≥ 1, got 0/);
  assert.throws(() => unmixCube(cube, { ...ok, endmembers: 2.5 }), /whole number/);
  assert.throws(() => unmixCube(cube, { ...ok, endmembers: Number.NaN }), /whole number/);
  assert.throws(() => unmixCube(cube, { ...ok, endmembers: 6 }), /\(6\) must be smaller than both the band count \(6\) and the pixel count \(12\)/);
  const wide = syntheticCube(6, 2, 2, 30).cube; // 30 bands, 4 pixels
  assert.throws(() => unmixCube(wide, { ...ok, endmembers: 4 }), /pixel count \(4\)/);
  assert.throws(() => unmixCube(cube, { ...ok, maxIter: 0 }), /maxIter/);
  assert.throws(() => unmixCube(cube, { ...ok, loss: 'itakura' as never }), /unknown loss/);
  assert.throws(() => unmixCube({ ...cube, data: new Float32Array(5) }, ok), /cube data has 5 values/);
  const allNoData: Cube = { ...cube, data: new Float32Array(cube.data.length).fill(-1), noData: -1 };
  assert.throws(() => unmixCube(allNoData, ok), /nothing to unmix/);
  assert.doesNotThrow(() => unmixCube(cube, { ...ok, endmembers: 5 }));
});

test('spectral angle: scale-free, 90° for orthogonal spectra', () => {
  assert.ok(Math.abs(spectralAngle([1, 2, 3], [2, 4, 6])) < 1e-7);
  assert.ok(Math.abs(spectralAngle([1, 0], [0, 3]) - Math.PI / 2) < 1e-12);
  assert.ok(Math.abs(spectralAngle([1, 1], [1, 0]) - Math.PI / 4) < 1e-12);
  const estimated = createMatrix(2, 2, Float32Array.from([0, 5, 1, 0])); // columns (0,1), (5,0)
  const reference = createMatrix(2, 2, Float32Array.from([1, 0, 0, 1])); // columns (1,0), (0,1)
  const match = matchEndmembers(estimated, reference);
  assert.deepEqual(match.permutation, [1, 0]);
  assert.ok(match.meanAngle < 1e-7);
});

/**
 * A cube from P known endmembers (smooth random spectra) and seeded Dirichlet(α) abundances (α = 1
 * unless given; α < 1 makes most pixels nearly pure, the sparse case L1/2 is meant for), the
 * first P pixels pure, optionally each pixel scaled by an illumination factor in [0.6, 1.4] and
 * with Gaussian noise. Returns the true abundances as fractions (before illumination).
 */
function dirichletCube(seed: number, p: number, rows: number, cols: number, bands: number, options: { illumination?: boolean; noise?: number; alpha?: number } = {}): { cube: Cube; spectra: Matrix; abundances: Matrix } {
  const random = createRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // Gamma(α) variates (Marsaglia & Tsang 2000; α < 1 by the U^(1/α) boost): normalised, Dirichlet(α).
  const gamma = (alpha: number): number => {
    if (alpha < 1) return gamma(alpha + 1) * Math.pow(random(), 1 / alpha);
    const d = alpha - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = gaussian();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      if (Math.log(random()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const spectra = createMatrix(bands, p);
  for (let k = 0; k < p; k++) {
    const centre = (k + 0.5) / p + 0.1 * (random() - 0.5);
    const width = 0.08 + 0.15 * random();
    const slope = random() - 0.5;
    for (let b = 0; b < bands; b++) {
      const x = b / (bands - 1);
      spectra.data[b * p + k] = 0.1 + 0.2 * Math.max(0, 0.5 + slope * (x - 0.5)) + Math.exp(-(((x - centre) / width) ** 2));
    }
  }
  const pixels = rows * cols;
  const abundances = createMatrix(p, pixels);
  const scales = new Float64Array(pixels);
  for (let j = 0; j < pixels; j++) {
    const g = Array.from({ length: p }, (_, k) => (j < p ? (k === j ? 1 : 0) : gamma(options.alpha ?? 1)));
    const sum = g.reduce((a, b) => a + b, 0);
    for (let k = 0; k < p; k++) abundances.data[k * pixels + j] = g[k]! / sum;
    scales[j] = options.illumination ? 0.6 + 0.8 * random() : 1;
  }
  const v = multiply(spectra, abundances);
  for (let b = 0; b < bands; b++) {
    for (let j = 0; j < pixels; j++) {
      v.data[b * pixels + j] = v.data[b * pixels + j]! * scales[j]! + (options.noise ?? 0) * gaussian();
    }
  }
  const cube: Cube = { rows, cols, bands, data: v.data, wavelengths: null, wavelengthUnits: null, bandNames: null, noData: null, geo: null };
  return { cube, spectra, abundances };
}

/**
 * What sum-to-one unmixing reports as abundances: each pixel's signal shares, a_kj‖m_k‖₁ / Σ_c
 * a_cj‖m_c‖₁ (see app/hsi/scaled-mixing.ts), from the true fractions and endmembers.
 */
function signalShares(spectra: Matrix, abundances: Matrix): Matrix {
  const p = spectra.cols;
  const n = abundances.cols;
  const norms = Array.from({ length: p }, (_, k) => {
    let s = 0;
    for (let b = 0; b < spectra.rows; b++) s += spectra.data[b * p + k]!;
    return s;
  });
  const out = createMatrix(p, n);
  for (let j = 0; j < n; j++) {
    let total = 0;
    for (let k = 0; k < p; k++) total += abundances.data[k * n + j]! * norms[k]!;
    for (let k = 0; k < p; k++) out.data[k * n + j] = (abundances.data[k * n + j]! * norms[k]!) / total;
  }
  return out;
}

test('every method recovers known endmembers from a synthetic Dirichlet cube with pure pixels: SAD < 1°', () => {
  const { cube, spectra, abundances } = dirichletCube(31, 4, 20, 20, 50);
  const shares = signalShares(spectra, abundances);
  // Plain sum-to-one NMF from a random start is left out: without pure-pixel initialisation,
  // sparsity or minimum volume, the sum-to-one fit is not unique (any simplex enclosing the data
  // fits exactly), and it stopped 8–13° away. Minimum volume is what identifies it (tested below).
  const cases: { name: string; params: Partial<UnmixParams> }[] = [
    { name: 'NMF, VCA', params: { init: 'vca' } },
    { name: 'NMF, SPA', params: { init: 'spa' } },
    { name: 'sum-to-one, VCA', params: { sumToOne: true } },
    { name: 'sum-to-one, SPA', params: { sumToOne: true, init: 'spa' } },
    { name: 'min-volume, VCA', params: { minVolume: 0.3 } },
    { name: 'min-volume, SPA', params: { minVolume: 0.3, init: 'spa' } },
    { name: 'sum-to-one KL, VCA', params: { sumToOne: true, loss: 'kl' } },
  ];
  const failures: string[] = [];
  for (const { name, params } of cases) {
    const out = unmixCube(cube, { endmembers: 4, loss: 'frobenius', maxIter: 300, seed: 1, ...params });
    const score = scoreUnmixing({ endmembers: out.endmembers, abundances: out.abundances }, { endmembers: spectra, abundances: out.method.sumToOne ? shares : abundances });
    const report = `${name}: SAD ${score.sadDegrees.map((a) => a.toFixed(3)).join(', ')}°, RMSE ${score.abundances!.rmse.toFixed(4)}`;
    if (!(Math.max(...score.sadDegrees) < 1)) failures.push(report);
    if (out.method.sumToOne) {
      if (!(score.abundances!.rmse < 0.02)) failures.push(report);
      assert.equal(score.abundances!.normalized, false, `${name}: abundances sum to one as returned`);
    }
  }
  assert.deepEqual(failures, []);
});

test('L1/2 sparsity recovers sparse mixtures; its weight trades a known inward bias', () => {
  const { cube, spectra, abundances } = dirichletCube(35, 4, 20, 20, 50, { alpha: 0.2 });
  const shares = signalShares(spectra, abundances);
  const sad = (params: Partial<UnmixParams>): { sad: number[]; rmse: number } => {
    const out = unmixCube(cube, { endmembers: 4, loss: 'frobenius', maxIter: 300, seed: 1, ...params });
    const score = scoreUnmixing({ endmembers: out.endmembers, abundances: out.abundances }, { endmembers: spectra, abundances: shares });
    return { sad: [...score.sadDegrees], rmse: score.abundances!.rmse };
  };
  for (const init of ['vca', 'spa'] as const) {
    const small = sad({ sparsity: 0.001, init });
    assert.ok(Math.max(...small.sad) < 1 && small.rmse < 0.02, `sparsity 0.001, ${init}: SAD ${small.sad.map((a) => a.toFixed(3))}°, RMSE ${small.rmse}`);
  }
  // L1/2 rewards pure pixels, so on noiseless data it pulls the endmembers towards the mixed
  // pixels a little (Samson's 0.01 costs ~1.5° here, and gains 10° on Samson's real water).
  const strong = sad({ sparsity: 0.01 });
  assert.ok(Math.max(...strong.sad) < 2.5, `sparsity 0.01: SAD ${strong.sad.map((a) => a.toFixed(3))}°`);
  assert.ok(Math.max(...strong.sad) > Math.max(...sad({ sparsity: 0.001 }).sad), 'a larger weight, a larger bias');
});

test('minimum volume: the objective decreases monotonically and a larger weight gives a smaller simplex', () => {
  const { cube } = dirichletCube(36, 3, 16, 16, 30, { noise: 0.01 });
  const pixels = 256;
  const y = createMatrix(30, pixels, cube.data.slice());
  // As unmix.ts does: pixels at unit ℓ1 norm, endmembers from VCA at that scale.
  for (let j = 0; j < pixels; j++) {
    let s = 0;
    for (let b = 0; b < 30; b++) s += Math.max(0, y.data[b * pixels + j]!);
    for (let b = 0; b < 30; b++) y.data[b * pixels + j] = Math.max(0, y.data[b * pixels + j]!) / s;
  }
  const w0 = vca(y, 3, 0).endmembers;
  for (let i = 0; i < w0.data.length; i++) w0.data[i] = Math.max(w0.data[i]!, 0);
  const volumes: number[] = [];
  for (const minVolume of [0, 0.3, 3]) {
    const objectives: number[] = [];
    const result = simplexUnmixing(y, w0, { sparsity: 0, minVolume, maxIter: 100, tol: 0, kernels: createJsKernels(), onIteration: (_, objective) => objectives.push(objective) });
    for (let i = 1; i < objectives.length; i++) assert.ok(objectives[i]! <= objectives[i - 1]! * (1 + 1e-6), `λ̃ = ${minVolume}: objective rose at check ${i}: ${objectives[i - 1]} → ${objectives[i]}`);
    volumes.push(logDetSpd(gramPlusDelta(result.W.data, 30, 3, 0), 3));
  }
  assert.ok(volumes[0]! > volumes[1]! && volumes[1]! > volumes[2]!, `log volumes ${volumes.map((v) => v.toFixed(3))}`);
});

test('sum-to-one unmixing absorbs per-pixel illumination and noise: fractions, RMSE map, SAD', () => {
  const noise = 0.002;
  const { cube, spectra, abundances } = dirichletCube(32, 3, 24, 24, 40, { illumination: true, noise });
  const pixels = 24 * 24;
  const out = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 300, seed: 0, sumToOne: true });
  assert.deepEqual(out.method, { init: 'vca', sumToOne: true, sparsity: 0, minVolume: 0 });
  for (let j = 0; j < pixels; j++) {
    let sum = 0;
    for (let k = 0; k < 3; k++) {
      const a = out.abundances.data[k * pixels + j]!;
      assert.ok(a >= 0);
      sum += a;
    }
    assert.ok(Math.abs(sum - 1) < 1e-5, `pixel ${j} sums to ${sum}`);
  }
  const score = scoreUnmixing({ endmembers: out.endmembers, abundances: out.abundances }, { endmembers: spectra, abundances: signalShares(spectra, abundances) });
  assert.ok(score.meanSadDegrees < 1, `mean SAD ${score.meanSadDegrees}°`);
  assert.ok(score.abundances!.rmse < 0.03, `abundance RMSE ${score.abundances!.rmse}`);
  // Endmembers come in the data's units: about the brightness of the pure pixels (0.6–1.4 × the spectra).
  for (let k = 0; k < 3; k++) {
    const e = score.permutation[k]!;
    const ratio = out.endmembers.data[10 * 3 + e]! / spectra.data[10 * 3 + k]!;
    assert.ok(ratio > 0.6 && ratio < 1.4, `endmember ${k}: ${ratio}× the true spectrum`);
  }
  // The RMSE map is the noise level (the fit cannot follow white noise).
  const mean = out.rmse.reduce((a, b) => a + b, 0) / pixels;
  assert.ok(mean > 0.5 * noise && mean < 1.5 * noise, `mean RMSE ${mean} for noise σ = ${noise}`);
  // Plain NMF's RMSE map is exactly the reconstruction error of the returned factors.
  const plain = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 50, seed: 0 });
  const wh = multiply(plain.endmembers, plain.abundances);
  for (const j of [0, 17, 300, pixels - 1]) {
    let sq = 0;
    for (let b = 0; b < 40; b++) sq += (cube.data[b * pixels + j]! - wh.data[b * pixels + j]!) ** 2;
    assert.ok(Math.abs(Math.sqrt(sq / 40) - plain.rmse[j]!) < 1e-5, `pixel ${j}`);
  }
});

test('bad bands are left out of the fit (given and from the file), written as NaN, and do not invalidate pixels', () => {
  const { cube, spectra } = dirichletCube(33, 3, 12, 12, 30);
  const pixels = 144;
  const data = cube.data.slice();
  // Bands 4 and 20 are garbage: NaN in some pixels, huge values in others.
  for (let j = 0; j < pixels; j++) {
    data[4 * pixels + j] = j % 3 === 0 ? Number.NaN : 1e6;
    data[20 * pixels + j] = j % 2 === 0 ? Number.NaN : -1e6;
  }
  const badBands = new Array<boolean>(30).fill(false);
  badBands[20] = true;
  const input: Cube = { ...cube, data, badBands };
  const out = unmixCube(input, { endmembers: 3, loss: 'frobenius', maxIter: 200, seed: 0, sumToOne: true, badBands: [4] });
  assert.deepEqual(out.droppedBands, [4, 20]);
  assert.equal(out.invalidPixels, 0);
  assert.equal(out.clippedNegatives, 0, 'the negative garbage sits in a dropped band');
  for (let k = 0; k < 3; k++) {
    assert.ok(Number.isNaN(out.endmembers.data[4 * 3 + k]!) && Number.isNaN(out.endmembers.data[20 * 3 + k]!));
    assert.ok(Number.isFinite(out.endmembers.data[5 * 3 + k]!));
  }
  const match = matchEndmembers(out.endmembers, spectra);
  assert.ok(match.meanAngle * DEG < 1, `mean SAD ${match.meanAngle * DEG}° over the kept bands`);
  for (const x of out.rmse) assert.ok(Number.isFinite(x));
  // Without dropping them, the NaN pixels of band 4 are invalid.
  const kept = unmixCube({ ...cube, data }, { endmembers: 3, loss: 'frobenius', maxIter: 20, seed: 0, badBands: [20] });
  assert.equal(kept.invalidPixels, pixels / 3);
  assert.ok(Number.isNaN(kept.rmse[0]!) && kept.abundances.data[0] === 0);
  assert.throws(() => unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 5, seed: 0, badBands: [30] }), /bad band 31 \(counting from 1\) is not a band of the cube, which has 30/);
  const allBad: Cube = { ...cube, badBands: new Array<boolean>(30).fill(true) };
  assert.throws(() => unmixCube(allBad, { endmembers: 3, loss: 'frobenius', maxIter: 5, seed: 0 }), /every band is left out \(30 of the 30 bands bad or dropped\)/);
  assert.throws(() => unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 5, seed: 0, badBands: Array.from({ length: 27 }, (_, b) => b) }), /must be smaller than the number of bands fitted \(3 of 30; 27 left out\)/);
});

test('HySime suggests the number of endmembers; method options are validated', () => {
  const { cube } = dirichletCube(34, 4, 30, 30, 40, { noise: 0.003 });
  const out = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 5, seed: 0 });
  assert.equal(out.suggestedEndmembers, 4);
  assert.equal(unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 5, seed: 0, estimateEndmembers: false }).suggestedEndmembers, null);
  const ok = { endmembers: 3, loss: 'frobenius', maxIter: 5, seed: 0 } as const;
  assert.throws(() => unmixCube(cube, { ...ok, init: 'nndsvda' as never }), /unknown init 'nndsvda', expected vca, spa, nndsvd, random/);
  assert.throws(() => unmixCube(cube, { ...ok, sparsity: -1 }), /sparsity must be a finite number ≥ 0, got -1/);
  assert.throws(() => unmixCube(cube, { ...ok, minVolume: Number.NaN }), /minVolume must be a finite number ≥ 0/);
  assert.throws(() => unmixCube(cube, { ...ok, loss: 'kl', sparsity: 0.01 }), /Frobenius loss only/);
  // Each init runs in both paths and is deterministic for a seed.
  for (const init of ['vca', 'spa', 'nndsvd', 'random'] as const) {
    for (const sumToOne of [false, true]) {
      const a = unmixCube(cube, { ...ok, init, sumToOne, maxIter: 10 });
      const b = unmixCube(cube, { ...ok, init, sumToOne, maxIter: 10 });
      assert.deepEqual(a.endmembers.data, b.endmembers.data, `${init}, sumToOne ${sumToOne}`);
      for (const x of a.abundances.data) assert.ok(Number.isFinite(x) && x >= 0);
    }
  }
});

test('Samson: L1/2 unmixing reaches the issue\'s target of mean SAD ≤ 3° (skipped without ../shared)', async (t) => {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(new URL('../../../shared/data/hsi/samson/samson_gt.mat', import.meta.url));
  } catch {
    t.skip('../shared/data/hsi/samson/samson_gt.mat is not here');
    return;
  }
  const { readMatCube } = await import('../../app/hsi/mat-cube.js');
  const { cube, groundTruth } = readMatCube(bytes, 'samson_gt.mat');
  // The WebAssembly kernels when they load (as in the app's workers): 3× faster than the reference ones.
  const { createWasmKernels } = await import('../../native-workers/common/wasm-kernels.js');
  const kernels = createWasmKernels() ?? undefined;
  const out = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 200, seed: 0, sparsity: 0.01, estimateEndmembers: false }, kernels ? { kernels } : {});
  const score = scoreUnmixing({ endmembers: out.endmembers, abundances: out.abundances }, { endmembers: groundTruth!.endmembers, abundances: groundTruth!.abundances! });
  assert.ok(score.meanSadDegrees <= 3, `mean SAD ${score.meanSadDegrees.toFixed(2)}° (${score.sadDegrees.map((a) => a.toFixed(2)).join(', ')})`);
  assert.ok(score.abundances!.rmse < 0.12, `abundance RMSE ${score.abundances!.rmse}`);
});
