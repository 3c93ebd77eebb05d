import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { matchEndmembers, spectralAngle } from '../../app/hsi/spectral-angle.js';
import { abundanceScores, scoreUnmixing } from '../../app/hsi/unmixing-metrics.js';
import { createMatrix, matrixFromRows } from '../../app/matrix.js';
import { createRandom } from '../../app/random.js';

const DEG = 180 / Math.PI;

test('spectral angle: hand-checked values, scale invariance, NaN bands left out', () => {
  assert.ok(Math.abs(spectralAngle([1, 0], [1, 1]) * DEG - 45) < 1e-12);
  assert.ok(Math.abs(spectralAngle([1, 0, 0], [1, 1, 1]) - Math.acos(1 / Math.sqrt(3))) < 1e-12);
  assert.ok(Math.abs(spectralAngle([3, 4], [6, 8])) < 1e-7);
  // Band 2 is a dropped bad band (NaN) on one side: the angle is that of the other bands.
  assert.ok(Math.abs(spectralAngle([1, 0, Number.NaN], [1, 1, 5]) * DEG - 45) < 1e-12);
  assert.equal(spectralAngle([0, 0], [0, 0]), 0);
  assert.equal(spectralAngle([0, 0], [1, 0]), Math.PI / 2);
  assert.throws(() => spectralAngle([1], [1, 2]), /spectra of 1 and 2 bands/);
});

test('matching beats greedy pairing and handles more estimates than references', () => {
  // Reference columns r0 = (1,0,0), r1 = (1,1,0). Estimates: e0 = (1,1,0.1), e1 = (1,0.8,0), e2 = (0,0,1).
  // Greedy on r0 would take e1 (closest), leaving r1 with e0; the optimum may differ — check by brute force.
  const reference = matrixFromRows([
    [1, 1],
    [0, 1],
    [0, 0],
  ]);
  const estimated = matrixFromRows([
    [1, 1, 0],
    [1, 0.8, 0],
    [0.1, 0, 1],
  ]);
  const match = matchEndmembers(estimated, reference);
  const angle = (r: number[], e: number[]): number => spectralAngle(r, e);
  const cols = [
    [1, 1, 0.1],
    [1, 0.8, 0],
    [0, 0, 1],
  ];
  const refs = [
    [1, 0, 0],
    [1, 1, 0],
  ];
  let best = Infinity;
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) if (a !== b) best = Math.min(best, angle(refs[0]!, cols[a]!) + angle(refs[1]!, cols[b]!));
  assert.ok(Math.abs(match.meanAngle * 2 - best) < 1e-6);
  assert.equal(match.angles.length, 2);
  assert.throws(() => matchEndmembers(createMatrix(3, 1), reference), /2 reference endmembers for 1 estimates/);
  assert.throws(() => matchEndmembers(createMatrix(2, 3), reference), /endmembers have 2 and 3 bands/);
});

test('matching more than 9 endmembers (the old exhaustive limit) recovers a shuffled set exactly', () => {
  const random = createRandom(5);
  const bands = 30;
  const p = 14;
  const reference = createMatrix(bands, p, Float32Array.from({ length: bands * p }, () => random()));
  const order = Array.from({ length: p }, (_, i) => i).sort(() => random() - 0.5);
  const estimated = createMatrix(bands, p);
  for (let b = 0; b < bands; b++) for (let k = 0; k < p; k++) estimated.data[b * p + order[k]!] = 2.5 * reference.data[b * p + k]!;
  const match = matchEndmembers(estimated, reference);
  assert.deepEqual(match.permutation, order);
  assert.ok(match.meanAngle < 1e-3);
});

test('abundance RMSE: hand-checked, with the pairing, normalisation and masked pixels', () => {
  // Reference 2 endmembers × 3 pixels; estimate rows swapped.
  const reference = matrixFromRows([
    [1, 0.5, 0],
    [0, 0.5, 1],
  ]);
  const estimate = matrixFromRows([
    [0.1, 0.5, 1], // ↔ reference row 1, errors 0.1, 0, 0
    [0.9, 0.5, 0], // ↔ reference row 0, errors −0.1, 0, 0
  ]);
  const s = abundanceScores(estimate, reference, [1, 0]);
  assert.equal(s.normalized, false, 'they sum to one already');
  assert.ok(Math.abs(s.rmse - Math.sqrt((0.01 + 0.01) / 6)) < 1e-7);
  assert.ok(Math.abs(s.rmsePerEndmember[0]! - Math.sqrt(0.01 / 3)) < 1e-7);
  assert.equal(s.pixels, 3);
  // Scaled by 4 (plain NMF): divided by the pixel sums first, same scores.
  const scaled = createMatrix(2, 3, estimate.data.map((x) => 4 * x));
  const t = abundanceScores(scaled, reference, [1, 0]);
  assert.equal(t.normalized, true);
  assert.ok(Math.abs(t.rmse - s.rmse) < 1e-7);
  // Forced off: the raw values are compared.
  assert.ok(abundanceScores(scaled, reference, [1, 0], false).rmse > 1);
  // A NaN pixel in the reference is skipped.
  const masked = matrixFromRows([
    [1, 0.5, Number.NaN],
    [0, 0.5, 1],
  ]);
  const u = abundanceScores(estimate, masked, [1, 0]);
  assert.equal(u.pixels, 2);
  assert.ok(Math.abs(u.rmse - Math.sqrt(0.02 / 4)) < 1e-7);
  assert.throws(() => abundanceScores(estimate, createMatrix(2, 4), [1, 0]), /3 and 4 pixels/);
  assert.throws(() => abundanceScores(estimate, reference, [2, 0]), /no estimated abundance row 2/);
});

test('scores agree with numpy on the evaluate fixture (test/make-unmixing-fixtures.py)', () => {
  const f = JSON.parse(readFileSync(new URL('../fixtures/unmixing/small_gt.json', import.meta.url), 'utf8')) as {
    bands: number; rows: number; cols: number; M: number[]; A: number[]; estimateEndmembers: number[]; estimateAbundances: number[];
    permutation: number[]; sadDegrees: number[]; meanSadDegrees: number; rmse: number; rmsePerEndmember: number[];
  };
  const pixels = f.rows * f.cols;
  const scores = scoreUnmixing(
    { endmembers: createMatrix(f.bands, 3, Float32Array.from(f.estimateEndmembers)), abundances: createMatrix(3, pixels, Float32Array.from(f.estimateAbundances)) },
    { endmembers: createMatrix(f.bands, 3, Float32Array.from(f.M)), abundances: createMatrix(3, pixels, Float32Array.from(f.A)) },
  );
  assert.deepEqual(scores.permutation, f.permutation);
  scores.sadDegrees.forEach((s, k) => assert.ok(Math.abs(s - f.sadDegrees[k]!) < 1e-3, `SAD ${k}: ${s} vs ${f.sadDegrees[k]}`));
  assert.ok(Math.abs(scores.meanSadDegrees - f.meanSadDegrees) < 1e-3);
  // The perturbed abundances do not sum to one: with 'auto' they would be normalised; numpy scored them raw.
  const raw = abundanceScores(createMatrix(3, pixels, Float32Array.from(f.estimateAbundances)), createMatrix(3, pixels, Float32Array.from(f.A)), scores.permutation, false);
  assert.ok(Math.abs(raw.rmse - f.rmse) < 1e-6, `${raw.rmse} vs ${f.rmse}`);
  raw.rmsePerEndmember.forEach((r, k) => assert.ok(Math.abs(r - f.rmsePerEndmember[k]!) < 1e-6));
  assert.equal(scores.abundances!.normalized, true);
});
