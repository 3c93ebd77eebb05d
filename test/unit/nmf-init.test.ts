import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createMatrix, matrixFromRows, multiply, transpose, type Matrix } from '../../app/matrix.js';
import { initialize } from '../../app/nmf/init/initialize.js';
import { nndsvd, type NndsvdVariant } from '../../app/nmf/init/nndsvd.js';
import { spa, spaInit } from '../../app/nmf/init/spa.js';
import { truncatedSvd, type TruncatedSvd } from '../../app/nmf/init/truncated-svd.js';
import { randomInit } from '../../app/nmf/random-init.js';
import { createRandom, type Random } from '../../app/random.js';

const fixtures = new URL('../fixtures/', import.meta.url);

function gaussianSource(random: Random): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** p orthonormal columns of length len (float64, column c at [c·len …]) by Gram–Schmidt twice. */
function orthonormalColumns(len: number, p: number, seed: number): Float64Array[] {
  const gaussian = gaussianSource(createRandom(seed));
  const cols: Float64Array[] = [];
  for (let c = 0; c < p; c++) {
    const v = Float64Array.from({ length: len }, gaussian);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of cols) {
        const d = dot(q, v);
        for (let i = 0; i < len; i++) v[i]! -= d * q[i]!;
      }
    }
    const norm = Math.sqrt(dot(v, v));
    for (let i = 0; i < len; i++) v[i]! /= norm;
    cols.push(v);
  }
  return cols;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** A = Σ_c σ_c u_c v_cᵀ, stored in float32. */
function fromFactors(u: Float64Array[], sigma: readonly number[], v: Float64Array[]): Matrix {
  const m = u[0]!.length;
  const n = v[0]!.length;
  const a = new Float64Array(m * n);
  sigma.forEach((s, c) => {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[i * n + j]! += s * u[c]![i]! * v[c]![j]!;
  });
  return createMatrix(m, n, Float32Array.from(a));
}

const column = (svd: TruncatedSvd, m: number, k: number, c: number): Float64Array =>
  Float64Array.from({ length: m }, (_, i) => svd.U[i * k + c]!);
const row = (svd: TruncatedSvd, n: number, c: number): Float64Array => svd.Vt.slice(c * n, c * n + n);

function assertOrthonormal(vectors: Float64Array[], tol: number, what: string): void {
  for (let a = 0; a < vectors.length; a++) {
    for (let b = a; b < vectors.length; b++) {
      const d = dot(vectors[a]!, vectors[b]!);
      assert.ok(Math.abs(d - (a === b ? 1 : 0)) <= tol, `${what}: ⟨${a}, ${b}⟩ = ${d}`);
    }
  }
}

/** ‖A − U·diag(S)·Vt‖_F / ‖A‖_F. */
function reconstructionError(a: Matrix, svd: TruncatedSvd, k: number): number {
  let err = 0;
  let norm = 0;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      let x = 0;
      for (let c = 0; c < k; c++) x += svd.U[i * k + c]! * svd.S[c]! * svd.Vt[c * a.cols + j]!;
      const y = a.data[i * a.cols + j]!;
      err += (y - x) ** 2;
      norm += y * y;
    }
  }
  return Math.sqrt(err / norm);
}

function checkSvdShape(a: Matrix, svd: TruncatedSvd, k: number): void {
  const { rows: m, cols: n } = a;
  assert.equal(svd.U.length, m * k);
  assert.equal(svd.S.length, k);
  assert.equal(svd.Vt.length, k * n);
  for (let c = 1; c < k; c++) assert.ok(svd.S[c]! <= svd.S[c - 1]!, 'singular values descend');
  const us = Array.from({ length: k }, (_, c) => column(svd, m, k, c));
  assertOrthonormal(us, 1e-10, 'U');
  assertOrthonormal(Array.from({ length: k }, (_, c) => row(svd, n, c)), 1e-10, 'Vt');
  // Sign convention: each U column's largest-magnitude entry is positive.
  for (const u of us) {
    let best = 0;
    for (let i = 1; i < m; i++) if (Math.abs(u[i]!) > Math.abs(u[best]!)) best = i;
    assert.ok(u[best]! > 0, 'largest |entry| of a U column is positive');
  }
}

test('truncated SVD recovers known singular values and vectors (tall and wide)', () => {
  const m = 60;
  const n = 40;
  const sigma = Array.from({ length: n }, (_, i) => 10 * 0.75 ** i);
  const u0 = orthonormalColumns(m, n, 1);
  const v0 = orthonormalColumns(n, n, 2);
  const a = fromFactors(u0, sigma, v0);
  for (const [name, matrix, left, right] of [
    ['tall', a, u0, v0],
    ['wide', transpose(a), v0, u0],
  ] as const) {
    const k = 5;
    const svd = truncatedSvd(matrix, k, 7);
    checkSvdShape(matrix, svd, k);
    for (let c = 0; c < k; c++) {
      // A is stored in float32: its singular values moved by up to ~‖A‖·6e-8.
      assert.ok(Math.abs(svd.S[c]! - sigma[c]!) <= 1e-6 * sigma[0]!, `${name} σ${c}: ${svd.S[c]} vs ${sigma[c]}`);
      const cu = Math.abs(dot(column(svd, matrix.rows, k, c), left[c]!));
      const cv = Math.abs(dot(row(svd, matrix.cols, c), right[c]!));
      assert.ok(cu > 1 - 1e-9 && cv > 1 - 1e-9, `${name} vectors ${c}: |cos| ${cu}, ${cv}`);
    }
  }
});

test('truncated SVD (randomized) agrees with the full SVD to 1e-6 relative on decaying spectra', () => {
  const m = 150;
  const n = 110;
  const geometric = (i: number): number => 0.8 ** i;
  const harmonic = (i: number): number => 1 / (i + 1);
  for (const [name, decay, k, powerIterations, tolerance] of [
    ['geometric', geometric, 6, undefined, 1e-9],
    ['harmonic', harmonic, 12, undefined, 1e-6], // slow decay: σ_{ℓ+1}/σ_k = 12/23
    ['harmonic', harmonic, 20, 14, 1e-6], // slower still: needs more subspace iterations
  ] as const) {
    const sigma = Array.from({ length: n }, (_, i) => decay(i));
    const a = fromFactors(orthonormalColumns(m, n, 3), sigma, orthonormalColumns(n, n, 4));
    const full = truncatedSvd(a, n, 5); // k = min(m, n): no sketching, exact up to rounding
    const part = truncatedSvd(a, k, 6, { powerIterations });
    checkSvdShape(a, part, k);
    let worstS = 0;
    let worstVector = 0;
    for (let c = 0; c < k; c++) {
      worstS = Math.max(worstS, Math.abs(part.S[c]! - full.S[c]!) / full.S[c]!);
      // Same vectors, same signs (the convention fixes them): 1 − cos.
      worstVector = Math.max(worstVector, 1 - dot(column(part, m, k, c), column(full, m, n, c)), 1 - dot(row(part, n, c), row(full, n, c)));
    }
    assert.ok(worstS <= tolerance, `${name}, k = ${k}: largest relative error of a singular value ${worstS}`);
    assert.ok(worstVector <= tolerance, `${name}, k = ${k}: largest 1 − cos of a singular vector ${worstVector}`);
  }
});

test('truncated SVD of a rank-deficient matrix: zero singular values, orthonormal vectors, exact reconstruction', () => {
  // Integer entries, exactly representable: the rank is exactly 3 (rows 0–2 span, rows 3–6 zero
  // or combinations), so the range finder meets exactly dependent vectors.
  const a = matrixFromRows([
    [1, 2, 0, 3, 1],
    [0, 1, 4, 1, 0],
    [2, 0, 1, 0, 5],
    [0, 0, 0, 0, 0],
    [1, 3, 4, 4, 1],
    [3, 2, 1, 3, 6],
    [0, 0, 0, 0, 0],
  ]);
  for (const [name, matrix] of [
    ['tall', a],
    ['wide', transpose(a)],
  ] as const) {
    const k = 5;
    const svd = truncatedSvd(matrix, k, 1);
    checkSvdShape(matrix, svd, k);
    assert.ok(svd.S[2]! > 1, `${name}: third singular value ${svd.S[2]}`);
    for (let c = 3; c < k; c++) assert.ok(svd.S[c]! <= 1e-12 * svd.S[0]!, `${name}: σ${c} = ${svd.S[c]}`);
    const err3 = reconstructionError(matrix, svd, k);
    assert.ok(err3 <= 1e-13, `${name}: reconstruction error ${err3}`);
  }
  const zero = truncatedSvd(createMatrix(4, 3), 2, 0);
  checkSvdShape(createMatrix(4, 3), zero, 2);
  assert.deepEqual(Array.from(zero.S), [0, 0]);
});

test('truncated SVD: reconstruction of a low-rank product, and the same seed gives identical output', () => {
  const random = createRandom(9);
  const w = createMatrix(80, 4, Float32Array.from({ length: 320 }, random));
  const h = createMatrix(4, 50, Float32Array.from({ length: 200 }, random));
  const a = multiply(w, h);
  const svd = truncatedSvd(a, 4, 11);
  const err = reconstructionError(a, svd, 4);
  assert.ok(err <= 1e-6, `rank-4 reconstruction error ${err}`); // A itself is rounded to float32
  const again = truncatedSvd(a, 4, 11);
  assert.deepEqual(again, svd);
  const other = truncatedSvd(a, 4, 12);
  assert.notDeepEqual(other.U, svd.U, 'another seed takes another sketch');
  for (let c = 0; c < 4; c++) assert.ok(Math.abs(other.S[c]! - svd.S[c]!) <= 1e-9 * svd.S[0]!);
  assert.throws(() => truncatedSvd(a, 51, 0), RangeError);
  assert.throws(() => truncatedSvd(a, 0, 0), RangeError);
});

interface NndsvdFixture {
  readonly rows: number;
  readonly cols: number;
  readonly rank: number;
  readonly V: number[][];
  readonly singularValues: number[];
  readonly nndsvd: { W: number[][]; H: number[][] };
  readonly nndsvda: { W: number[][]; H: number[][] };
  readonly nndsvdar: { W: number[][]; H: number[][] };
}

const loadFixture = (name: string): NndsvdFixture =>
  JSON.parse(readFileSync(new URL(`sklearn-nndsvd-${name}.json`, fixtures), 'utf8')) as NndsvdFixture;

/** Largest entrywise relative difference |ours − theirs| / |theirs| over the nonzero entries of theirs. */
function relativeDifference(ours: Float32Array, theirs: readonly number[]): number {
  let worst = 0;
  theirs.forEach((t, i) => {
    if (t !== 0) worst = Math.max(worst, Math.abs(ours[i]! - t) / Math.abs(t));
  });
  return worst;
}

for (const name of ['tall', 'wide', 'full-rank', 'tiny-rows']) {
  test(`NNDSVD variants match scikit-learn's _initialize_nmf (${name})`, () => {
    const f = loadFixture(name);
    const v = matrixFromRows(f.V);
    const svd = truncatedSvd(v, f.rank, 0);
    f.singularValues.forEach((s, c) => assert.ok(Math.abs(svd.S[c]! - s) <= 1e-9 * f.singularValues[0]!, `σ${c}`));
    let mean = 0;
    for (const x of v.data) mean += x;
    mean /= v.data.length;
    for (const variant of ['nndsvd', 'nndsvda'] as const) {
      const ours = nndsvd(v, f.rank, variant, 0);
      const dW = relativeDifference(ours.W.data, f[variant].W.flat());
      const dH = relativeDifference(ours.H.data, f[variant].H.flat());
      assert.ok(dW <= 1e-4 && dH <= 1e-4, `${variant}: W differs by ${dW}, H by ${dH} (relative)`);
      // Zeros exactly where scikit-learn has them (nndsvd) or none at all (nndsvda).
      const theirs = [...f[variant].W.flat(), ...f[variant].H.flat()];
      [...ours.W.data, ...ours.H.data].forEach((x, i) => {
        assert.equal(x === 0, theirs[i] === 0, `${variant}: zero pattern at ${i}`);
        assert.ok(x >= 0);
      });
    }
    // nndsvdar: identical where nndsvd is nonzero; elsewhere a small positive random fill (its
    // values come from our generator, not NumPy's).
    const ar = nndsvd(v, f.rank, 'nndsvdar', 0);
    const base = [...f.nndsvd.W.flat(), ...f.nndsvd.H.flat()];
    const filled = [...ar.W.data, ...ar.H.data];
    const skFilled = [...f.nndsvdar.W.flat(), ...f.nndsvdar.H.flat()];
    let fills = 0;
    filled.forEach((x, i) => {
      if (base[i] === 0) {
        fills++;
        assert.ok(x > 0 && x < mean / 10, `nndsvdar fill ${x} (mean ${mean})`);
        assert.ok(skFilled[i]! > 0 && skFilled[i]! < mean / 10, 'scikit-learn fills the same entries');
      } else {
        assert.ok(Math.abs(x - base[i]!) <= 1e-4 * Math.abs(base[i]!), `nndsvdar entry ${i}`);
      }
    });
    assert.ok(fills > 0, 'the fixture exercises the fill');
  });
}

test('NNDSVD outputs are nonnegative, NNDSVDa has no zeros, and the same seed repeats exactly', () => {
  const random = createRandom(21);
  const v = createMatrix(25, 35, Float32Array.from({ length: 25 * 35 }, () => (random() < 0.3 ? 0 : random() * 5)));
  for (const variant of ['nndsvd', 'nndsvda', 'nndsvdar'] as const satisfies readonly NndsvdVariant[]) {
    const a = nndsvd(v, 6, variant, 3);
    assert.equal(a.W.rows, 25);
    assert.equal(a.W.cols, 6);
    assert.equal(a.H.rows, 6);
    assert.equal(a.H.cols, 35);
    const all = [...a.W.data, ...a.H.data];
    assert.ok(all.every((x) => x >= 0 && Number.isFinite(x)), `${variant}: nonnegative and finite`);
    if (variant === 'nndsvd') assert.ok(all.some((x) => x === 0), 'nndsvd is sparse');
    else assert.ok(all.every((x) => x > 0), `${variant}: no zeros`);
    const b = nndsvd(v, 6, variant, 3);
    assert.deepEqual(b.W.data, a.W.data);
    assert.deepEqual(b.H.data, a.H.data);
  }
  assert.notDeepEqual(nndsvd(v, 6, 'nndsvdar', 4).W.data, nndsvd(v, 6, 'nndsvdar', 3).W.data);
});

/** Separable V = W·[I, H′]·Π (noiseless), H′ columns on the simplex; returns V and where W's columns went. */
function separable(m: number, r: number, n: number, seed: number, scaleColumns: boolean): { v: Matrix; pure: number[] } {
  const random = createRandom(seed);
  // Column 0 of W is nearly flat and the others peaky (cubed uniforms): once scaled to unit ℓ1
  // norm, mixtures rich in a peaky column have a larger ℓ2 norm than the flat pure column, so
  // picking the largest norms without projecting (a broken SPA) would miss it.
  const w = createMatrix(m, r);
  for (let i = 0; i < m; i++) for (let c = 0; c < r; c++) w.data[i * r + c] = c === 0 ? 1 + 0.1 * random() : random() ** 3;
  const h = createMatrix(r, n);
  for (let c = 0; c < r; c++) h.data[c * n + c] = 1;
  for (let j = r; j < n; j++) {
    // Dirichlet(1, …, 1): normalised exponentials, kept away from the vertices.
    const e = Array.from({ length: r }, () => -Math.log(1 - random()));
    const total = e.reduce((s, x) => s + x, 0);
    for (let c = 0; c < r; c++) h.data[c * n + j] = 0.05 / r + (0.95 * e[c]!) / total;
  }
  const perm = Array.from({ length: n }, (_, j) => j);
  for (let j = n - 1; j > 0; j--) {
    const t = Math.floor(random() * (j + 1));
    [perm[j], perm[t]] = [perm[t]!, perm[j]!];
  }
  const wh = multiply(w, h);
  const v = createMatrix(m, n);
  const colScale = Array.from({ length: n }, () => (scaleColumns ? 0.1 + 10 * random() : 1));
  // Column j of WH goes to position perm[j].
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) v.data[i * n + perm[j]!] = wh.data[i * n + j]! * colScale[j]!;
  return { v, pure: perm.slice(0, r) };
}

test('SPA recovers exactly the pure columns of a separable matrix, and spaInit reconstructs it', () => {
  for (const [seed, scaleColumns] of [
    [1, false],
    [2, true], // ℓ1 normalisation makes column scaling irrelevant
    [3, true],
  ] as const) {
    const { v, pure } = separable(40, 6, 120, seed, scaleColumns);
    const picked = spa(v, 6);
    assert.deepEqual([...picked].sort((a, b) => a - b), [...pure].sort((a, b) => a - b), `seed ${seed}`);
    const { W, H } = spaInit(v, 6);
    for (let c = 0; c < 6; c++) for (let i = 0; i < 40; i++) assert.equal(W.data[i * 6 + c], v.data[i * 120 + picked[c]!]);
    assert.ok([...H.data].every((x) => x >= 0));
    const wh = multiply(W, H);
    let err = 0;
    let norm = 0;
    for (let i = 0; i < v.data.length; i++) {
      err += (v.data[i]! - wh.data[i]!) ** 2;
      norm += v.data[i]! ** 2;
    }
    assert.ok(Math.sqrt(err / norm) <= 1e-5, `seed ${seed}: relative error ${Math.sqrt(err / norm)}`);
    assert.deepEqual(spa(v, 6), picked, 'deterministic');
  }
});

test('SPA refuses a rank above the number of independent columns', () => {
  const v = matrixFromRows([
    [1, 2, 3, 2],
    [2, 4, 6, 4],
    [1, 0, 1, 1],
  ]); // rank 2
  assert.deepEqual(spa(v, 2).length, 2);
  assert.throws(() => spa(v, 3), /only 2 linearly independent/);
});

test('initialize dispatches, repeats for a seed, and explains bad requests', () => {
  const random = createRandom(5);
  const v = createMatrix(12, 9, Float32Array.from({ length: 108 }, () => random() * 3));
  assert.deepEqual(initialize(v, 3, 'random', 8), randomInit(v, 3, 8));
  for (const init of ['nndsvd', 'nndsvda', 'nndsvdar'] as const) assert.deepEqual(initialize(v, 3, init, 8), nndsvd(v, 3, init, 8));
  assert.deepEqual(initialize(v, 3, 'spa', 8), spaInit(v, 3));
  assert.equal(initialize(v, 20, 'random', 1).W.cols, 20, "'random' takes any rank");
  for (const init of ['nndsvd', 'nndsvda', 'nndsvdar', 'spa'] as const) {
    assert.throws(() => initialize(v, 10, init, 0), /needs rank ≤ min\(rows, cols\) = 9/);
  }
  assert.throws(() => initialize(v, 0, 'nndsvd', 0), /positive integer/);
  assert.throws(() => initialize(v, 2.5, 'random', 0), /positive integer/);
  assert.throws(() => initialize(matrixFromRows([[1, -1]]), 1, 'nndsvd', 0), /negative/);
  assert.throws(() => initialize(v, 2, 'svd' as never, 0), /unknown init 'svd'/);
});
