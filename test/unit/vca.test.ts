import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchEndmembers } from '../../app/hsi/spectral-angle.js';
import { symmetricEigen } from '../../app/hsi/symmetric-eigen.js';
import { vca } from '../../app/hsi/vca.js';
import { createMatrix, multiply, type Matrix } from '../../app/matrix.js';
import { createRandom } from '../../app/random.js';

const DEG = 180 / Math.PI;

/**
 * Separable data: P smooth random spectra, Dirichlet(1) abundances with the pure pixels at known
 * random positions, optionally each pixel scaled by an illumination factor in [0.5, 1.5]
 * (which only the projective projection is meant to handle), optional noise.
 */
function separable(seed: number, bands: number, pixels: number, p: number, noise = 0, illumination = true): { y: Matrix; m: Matrix; pure: number[] } {
  const random = createRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const m = createMatrix(bands, p);
  for (let k = 0; k < p; k++) {
    const centre = random();
    const width = 0.1 + 0.3 * random();
    for (let b = 0; b < bands; b++) m.data[b * p + k] = 0.05 + random() * 0.1 + Math.exp(-(((b / bands - centre) / width) ** 2));
  }
  const a = createMatrix(p, pixels);
  const pure = new Set<number>();
  while (pure.size < p) pure.add(Math.floor(random() * pixels));
  const pureList = [...pure];
  for (let j = 0; j < pixels; j++) {
    const which = pureList.indexOf(j);
    const g = Array.from({ length: p }, (_, k) => (which >= 0 ? (k === which ? 1 : 0) : -Math.log(1 - random())));
    const sum = g.reduce((s, x) => s + x, 0);
    const scale = illumination ? 0.5 + random() : 1;
    for (let k = 0; k < p; k++) a.data[k * pixels + j] = (scale * g[k]!) / sum;
  }
  const y = multiply(m, a);
  if (noise > 0) for (let i = 0; i < y.data.length; i++) y.data[i] = Math.max(0, y.data[i]! + noise * gaussian());
  return { y, m, pure: pureList };
}

test('symmetric eigen-decomposition: A·e = λ·e, orthonormal vectors, descending values', () => {
  const random = createRandom(2);
  const n = 9;
  const b = Float64Array.from({ length: n * n }, () => random() - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j]! += b[i * n + k]! * b[j * n + k]!;
  const { values, vectors } = symmetricEigen(a, n);
  for (let k = 1; k < n; k++) assert.ok(values[k - 1]! >= values[k]!);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors[j * n + k]!;
      assert.ok(Math.abs(av - values[k]! * vectors[i * n + k]!) < 1e-10);
    }
    for (let c = 0; c < n; c++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += vectors[i * n + k]! * vectors[i * n + c]!;
      assert.ok(Math.abs(dot - (k === c ? 1 : 0)) < 1e-10);
    }
  }
  // A diagonal matrix: its own entries, sorted.
  assert.deepEqual([...symmetricEigen([2, 0, 0, 0, 5, 0, 0, 0, 1], 3).values], [5, 2, 1]);
  assert.throws(() => symmetricEigen([1, 2, 3], 2), /expected 2×2 = 4 values/);
});

test('VCA finds the pure pixels of noiseless separable data (projective and affine projections, several seeds)', () => {
  for (const [seed, p] of [[1, 3], [2, 5], [3, 8]] as const) {
    for (const projection of ['projective', 'affine'] as const) {
      // The affine projection assumes the simplex (abundances sum to one): no illumination scaling.
      const { y, m, pure } = separable(seed, 50, 400, p, 0, projection === 'projective');
      for (const vcaSeed of [0, 7]) {
        const result = vca(y, p, vcaSeed, { projection });
        assert.deepEqual([...result.indices].sort((x, z) => x - z), [...pure].sort((x, z) => x - z), `seed ${seed}, ${projection}, VCA seed ${vcaSeed}`);
        const match = matchEndmembers(result.endmembers, m);
        assert.ok(match.meanAngle * DEG < 1e-3, `${projection}: mean SAD ${match.meanAngle * DEG}°`);
      }
    }
    // Noiseless data has a very high SNR: VCA chooses the projective projection itself.
    const { y } = separable(seed, 50, 400, p);
    const auto = vca(y, p, 0);
    assert.equal(auto.projection, 'projective');
    assert.ok(auto.snrDb > 15 + 10 * Math.log10(p));
  }
});

test('VCA is deterministic for a seed and near the endmembers under noise', () => {
  const { y, m } = separable(4, 60, 1500, 4, 0.005);
  const a = vca(y, 4, 3);
  const b = vca(y, 4, 3);
  assert.deepEqual(a.indices, b.indices);
  assert.deepEqual(a.endmembers.data, b.endmembers.data);
  const match = matchEndmembers(a.endmembers, m);
  assert.ok(match.meanAngle * DEG < 2, `mean SAD ${match.meanAngle * DEG}°`);
  // Random spectra score far worse: the bound above is not trivially met.
  assert.ok(matchEndmembers(createMatrix(60, 4, Float32Array.from({ length: 240 }, createRandom(9))), m).meanAngle * DEG > 10);
  assert.throws(() => vca(y, 0, 0), /VCA needs 1 ≤ p/);
  assert.throws(() => vca(y, 61, 0), /VCA needs 1 ≤ p ≤ min\(bands, pixels\) = 60/);
});
