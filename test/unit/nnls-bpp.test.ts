import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../../app/random.js';
import { solveNnlsNormal } from '../../app/nmf/solvers/nnls-bpp.js';

/** A least-squares problem min_{X ≥ 0} ‖AX − B‖ with its normal equations (C = AᵀA, D = AᵀB). */
interface Problem {
  readonly m: number;
  readonly r: number;
  readonly n: number;
  /** m×r row-major. */
  readonly a: Float64Array;
  /** m×n row-major. */
  readonly b: Float64Array;
  readonly gram: Float64Array;
  readonly rhs: Float64Array;
}

function gaussianSource(seed: number): () => number {
  const random = createRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Gaussian A and B: B's columns have random signs and directions, so their optimal passive sets
 * differ from column to column. `shapeA` may make A rank-deficient.
 */
function makeProblem(m: number, r: number, n: number, seed: number, shapeA?: (a: Float64Array) => void): Problem {
  const gaussian = gaussianSource(seed);
  const a = new Float64Array(m * r).map(() => gaussian());
  shapeA?.(a);
  const b = new Float64Array(m * n).map(() => gaussian());
  const gram = new Float64Array(r * r);
  const rhs = new Float64Array(r * n);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < r; k++) {
      const aik = a[i * r + k]!;
      for (let l = 0; l < r; l++) gram[k * r + l] += aik * a[i * r + l]!;
      for (let j = 0; j < n; j++) rhs[k * n + j] += aik * b[i * n + j]!;
    }
  }
  return { m, r, n, a, b, gram, rhs };
}

/** ‖A x_j − b_j‖² for column j of X (r×n). */
function columnResidual(p: Problem, x: Float64Array, j: number): number {
  let sum = 0;
  for (let i = 0; i < p.m; i++) {
    let ax = 0;
    for (let k = 0; k < p.r; k++) ax += p.a[i * p.r + k]! * x[k * p.n + j]!;
    const d = ax - p.b[i * p.n + j]!;
    sum += d * d;
  }
  return sum;
}

/** KKT of min ½xᵀCx − dᵀx, x ≥ 0, for every column: x ≥ 0, y = Cx − d ≥ 0, x·y = 0 (to tolerance). */
function assertKkt(p: Problem, x: Float64Array, label: string): void {
  const { r, n, gram, rhs } = p;
  let scale = 0;
  for (const v of rhs) scale = Math.max(scale, Math.abs(v));
  let xMax = 0;
  for (const v of x) xMax = Math.max(xMax, v);
  let gMax = 0;
  for (const v of gram) gMax = Math.max(gMax, Math.abs(v));
  const tol = 1e-9 * (scale + r * gMax * xMax);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < r; k++) {
      const xk = x[k * n + j]!;
      let y = -rhs[k * n + j]!;
      for (let l = 0; l < r; l++) y += gram[k * r + l]! * x[l * n + j]!;
      assert.ok(xk >= 0, `${label}: x[${k},${j}] = ${xk} < 0`);
      assert.ok(y >= -tol, `${label}: gradient[${k},${j}] = ${y} < −${tol}`);
      assert.ok(Math.abs(xk * y) <= tol * (1 + xMax), `${label}: complementarity at [${k},${j}]: x=${xk}, y=${y}`);
    }
  }
}

/**
 * The NNLS optimum of column j by enumerating every passive set S (2^r of them): solve C_SS z =
 * d_S, keep the feasible ones (z ≥ 0), return the smallest objective ½zᵀC_SSz − d_Sᵀz. Singular
 * C_SS are skipped: some optimum always has linearly independent passive columns.
 */
function bruteForceObjective(p: Problem, j: number): number {
  const { r, n, gram, rhs } = p;
  let best = 0; // S = ∅
  for (let mask = 1; mask < 1 << r; mask++) {
    const idx: number[] = [];
    for (let k = 0; k < r; k++) if (mask & (1 << k)) idx.push(k);
    const s = idx.length;
    // Gaussian elimination with partial pivoting on [C_SS | d_S].
    const aug = idx.map((k) => [...idx.map((l) => gram[k * r + l]!), rhs[k * n + j]!]);
    let maxAbs = 0;
    for (const row of aug) for (let c = 0; c < s; c++) maxAbs = Math.max(maxAbs, Math.abs(row[c]!));
    let singular = false;
    for (let c = 0; c < s && !singular; c++) {
      let pivot = c;
      for (let row = c + 1; row < s; row++) if (Math.abs(aug[row]![c]!) > Math.abs(aug[pivot]![c]!)) pivot = row;
      if (Math.abs(aug[pivot]![c]!) <= 1e-9 * maxAbs) singular = true;
      [aug[c], aug[pivot]] = [aug[pivot]!, aug[c]!];
      for (let row = c + 1; row < s && !singular; row++) {
        const f = aug[row]![c]! / aug[c]![c]!;
        for (let col = c; col <= s; col++) aug[row]![col]! -= f * aug[c]![col]!;
      }
    }
    if (singular) continue;
    const z = new Array<number>(s).fill(0);
    for (let c = s - 1; c >= 0; c--) {
      let v = aug[c]![s]!;
      for (let col = c + 1; col < s; col++) v -= aug[c]![col]! * z[col]!;
      z[c] = v / aug[c]![c]!;
    }
    if (z.some((v) => v < 0)) continue;
    let f = 0;
    for (let a = 0; a < s; a++) {
      f -= rhs[idx[a]! * n + j]! * z[a]!;
      for (let b = 0; b < s; b++) f += 0.5 * z[a]! * gram[idx[a]! * r + idx[b]!]! * z[b]!;
    }
    best = Math.min(best, f);
  }
  return best;
}

function quadraticObjective(p: Problem, x: Float64Array, j: number): number {
  const { r, n, gram, rhs } = p;
  let f = 0;
  for (let k = 0; k < r; k++) {
    f -= rhs[k * n + j]! * x[k * n + j]!;
    for (let l = 0; l < r; l++) f += 0.5 * x[k * n + j]! * gram[k * r + l]! * x[l * n + j]!;
  }
  return f;
}

function distinctSupports(x: Float64Array, r: number, n: number): number {
  const patterns = new Set<string>();
  for (let j = 0; j < n; j++) {
    let key = '';
    for (let k = 0; k < r; k++) key += x[k * n + j]! > 0 ? '1' : '0';
    patterns.add(key);
  }
  return patterns.size;
}

test('solutions satisfy the KKT conditions for several sizes, r = 1 included', () => {
  for (const [m, r, n, seed] of [
    [20, 1, 15, 1],
    [30, 5, 40, 2],
    [50, 12, 60, 3],
    [8, 6, 30, 4],
    [40, 25, 20, 5],
  ] as const) {
    const p = makeProblem(m, r, n, seed);
    const gramCopy = p.gram.slice();
    const rhsCopy = p.rhs.slice();
    const x = solveNnlsNormal(p.gram, p.rhs, r, n);
    assert.equal(x.length, r * n);
    assertKkt(p, x, `${m}×${r}, n=${n}`);
    assert.deepEqual(p.gram, gramCopy, 'gram untouched');
    assert.deepEqual(p.rhs, rhsCopy, 'rhs untouched');
    if (r > 1) assert.ok(distinctSupports(x, r, n) >= 3, 'the columns need different passive sets');
  }
});

test('r = 1 is max(0, d / c) per column', () => {
  const p = makeProblem(10, 1, 25, 6);
  const x = solveNnlsNormal(p.gram, p.rhs, 1, 25);
  let zeros = 0;
  for (let j = 0; j < 25; j++) {
    const expected = Math.max(0, p.rhs[j]! / p.gram[0]!);
    assert.ok(Math.abs(x[j]! - expected) <= 1e-12 * (1 + expected), `column ${j}: ${x[j]} vs ${expected}`);
    if (expected === 0) zeros++;
  }
  assert.ok(zeros > 0 && zeros < 25, 'both signs occur');
});

test('matches a brute-force enumeration of passive sets for tiny r, full rank or not', () => {
  const cases: [string, number, number, (a: Float64Array) => void][] = [
    ['full rank r=2', 6, 2, () => {}],
    ['full rank r=3', 7, 3, () => {}],
    ['full rank r=4', 9, 4, () => {}],
    ['duplicate column', 8, 3, (a) => { for (let i = 0; i < 8; i++) a[i * 3 + 2] = a[i * 3]!; }],
    ['column = sum of two others', 8, 4, (a) => { for (let i = 0; i < 8; i++) a[i * 4 + 3] = a[i * 4]! + a[i * 4 + 1]!; }],
    ['zero column', 8, 3, (a) => { for (let i = 0; i < 8; i++) a[i * 3 + 1] = 0; }],
    ['fewer rows than unknowns', 3, 5, () => {}],
  ];
  cases.forEach(([label, m, r, shape], c) => {
    const n = 40;
    const p = makeProblem(m, r, n, 100 + c, shape);
    const x = solveNnlsNormal(p.gram, p.rhs, r, n);
    assertKkt(p, x, label);
    for (let j = 0; j < n; j++) {
      const expected = bruteForceObjective(p, j);
      const got = quadraticObjective(p, x, j);
      assert.ok(Math.abs(got - expected) <= 1e-9 * (1 + Math.abs(expected)), `${label}, column ${j}: ${got} vs brute force ${expected}`);
      // The same through the residual itself: ‖Ax − b‖² = 2f + ‖b‖².
      let b2 = 0;
      for (let i = 0; i < m; i++) b2 += p.b[i * n + j]! ** 2;
      assert.ok(Math.abs(columnResidual(p, x, j) - (2 * expected + b2)) <= 1e-8 * (1 + b2), `${label}, column ${j}: residual`);
    }
    if (label === 'zero column') for (let j = 0; j < n; j++) assert.equal(x[1 * n + j], 0);
  });
});

test('a warm start gives the same answer, whatever pattern it seeds', () => {
  const [m, r, n] = [25, 6, 50];
  const p = makeProblem(m, r, n, 7);
  const cold = solveNnlsNormal(p.gram, p.rhs, r, n);
  const random = createRandom(8);
  const starts: [string, Float64Array][] = [
    ['the solution', cold.slice()],
    ['all positive', new Float64Array(r * n).fill(1)],
    ['random pattern', new Float64Array(r * n).map(() => (random() < 0.5 ? random() : 0))],
    ['the complement of the solution', cold.map((v) => (v > 0 ? 0 : 1))],
  ];
  for (const [label, start] of starts) {
    const copy = start.slice();
    const warm = solveNnlsNormal(p.gram, p.rhs, r, n, start);
    assert.deepEqual(start, copy, `${label}: initial untouched`);
    assertKkt(p, warm, label);
    for (let i = 0; i < r * n; i++) assert.ok(Math.abs(warm[i]! - cold[i]!) <= 1e-9 * (1 + Math.abs(cold[i]!)), `${label}: entry ${i}: ${warm[i]} vs ${cold[i]}`);
  }
});

test('penalised normal equations: zero curvature with a negative right-hand side gives 0', () => {
  // gram row/column 1 zero (a zero column of A) and an L1 weight subtracted from the rhs.
  const p = makeProblem(10, 3, 12, 9, (a) => { for (let i = 0; i < 10; i++) a[i * 3 + 1] = 0; });
  const rhs = p.rhs.map((v) => v - 0.5);
  const x = solveNnlsNormal(p.gram, rhs, 3, 12);
  for (let j = 0; j < 12; j++) assert.equal(x[12 + j], 0);
  assertKkt({ ...p, rhs }, x, 'penalised');
});

test('rejects inconsistent shapes and an unbounded problem', () => {
  const p = makeProblem(6, 2, 3, 10);
  assert.throws(() => solveNnlsNormal(p.gram, p.rhs, 3, 3), RangeError);
  assert.throws(() => solveNnlsNormal(p.gram, p.rhs.subarray(0, 4), 2, 3), RangeError);
  assert.throws(() => solveNnlsNormal(p.gram, p.rhs, 2, 3, new Float64Array(5)), RangeError);
  // Zero curvature but a positive rhs: ½·0·x² − d·x → −∞.
  assert.throws(() => solveNnlsNormal(new Float64Array([0, 0, 0, 1]), new Float64Array([1, 1]), 2, 1), RangeError);
  assert.equal(solveNnlsNormal(new Float64Array(0), new Float64Array(0), 0, 5).length, 0);
});
