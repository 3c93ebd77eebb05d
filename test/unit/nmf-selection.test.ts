import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CancelledError } from '../../app/cancellation.js';
import { createMatrix, matrixFromRows, multiply, type Matrix } from '../../app/matrix.js';
import { clusterLabels, connectivity, consensusMatrix, copheneticCorrelation, copheneticDistances } from '../../app/nmf/consensus.js';
import { factorize } from '../../app/nmf/factorize.js';
import type { NmfProgress } from '../../app/nmf/nmf-types.js';
import { componentEnergies, normalizeFactors } from '../../app/nmf/postprocess.js';
import { rankSweep } from '../../app/nmf/rank-sweep.js';
import { factorizeWithRestarts } from '../../app/nmf/restarts.js';
import { createRandom } from '../../app/random.js';

function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Matrix {
  const random = createRandom(seed);
  const m = createMatrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = random() * scale;
  return m;
}

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (±${tolerance})`);
}

function assertSameProduct(a: { W: Matrix; H: Matrix }, b: { W: Matrix; H: Matrix }): void {
  const x = multiply(a.W, a.H);
  const y = multiply(b.W, b.H);
  for (let i = 0; i < x.data.length; i++) assertClose(y.data[i]!, x.data[i]!, 1e-5 * Math.max(1, Math.abs(x.data[i]!)), `WH entry ${i}`);
}

function columnNorm(W: Matrix, k: number): number {
  let s = 0;
  for (let i = 0; i < W.rows; i++) s += W.data[i * W.cols + k]! ** 2;
  return Math.sqrt(s);
}

/** W (m×r) whose column k is scaled by scales[k], so energies are spread out on purpose. */
function scaledFactors(m: number, n: number, scales: readonly number[], seed: number): { W: Matrix; H: Matrix } {
  const r = scales.length;
  const W = randomMatrix(m, r, seed, 3);
  for (let i = 0; i < m; i++) for (let k = 0; k < r; k++) W.data[i * r + k] *= scales[k]!;
  return { W, H: randomMatrix(r, n, seed + 1, 2) };
}

// ── normalizeFactors ────────────────────────────────────────────────────────────────────────

test('normalizeFactors keeps WH, makes W columns unit and sorts energies that sum to 1', () => {
  const input = scaledFactors(12, 9, [0.1, 5, 1, 40], 3);
  const before = { W: input.W.data.slice(), H: input.H.data.slice() };
  const out = normalizeFactors(input.W, input.H, { sort: true });
  assertSameProduct(input, out);
  for (let k = 0; k < 4; k++) assertClose(columnNorm(out.W, k), 1, 1e-6, `‖W_${k}‖`);
  assert.deepEqual([...out.order].sort(), [0, 1, 2, 3]);
  const energies = componentEnergies(input.W, input.H);
  for (let p = 1; p < 4; p++) assert.ok(energies[out.order[p - 1]!]! >= energies[out.order[p]!]!, `energy order at ${p}`);
  assert.notDeepEqual(out.order, [0, 1, 2, 3], 'the scales make the input order wrong on purpose');
  // Shares: descending, sum 1, and each equal to ‖W_k H_k‖²_F computed from the output directly.
  assertClose(out.energyShares.reduce((a, b) => a + b, 0), 1, 1e-12, 'Σ shares');
  for (let p = 1; p < 4; p++) assert.ok(out.energyShares[p - 1]! >= out.energyShares[p]!);
  const direct = componentEnergies(out.W, out.H);
  const total = direct.reduce((a, b) => a + b, 0);
  for (let p = 0; p < 4; p++) assertClose(out.energyShares[p]!, direct[p]! / total, 1e-5, `share ${p}`);
  // Inputs untouched.
  assert.deepEqual(input.W.data, before.W);
  assert.deepEqual(input.H.data, before.H);
});

test('componentEnergies equals ‖W_k H_k‖²_F of the explicit outer product', () => {
  const { W, H } = scaledFactors(5, 7, [1, 2, 0.5], 9);
  const energies = componentEnergies(W, H);
  for (let k = 0; k < 3; k++) {
    let s = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) s += (W.data[i * 3 + k]! * H.data[k * 7 + j]!) ** 2;
    assertClose(energies[k]!, s, 1e-9 * s, `energy ${k}`);
  }
});

test('normalizeFactors without sort keeps the order; keepOrder pins components in place', () => {
  const input = scaledFactors(10, 8, [0.01, 1, 10, 0.1, 100], 21);
  const unsorted = normalizeFactors(input.W, input.H, { sort: false });
  assert.deepEqual(unsorted.order, [0, 1, 2, 3, 4]);
  assertSameProduct(input, unsorted);

  // Components 0 (the weakest) and 3 stay put; 1, 2 and 4 fill positions 1, 2, 4 by energy.
  const pinned = normalizeFactors(input.W, input.H, { sort: true, keepOrder: [0, 3] });
  assert.equal(pinned.order[0], 0);
  assert.equal(pinned.order[3], 3);
  const energies = componentEnergies(input.W, input.H);
  const free = [pinned.order[1]!, pinned.order[2]!, pinned.order[4]!];
  assert.deepEqual([...free].sort(), [1, 2, 4]);
  assert.ok(energies[free[0]!]! >= energies[free[1]!]! && energies[free[1]!]! >= energies[free[2]!]!, `free order ${free}`);
  assertSameProduct(input, pinned);
  // The W column at position p is the (normalized) input column order[p].
  for (let p = 0; p < 5; p++) {
    const k = pinned.order[p]!;
    const norm = columnNorm(input.W, k);
    for (let i = 0; i < 10; i++) assertClose(pinned.W.data[i * 5 + p]!, input.W.data[i * 5 + k]! / norm, 1e-6, `W(${i}, ${p})`);
  }
  assert.throws(() => normalizeFactors(input.W, input.H, { sort: true, keepOrder: [5] }), RangeError);
});

test('normalizeFactors leaves a zero component zero, without NaN', () => {
  const input = scaledFactors(6, 5, [1, 1, 1], 33);
  for (let i = 0; i < 6; i++) input.W.data[i * 3 + 1] = 0;
  const out = normalizeFactors(input.W, input.H, { sort: true });
  for (const x of [...out.W.data, ...out.H.data, ...out.energyShares]) assert.ok(Number.isFinite(x), 'finite');
  assert.equal(out.order[2], 1, 'the zero component sorts last');
  assert.equal(out.energyShares[2], 0);
  for (let i = 0; i < 6; i++) assert.equal(out.W.data[i * 3 + 2], 0);
  assertSameProduct(input, out);

  const zero = normalizeFactors(createMatrix(4, 2), createMatrix(2, 3), { sort: true });
  assert.deepEqual(zero.energyShares, [0, 0]);
  for (const x of [...zero.W.data, ...zero.H.data]) assert.equal(x, 0);
});

// ── restarts ────────────────────────────────────────────────────────────────────────────────

test('factorizeWithRestarts keeps the lowest objective of distinct-seed runs and maps progress', () => {
  const v = randomMatrix(15, 20, 4, 3);
  const progress: NmfProgress[] = [];
  const { best, runs } = factorizeWithRestarts(
    v,
    { rank: 3, maxIter: 20, tol: 0, seed: 10, onProgress: (p) => progress.push(p), progressIntervalMs: 0 },
    4,
  );
  assert.deepEqual(
    runs.map((r) => r.seed),
    [10, 11, 12, 13],
  );
  for (const run of runs) assert.ok(best.objective <= run.objective, `best ${best.objective} vs run ${run.objective}`);
  assert.equal(best.objective, Math.min(...runs.map((r) => r.objective)));
  assert.ok(new Set(runs.map((r) => r.objective)).size > 1, 'different seeds give different runs');
  // Each run matches a plain factorize with its seed.
  const third = factorize(v, { rank: 3, maxIter: 20, tol: 0, seed: 12 });
  assert.equal(runs[2]!.objective, third.objective);
  assert.equal(runs[2]!.iterations, third.iterations);
  // One overall scale: 4 × 20 iterations, nondecreasing, ending at the end.
  assert.ok(progress.length >= 4);
  for (const p of progress) assert.equal(p.maxIter, 80);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.iteration >= progress[i - 1]!.iteration);
  assert.equal(progress[progress.length - 1]!.iteration, 80);
  assert.ok(progress.some((p) => p.iteration > 20 && p.iteration <= 40), 'the second run reports on its own stretch');
});

test('factorizeWithRestarts with one restart is bit-identical to factorize', () => {
  const v = randomMatrix(12, 16, 8, 2);
  const options = { rank: 2, maxIter: 30, seed: 5 } as const;
  const plain = factorize(v, options);
  const { best, runs } = factorizeWithRestarts(v, options, 1);
  assert.deepEqual(best.W.data, plain.W.data);
  assert.deepEqual(best.H.data, plain.H.data);
  assert.equal(best.objective, plain.objective);
  assert.equal(runs.length, 1);
});

test('factorizeWithRestarts: cancelled signal throws CancelledError; restarts must be a positive integer', () => {
  const v = randomMatrix(6, 6, 1);
  let reported = 0;
  assert.throws(
    () => factorizeWithRestarts(v, { rank: 2, maxIter: 5, signal: { aborted: true }, onProgress: () => reported++ }, 3),
    CancelledError,
  );
  assert.equal(reported, 0, 'no run started');
  // Aborted while the first run reports its end: the second run must not start. maxIter = 0 makes
  // factorize itself never look at the signal, so only the check between runs can throw here.
  const signal = { aborted: false };
  let runsReported = 0;
  assert.throws(
    () =>
      factorizeWithRestarts(
        v,
        {
          rank: 2,
          maxIter: 0,
          signal,
          onProgress: () => {
            runsReported++;
            signal.aborted = true;
          },
        },
        3,
      ),
    CancelledError,
  );
  assert.equal(runsReported, 1);
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => factorizeWithRestarts(v, { rank: 2 }, bad), RangeError);
});

// ── consensus and cophenetic correlation ────────────────────────────────────────────────────

test('connectivity and consensusMatrix follow the argmax clustering of H', () => {
  const H = matrixFromRows([
    [5, 4, 0, 1],
    [1, 0, 3, 2],
  ]);
  assert.deepEqual([...clusterLabels(H)], [0, 0, 1, 1]);
  assert.deepEqual([...connectivity(H)], [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
  const other = connectivity(
    matrixFromRows([
      [1, 0, 0, 1],
      [0, 1, 1, 0],
    ]),
  );
  const c = consensusMatrix([connectivity(H), other]);
  assert.deepEqual([...c], [1, 0.5, 0, 0.5, 0.5, 1, 0.5, 0, 0, 0.5, 1, 0.5, 0.5, 0, 0.5, 1]);
  assert.throws(() => consensusMatrix([]), RangeError);
});

test('UPGMA cophenetic correlation of a hand-computed 4-column example', () => {
  // Distances 1 − C: d01 = .1, d23 = .2 merge first; d({01},{23}) = (.8 + .9 + .7 + .8)/4 = .8.
  // Centred ×60: x = [−29, 13, 19, 7, 13, −23], y = [−29, 13, 13, 13, 13, −23]
  // → ρ = 2046 / √(2118 · 2046) = √(2046/2118) = √(341/353).
  const C = new Float64Array([1, 0.9, 0.2, 0.1, 0.9, 1, 0.3, 0.2, 0.2, 0.3, 1, 0.8, 0.1, 0.2, 0.8, 1]);
  const coph = copheneticDistances(C, 4);
  const expected = [0.1, 0.8, 0.8, 0.8, 0.8, 0.2];
  for (let p = 0; p < 6; p++) assertClose(coph[p]!, expected[p]!, 1e-12, `cophenetic ${p}`);
  assertClose(copheneticCorrelation(C, 4), Math.sqrt(341 / 353), 1e-12, 'ρ');
});

interface CopheneticCase {
  readonly name: string;
  readonly n: number;
  readonly consensus: number[];
  readonly cophenetic: number[];
  readonly correlation: number;
}

test('cophenetic distances and correlation match scipy (average linkage, cophenet)', () => {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/cophenetic.json', import.meta.url), 'utf8')) as { cases: CopheneticCase[] };
  assert.ok(fixture.cases.length >= 3);
  for (const c of fixture.cases) {
    const consensus = Float64Array.from(c.consensus);
    const coph = copheneticDistances(consensus, c.n);
    assert.equal(coph.length, c.cophenetic.length);
    for (let p = 0; p < coph.length; p++) assertClose(coph[p]!, c.cophenetic[p]!, 1e-12, `${c.name} cophenetic ${p}`);
    assertClose(copheneticCorrelation(consensus, c.n), c.correlation, 1e-12, `${c.name} ρ`);
  }
});

test('a perfect consensus has cophenetic correlation 1; degenerate cases are NaN', () => {
  const labels = [2, 0, 1, 0, 2, 1, 1, 0];
  const n = labels.length;
  const H = createMatrix(3, n);
  labels.forEach((k, j) => (H.data[k * n + j] = 1));
  const perfect = consensusMatrix([connectivity(H), connectivity(H), connectivity(H)]);
  assert.equal(copheneticCorrelation(perfect, n), 1);
  // Trivial partitions: one cluster, or all apart (every distance equal, Pearson would be 0/0).
  assert.equal(copheneticCorrelation(new Float64Array(n * n).fill(1), n), 1);
  const apart = new Float64Array(n * n);
  for (let i = 0; i < n; i++) apart[i * n + i] = 1;
  assert.equal(copheneticCorrelation(apart, n), 1);
  // Three columns, each pair together in one run of three: constant 2/3 distances, undefined.
  const pairings = [
    [[1, 1, 0], [0, 0, 1]],
    [[1, 0, 1], [0, 1, 0]],
    [[0, 1, 1], [1, 0, 0]],
  ];
  const cyclic = consensusMatrix(pairings.map((rows) => connectivity(matrixFromRows(rows))));
  assert.ok(Number.isNaN(copheneticCorrelation(cyclic, 3)), 'constant non-binary distances');
  assert.ok(Number.isNaN(copheneticCorrelation(new Float64Array([1, 1, 1, 1]), 2)), 'n < 3');
  // A noisy consensus is below 1.
  const noisy = perfect.slice();
  noisy[0 * n + 1] = noisy[1 * n + 0] = 0.3;
  noisy[1 * n + 3] = noisy[3 * n + 1] = 0.6;
  const rho = copheneticCorrelation(noisy, n);
  assert.ok(rho < 1 && rho > 0.5, `ρ = ${rho}`);
  assert.throws(() => copheneticCorrelation(perfect, n + 1), RangeError);
});

// ── rank sweep ──────────────────────────────────────────────────────────────────────────────

/** 3 groups of 8 columns, each a distinct nonnegative profile with random amplitude, plus noise. */
function blockData(): Matrix {
  const m = 18;
  const groups = 3;
  const perGroup = 8;
  const n = groups * perGroup;
  const random = createRandom(2004);
  const profiles: number[][] = [];
  for (let g = 0; g < groups; g++) {
    profiles.push(Array.from({ length: m }, (_, i) => (Math.floor(i / 6) === g ? 1 + random() : 0.05 * random())));
  }
  const v = createMatrix(m, n);
  for (let j = 0; j < n; j++) {
    const g = j % groups;
    const amplitude = 0.5 + random();
    for (let i = 0; i < m; i++) v.data[i * n + j] = amplitude * profiles[g]![i]! + 0.02 * random();
  }
  return v;
}

test('rankSweep on rank-3 block data: stable consensus at 3, objective elbow at 3', () => {
  const v = blockData();
  const calls: [number, number][] = [];
  const sweep = rankSweep(v, [1, 2, 3, 4], {
    runsPerRank: 4,
    maxIter: 300,
    tol: 1e-6,
    seed: 7,
    onRankProgress: (rankIndex, runIndex) => calls.push([rankIndex, runIndex]),
  });
  assert.deepEqual(
    sweep.map((e) => e.rank),
    [1, 2, 3, 4],
  );
  assert.equal(calls.length, 16);
  assert.deepEqual(calls[5], [1, 1]);
  for (const e of sweep) assert.ok(e.bestObjective <= e.meanObjective, `rank ${e.rank}: best ≤ mean`);
  const at = (rank: number) => sweep.find((e) => e.rank === rank)!;
  assert.ok(at(3).cophenetic >= 0.95, `cophenetic at rank 3: ${at(3).cophenetic}`);
  // Sharp drop up to 3, little after.
  const drop23 = at(2).bestObjective / at(3).bestObjective;
  const drop34 = at(3).bestObjective / at(4).bestObjective;
  assert.ok(drop23 > 20, `objective ratio rank 2/3: ${drop23}`);
  assert.ok(drop34 < 1.5, `objective ratio rank 3/4: ${drop34}`);
  assert.ok(at(1).bestObjective > at(2).bestObjective);
});

test('rankSweep reports the statistics of plain runs with seeds seed + i; noise gives an unstable consensus', () => {
  const v = randomMatrix(12, 30, 99);
  // Multiplicative updates from random starts land in visibly different local minima on noise.
  const [entry] = rankSweep(v, [4], { runsPerRank: 6, maxIter: 100, seed: 1, algorithm: 'mu' });
  const runs = [1, 2, 3, 4, 5, 6].map((seed) => factorize(v, { rank: 4, maxIter: 100, seed, algorithm: 'mu' }));
  assert.equal(entry!.rank, 4);
  assert.equal(entry!.bestObjective, Math.min(...runs.map((r) => r.objective)));
  assert.equal(entry!.meanObjective, runs.reduce((a, r) => a + r.objective, 0) / runs.length);
  const consensus = consensusMatrix(runs.map((r) => connectivity(normalizeFactors(r.W, r.H, { sort: false }).H)));
  assert.equal(entry!.cophenetic, copheneticCorrelation(consensus, 30));
  // Structureless data: the runs disagree on the clustering, unlike the block data above.
  assert.ok(entry!.cophenetic < 0.95, `cophenetic on noise: ${entry!.cophenetic}`);
});

test('rankSweep honours a cancelled signal and validates its arguments', () => {
  const v = randomMatrix(6, 6, 2);
  assert.throws(() => rankSweep(v, [2], { runsPerRank: 2, signal: { aborted: true } }), CancelledError);
  // Aborted after the first run: nothing more runs (maxIter = 0: factorize never checks itself).
  const signal = { aborted: false };
  const calls: [number, number][] = [];
  const abortAfterFirst = (rankIndex: number, runIndex: number): void => {
    calls.push([rankIndex, runIndex]);
    signal.aborted = true;
  };
  assert.throws(() => rankSweep(v, [1, 2], { runsPerRank: 2, maxIter: 0, signal, onRankProgress: abortAfterFirst }), CancelledError);
  assert.deepEqual(calls, [[0, 0]]);
  assert.throws(() => rankSweep(v, [2], { runsPerRank: 0 }), RangeError);
  assert.throws(() => rankSweep(v, [], { runsPerRank: 1 }), RangeError);
  assert.throws(() => rankSweep(v, [0], { runsPerRank: 1 }), RangeError);
});
