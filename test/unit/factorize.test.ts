import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError } from '../../app/cancellation.js';
import { createMatrix, matrixFromRows, multiply, type Matrix } from '../../app/matrix.js';
import { betaDivergence, factorize, klObjective, type NmfAlgorithm, type NmfLoss } from '../../app/nmf/index.js';
import { createRandom } from '../../app/random.js';

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const random = createRandom(seed);
  const m = createMatrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = random() * 4;
  return m;
}

const CASES: readonly { loss: NmfLoss; beta: number; algorithm: NmfAlgorithm }[] = [
  { loss: 'frobenius', beta: 2, algorithm: 'mu' },
  { loss: 'frobenius', beta: 2, algorithm: 'hals' },
  { loss: 'frobenius', beta: 2, algorithm: 'anls' },
  { loss: 'frobenius', beta: 2, algorithm: 'cd' },
  { loss: 'kl', beta: 1, algorithm: 'mu' },
  { loss: 'kl', beta: 1, algorithm: 'cd' },
  { loss: 'is', beta: 0, algorithm: 'mu' },
];

for (const { loss, beta, algorithm } of CASES) {
  test(`${loss}/${algorithm}: the objective never increases and matches its definition`, () => {
    const v = randomMatrix(40, 60, 7);
    const result = factorize(v, { rank: 4, loss, algorithm, maxIter: 100, tol: 0, checkEvery: 1, seed: 3 });
    assert.equal(result.algorithm, algorithm);
    assert.equal(result.iterations, 100);
    assert.equal(result.history.length, 101);
    for (let i = 1; i < result.history.length; i++) {
      const previous = result.history[i - 1]!.objective;
      const current = result.history[i]!.objective;
      assert.ok(current <= previous + 1e-6 * Math.abs(previous), `objective rose at iteration ${result.history[i]!.iteration}: ${previous} → ${current}`);
    }
    const direct = betaDivergence(v, result.W, result.H, beta);
    assert.ok(Math.abs(direct - result.objective) <= 1e-6 * Math.abs(direct), `tracked ${result.objective} vs direct ${direct}`);
    assert.ok(result.objective < 0.8 * result.history[0]!.objective, 'the factorization made progress');
    for (const x of [...result.W.data, ...result.H.data]) assert.ok(x >= 0 && Number.isFinite(x));
  });

  test(`${loss}/${algorithm}: rank-1 matrix [[1,2],[3,6]] is factorized exactly`, () => {
    const v = matrixFromRows([
      [1, 2],
      [3, 6],
    ]);
    const result = factorize(v, { rank: 1, loss, algorithm, maxIter: 500, tol: 0, seed: 1 });
    const wh = multiply(result.W, result.H);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(wh.data[i]! - v.data[i]!) < 1e-3, `entry ${i}: ${wh.data[i]} vs ${v.data[i]}`);
  });

  test(`${loss}/${algorithm}: same seed gives bit-identical factors, another seed does not`, () => {
    const v = randomMatrix(20, 30, 11);
    const a = factorize(v, { rank: 3, loss, algorithm, maxIter: 30, seed: 42 });
    const b = factorize(v, { rank: 3, loss, algorithm, maxIter: 30, seed: 42 });
    const c = factorize(v, { rank: 3, loss, algorithm, maxIter: 30, seed: 43 });
    assert.deepEqual(a.W.data, b.W.data);
    assert.deepEqual(a.H.data, b.H.data);
    assert.notDeepEqual(a.W.data, c.W.data);
  });
}

test('stops on the relative tolerance and reports why', () => {
  const v = randomMatrix(30, 30, 5);
  const result = factorize(v, { rank: 2, loss: 'frobenius', maxIter: 5000, tol: 1e-3, seed: 0 });
  assert.equal(result.stoppedBy, 'tol');
  assert.ok(result.iterations < 5000 && result.iterations % 10 === 0);
});

test('an aborted signal cancels with CancelledError', () => {
  const v = randomMatrix(30, 30, 5);
  const controller = new AbortController();
  let calls = 0;
  assert.throws(
    () =>
      factorize(v, {
        rank: 2,
        maxIter: 10_000,
        tol: 0,
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: () => {
          if (++calls === 5) controller.abort();
        },
      }),
    CancelledError,
  );
  assert.equal(calls, 5);
});

test('progress carries iteration, objective and time, throttled by progressIntervalMs', () => {
  const v = randomMatrix(30, 30, 5);
  const every: { iteration: number; objective: number; elapsedSeconds: number }[] = [];
  factorize(v, { rank: 2, maxIter: 50, tol: 0, progressIntervalMs: 0, onProgress: (p) => every.push(p) });
  // Interval 0: every iteration, plus the final report.
  assert.deepEqual(every.map((p) => p.iteration), [...Array.from({ length: 50 }, (_, i) => i + 1), 50]);
  assert.ok(every.every((p) => Number.isFinite(p.objective) && p.elapsedSeconds >= 0));
  const throttled: number[] = [];
  factorize(v, { rank: 2, maxIter: 50, tol: 0, progressIntervalMs: 1e9, onProgress: (p) => throttled.push(p.iteration) });
  // An interval longer than the run: the first report, then only the forced final one.
  assert.deepEqual(throttled, [1, 50]);
});

test('bad input gets a clear error', () => {
  const bad = randomMatrix(4, 4, 1);
  bad.data[5] = -1;
  assert.throws(() => factorize(bad, { rank: 2 }), /negative \(-1\) entry at row 1, column 1/);
  bad.data[5] = Number.NaN;
  assert.throws(() => factorize(bad, { rank: 2 }), /NaN entry at row 1, column 1/);
  assert.throws(() => factorize(createMatrix(0, 3), { rank: 1 }), /empty/);
  assert.throws(() => factorize(randomMatrix(4, 4, 1), { rank: 0 }), /rank must be a positive integer/);
  assert.throws(() => factorize(randomMatrix(4, 4, 1), { rank: 2, initialW: createMatrix(3, 2), initialH: createMatrix(2, 4) }), /initial W is 3×2/);
  assert.throws(() => factorize(randomMatrix(4, 5, 1), { rank: 5 }), /rank 5 exceeds min\(rows, columns\) = 4/);
  assert.throws(() => factorize(createMatrix(3, 3), { rank: 1 }), /all zeros/);
  assert.throws(() => factorize(randomMatrix(4, 4, 1), { rank: 2, loss: 'kl', algorithm: 'hals' }), /'hals' solves the Frobenius loss only/);
  assert.throws(() => factorize(randomMatrix(4, 4, 1), { rank: 2, loss: 'beta' }), /needs a finite beta/);
});

test('user-supplied initial factors are used and not modified', () => {
  const v = randomMatrix(10, 12, 9);
  const W0 = randomMatrix(10, 2, 1);
  const H0 = randomMatrix(2, 12, 2);
  const w0Copy = W0.data.slice();
  const result = factorize(v, { rank: 2, loss: 'kl', maxIter: 0, initialW: W0, initialH: H0, normalize: false });
  assert.deepEqual(result.W.data, w0Copy);
  assert.deepEqual(W0.data, w0Copy);
  assert.ok(Math.abs(result.objective - klObjective(v, W0, H0)) < 1e-6 * result.objective);
});

test("'auto' picks HALS for Frobenius, CD for KL, MU otherwise", () => {
  const v = randomMatrix(10, 12, 3);
  assert.equal(factorize(v, { rank: 2, maxIter: 2 }).algorithm, 'hals');
  assert.equal(factorize(v, { rank: 2, loss: 'kl', maxIter: 2 }).algorithm, 'cd');
  assert.equal(factorize(v, { rank: 2, loss: 'is', maxIter: 2 }).algorithm, 'mu');
  assert.equal(factorize(v, { rank: 2, loss: 'beta', beta: 1.5, maxIter: 2 }).algorithm, 'mu');
  assert.equal(factorize(v, { rank: 2, orthogonal: 'H', maxIter: 2 }).algorithm, 'mu');
});

test('all-zero rows and columns are set aside and come back as zeros', () => {
  const v = randomMatrix(8, 9, 4);
  for (let j = 0; j < 9; j++) v.data[2 * 9 + j] = 0; // row 2
  for (let i = 0; i < 8; i++) v.data[i * 9 + 5] = 0; // column 5
  const result = factorize(v, { rank: 3, maxIter: 50, seed: 2 });
  assert.equal(result.droppedRows, 1);
  assert.equal(result.droppedColumns, 1);
  assert.equal(result.W.rows, 8);
  assert.equal(result.H.cols, 9);
  for (let k = 0; k < 3; k++) {
    assert.equal(result.W.data[2 * 3 + k], 0);
    assert.equal(result.H.data[k * 9 + 5], 0);
  }
  assert.ok(Math.abs(betaDivergence(v, result.W, result.H, 2) - result.objective) < 1e-6 * result.objective);

  // Given factors must fit V as given, not the V left once those rows and columns are set aside:
  // a W with one row too many would otherwise be cut to size silently, one too few read past its end.
  const H0 = randomMatrix(3, 9, 5);
  for (const rows of [9, 7]) {
    assert.throws(() => factorize(v, { rank: 3, initialW: randomMatrix(rows, 3, 6), initialH: H0 }), new RegExp(`initial W is ${rows}×3, expected 8×3`));
  }
  assert.throws(() => factorize(v, { rank: 3, initialW: randomMatrix(8, 3, 6), initialH: randomMatrix(3, 10, 7) }), /initial H is 3×10, expected 3×9/);
  assert.throws(() => factorize(v, { rank: 3, initialW: randomMatrix(8, 2, 6), initialH: H0 }), /initial W is 8×2, expected 8×3/);
});

test('normalised output: unit-norm W columns, components sorted by energy share', () => {
  const v = randomMatrix(15, 20, 8);
  const raw = factorize(v, { rank: 4, maxIter: 60, seed: 5, normalize: false });
  const result = factorize(v, { rank: 4, maxIter: 60, seed: 5 });
  const shares = result.components.map((c) => c.energyShare);
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  for (let k = 1; k < 4; k++) assert.ok(shares[k - 1]! >= shares[k]!, `shares sorted: ${shares}`);
  for (let k = 0; k < 4; k++) {
    let norm = 0;
    for (let i = 0; i < 15; i++) norm += result.W.data[i * 4 + k]! ** 2;
    assert.ok(Math.abs(Math.sqrt(norm) - 1) < 1e-5);
  }
  // Same product WH as the raw factors.
  const a = multiply(raw.W, raw.H);
  const b = multiply(result.W, result.H);
  for (let i = 0; i < a.data.length; i++) assert.ok(Math.abs(a.data[i]! - b.data[i]!) < 1e-4 * (1 + Math.abs(a.data[i]!)));
});

for (const algorithm of ['mu', 'hals', 'anls', 'cd'] as const) {
  test(`${algorithm}: sum-to-one H columns and fixed W columns`, () => {
    const random = createRandom(21);
    const truthW = randomMatrix(12, 3, 22);
    const truthH = createMatrix(3, 40);
    for (let j = 0; j < 40; j++) {
      const a = [random(), random(), random()];
      const s = a[0]! + a[1]! + a[2]!;
      for (let k = 0; k < 3; k++) truthH.data[k * 40 + j] = a[k]! / s;
    }
    const v = multiply(truthW, truthH);
    const summed = factorize(v, { rank: 3, algorithm, sumToOneH: true, maxIter: 300, tol: 0, seed: 1 });
    for (let j = 0; j < 40; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += summed.H.data[k * 40 + j]!;
      assert.ok(Math.abs(s - 1) < 0.05, `column ${j} of H sums to ${s}`);
    }
    // Supervised: W's first column is the true one and stays so.
    const W0 = randomMatrix(12, 3, 30);
    for (let i = 0; i < 12; i++) W0.data[i * 3] = truthW.data[i * 3]!;
    const H0 = randomMatrix(3, 40, 31);
    const fixed = factorize(v, { rank: 3, algorithm, initialW: W0, initialH: H0, fixedWColumns: [0], maxIter: 50 });
    for (let i = 0; i < 12; i++) assert.equal(fixed.W.data[i * 3], W0.data[i * 3]);
    assert.notEqual(fixed.W.data[1], W0.data[1]);
  });
}

test('a wall-time budget stops the run', () => {
  const v = randomMatrix(30, 30, 5);
  const result = factorize(v, { rank: 3, algorithm: 'mu', maxIter: 10_000_000, tol: 0, maxSeconds: 0.05 });
  assert.equal(result.stoppedBy, 'time');
  assert.ok(result.iterations > 0 && result.iterations < 10_000_000);
});

test('the 4×4 matrix of nonnegative rank 4: rank 4 is exact, rank 3 is not', () => {
  const v = matrixFromRows([
    [1, 1, 0, 0],
    [1, 0, 1, 0],
    [0, 1, 0, 1],
    [0, 0, 1, 1],
  ]);
  const best = (rank: number): number => Math.min(...[0, 1, 2, 3, 4].map((seed) => factorize(v, { rank, maxIter: 2000, tol: 0, seed }).objective));
  assert.ok(best(4) < 1e-8, `rank 4: ${best(4)}`);
  assert.ok(best(3) > 1e-2, `rank 3: ${best(3)}`);
});
