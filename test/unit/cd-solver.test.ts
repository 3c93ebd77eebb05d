import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneMatrix, createMatrix, matrixFromRows, multiply, type Matrix } from '../../app/matrix.js';
import { factorize, frobeniusObjective, klObjective } from '../../app/nmf/index.js';
import { createCdSolver } from '../../app/nmf/solvers/cd.js';
import { UnsupportedProblemError, type NmfProblem, type Penalties } from '../../app/nmf/solvers/solver.js';
import { createRandom } from '../../app/random.js';
import { maxRelativeError, SKLEARN_CD_CASES } from '../sklearn-cd-fixture.js';

const NO_PENALTIES: Penalties = { l1W: 0, l2W: 0, l1H: 0, l2H: 0 };

function problem(V: Matrix, W: Matrix, H: Matrix, beta: number, extra: Partial<NmfProblem> = {}): NmfProblem {
  return {
    V,
    W,
    H,
    beta,
    penalties: NO_PENALTIES,
    fixedWColumns: new Uint8Array(W.cols),
    fixedHRows: new Uint8Array(H.rows),
    frozenWRows: 0,
    kernels: createJsKernels(),
    orthogonal: 'none',
    floor: 0,
    ...extra,
  };
}

function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Matrix {
  const random = createRandom(seed);
  const m = createMatrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = random() * scale;
  return m;
}

/** Objective by its definition: the divergence from app/nmf/objective.ts plus l1·Σx + ½·l2·Σx². */
function directObjective(p: NmfProblem): number {
  const divergence = p.beta === 2 ? frobeniusObjective(p.V, p.W, p.H) : klObjective(p.V, p.W, p.H);
  const penalty = (x: Float32Array, l1: number, l2: number) => x.reduce((sum, v) => sum + l1 * v + 0.5 * l2 * v * v, 0);
  return divergence + penalty(p.W.data, p.penalties.l1W, p.penalties.l2W) + penalty(p.H.data, p.penalties.l1H, p.penalties.l2H);
}

/**
 * V = Poisson(A·B) for nonnegative A (m×r), B (r×n) with a share of exact zeros (Knuth's
 * multiplication method, on the seeded generator): count data with a true low-rank mean.
 */
function poissonLowRank(m: number, n: number, r: number, seed: number, zeroShare: number): Matrix {
  const random = createRandom(seed);
  const factor = (rows: number, cols: number) => {
    const f = createMatrix(rows, cols);
    for (let i = 0; i < f.data.length; i++) f.data[i] = random() < zeroShare ? 0 : 3 * random();
    return f;
  };
  const mean = multiply(factor(m, r), factor(r, n));
  const V = createMatrix(m, n);
  for (let i = 0; i < V.data.length; i++) {
    const limit = Math.exp(-mean.data[i]!);
    let k = 0;
    for (let p = random(); p > limit; p *= random()) k++;
    V.data[i] = k;
  }
  return V;
}

/** Random start at scikit-learn's scale, √(mean(V)/r). */
function start(V: Matrix, rank: number, seed: number): { W: Matrix; H: Matrix } {
  const mean = V.data.reduce((a, b) => a + b, 0) / V.data.length;
  const scale = Math.sqrt(mean / rank);
  return { W: randomMatrix(V.rows, rank, seed, scale), H: randomMatrix(rank, V.cols, seed + 1, scale) };
}

for (const c of SKLEARN_CD_CASES) {
  test(`β = 2 reproduces scikit-learn's coordinate descent iterates (${c.name})`, () => {
    const V = matrixFromRows(c.V);
    // The fixture's penalties come from scikit-learn's _compute_regularization: check they follow
    // the documented semantics before using them.
    const [m, n] = [V.rows, V.cols];
    const expected = {
      l1W: n * c.alphaW * c.l1Ratio,
      l2W: n * c.alphaW * (1 - c.l1Ratio),
      l1H: m * c.alphaH * c.l1Ratio,
      l2H: m * c.alphaH * (1 - c.l1Ratio),
    };
    for (const key of ['l1W', 'l2W', 'l1H', 'l2H'] as const) assert.ok(Math.abs(c.penalties[key] - expected[key]) < 1e-12, key);
    const p = problem(V, matrixFromRows(c.W0), matrixFromRows(c.H0), 2, { penalties: c.penalties });
    const solver = createCdSolver(p);
    assert.equal(solver.algorithm, 'cd');
    let done = 0;
    for (const reference of c.iterates) {
      for (; done < reference.iteration; done++) solver.iterate();
      const errW = maxRelativeError(p.W, reference.W);
      const errH = maxRelativeError(p.H, reference.H);
      // The products (VHᵀ, WᵀV, Grams) are float32, as every kernel backend forms them, while the
      // reference iterates in float64: 30 sequential sweeps grow that rounding to ~2e-4 at most.
      assert.ok(errW < 5e-4, `W after ${done} iterations: max relative error ${errW}`);
      assert.ok(errH < 5e-4, `H after ${done} iterations: max relative error ${errH}`);
    }
  });
}

const PENALISED: Penalties = { l1W: 0.3, l2W: 0.5, l1H: 0.2, l2H: 0.8 };

for (const beta of [2, 1]) {
  for (const [label, extra] of [
    ['plain', {}],
    ['penalised, floored', { penalties: PENALISED, floor: 1e-4 }],
  ] as const) {
    test(`β = ${beta} (${label}): the objective never increases and matches its definition`, () => {
      const V = randomMatrix(30, 40, 7, 4);
      const { W, H } = start(V, 4, 3);
      const p = problem(V, W, H, beta, extra);
      const solver = createCdSolver(p);
      const initial = solver.objective();
      const initialDirect = directObjective(p);
      assert.ok(Math.abs(initial - initialDirect) <= 1e-6 * initialDirect, `initial: solver ${initial} vs direct ${initialDirect}`);
      let previous = initial;
      for (let k = 1; k <= 60; k++) {
        solver.iterate();
        const current = solver.objective();
        assert.ok(current <= previous * (1 + 1e-9), `objective rose at iteration ${k}: ${previous} → ${current}`);
        if (k % 20 === 0) {
          const direct = directObjective(p);
          assert.ok(Math.abs(current - direct) <= 1e-6 * direct, `iteration ${k}: solver ${current} vs direct ${direct}`);
        }
        previous = current;
      }
      assert.ok(previous < 0.8 * initial, `made progress: ${initial} → ${previous}`);
      const lowest = 'floor' in extra ? Math.fround(extra.floor) : 0;
      for (const x of [...W.data, ...H.data]) assert.ok(x >= lowest && Number.isFinite(x), `entry ${x} below ${lowest}`);
    });
  }
}

/**
 * Largest |projected gradient| of the penalised objective (KKT residual; zero exactly at a
 * stationary point): ∂/∂W = D·Hᵀ + l1W + l2W·W and ∂/∂H = Wᵀ·D + l1H + l2H·H, with D = WH − V for
 * β = 2 and 1 − V/WH for β = 1 (WH floored at EPSILON as in the objective); at a zero entry only a
 * negative gradient counts.
 */
function kktResidual(p: NmfProblem): number {
  const { V, W, H, penalties: pen } = p;
  const [m, n, r] = [V.rows, V.cols, W.cols];
  const WH = multiply(W, H);
  const D = WH.data.map((wh, i) => (p.beta === 2 ? wh - V.data[i]! : 1 - V.data[i]! / Math.max(wh, 1.1920928955078125e-7)));
  let worst = 0;
  const visit = (x: number, g: number) => {
    worst = Math.max(worst, Math.abs(x > 0 ? g : Math.min(g, 0)));
  };
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < r; k++) {
      let g = pen.l1W + pen.l2W * W.data[i * r + k]!;
      for (let j = 0; j < n; j++) g += D[i * n + j]! * H.data[k * n + j]!;
      visit(W.data[i * r + k]!, g);
    }
  }
  for (let k = 0; k < r; k++) {
    for (let j = 0; j < n; j++) {
      let g = pen.l1H + pen.l2H * H.data[k * n + j]!;
      for (let i = 0; i < m; i++) g += D[i * n + j]! * W.data[i * r + k]!;
      visit(H.data[k * n + j]!, g);
    }
  }
  return worst;
}

for (const beta of [2, 1]) {
  test(`β = ${beta}: converges to a stationary point of the penalised objective`, () => {
    const V = randomMatrix(12, 15, 4, 4);
    const p = problem(V, randomMatrix(12, 3, 5), randomMatrix(3, 15, 6), beta, { penalties: PENALISED });
    const solver = createCdSolver(p);
    const initial = kktResidual(p);
    for (let k = 0; k < 400; k++) solver.iterate();
    const final = kktResidual(p);
    assert.ok(final < 1e-5 * initial, `KKT residual ${initial} → ${final}`);
    // The l1 terms put some entries exactly on the bound, so the test covers that branch too.
    assert.ok([...p.W.data, ...p.H.data].some((x) => x === 0), 'some entry at zero');
  });
}

test('β = 1: with one free entry, no step ever raises the objective (overshoot safeguard)', () => {
  // Tiny problems with a single free entry (W_00 of a 1×n V, or H_00 of the transposed n×1 V),
  // parameters spread over decades so that downward Newton steps overshoot far enough to be
  // rejected (several seeds here do): each iteration is then one coordinate update, which must
  // not increase the objective on its own.
  const decades = (random: () => number, lo: number, hi: number) => 10 ** (lo + (hi - lo) * random());
  for (let seed = 0; seed < 1200; seed++) {
    const random = createRandom(seed);
    const n = 2 + Math.floor(random() * 3);
    const v = Float32Array.from({ length: n }, () => decades(random, -2, 3));
    const a = Array.from({ length: n }, () => decades(random, -3, 1));
    const b = Array.from({ length: n }, () => (random() < 0.5 ? 0 : decades(random, -4, 2)));
    const free = Float32Array.from([decades(random, -2, 3), 1]);
    const asW = seed % 2 === 0;
    const p = asW
      ? problem(createMatrix(1, n, v), createMatrix(1, 2, free), createMatrix(2, n, Float32Array.from([...a, ...b])), 1, {
          fixedWColumns: Uint8Array.from([0, 1]),
          fixedHRows: Uint8Array.from([1, 1]),
        })
      : problem(createMatrix(n, 1, v), createMatrix(n, 2, Float32Array.from(a.flatMap((x, i) => [x, b[i]!]))), createMatrix(2, 1, free), 1, {
          fixedWColumns: Uint8Array.from([1, 1]),
          fixedHRows: Uint8Array.from([0, 1]),
        });
    const solver = createCdSolver(p);
    let previous = solver.objective();
    for (let k = 1; k <= 3; k++) {
      solver.iterate();
      const current = solver.objective();
      assert.ok(current <= previous * (1 + 1e-9), `seed ${seed}, iteration ${k}: ${previous} → ${current}`);
      previous = current;
    }
  }
});

test('β = 2: objective() stays exact at a near-exact fit (cancellation fallback)', () => {
  const W = randomMatrix(20, 3, 1);
  const H = randomMatrix(3, 25, 2);
  const V = multiply(W, H);
  const p = problem(V, W, H, 2);
  const solver = createCdSolver(p);
  for (let k = 0; k < 3; k++) {
    const direct = directObjective(p);
    const tracked = solver.objective();
    assert.ok(Math.abs(tracked - direct) <= 1e-6 * direct + 1e-30, `iteration ${k}: solver ${tracked} vs direct ${direct}`);
    solver.iterate();
  }
});

for (const [label, zeroShare, seed] of [
  ['dense factors', 0, 1],
  ['sparse factors', 0.3, 1],
] as const) {
  test(`β = 1: coordinate descent beats multiplicative updates per iteration (${label})`, () => {
    const V = poissonLowRank(60, 80, 4, seed, zeroShare);
    const { W: W0, H: H0 } = start(V, 4, 11);
    const p = problem(V, cloneMatrix(W0), cloneMatrix(H0), 1);
    const solver = createCdSolver(p);
    let done = 0;
    for (const iterations of [50, 200]) {
      for (; done < iterations; done++) solver.iterate();
      const cd = klObjective(V, p.W, p.H);
      const mu = factorize(V, { rank: 4, loss: 'kl', algorithm: 'mu', maxIter: iterations, tol: 0, initialW: W0, initialH: H0 }).objective;
      assert.ok(cd < mu, `after ${iterations} iterations: CD ${cd} vs MU ${mu}`);
    }
  });
}

test("β = 1: the first iteration does not depend on the scale of W's rows at the start", () => {
  // The first W sweep starts by rescaling each row optimally, so a start whose rows are off by
  // factors spanning six decades (as a random start is on a spectrogram, whose rows do) must give
  // the same iterates as the unscaled one. Without that rescaling the first entry of each row took
  // the whole row and CD settled in a worse local minimum than multiplicative updates.
  const V = poissonLowRank(40, 50, 4, 3, 0);
  const { W, H } = start(V, 4, 9);
  const scaled = cloneMatrix(W);
  const random = createRandom(17);
  for (let i = 0; i < scaled.rows; i++) {
    const factor = 10 ** (6 * random() - 3);
    for (let k = 0; k < scaled.cols; k++) scaled.data[i * scaled.cols + k]! *= factor;
  }
  const runs = [W, scaled].map((W0) => {
    const p = problem(V, cloneMatrix(W0), cloneMatrix(H), 1);
    const solver = createCdSolver(p);
    const objectives: number[] = [];
    for (let k = 1; k <= 20; k++) {
      solver.iterate();
      if (k === 1 || k === 20) objectives.push(klObjective(V, p.W, p.H));
    }
    return objectives;
  });
  runs[0]!.forEach((plain, k) => {
    const fromScaled = runs[1]![k]!;
    assert.ok(Math.abs(plain - fromScaled) <= 1e-5 * plain, `${k === 0 ? 'first' : 'twentieth'} iteration: ${plain} vs ${fromScaled}`);
  });
});

test('β = 1: the H update sees frozen W rows (sum-to-one row) and a rank with one free component', () => {
  // The H half works on Vᵀ with a copy of Wᵀ that includes the frozen rows; one free component
  // exercises the rows whose only entry ends with a pending (unchecked) step.
  const V = randomMatrix(14, 11, 31, 3);
  const { W, H } = start(V, 2, 8);
  const p = problem(V, W, H, 1, { fixedWColumns: Uint8Array.from([1, 0]), fixedHRows: Uint8Array.from([0, 1]), frozenWRows: 3, penalties: PENALISED });
  const solver = createCdSolver(p);
  let previous = solver.objective();
  for (let k = 0; k < 30; k++) {
    solver.iterate();
    const current = solver.objective();
    assert.ok(current <= previous * (1 + 1e-9), `objective rose at iteration ${k + 1}: ${previous} → ${current}`);
    const direct = directObjective(p);
    assert.ok(Math.abs(current - direct) <= 1e-6 * direct, `iteration ${k + 1}: solver ${current} vs direct ${direct}`);
    previous = current;
  }
});

for (const beta of [2, 1]) {
  test(`β = ${beta}: fixed W columns, fixed H rows and frozen W rows stay unchanged`, () => {
    const V = randomMatrix(15, 18, 21, 2);
    const { W, H } = start(V, 3, 5);
    const fixedWColumns = Uint8Array.from([0, 1, 0]);
    const fixedHRows = Uint8Array.from([1, 0, 0]);
    const frozenWRows = 2;
    const p = problem(V, W, H, beta, { fixedWColumns, fixedHRows, frozenWRows, penalties: PENALISED });
    const W0 = W.data.slice();
    const H0 = H.data.slice();
    const solver = createCdSolver(p);
    let previous = solver.objective();
    for (let k = 0; k < 10; k++) {
      solver.iterate();
      const current = solver.objective();
      assert.ok(current <= previous * (1 + 1e-9), `objective rose: ${previous} → ${current}`);
      previous = current;
    }
    let movedW = 0;
    for (let i = 0; i < 15; i++) {
      for (let k = 0; k < 3; k++) {
        const at = i * 3 + k;
        if (k === 1 || i >= 15 - frozenWRows) assert.equal(W.data[at], W0[at], `W[${i},${k}] changed`);
        else if (W.data[at] !== W0[at]) movedW++;
      }
    }
    let movedH = 0;
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < 18; j++) {
        const at = k * 18 + j;
        if (k === 0) assert.equal(H.data[at], H0[at], `H[${k},${j}] changed`);
        else if (H.data[at] !== H0[at]) movedH++;
      }
    }
    // The free entries did move, so the checks above are not vacuous.
    assert.ok(movedW > 10 && movedH > 10, `free entries moved: W ${movedW}, H ${movedH}`);
  });
}

test('unsupported problems throw UnsupportedProblemError', () => {
  const V = randomMatrix(4, 5, 1);
  const { W, H } = start(V, 2, 1);
  for (const beta of [0, 0.5, 1.5, 3]) {
    assert.throws(() => createCdSolver(problem(V, W, H, beta)), UnsupportedProblemError, `β = ${beta}`);
  }
  for (const orthogonal of ['W', 'H'] as const) {
    for (const beta of [1, 2]) {
      assert.throws(() => createCdSolver(problem(V, W, H, beta, { orthogonal })), UnsupportedProblemError, `orthogonal ${orthogonal}`);
    }
  }
  assert.doesNotThrow(() => createCdSolver(problem(V, W, H, 1)));
  assert.doesNotThrow(() => createCdSolver(problem(V, W, H, 2)));
});
