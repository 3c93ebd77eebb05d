import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMatrix, type Matrix } from '../../app/matrix.js';
import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import type { NmfKernels } from '../../app/nmf/kernels/nmf-kernels.js';
import { createRandom } from '../../app/random.js';
import { createWasmKernels } from '../../native-workers/common/wasm-kernels.js';

/** Random nonnegative matrix in the backend's memory; a few exact zeros to exercise the ε rule. */
function random(kernels: NmfKernels, rows: number, cols: number, seed: number, zeros = 0): Matrix {
  const rand = createRandom(seed);
  const m = kernels.allocate(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rand() < zeros ? 0 : rand();
  return m;
}

function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const x of b) scale = Math.max(scale, Math.abs(x));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

const js = createJsKernels();
const wasm = createWasmKernels();

// Odd sizes on purpose: every vector loop has a tail, every block a remainder.
const SHAPES = [
  { m: 37, n: 53, r: 5 },
  { m: 64, n: 128, r: 8 },
  { m: 3, n: 7, r: 1 },
  { m: 129, n: 1031, r: 17 },
];

test('WebAssembly SIMD kernels are available in Node', () => {
  assert.ok(wasm, 'createWasmKernels returned null');
  assert.equal(wasm.name, 'wasm-simd');
});

for (const { m, n, r } of SHAPES) {
  test(`wasm kernels agree with the TypeScript reference (${m}×${n}, r=${r})`, () => {
    assert.ok(wasm);
    const mark = wasm.mark();
    const V = random(wasm, m, n, 1, 0.1);
    const W = random(wasm, m, r, 2);
    const H = random(wasm, r, n, 3);
    const G = random(wasm, r, r, 4);
    const pairs: [string, (k: NmfKernels) => Float32Array][] = [
      ['matmul W·H', (k) => { const o = k.allocate(m, n); k.matmul(W, H, o); return o.data.slice(); }],
      ['matmul G·H', (k) => { const o = k.allocate(r, n); k.matmul(G, H, o); return o.data.slice(); }],
      ['matmulTN WᵀV', (k) => { const o = k.allocate(r, n); k.matmulTN(W, V, o); return o.data.slice(); }],
      ['matmulTN WᵀW', (k) => { const o = k.allocate(r, r); k.matmulTN(W, W, o); return o.data.slice(); }],
      ['matmulNT VHᵀ', (k) => { const o = k.allocate(m, r); k.matmulNT(V, H, o); return o.data.slice(); }],
      ['matmulNT HHᵀ', (k) => { const o = k.allocate(r, r); k.matmulNT(H, H, o); return o.data.slice(); }],
      ['klNumeratorW', (k) => { const o = k.allocate(m, r); k.klNumeratorW(V, W, H, m - 1, o, false); return o.data.slice(); }],
      ['klNumeratorH', (k) => { const o = k.allocate(r, n); k.klNumeratorH(V, W, H, o); return o.data.slice(); }],
    ];
    for (const [name, run] of pairs) {
      const error = maxRelativeError(run(wasm), run(js));
      assert.ok(error < 2e-6, `${name}: relative error ${error}`);
    }
    // The frozen last row gets no numerator (its entries stay as they were: zero).
    const numW = wasm.allocate(m, r);
    wasm.klNumeratorW(V, W, H, m - 1, numW, false);
    assert.ok(numW.data.subarray((m - 1) * r).every((x) => x === 0));
    for (const [name, f] of [
      ['divergence', (k: NmfKernels) => k.klNumeratorW(V, W, H, m, k.allocate(m, r), true)],
      ['frobeniusLoss', (k: NmfKernels) => k.frobeniusLoss(V, W, H)],
    ] as const) {
      const a = f(wasm);
      const b = f(js);
      assert.ok(Math.abs(a - b) / b < 1e-5, `${name}: ${a} vs ${b}`);
    }
    wasm.release(mark);
  });
}

test('the KL coordinate-descent sweep agrees with the TypeScript reference, and lowers the objective', () => {
  assert.ok(wasm);
  for (const { m, n, r } of SHAPES) {
    for (const rescale of [true, false]) {
      const mark = wasm.mark();
      const V = random(wasm, m, n, 11, 0.1);
      const H = random(wasm, r, n, 13);
      const W0 = random(js, m, r, 12);
      const free = Int32Array.from({ length: r }, (_, t) => t).filter((t) => t !== 1 || r === 1);
      const params = { rows: m - 1, free, l1: 0.01, l2: 0.02, floor: 0, rescale };
      const wJs = createMatrix(m, r, W0.data.slice());
      const wWasm = wasm.allocate(m, r);
      wWasm.data.set(W0.data);
      js.cdKlSweep(V, wJs, H, params);
      wasm.cdKlSweep(V, wWasm, H, params);
      const scratch = js.allocate(m, r);
      const before = js.klNumeratorW(V, W0, H, 0, scratch, true);
      const afterJs = js.klNumeratorW(V, wJs, H, 0, scratch, true);
      const afterWasm = js.klNumeratorW(V, wWasm, H, 0, scratch, true);
      assert.ok(afterJs < before && afterWasm < before, `${m}×${n}: no progress (${before} → ${afterJs}, ${afterWasm})`);
      // The row of WH is float32 in WebAssembly and float64 in TypeScript: the Newton steps agree
      // to float32 rounding, not to the bit.
      assert.ok(maxRelativeError(wWasm.data, wJs.data) < 1e-4, `${m}×${n}: W differs by ${maxRelativeError(wWasm.data, wJs.data)}`);
      assert.ok(Math.abs(afterWasm - afterJs) <= 1e-5 * afterJs, `${m}×${n}: objective ${afterWasm} vs ${afterJs}`);
      // Fixed component 1 and the frozen last row are untouched.
      for (let i = 0; i < m; i++) if (r > 1) assert.equal(wWasm.data[i * r + 1], W0.data[i * r + 1]);
      for (let t = 0; t < r; t++) assert.equal(wWasm.data[(m - 1) * r + t], W0.data[(m - 1) * r + t]);
      wasm.release(mark);
    }
  }
});

test('a matrix from outside the arena is copied in, and an output copied back', () => {
  assert.ok(wasm);
  const a = createMatrix(3, 2, Float32Array.from([1, 2, 3, 4, 5, 6]));
  const b = createMatrix(2, 2, Float32Array.from([1, 0, 0, 1]));
  const out = createMatrix(3, 2);
  wasm.matmul(a, b, out);
  assert.deepEqual([...out.data], [1, 2, 3, 4, 5, 6]);
});

test('kernels reject mismatched shapes', () => {
  assert.ok(wasm);
  for (const k of [js, wasm]) {
    assert.throws(() => k.matmul(createMatrix(2, 3), createMatrix(2, 3), createMatrix(2, 3)), /shapes do not match/);
  }
});
