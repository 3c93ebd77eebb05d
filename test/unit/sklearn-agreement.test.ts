import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import type { NmfKernels } from '../../app/nmf/kernels/nmf-kernels.js';
import { createWasmKernels } from '../../native-workers/common/wasm-kernels.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { matrixFromRows, type Matrix } from '../../app/matrix.js';
import { betaDivergence } from '../../app/nmf/beta-divergence.js';
import { createMuSolver } from '../../app/nmf/solvers/mu.js';
import type { Penalties } from '../../app/nmf/solvers/solver.js';

/**
 * The MU solver against scikit-learn's own update functions: fixtures made by
 * test/make-sklearn-mu-fixtures.py (50 iterations of `_multiplicative_update_w` / `_h` in
 * `_fit_multiplicative_update`'s order, float64, from float32-exact starts).
 */
const fixtures = new URL('../fixtures/', import.meta.url);

interface IterateFixture {
  readonly source: string;
  readonly beta: number;
  readonly penalties: Penalties;
  readonly iterations: number;
  readonly V: number[][];
  readonly W0: number[][];
  readonly H0: number[][];
  readonly W: number[][];
  readonly H: number[][];
  readonly divergence0: number;
  readonly divergence: number;
}

interface DivergenceFixture {
  readonly V: number[][];
  readonly W: number[][];
  readonly H: number[][];
  readonly cases: { readonly beta: number; readonly divergence: number }[];
}

const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`sklearn-mu-${name}.json`, fixtures), 'utf8')) as T;

/** max |a − b| over max |b|: the agreement measure of the brief. */
function maxRelativeError(actual: Matrix, expected: number[][]): number {
  const flat = expected.flat();
  assert.equal(actual.data.length, flat.length);
  let scale = 0;
  let worst = 0;
  flat.forEach((x, i) => {
    scale = Math.max(scale, Math.abs(x));
    worst = Math.max(worst, Math.abs(actual.data[i]! - x));
  });
  return worst / scale;
}

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

const CASES = ['frobenius', 'kullback-leibler', 'itakura-saito', 'beta-1.5', 'beta-0.5', 'beta-3', 'regularised-frobenius', 'regularised-kl'];

// Both kernel backends: the TypeScript reference and the WebAssembly SIMD kernels the app runs on.
const BACKENDS: readonly [string, () => NmfKernels][] = [
  ['js', createJsKernels],
  ['wasm', () => createWasmKernels() ?? assert.fail('no WebAssembly SIMD in this Node')],
];

for (const [backend, makeKernels] of BACKENDS)
for (const name of CASES) {
  test(`MU agrees with scikit-learn after 50 iterations: ${name} (${backend} kernels)`, (t) => {
    const kernels = makeKernels();
    const f = read<IterateFixture>(name);
    let V = matrixFromRows(f.V);
    let W = matrixFromRows(f.W0);
    let H = matrixFromRows(f.H0);
    const r = W.cols;
    // The kernels' own memory, as factorize() arranges it.
    const inKernels = (a: Matrix): Matrix => {
      const copy = kernels.allocate(a.rows, a.cols);
      copy.data.set(a.data);
      return copy;
    };
    [V, W, H] = [inKernels(V), inKernels(W), inKernels(H)];
    const solver = createMuSolver({
      V,
      W,
      H,
      beta: f.beta,
      penalties: f.penalties,
      fixedWColumns: new Uint8Array(r),
      fixedHRows: new Uint8Array(r),
      frozenWRows: 0,
      kernels,
      orthogonal: 'none',
      floor: 0,
    });
    // The starting divergence, ours against scikit-learn's _beta_divergence.
    assert.ok(relative(betaDivergence(V, W, H, f.beta), f.divergence0) < 1e-6, `initial divergence ${betaDivergence(V, W, H, f.beta)} vs ${f.divergence0}`);
    for (let i = 0; i < f.iterations; i++) solver.iterate();
    const errorW = maxRelativeError(W, f.W);
    const errorH = maxRelativeError(H, f.H);
    t.diagnostic(`${name}: max relative error W ${errorW.toExponential(2)}, H ${errorH.toExponential(2)} (${f.source})`);
    assert.ok(errorW < 1e-4, `W differs from scikit-learn by ${errorW}`);
    assert.ok(errorH < 1e-4, `H differs from scikit-learn by ${errorH}`);
    const divergence = betaDivergence(V, W, H, f.beta);
    assert.ok(relative(divergence, f.divergence) < 1e-4, `final divergence ${divergence} vs scikit-learn's ${f.divergence}`);
    // And the solver made real progress, so the comparison is not between two starting points.
    assert.ok(f.divergence < 0.9 * f.divergence0);
  });
}

test("betaDivergence follows scikit-learn's _beta_divergence conventions (zeros, V ≤ ε, WH = 0)", () => {
  const f = read<DivergenceFixture>('divergence');
  const V = matrixFromRows(f.V);
  const W = matrixFromRows(f.W);
  const H = matrixFromRows(f.H);
  for (const { beta, divergence } of f.cases) {
    const ours = betaDivergence(V, W, H, beta);
    assert.ok(relative(ours, divergence) < 1e-9, `β = ${beta}: ${ours} vs scikit-learn's ${divergence}`);
  }
});
