import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneMatrix, createMatrix, matrixFromRows, multiply, transpose, type Matrix } from '../../app/matrix.js';
import { betaDivergence, lossToBeta, penaltyTerms } from '../../app/nmf/beta-divergence.js';
import { frobeniusObjective, klObjective } from '../../app/nmf/objective.js';
import { createMuSolver } from '../../app/nmf/solvers/mu.js';
import { UnsupportedProblemError, type NmfProblem, type Penalties } from '../../app/nmf/solvers/solver.js';
import { createRandom } from '../../app/random.js';

const BETAS = [0, 0.5, 1, 1.5, 2, 2.5, 3];
const NO_PENALTIES: Penalties = { l1W: 0, l2W: 0, l1H: 0, l2H: 0 };
const PENALTIES: Penalties = { l1W: 0.4, l2W: 0.6, l1H: 0.3, l2H: 0.9 };

/** Entries uniform in [low, low + 3). */
function randomMatrix(rows: number, cols: number, seed: number, low = 0): Matrix {
  const random = createRandom(seed);
  const m = createMatrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = low + 3 * random();
  return m;
}

/** A problem on V with a seeded positive start; `overrides` replaces any field. */
function problem(V: Matrix, rank: number, seed: number, overrides: Partial<NmfProblem> = {}): NmfProblem {
  const W = randomMatrix(V.rows, rank, seed + 1, 0.1);
  const H = randomMatrix(rank, V.cols, seed + 2, 0.1);
  for (const x of [W, H]) for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! / 3;
  return {
    V,
    W,
    H,
    beta: 2,
    penalties: NO_PENALTIES,
    fixedWColumns: new Uint8Array(rank),
    fixedHRows: new Uint8Array(rank),
    frozenWRows: 0,
    kernels: createJsKernels(),
    orthogonal: 'none',
    floor: 0,
    ...overrides,
  };
}

const definition = (p: NmfProblem): number => betaDivergence(p.V, p.W, p.H, p.beta) + penaltyTerms(p.W, p.H, p.penalties);
const relative = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

for (const beta of BETAS) {
  for (const penalised of [false, true]) {
    test(`β = ${beta}${penalised ? ', with penalties' : ''}: the objective never increases and equals divergence + penalties`, () => {
      // Strictly positive data: MU with β ≤ 0 is ill-posed on zeros (scikit-learn refuses them).
      const p = problem(randomMatrix(24, 18, 100 + beta * 10, 0.05), 4, 7, {
        beta,
        penalties: penalised ? PENALTIES : NO_PENALTIES,
      });
      const solver = createMuSolver(p);
      let previous = solver.objective();
      assert.ok(relative(previous, definition(p)) < 1e-6, `initial objective ${previous} vs ${definition(p)}`);
      const initial = previous;
      for (let t = 1; t <= 60; t++) {
        solver.iterate();
        const current = solver.objective();
        assert.ok(current <= previous + 1e-6 * Math.abs(previous), `objective rose at iteration ${t}: ${previous} → ${current}`);
        assert.ok(relative(current, definition(p)) < 1e-6, `iteration ${t}: objective() ${current} vs definition ${definition(p)}`);
        previous = current;
      }
      assert.ok(previous < 0.9 * initial, `no progress: ${initial} → ${previous}`);
      for (const x of [...p.W.data, ...p.H.data]) assert.ok(x >= 0 && Number.isFinite(x));
    });
  }
}

test('asking for the objective does not change the iterates (the cached W pass is the same pass)', () => {
  for (const beta of [2, 1, 0.5, 3]) {
    const V = randomMatrix(15, 12, 3, 0.05);
    const a = problem(V, 3, 11, { beta, penalties: PENALTIES });
    const b = problem(V, 3, 11, { beta, penalties: PENALTIES });
    const sa = createMuSolver(a);
    const sb = createMuSolver(b);
    for (let t = 0; t < 10; t++) {
      sa.iterate();
      sb.objective();
      sb.objective();
      sb.iterate();
    }
    assert.deepEqual(b.W.data, a.W.data, `β = ${beta}: W`);
    assert.deepEqual(b.H.data, a.H.data, `β = ${beta}: H`);
  }
});

test('a factor edited between objective() and iterate() is not updated from stale cached work', () => {
  for (const beta of [1, 0.5]) {
    const V = randomMatrix(15, 12, 4, 0.05);
    const a = problem(V, 3, 12, { beta });
    const b = problem(V, 3, 12, { beta });
    const sa = createMuSolver(a);
    sa.objective(); // caches the W pass of the current (W, H)
    a.H.data[0] = a.H.data[0]! * 3;
    a.W.data[4] = a.W.data[4]! * 0.5;
    b.H.data[0] = b.H.data[0]! * 3;
    b.W.data[4] = b.W.data[4]! * 0.5;
    sa.iterate();
    createMuSolver(b).iterate();
    assert.deepEqual(a.W.data, b.W.data, `β = ${beta}: W`);
    assert.deepEqual(a.H.data, b.H.data, `β = ${beta}: H`);
  }
});

for (const beta of [2, 1, 0.5]) {
  test(`β = ${beta}: fixed W columns, fixed H rows and frozen W rows stay as they were`, () => {
    const V = randomMatrix(16, 14, 5);
    const p = problem(V, 4, 21, {
      beta,
      penalties: PENALTIES,
      fixedWColumns: Uint8Array.from([0, 1, 0, 0]),
      fixedHRows: Uint8Array.from([0, 0, 1, 0]),
      frozenWRows: 2,
      floor: 1e-9,
    });
    const W0 = cloneMatrix(p.W);
    const H0 = cloneMatrix(p.H);
    const solver = createMuSolver(p);
    for (let t = 0; t < 20; t++) solver.iterate();
    const m = p.W.rows;
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < 4; k++) {
        const at = i * 4 + k;
        if (k === 1 || i >= m - 2) assert.equal(p.W.data[at], W0.data[at], `W[${i},${k}] is held`);
        else assert.notEqual(p.W.data[at], W0.data[at], `W[${i},${k}] is updated`);
      }
    }
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < p.H.cols; j++) {
        const at = k * p.H.cols + j;
        if (k === 2) assert.equal(p.H.data[at], H0.data[at], `H[${k},${j}] is held`);
        else assert.notEqual(p.H.data[at], H0.data[at], `H[${k},${j}] is updated`);
      }
    }
    // objective() still meets its definition with held entries in the factors.
    assert.ok(relative(solver.objective(), definition(p)) < 1e-6);
  });
}

for (const beta of [2, 1, 0.5]) {
  test(`β = ${beta}: floor keeps updated entries ≥ floor and lets an entry leave 0; floor 0 locks it (Gillis & Glineur)`, () => {
    // V = w hᵀ, rank 1 and positive: row 0 and column 1 of V can only be fitted if W[0,0] and
    // H[0,1], started at 0, leave 0.
    const V = multiply(randomMatrix(10, 1, 31, 0.2), randomMatrix(1, 9, 32, 0.2));
    const floor = 1e-4;
    const run = (f: number): NmfProblem => {
      const p = problem(V, 1, 33, { beta, floor: f });
      p.W.data[0] = 0;
      p.H.data[1] = 0;
      const solver = createMuSolver(p);
      for (let t = 0; t < 100; t++) solver.iterate();
      return p;
    };
    const floored = run(floor);
    for (const x of [...floored.W.data, ...floored.H.data]) assert.ok(x >= floor, `entry ${x} below the floor`);
    assert.ok(floored.W.data[0]! > 100 * floor, `W[0,0] should grow back from 0, got ${floored.W.data[0]}`);
    assert.ok(floored.H.data[1]! > 100 * floor, `H[0,1] should grow back from 0, got ${floored.H.data[1]}`);
    const locked = run(0);
    assert.equal(locked.W.data[0], 0);
    assert.equal(locked.H.data[1], 0);
  });
}

test("scikit-learn's stability zeroing: W below float64 eps becomes 0 for β < 1, H for β ≤ 1", () => {
  const V = randomMatrix(8, 7, 71, 0.1);
  for (const beta of [0.5, 1, 1.5]) {
    const p = problem(V, 2, 72, { beta });
    p.W.data[0] = 1e-20;
    p.H.data[0] = 1e-20;
    createMuSolver(p).iterate();
    // One step multiplies by a ratio of order 1: only the zeroing can bring these to exactly 0.
    assert.equal(p.W.data[0] === 0, beta < 1, `β = ${beta}: W[0,0] = ${p.W.data[0]}`);
    assert.equal(p.H.data[0] === 0, beta <= 1, `β = ${beta}: H[0,0] = ${p.H.data[0]}`);
  }
});

/** Largest normalised off-diagonal entry of A Aᵀ (rows of A) : 0 for orthogonal rows, 1 for parallel ones. */
function rowCoherence(a: Matrix): number {
  const gram = multiply(a, transpose(a));
  const r = a.rows;
  let worst = 0;
  for (let k = 0; k < r; k++) {
    for (let l = k + 1; l < r; l++) {
      worst = Math.max(worst, gram.data[k * r + l]! / Math.sqrt(gram.data[k * r + k]! * gram.data[l * r + l]!));
    }
  }
  return worst;
}

test('orthogonal H (Ding et al. 2006) makes the rows of H far closer to orthogonal than plain MU', (t) => {
  const V = randomMatrix(30, 40, 41);
  const plain = problem(V, 4, 42);
  const orthogonal = problem(V, 4, 42, { orthogonal: 'H' });
  for (const p of [plain, orthogonal]) {
    const solver = createMuSolver(p);
    for (let i = 0; i < 200; i++) solver.iterate();
  }
  const plainCoherence = rowCoherence(plain.H);
  const orthogonalCoherence = rowCoherence(orthogonal.H);
  t.diagnostic(`largest normalised off-diagonal of HHᵀ: orthogonal ${orthogonalCoherence.toFixed(4)}, plain ${plainCoherence.toFixed(4)}`);
  assert.ok(orthogonalCoherence < 0.25 * plainCoherence, `orthogonal ${orthogonalCoherence} vs plain ${plainCoherence}`);
  // It still fits the data, and objective() still reports the plain divergence.
  assert.ok(relative(createMuSolver(orthogonal).objective(), definition(orthogonal)) < 1e-6);
  assert.ok(definition(orthogonal) < definition(problem(V, 4, 42)));
});

test('orthogonal W makes the columns of W far closer to orthogonal than plain MU', (t) => {
  const V = randomMatrix(40, 30, 43);
  const plain = problem(V, 4, 44);
  const orthogonal = problem(V, 4, 44, { orthogonal: 'W' });
  for (const p of [plain, orthogonal]) {
    const solver = createMuSolver(p);
    for (let i = 0; i < 200; i++) solver.iterate();
  }
  const plainCoherence = rowCoherence(transpose(plain.W));
  const orthogonalCoherence = rowCoherence(transpose(orthogonal.W));
  t.diagnostic(`largest normalised off-diagonal of WᵀW: orthogonal ${orthogonalCoherence.toFixed(4)}, plain ${plainCoherence.toFixed(4)}`);
  assert.ok(orthogonalCoherence < 0.25 * plainCoherence, `orthogonal ${orthogonalCoherence} vs plain ${plainCoherence}`);
});

test('orthogonality with β ≠ 2 is refused with UnsupportedProblemError; malformed problems with RangeError', () => {
  const V = randomMatrix(6, 5, 51);
  for (const beta of [0, 1, 1.5, 3]) {
    for (const orthogonal of ['W', 'H'] as const) {
      assert.throws(() => createMuSolver(problem(V, 2, 52, { beta, orthogonal })), UnsupportedProblemError, `β = ${beta}, ${orthogonal}`);
    }
  }
  assert.doesNotThrow(() => createMuSolver(problem(V, 2, 52, { beta: 2, orthogonal: 'H' })));
  assert.throws(() => createMuSolver(problem(V, 2, 52, { beta: Number.NaN })), RangeError);
  assert.throws(() => createMuSolver(problem(V, 2, 52, { H: createMatrix(2, 4) })), RangeError);
  assert.throws(() => createMuSolver(problem(V, 2, 52, { fixedWColumns: new Uint8Array(3) })), RangeError);
  assert.throws(() => createMuSolver(problem(V, 2, 52, { frozenWRows: 7 })), RangeError);
  assert.throws(() => createMuSolver(problem(V, 2, 52, { floor: -1 })), RangeError);
});

test('betaDivergence: the Frobenius and KL references, 0 at an exact fit, continuity in β', () => {
  const V = randomMatrix(8, 7, 61, 0.1);
  const W = randomMatrix(8, 2, 62, 0.1);
  const H = randomMatrix(2, 7, 63, 0.1);
  assert.ok(relative(betaDivergence(V, W, H, 2), frobeniusObjective(V, W, H)) < 1e-12);
  assert.ok(relative(betaDivergence(V, W, H, 1), klObjective(V, W, H)) < 1e-12);
  const exact = multiply(W, H);
  for (const beta of BETAS) assert.ok(Math.abs(betaDivergence(exact, W, H, beta)) < 1e-9, `β = ${beta} at an exact fit`);
  // The β-divergence is continuous in β: the general formula approaches the KL and IS cases.
  assert.ok(relative(betaDivergence(V, W, H, 1 + 1e-7), betaDivergence(V, W, H, 1)) < 1e-4);
  assert.ok(relative(betaDivergence(V, W, H, 1e-7), betaDivergence(V, W, H, 0)) < 1e-4);
  assert.ok(relative(betaDivergence(V, W, H, 2 + 1e-7), betaDivergence(V, W, H, 2)) < 1e-4);
});

test('penaltyTerms is l1·Σx + ½·l2·Σx² per factor; lossToBeta maps the losses', () => {
  const W = matrixFromRows([[1, 2]]);
  const H = matrixFromRows([[3], [4]]);
  const penalties = { l1W: 0.5, l2W: 2, l1H: 0.25, l2H: 4 };
  assert.equal(penaltyTerms(W, H, penalties), 0.5 * 3 + 0.5 * 2 * 5 + 0.25 * 7 + 0.5 * 4 * 25);
  assert.equal(penaltyTerms(W, H, NO_PENALTIES), 0);
  assert.equal(lossToBeta('frobenius'), 2);
  assert.equal(lossToBeta('kl'), 1);
  assert.equal(lossToBeta('is'), 0);
  assert.equal(lossToBeta('beta', 1.5), 1.5);
  assert.throws(() => lossToBeta('beta'), RangeError);
});
