import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError } from '../../app/cancellation.js';
import type { Cube } from '../../app/hsi/cube.js';
import { matchEndmembers, spectralAngle } from '../../app/hsi/spectral-angle.js';
import { unmixCube } from '../../app/hsi/unmix.js';
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
  const out = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 500, seed: 0 });
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
  const started = Date.now();
  assert.throws(() => unmixCube(cube, params, { signal }), CancelledError);
  assert.ok(checks > 10 && Date.now() - started < 2000, 'stopped long before 10 000 iterations');
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
