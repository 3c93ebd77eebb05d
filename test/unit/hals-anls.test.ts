import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneMatrix, createMatrix, matrixFromRows, multiply, type Matrix } from '../../app/matrix.js';
import { factorize } from '../../app/nmf/factorize.js';
import { frobeniusObjective } from '../../app/nmf/objective.js';
import { randomInit } from '../../app/nmf/random-init.js';
import { createAnlsSolver } from '../../app/nmf/solvers/anls.js';
import { createHalsSolver } from '../../app/nmf/solvers/hals.js';
import { UnsupportedProblemError, type NmfProblem, type Penalties, type SolverFactory } from '../../app/nmf/solvers/solver.js';
import { createRandom } from '../../app/random.js';

const solvers: readonly [string, SolverFactory][] = [
  ['hals', createHalsSolver],
  ['anls', createAnlsSolver],
];

const NO_PENALTY: Penalties = { l1W: 0, l2W: 0, l1H: 0, l2H: 0 };

function uniformMatrix(rows: number, cols: number, seed: number, scale = 4, zeroFraction = 0): Matrix {
  const random = createRandom(seed);
  const m = createMatrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) {
    const value = random() * scale;
    m.data[i] = random() < zeroFraction ? 0 : value;
  }
  return m;
}

interface Setup {
  readonly V: Matrix;
  readonly rank: number;
  readonly seed: number;
  readonly penalties?: Penalties;
  readonly fixedWColumns?: readonly number[];
  readonly fixedHRows?: readonly number[];
  readonly frozenWRows?: number;
  readonly floor?: number;
  readonly beta?: number;
  readonly orthogonal?: 'none' | 'W' | 'H';
  readonly W?: Matrix;
  readonly H?: Matrix;
}

/** A problem over copies of the start (scikit-learn-style random init unless W, H are given). */
function makeProblem(setup: Setup): NmfProblem {
  const start = randomInit(setup.V, setup.rank, setup.seed);
  const flags = (indices: readonly number[] | undefined): Uint8Array => {
    const out = new Uint8Array(setup.rank);
    for (const k of indices ?? []) out[k] = 1;
    return out;
  };
  return {
    V: setup.V,
    W: cloneMatrix(setup.W ?? start.W),
    H: cloneMatrix(setup.H ?? start.H),
    beta: setup.beta ?? 2,
    penalties: setup.penalties ?? NO_PENALTY,
    fixedWColumns: flags(setup.fixedWColumns),
    fixedHRows: flags(setup.fixedHRows),
    frozenWRows: setup.frozenWRows ?? 0,
    kernels: createJsKernels(),
    orthogonal: setup.orthogonal ?? 'none',
    floor: setup.floor ?? 0,
  };
}

function sums(x: Matrix): { sum: number; squares: number } {
  let sum = 0;
  let squares = 0;
  for (const v of x.data) {
    sum += v;
    squares += v * v;
  }
  return { sum, squares };
}

/** The objective from its definition: ½‖V − WH‖² + l1·Σx + ½·l2·Σx² for W and H. */
function directObjective(p: NmfProblem): number {
  const w = sums(p.W);
  const h = sums(p.H);
  const { l1W, l2W, l1H, l2H } = p.penalties;
  return frobeniusObjective(p.V, p.W, p.H) + l1W * w.sum + 0.5 * l2W * w.squares + l1H * h.sum + 0.5 * l2H * h.squares;
}

function normSquared(v: Matrix): number {
  return sums(v).squares;
}

function assertNonnegativeFinite(p: NmfProblem, floor = 0): void {
  for (const x of [...p.W.data, ...p.H.data]) assert.ok(Number.isFinite(x) && x >= floor, `entry ${x}`);
}

/**
 * Largest violation of the KKT conditions of the penalised problem over x ≥ floor (gradient 0 where
 * x > floor, ≥ 0 where x = floor), relative to the gradient scale. Fixed W columns, fixed H rows
 * and frozen W rows are constants, not variables: they are skipped.
 */
function kktViolation(p: NmfProblem): number {
  const { V, W, H, penalties, floor } = p;
  const wh = multiply(W, H);
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const residual = createMatrix(m, n); // WH − V
  for (let i = 0; i < m * n; i++) residual.data[i] = wh.data[i]! - V.data[i]!;
  let worst = 0;
  let scale = 0;
  const check = (x: number, g: number, magnitude: number): void => {
    scale = Math.max(scale, magnitude);
    worst = Math.max(worst, x > Math.fround(floor) ? Math.abs(g) : Math.max(0, -g));
  };
  for (let i = 0; i < m - p.frozenWRows; i++) {
    for (let k = 0; k < r; k++) {
      if (p.fixedWColumns[k]) continue;
      let g = 0;
      let magnitude = 0;
      for (let j = 0; j < n; j++) {
        g += residual.data[i * n + j]! * H.data[k * n + j]!;
        magnitude += V.data[i * n + j]! * H.data[k * n + j]!;
      }
      const x = W.data[i * r + k]!;
      check(x, g + penalties.l1W + penalties.l2W * x, magnitude);
    }
  }
  for (let k = 0; k < r; k++) {
    if (p.fixedHRows[k]) continue;
    for (let j = 0; j < n; j++) {
      let g = 0;
      let magnitude = 0;
      for (let i = 0; i < m; i++) {
        g += W.data[i * r + k]! * residual.data[i * n + j]!;
        magnitude += W.data[i * r + k]! * V.data[i * n + j]!;
      }
      const x = H.data[k * n + j]!;
      check(x, g + penalties.l1H + penalties.l2H * x, magnitude);
    }
  }
  return worst / scale;
}

for (const [name, factory] of solvers) {
  test(`${name}: the objective never increases and objective() matches its definition`, () => {
    for (const penalties of [NO_PENALTY, { l1W: 0.3, l2W: 0.2, l1H: 0.1, l2H: 0.4 }]) {
      const p = makeProblem({ V: uniformMatrix(30, 40, 1), rank: 4, seed: 2, penalties });
      const solver = factory(p);
      assert.equal(solver.algorithm, name);
      let previous = solver.objective();
      const first = previous;
      assert.ok(Math.abs(previous - directObjective(p)) <= 1e-6 * previous, 'at the start');
      for (let it = 1; it <= 40; it++) {
        solver.iterate();
        const current = solver.objective();
        assert.ok(current <= previous * (1 + 1e-9), `iteration ${it}: ${previous} → ${current}`);
        if (it <= 3 || it % 10 === 0) {
          const direct = directObjective(p);
          assert.ok(Math.abs(current - direct) <= 1e-6 * direct, `iteration ${it}: tracked ${current} vs direct ${direct}`);
        }
        previous = current;
      }
      assert.ok(previous < 0.5 * first, 'the factorization made progress');
      assertNonnegativeFinite(p);
    }
  });

  test(`${name}: [[1,1,0,0],[1,0,1,0],[0,1,0,1],[0,0,1,1]] fits exactly at rank 4, not at rank 3`, () => {
    // Rank 3 (rows 1 + 4 = rows 2 + 3) but nonnegative rank 4: no rank-3 NMF is exact.
    const v = matrixFromRows([
      [1, 1, 0, 0],
      [1, 0, 1, 0],
      [0, 1, 0, 1],
      [0, 0, 1, 1],
    ]);
    const norm2 = normSquared(v);
    const run = (rank: number, seed: number): number => {
      const p = makeProblem({ V: v, rank, seed });
      const solver = factory(p);
      for (let it = 0; it < 300; it++) solver.iterate();
      return frobeniusObjective(v, p.W, p.H) / norm2;
    };
    const exact = [0, 1, 2].map((seed) => run(4, seed));
    assert.ok(exact.some((e) => e < 1e-8), `rank 4 relative objectives ${exact.join(', ')}`);
    for (const seed of [0, 1, 2, 3]) {
      const e = run(3, seed);
      assert.ok(e > 1e-2, `rank 3, seed ${seed}: ${e}`);
    }
  });

  test(`${name}: on exact low-rank data it goes far below MU in the same number of iterations`, () => {
    const truth = multiply(uniformMatrix(60, 5, 3, 1, 0.3), uniformMatrix(5, 80, 4, 1, 0.3));
    const start = randomInit(truth, 5, 7);
    const mu = factorize(truth, { rank: 5, loss: 'frobenius', algorithm: 'mu', maxIter: 200, tol: 0, initialW: start.W, initialH: start.H });
    const p = makeProblem({ V: truth, rank: 5, seed: 7, W: start.W, H: start.H });
    const solver = factory(p);
    for (let it = 0; it < 200; it++) solver.iterate();
    const ours = frobeniusObjective(truth, p.W, p.H);
    assert.ok(ours < 1e-3 * mu.objective, `${name} ${ours} vs MU ${mu.objective}`);
  });

  test(`${name}: penalties reduce the sum of the penalised factor and the result is a KKT point`, () => {
    const V = uniformMatrix(12, 10, 5);
    const run = (penalties: Penalties, iterations: number): NmfProblem => {
      const p = makeProblem({ V, rank: 3, seed: 6, penalties });
      const solver = factory(p);
      for (let it = 0; it < iterations; it++) solver.iterate();
      return p;
    };
    const plain = run(NO_PENALTY, 150);
    const cases: [keyof Penalties, 'W' | 'H'][] = [
      ['l1W', 'W'],
      ['l2W', 'W'],
      ['l1H', 'H'],
      ['l2H', 'H'],
    ];
    for (const [weight, factor] of cases) {
      const penalised = run({ ...NO_PENALTY, [weight]: 2 }, 150);
      const before = sums(plain[factor]).sum;
      const after = sums(penalised[factor]).sum;
      assert.ok(after < 0.95 * before, `${weight}: Σ${factor} ${before} → ${after}`);
    }
    // Stationarity of the penalised objective checks how the penalties enter the updates.
    const mixed = run({ l1W: 0.5, l2W: 1, l1H: 0.3, l2H: 0.7 }, 2000);
    const violation = kktViolation(mixed);
    assert.ok(violation < 1e-4, `KKT violation ${violation}`);
  });

  test(`${name}: fixed W columns, fixed H rows and frozen W rows stay unchanged`, () => {
    const V = uniformMatrix(12, 15, 8);
    const p = makeProblem({ V, rank: 4, seed: 9, fixedWColumns: [1], fixedHRows: [2], frozenWRows: 3 });
    const W0 = cloneMatrix(p.W);
    const H0 = cloneMatrix(p.H);
    const solver = factory(p);
    const first = solver.objective();
    let previous = first;
    for (let it = 0; it < 400; it++) {
      solver.iterate();
      const current = solver.objective();
      assert.ok(current <= previous * (1 + 1e-9), `iteration ${it}: ${previous} → ${current}`);
      previous = current;
    }
    // A held contribution left out of the free updates makes the objective rise above; here the
    // free entries must also approach optimality given the held ones (this start converges slowly
    // through a flat region, hence 1e-3 rather than the 1e-4 of the other KKT checks).
    const violation = kktViolation(p);
    assert.ok(violation < 1e-3, `KKT violation ${violation}`);
    const r = 4;
    let changedW = 0;
    let changedH = 0;
    for (let i = 0; i < V.rows; i++) {
      for (let k = 0; k < r; k++) {
        const same = p.W.data[i * r + k] === W0.data[i * r + k];
        if (k === 1 || i >= V.rows - 3) assert.ok(same, `W[${i},${k}] changed`);
        else if (!same) changedW++;
      }
    }
    for (let k = 0; k < r; k++) {
      for (let j = 0; j < V.cols; j++) {
        const same = p.H.data[k * V.cols + j] === H0.data[k * V.cols + j];
        if (k === 2) assert.ok(same, `H[${k},${j}] changed`);
        else if (!same) changedH++;
      }
    }
    assert.ok(changedW > 0 && changedH > 0, 'the free entries moved');
    assert.ok(solver.objective() < first, 'and the objective went down');
    assert.ok(Math.abs(solver.objective() - directObjective(p)) <= 1e-6 * directObjective(p));
  });

  test(`${name}: a floor holds every updated entry at or above it, without raising the objective`, () => {
    const floor = 0.05;
    const p = makeProblem({ V: uniformMatrix(15, 18, 10, 4, 0.5), rank: 4, seed: 11, floor });
    const solver = factory(p);
    let previous = solver.objective();
    for (let it = 0; it < 30; it++) {
      solver.iterate();
      const current = solver.objective();
      assert.ok(current <= previous * (1 + 1e-9), `iteration ${it}: ${previous} → ${current}`);
      previous = current;
    }
    assertNonnegativeFinite(p, floor);
    assert.ok([...p.W.data, ...p.H.data].some((x) => x === Math.fround(floor)), 'the floor is active somewhere');
    // The exact minimiser over x ≥ floor, not a clamped unconstrained one: a KKT point at the end.
    for (let it = 0; it < 1500; it++) solver.iterate();
    const violation = kktViolation(p);
    assert.ok(violation < 1e-4, `KKT violation ${violation}`);
  });

  test(`${name}: a zero W column leaves its H row unused, and the component can come back`, () => {
    const V = uniformMatrix(10, 12, 12);
    const start = randomInit(V, 3, 13);
    for (let i = 0; i < V.rows; i++) start.W.data[i * 3 + 1] = 0;
    const p = makeProblem({ V, rank: 3, seed: 13, W: start.W, H: start.H });
    const solver = factory(p);
    solver.iterate();
    assertNonnegativeFinite(p);
    let revived = 0;
    for (let i = 0; i < V.rows; i++) revived += p.W.data[i * 3 + 1]!;
    assert.ok(revived > 0, 'the W column is positive again');
    // Both sides zero: a stationary point; nothing breaks (no NaN from the zero curvature).
    for (let j = 0; j < V.cols; j++) p.H.data[1 * V.cols + j] = 0;
    for (let i = 0; i < V.rows; i++) p.W.data[i * 3 + 1] = 0;
    const stuck = factory(p);
    for (let it = 0; it < 3; it++) stuck.iterate();
    assertNonnegativeFinite(p);
    assert.ok(Math.abs(stuck.objective() - directObjective(p)) <= 1e-6 * directObjective(p));
  });

  test(`${name}: a component whose partner is zero is kept as it is (it does not affect the loss)`, () => {
    const V = uniformMatrix(10, 12, 15);
    // W column 1 held at zero: H row 1 has zero curvature and must be left alone.
    const a = randomInit(V, 3, 16);
    for (let i = 0; i < V.rows; i++) a.W.data[i * 3 + 1] = 0;
    const pa = makeProblem({ V, rank: 3, seed: 16, W: a.W, H: a.H, fixedWColumns: [1] });
    const rowBefore = pa.H.data.slice(V.cols, 2 * V.cols);
    const sa = factory(pa);
    for (let it = 0; it < 3; it++) sa.iterate();
    assert.deepEqual(pa.H.data.slice(V.cols, 2 * V.cols), rowBefore);
    // H row 1 held at zero: likewise W column 1.
    const b = randomInit(V, 3, 17);
    for (let j = 0; j < V.cols; j++) b.H.data[V.cols + j] = 0;
    const pb = makeProblem({ V, rank: 3, seed: 17, W: b.W, H: b.H, fixedHRows: [1] });
    const columnBefore = Array.from({ length: V.rows }, (_, i) => pb.W.data[i * 3 + 1]);
    const sb = factory(pb);
    for (let it = 0; it < 3; it++) sb.iterate();
    assert.deepEqual(Array.from({ length: V.rows }, (_, i) => pb.W.data[i * 3 + 1]), columnBefore);
    assertNonnegativeFinite(pa);
    assertNonnegativeFinite(pb);
  });

  test(`${name}: rejects β ≠ 2 and orthogonality with UnsupportedProblemError`, () => {
    const V = uniformMatrix(5, 6, 14);
    for (const beta of [1, 0, 1.5]) {
      assert.throws(() => factory(makeProblem({ V, rank: 2, seed: 1, beta })), UnsupportedProblemError);
    }
    assert.throws(() => factory(makeProblem({ V, rank: 2, seed: 1, orthogonal: 'W' })), UnsupportedProblemError);
    assert.doesNotThrow(() => factory(makeProblem({ V, rank: 2, seed: 1 })));
  });
}
