import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { createMatrix, matrixFromRows, type Matrix } from '../../app/matrix.js';
import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import type { FrobeniusCdSweep, FrobeniusMuStep, NmfKernels } from '../../app/nmf/kernels/nmf-kernels.js';
import { factorize } from '../../app/nmf/index.js';
import { createCdSolver } from '../../app/nmf/solvers/cd.js';
import { createHalsSolver } from '../../app/nmf/solvers/hals.js';
import { createMuSolver } from '../../app/nmf/solvers/mu.js';
import type { NmfProblem, Penalties } from '../../app/nmf/solvers/solver.js';
import { createRandom } from '../../app/random.js';
import { maxRelativeError as relativeToSklearn, SKLEARN_CD_CASES } from '../sklearn-cd-fixture.js';
import { splitRunner } from '../split-runner.js';
import { KERNEL_VARIANTS, createWasmKernels } from '../../native-workers/common/wasm-kernels.js';
import { createNodeKernelPool } from '../../native-workers/node/node-kernel-pool.js';

/**
 * The fused Frobenius kernels (NmfKernels.muFrobeniusW/H and cdFrobeniusW/H): the WebAssembly
 * builds against their TypeScript references (app/nmf/kernels/mu-frobenius-step-js.ts,
 * cd-frobenius-sweep-js.ts), determinism across thread splits (a 3-thread pool needs the built
 * compute worker, dist/native-workers/node-worker.js: `npm test` builds first), fixed components
 * and frozen rows, and the solvers that run on them.
 */

// Node 20 has relaxed SIMD behind a V8 flag: on, before any module compiles, so both builds run.
if (Number(process.versions.node.split('.')[0]) < 21) setFlagsFromString('--experimental-wasm-relaxed-simd');

const js = createJsKernels();
const builds = KERNEL_VARIANTS.map((variant) => ({ variant, kernels: createWasmKernels({ variant }) }));
const pool = await createNodeKernelPool(3);
after(() => pool?.close());

const FLOAT64_EPS = 2.220446049250313e-16;

/** Random nonnegative values with a share of exact zeros (zero denominators, zero curvature). */
function randomMatrix(rows: number, cols: number, seed: number, zeros = 0.05): Matrix {
  const rand = createRandom(seed);
  const m = createMatrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rand() < zeros ? 0 : rand();
  return m;
}

function copyInto(k: NmfKernels, a: Matrix): Matrix {
  const c = k.allocate(a.rows, a.cols);
  c.data.set(a.data);
  return c;
}

/** max |a − b| / max |b|. */
function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const x of b) scale = Math.max(scale, Math.abs(x));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / scale;
}

/** The products a Frobenius iteration feeds the kernels, from (V, W, H), by the reference kernels. */
function products(V: Matrix, W: Matrix, H: Matrix) {
  const [m, n, r] = [V.rows, V.cols, W.cols];
  const vht = createMatrix(m, r);
  const hht = createMatrix(r, r);
  const wtv = createMatrix(r, n);
  const wtw = createMatrix(r, r);
  js.matmulNT(V, H, vht);
  js.matmulNT(H, H, hht);
  js.matmulTN(W, V, wtv);
  js.matmulTN(W, W, wtw);
  return { vht, hht, wtv, wtw };
}

interface Setup {
  readonly m: number;
  readonly n: number;
  readonly r: number;
  /** Rows of W updated (the rest frozen). */
  readonly rows: number;
  readonly free: Int32Array;
}

// Odd sizes: blocks of four units with remainders, splits that are not multiples of four.
const SETUPS: readonly Setup[] = [
  { m: 37, n: 53, r: 5, rows: 37, free: Int32Array.from([0, 1, 2, 3, 4]) },
  { m: 37, n: 53, r: 5, rows: 34, free: Int32Array.from([0, 2, 4]) },
  { m: 130, n: 1031, r: 16, rows: 129, free: Int32Array.from({ length: 16 }, (_, k) => k).filter((k) => k !== 7) },
  { m: 3, n: 7, r: 1, rows: 3, free: Int32Array.from([0]) },
];

const MU_STEPS: readonly [string, Omit<FrobeniusMuStep, 'free'>][] = [
  ['plain', { l1: 0, l2: 0, gamma: 1, zeroBelow: 0, floor: 0 }],
  ['penalised, floored', { l1: 0.05, l2: 0.3, gamma: 1, zeroBelow: 0, floor: Math.fround(1e-3) }],
  ['orthogonal side (γ = ½), zeroing', { l1: 0, l2: 0.1, gamma: 0.5, zeroBelow: FLOAT64_EPS, floor: 0 }],
];

const CD_SWEEPS: readonly [string, Omit<FrobeniusCdSweep, 'free'>][] = [
  ['plain', { l1: 0, l2: 0, floor: 0 }],
  ['penalised, floored', { l1: 0.2, l2: 0.5, floor: 1e-3 }],
];

interface RunAll {
  /** The inputs. */
  readonly W: Matrix;
  readonly H: Matrix;
  /** Each kernel's name and the factor it updated. */
  readonly out: [string, Float32Array][];
  /** The HALS sweeps' Σ (Δx)²: two on W, then two on H. */
  readonly changes: number[];
}

/** Runs the six kernels of `k` on copies of the same inputs; returns the factor each updated. */
function runAll(k: NmfKernels, s: Setup, seed: number, mu: Omit<FrobeniusMuStep, 'free'>, cd: Omit<FrobeniusCdSweep, 'free'>): RunAll {
  const V = randomMatrix(s.m, s.n, seed);
  const W = randomMatrix(s.m, s.r, seed + 1);
  const H = randomMatrix(s.r, s.n, seed + 2);
  const p = products(V, W, H);
  const [vht, hht, wtv, wtw] = [p.vht, p.hht, p.wtv, p.wtw].map((x) => copyInto(k, x)) as [Matrix, Matrix, Matrix, Matrix];
  const out: [string, Float32Array][] = [];
  const w1 = copyInto(k, W);
  k.muFrobeniusW(vht, hht, w1, s.rows, { ...mu, free: s.free });
  out.push(['muFrobeniusW', w1.data.slice()]);
  const h1 = copyInto(k, H);
  k.muFrobeniusH(wtv, wtw, h1, { ...mu, free: s.free });
  out.push(['muFrobeniusH', h1.data.slice()]);
  const w2 = copyInto(k, W);
  k.cdFrobeniusW(vht, hht, w2, s.rows, { ...cd, free: s.free });
  out.push(['cdFrobeniusW', w2.data.slice()]);
  const h2 = copyInto(k, H);
  k.cdFrobeniusH(wtv, wtw, h2, { ...cd, free: s.free });
  out.push(['cdFrobeniusH', h2.data.slice()]);
  // HALS: two sweeps on the same products (as the solver's inner loop), with each sweep's Σ (Δx)².
  const w3 = copyInto(k, W);
  const changeW = [0, 1].map(() => k.halsFrobeniusW(vht, hht, w3, s.rows, { ...cd, free: s.free }));
  out.push(['halsFrobeniusW', w3.data.slice()]);
  const h3 = copyInto(k, H);
  const changeH = [0, 1].map(() => k.halsFrobeniusH(wtv, wtw, h3, { ...cd, free: s.free }));
  out.push(['halsFrobeniusH', h3.data.slice()]);
  return { W, H, out, changes: [...changeW, ...changeH] };
}

for (const { variant, kernels } of builds) {
  test(`${variant}: fused Frobenius kernels agree with the TypeScript references`, () => {
    assert.ok(kernels, `the ${variant} build does not run here`);
    SETUPS.forEach((s, si) => {
      for (let c = 0; c < MU_STEPS.length; c++) {
        const [muName, mu] = MU_STEPS[c]!;
        const [cdName, cd] = CD_SWEEPS[c % CD_SWEEPS.length]!;
        const ref = runAll(js, s, 10 * si + c, mu, cd);
        const got = runAll(kernels, s, 10 * si + c, mu, cd);
        for (let o = 0; o < ref.out.length; o++) {
          const [name, expected] = ref.out[o]!;
          const actual = got.out[o]![1];
          const label = `${name} (${s.m}×${s.n}, r=${s.r}, ${name.startsWith('mu') ? muName : cdName})`;
          if (o === 0) assert.deepEqual(got.changes, ref.changes, `HALS sweeps' Σ (Δx)² (${s.m}×${s.n}, r=${s.r}, ${cdName})`);
          if (!name.startsWith('mu')) {
            // The CD and HALS kernels sum in float64 in the reference's order: the reference's bits.
            assert.deepEqual(actual, expected, label);
          } else {
            // MU: float32 denominators and steps against float64 (a few roundings per entry).
            const err = maxRelativeError(actual, expected);
            assert.ok(err < 2e-6, `${label}: max relative error ${err}`);
          }
        }
      }
    });
  });

  test(`${variant}: fixed components and frozen rows stay bit for bit; updated entries respect the floor`, () => {
    assert.ok(kernels);
    const s = SETUPS[2]!;
    const { W, H, out } = runAll(kernels, s, 5, MU_STEPS[1]![1], CD_SWEEPS[1]![1]);
    const isFree = (k: number): boolean => s.free.includes(k);
    for (const [name, x] of out) {
      const onW = name.endsWith('W');
      const before = onW ? W : H;
      let changed = 0;
      for (let i = 0; i < before.rows; i++) {
        for (let j = 0; j < before.cols; j++) {
          const component = onW ? j : i;
          const index = i * before.cols + j;
          const kept = !isFree(component) || (onW && i >= s.rows);
          if (kept) assert.equal(x[index], before.data[index], `${name}: fixed entry (${i}, ${j}) changed`);
          else {
            assert.ok(x[index]! >= Math.fround(1e-3), `${name}: entry (${i}, ${j}) = ${x[index]} below the floor`);
            if (x[index] !== before.data[index]) changed++;
          }
        }
      }
      assert.ok(changed > 0, `${name} changed nothing`);
    }
  });

  test(`${variant}: a call split into ranges as a pool splits it gives the same bits`, () => {
    const one = createWasmKernels({ variant });
    assert.ok(one);
    for (const parts of [3, 7]) {
      const many = createWasmKernels({ variant, makeRunner: splitRunner(parts) });
      assert.ok(many);
      for (const s of SETUPS) {
        const a: RunAll['out'] = runAll(one, s, 3, MU_STEPS[2]![1], CD_SWEEPS[1]![1]).out;
        const b: RunAll['out'] = runAll(many, s, 3, MU_STEPS[2]![1], CD_SWEEPS[1]![1]).out;
        for (let o = 0; o < a.length; o++) assert.deepEqual(b[o]![1], a[o]![1], `${a[o]![0]} split in ${parts} (${s.m}×${s.n}, r=${s.r})`);
        assert.deepEqual(runAll(many, s, 3, MU_STEPS[2]![1], CD_SWEEPS[1]![1]).changes, runAll(one, s, 3, MU_STEPS[2]![1], CD_SWEEPS[1]![1]).changes);
      }
    }
  });
}

test('a pool of 3 threads gives the same bits as one thread, kernel by kernel', () => {
  assert.ok(pool, 'no kernel pool (WebAssembly SIMD or SharedArrayBuffer missing)');
  const single = createWasmKernels();
  assert.ok(single);
  for (const s of SETUPS) {
    for (let c = 0; c < MU_STEPS.length; c++) {
      const one = runAll(single, s, 7 + c, MU_STEPS[c]![1], CD_SWEEPS[c % 2]![1]);
      const three = runAll(pool.kernels, s, 7 + c, MU_STEPS[c]![1], CD_SWEEPS[c % 2]![1]);
      const [a, b] = [one.out, three.out];
      for (let o = 0; o < a.length; o++) assert.deepEqual(b[o]![1], a[o]![1], `${a[o]![0]} on 3 threads (${s.m}×${s.n}, r=${s.r})`);
      assert.deepEqual(three.changes, one.changes, `HALS changes on 3 threads (${s.m}×${s.n}, r=${s.r})`);
    }
  }
});

test('a pool of 3 threads factorizes bit-identically to one thread with penalties, fixed columns and orthogonality', () => {
  assert.ok(pool);
  const single = createWasmKernels();
  assert.ok(single);
  const V = randomMatrix(71, 205, 9);
  const cases = [
    { algorithm: 'mu', alphaW: 0.01, alphaH: 0.02, l1Ratio: 0.5 },
    { algorithm: 'mu', orthogonal: 'H' },
    { algorithm: 'mu', orthogonal: 'W' },
    { algorithm: 'cd', alphaW: 0.01, alphaH: 0.02, l1Ratio: 0.3 },
    { algorithm: 'hals', alphaW: 0.01, alphaH: 0.02, l1Ratio: 0.3 },
  ] as const;
  for (const extra of cases) {
    const options = { rank: 6, loss: 'frobenius', maxIter: 12, tol: 0, seed: 4, ...extra } as const;
    const a = factorize(V, { ...options, kernels: pool.kernels });
    const b = factorize(V, { ...options, kernels: single });
    assert.deepEqual(a.W.data, b.W.data, `${JSON.stringify(extra)}: W differs`);
    assert.deepEqual(a.H.data, b.H.data, `${JSON.stringify(extra)}: H differs`);
  }
});

test('unsupported exponents and out-of-range components are refused', () => {
  const k = createWasmKernels();
  assert.ok(k);
  const g = k.allocate(3, 3);
  const h = k.allocate(3, 8);
  const wtv = k.allocate(3, 8);
  const step = { free: Int32Array.from([0]), l1: 0, l2: 0, gamma: 0.7, zeroBelow: 0, floor: 0 };
  assert.throws(() => k.muFrobeniusH(wtv, g, h, step), /exponent 0\.7/);
  assert.throws(() => k.muFrobeniusH(wtv, g, h, { ...step, gamma: 1, free: Int32Array.from([3]) }), /component 3/);
  assert.throws(() => k.cdFrobeniusH(wtv, k.allocate(2, 2), h, { free: Int32Array.from([0]), l1: 0, l2: 0, floor: 0 }), /shapes do not match/);
  assert.throws(() => k.halsFrobeniusW(k.allocate(4, 3), g, k.allocate(4, 3), 5, { free: Int32Array.from([0]), l1: 0, l2: 0, floor: 0 }), /shapes do not match/);
});

const NO_PENALTIES: Penalties = { l1W: 0, l2W: 0, l1H: 0, l2H: 0 };

function problem(k: NmfKernels, V: Matrix, W: Matrix, H: Matrix, extra: Partial<NmfProblem> = {}): NmfProblem {
  return {
    V: copyInto(k, V),
    W: copyInto(k, W),
    H: copyInto(k, H),
    beta: 2,
    penalties: NO_PENALTIES,
    fixedWColumns: new Uint8Array(W.cols),
    fixedHRows: new Uint8Array(H.rows),
    frozenWRows: 0,
    kernels: k,
    orthogonal: 'none',
    floor: 0,
    ...extra,
  };
}

for (const [name, create] of [['MU', createMuSolver], ['CD', createCdSolver], ['HALS', createHalsSolver]] as const) {
  test(`${name} on the WebAssembly kernels: the objective never increases, fixed parts stay, and it tracks the reference`, () => {
    const k = createWasmKernels();
    assert.ok(k);
    const V = randomMatrix(60, 90, 21, 0.2);
    const W = randomMatrix(60, 5, 22);
    const H = randomMatrix(5, 90, 23);
    const fixedWColumns = Uint8Array.from([0, 1, 0, 0, 0]);
    const fixedHRows = Uint8Array.from([0, 0, 0, 1, 0]);
    const extra = { penalties: { l1W: 0.1, l2W: 0.2, l1H: 0.05, l2H: 0.1 }, fixedWColumns, fixedHRows, frozenWRows: 2, floor: 1e-4 };
    const p = problem(k, V, W, H, extra);
    const ref = problem(js, V, W, H, extra);
    const solver = create(p);
    const reference = create(ref);
    const initial = solver.objective();
    let previous = initial;
    for (let it = 1; it <= 40; it++) {
      solver.iterate();
      reference.iterate();
      const current = solver.objective();
      assert.ok(current <= previous * (1 + 1e-6), `${name}: objective rose at iteration ${it}: ${previous} → ${current}`);
      previous = current;
    }
    assert.ok(previous < 0.7 * initial, `${name} made progress: ${initial} → ${previous}`);
    // Same iterates as the float64 reference, to float32 rounding grown over 40 iterations.
    assert.ok(Math.abs(previous - reference.objective()) < 1e-4 * previous, `${name}: ${previous} vs reference ${reference.objective()}`);
    for (let i = 0; i < 60; i++) {
      assert.equal(p.W.data[i * 5 + 1], W.data[i * 5 + 1], 'fixed W column changed');
      if (i >= 58) for (let t = 0; t < 5; t++) assert.equal(p.W.data[i * 5 + t], W.data[i * 5 + t], 'frozen W row changed');
    }
    for (let j = 0; j < 90; j++) assert.equal(p.H.data[3 * 90 + j], H.data[3 * 90 + j], 'fixed H row changed');
  });
}

for (const { variant, kernels } of builds) {
  for (const c of SKLEARN_CD_CASES) {
    test(`${variant}: the CD kernels reproduce scikit-learn's coordinate descent iterates (${c.name}; test/make-sklearn-cd-fixture.py)`, () => {
      assert.ok(kernels);
      const p = problem(kernels, matrixFromRows(c.V), matrixFromRows(c.W0), matrixFromRows(c.H0), { penalties: c.penalties });
      const solver = createCdSolver(p);
      let done = 0;
      for (const reference of c.iterates) {
        for (; done < reference.iteration; done++) solver.iterate();
        // The tolerance of cd-solver.test.ts: float32 products against float64 iterates.
        const errW = relativeToSklearn(p.W, reference.W);
        const errH = relativeToSklearn(p.H, reference.H);
        assert.ok(errW < 5e-4, `W after ${done} iterations: ${errW}`);
        assert.ok(errH < 5e-4, `H after ${done} iterations: ${errH}`);
      }
    });
  }
}
