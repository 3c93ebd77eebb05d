import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError } from '../../app/cancellation.js';
import { createMatrix, matrixFromRows, multiply, type Matrix } from '../../app/matrix.js';
import { factorize, frobeniusObjective, klObjective, type NmfLoss } from '../../app/nmf/index.js';
import { createRandom } from '../../app/random.js';

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const random = createRandom(seed);
  const m = createMatrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = random() * 4;
  return m;
}

const reference = (loss: NmfLoss) => (loss === 'frobenius' ? frobeniusObjective : klObjective);

for (const loss of ['frobenius', 'kl'] as const) {
  test(`${loss}: the objective never increases and matches its definition`, () => {
    const v = randomMatrix(40, 60, 7);
    const result = factorize(v, { rank: 4, loss, maxIter: 150, tol: 0, checkEvery: 1, seed: 3 });
    assert.equal(result.iterations, 150);
    assert.equal(result.history.length, 151);
    for (let i = 1; i < result.history.length; i++) {
      const previous = result.history[i - 1]!.objective;
      const current = result.history[i]!.objective;
      assert.ok(current <= previous * (1 + 1e-6), `objective rose at iteration ${result.history[i]!.iteration}: ${previous} → ${current}`);
    }
    const direct = reference(loss)(v, result.W, result.H);
    assert.ok(Math.abs(direct - result.objective) <= 1e-6 * direct, `tracked ${result.objective} vs direct ${direct}`);
    assert.ok(result.objective < 0.8 * result.history[0]!.objective, 'the factorization made progress');
    for (const x of [...result.W.data, ...result.H.data]) assert.ok(x >= 0 && Number.isFinite(x));
  });

  test(`${loss}: rank-1 matrix [[1,2],[3,6]] is factorized exactly`, () => {
    const v = matrixFromRows([
      [1, 2],
      [3, 6],
    ]);
    const result = factorize(v, { rank: 1, loss, maxIter: 500, tol: 0, seed: 1 });
    const wh = multiply(result.W, result.H);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(wh.data[i]! - v.data[i]!) < 1e-4, `entry ${i}: ${wh.data[i]} vs ${v.data[i]}`);
  });

  test(`${loss}: same seed gives bit-identical factors, another seed does not`, () => {
    const v = randomMatrix(20, 30, 11);
    const a = factorize(v, { rank: 3, loss, maxIter: 30, seed: 42 });
    const b = factorize(v, { rank: 3, loss, maxIter: 30, seed: 42 });
    const c = factorize(v, { rank: 3, loss, maxIter: 30, seed: 43 });
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
});

test('user-supplied initial factors are used and not modified', () => {
  const v = randomMatrix(10, 12, 9);
  const W0 = randomMatrix(10, 2, 1);
  const H0 = randomMatrix(2, 12, 2);
  const w0Copy = W0.data.slice();
  const result = factorize(v, { rank: 2, loss: 'kl', maxIter: 0, initialW: W0, initialH: H0 });
  assert.deepEqual(result.W.data, w0Copy);
  assert.deepEqual(W0.data, w0Copy);
  assert.ok(Math.abs(result.objective - klObjective(v, W0, H0)) < 1e-6 * result.objective);
});
