import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneMatrix, createMatrix, multiply, type Matrix } from '../../app/matrix.js';
import { factorize } from '../../app/nmf/factorize.js';
import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import { frobeniusObjective } from '../../app/nmf/objective.js';
import { randomInit } from '../../app/nmf/random-init.js';
import { CHECK_EVERY, createExtrapolatedSolver } from '../../app/nmf/solvers/extrapolation.js';
import { halsBlockUpdates } from '../../app/nmf/solvers/hals.js';
import type { NmfProblem, NmfSolver } from '../../app/nmf/solvers/solver.js';
import { createRandom } from '../../app/random.js';

/**
 * A spectrogram-like V (decaying spectral templates × sparse activations + a little noise): the
 * slow, tight-fit descent extrapolation is for, and where the cheap restart test is too noisy, so
 * the exact one runs.
 */
function spectrogramLike(m: number, n: number, r: number, seed: number, noise: number): Matrix {
  const random = createRandom(seed);
  const W = createMatrix(m, r);
  for (let k = 0; k < r; k++) {
    const decay = 5 + 30 * random();
    for (let i = 0; i < m; i++) W.data[i * r + k] = -Math.log(1 - random()) * Math.exp(-i / decay);
  }
  const H = createMatrix(r, n);
  for (let i = 0; i < H.data.length; i++) H.data[i] = (-Math.log(1 - random())) ** 2 * (random() < 0.3 ? 1 : 0.05);
  const V = multiply(W, H);
  for (let i = 0; i < V.data.length; i++) V.data[i] = V.data[i]! + noise * random();
  return V;
}

function problemOf(V: Matrix, rank: number, seed: number): NmfProblem {
  const start = randomInit(V, rank, seed);
  return {
    V,
    W: cloneMatrix(start.W),
    H: cloneMatrix(start.H),
    beta: 2,
    penalties: { l1W: 0, l2W: 0, l1H: 0, l2H: 0 },
    fixedWColumns: new Uint8Array(rank),
    fixedHRows: new Uint8Array(rank),
    frozenWRows: 0,
    orthogonal: 'none',
    floor: 0,
    kernels: createJsKernels(),
  };
}

function hals(problem: NmfProblem, betaStart?: number): NmfSolver {
  return createExtrapolatedSolver(problem, 'hals', halsBlockUpdates(problem), betaStart);
}

test('extrapolated HALS reaches a given objective in far fewer iterations than plain HALS from the same start', () => {
  const V = spectrogramLike(60, 80, 6, 1, 0.01);
  const iterationsTo = (solver: NmfSolver, target: number, max: number): number => {
    for (let it = 1; it <= max; it++) {
      solver.iterate();
      if (solver.objective() <= target) return it;
    }
    return Infinity;
  };
  // The target: within 1e-3 of the best either reaches in 3000 iterations from another start.
  const best = Math.min(
    ...[0, undefined].map((betaStart) => {
      const long = hals(problemOf(V, 6, 9), betaStart);
      for (let it = 0; it < 3000; it++) long.iterate();
      long.finish?.();
      return long.objective();
    }),
  );
  const target = best * (1 + 1e-3);
  const plain = iterationsTo(hals(problemOf(V, 6, 2), 0), target, 3000);
  const extrapolated = iterationsTo(hals(problemOf(V, 6, 2)), target, 3000);
  assert.ok(Number.isFinite(extrapolated), `extrapolated HALS did not reach ${target} in 3000 iterations`);
  assert.ok(extrapolated * 2 <= plain, `extrapolated ${extrapolated} iterations, plain ${plain}`);
});

/**
 * Runs `iterations` iterations, settling (finish(): a restart test) every `every`; returns the
 * objective after each settle and how often the raw objective rose from one iteration to the next.
 */
function settledObjectives(solver: NmfSolver, iterations: number, every: number): { settled: number[]; rises: number } {
  const settled = [solver.objective()];
  let rises = 0;
  let previous = settled[0]!;
  for (let it = 1; it <= iterations; it++) {
    solver.iterate();
    const current = solver.objective();
    if (current > previous) rises++;
    previous = current;
    if (it % every === 0) {
      solver.finish?.();
      settled.push(solver.objective());
      previous = settled[settled.length - 1]!;
    }
  }
  return { settled, rises };
}

/** Non-increasing up to float32 rounding of the iterates (a plain HALS step is exact descent). */
function assertNonIncreasing(values: readonly number[]): void {
  for (let i = 1; i < values.length; i++) assert.ok(values[i]! <= values[i - 1]! * (1 + 1e-5), `settle ${i}: ${values[i - 1]} → ${values[i]}`);
}

test('extrapolated HALS: a restart test never accepts a rise, and the settled iterate is the one the driver reads', () => {
  const p = problemOf(spectrogramLike(40, 50, 5, 3, 0.001), 5, 4);
  const solver = hals(p);
  const { settled } = settledObjectives(solver, 300, CHECK_EVERY);
  assertNonIncreasing(settled);
  const final = settled[settled.length - 1]!;
  assert.ok(final < 1e-3 * settled[0]!, `${settled[0]} → ${final}`);
  // objective() is the objective of problem.W and problem.H, the iterate the driver returns.
  const direct = frobeniusObjective(p.V, p.W, p.H);
  assert.ok(Math.abs(final - direct) <= 1e-6 * direct, `${final} vs ${direct}`);
  for (const x of [...p.W.data, ...p.H.data]) assert.ok(Number.isFinite(x) && x >= 0);
});

test('a restart returns to the last accepted iterate: an extrapolation that overshoots is undone', () => {
  // β = 1 from the start overshoots: the objective rises between tests, the tests catch it, and the
  // settled objective still falls steadily.
  const p = problemOf(spectrogramLike(40, 50, 5, 5, 0.001), 5, 6);
  const { settled, rises } = settledObjectives(hals(p, 1), 60, CHECK_EVERY);
  assert.ok(rises > 0, 'the overshoots this test is about happened');
  assertNonIncreasing(settled);
  assert.ok(settled[settled.length - 1]! < 0.01 * settled[0]!, `${settled[0]} → ${settled[settled.length - 1]}`);
});

test('factorize reports the time spent evaluating the objective, separately from the solver', () => {
  const V = spectrogramLike(30, 40, 4, 7, 0.01);
  const reports: { iteration: number; elapsed: number; evaluation: number }[] = [];
  factorize(V, {
    rank: 4,
    maxIter: 30,
    tol: 0,
    checkEvery: 5,
    progressIntervalMs: 0,
    onProgress: (p) => reports.push({ iteration: p.iteration, elapsed: p.elapsedSeconds, evaluation: p.evaluationSeconds ?? NaN }),
  });
  assert.ok(reports.length >= 30);
  for (let i = 1; i < reports.length; i++) {
    const [a, b] = [reports[i - 1]!, reports[i]!];
    assert.ok(b.evaluation >= a.evaluation, 'cumulative');
    // It grows only across an iteration that evaluated the objective (every 5th) or the final report.
    if (b.evaluation > a.evaluation && b.iteration !== a.iteration) assert.equal(b.iteration % 5, 0, `grew at iteration ${b.iteration}`);
  }
  const last = reports[reports.length - 1]!;
  assert.ok(last.evaluation > 0 && last.evaluation <= last.elapsed + 0.002, `${last.evaluation} of ${last.elapsed} s`);
});
