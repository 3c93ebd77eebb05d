import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { createMatrix, type Matrix } from '../../app/matrix.js';
import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import type { NmfKernels } from '../../app/nmf/kernels/nmf-kernels.js';
import { factorize } from '../../app/nmf/index.js';
import { createRandom } from '../../app/random.js';
import { splitRunner } from '../split-runner.js';
import {
  KERNEL_VARIANTS,
  createWasmKernels,
  kernelModuleOf,
  kernelVariant,
} from '../../native-workers/common/wasm-kernels.js';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../../native-workers/wasm/kernels-wasm.generated.js';

// Node 20 has relaxed SIMD behind a V8 flag (Node 21+ ship it on). It is turned on here, before
// any module is compiled (they compile on first use), so that both builds of the kernels are
// tested on every supported Node. Only this test process is affected.
if (Number(process.versions.node.split('.')[0]) < 21) setFlagsFromString('--experimental-wasm-relaxed-simd');

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

/** Both builds, each with its kernels on one thread (null where this Node cannot run it). */
const builds = KERNEL_VARIANTS.map((variant) => ({ variant, kernels: createWasmKernels({ variant }) }));


// Odd sizes on purpose: every vector loop has a tail, every block a remainder.
const SHAPES = [
  { m: 37, n: 53, r: 5 },
  { m: 64, n: 128, r: 8 },
  { m: 3, n: 7, r: 1 },
  { m: 129, n: 1031, r: 17 },
];

/** Every product and fused kernel of `k` on the same inputs (allocated in `k`), outputs copied out. */
function everyKernel(k: NmfKernels, m: number, n: number, r: number): [string, Float32Array | number][] {
  const V = random(k, m, n, 1, 0.1);
  const W = random(k, m, r, 2);
  const H = random(k, r, n, 3);
  const G = random(k, r, r, 4);
  const out = (rows: number, cols: number, f: (o: Matrix) => void): Float32Array => {
    const o = k.allocate(rows, cols);
    f(o);
    return o.data.slice();
  };
  return [
    ['matmul W·H', out(m, n, (o) => k.matmul(W, H, o))],
    ['matmul G·H', out(r, n, (o) => k.matmul(G, H, o))],
    ['matmulTN WᵀV', out(r, n, (o) => k.matmulTN(W, V, o))],
    ['matmulTN WᵀW', out(r, r, (o) => k.matmulTN(W, W, o))],
    ['matmulNT VHᵀ', out(m, r, (o) => k.matmulNT(V, H, o))],
    ['matmulNT HHᵀ', out(r, r, (o) => k.matmulNT(H, H, o))],
    ['klNumeratorW', out(m, r, (o) => k.klNumeratorW(V, W, H, m - 1, o, false))],
    ['klNumeratorH', out(r, n, (o) => k.klNumeratorH(V, W, H, o))],
    ['divergence', k.klNumeratorW(V, W, H, m, k.allocate(m, r), true)],
    ['frobeniusLoss', k.frobeniusLoss(V, W, H)],
  ];
}

test('WebAssembly SIMD kernels are available in Node, both builds', () => {
  assert.ok(wasm, 'createWasmKernels returned null');
  assert.equal(wasm.name, 'wasm-simd');
  for (const { variant, kernels } of builds) assert.ok(kernels && kernelModuleOf(variant), `the ${variant} build does not run here`);
  // The default is the fused build wherever the engine accepts it.
  assert.equal(kernelVariant(), 'relaxed-simd');
});

test('the relaxed-SIMD build fuses its multiply-adds and the plain build has no relaxed operation', () => {
  // f32x4.relaxed_madd is opcode 0xfd 0x105 (LEB128: fd 85 02), relaxed-simd proposal's
  // Overview.md; the plain module must validate without the feature.
  const count = (base64: string): number => {
    const bytes = Buffer.from(base64, 'base64');
    let n = 0;
    for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02) n++;
    return n;
  };
  assert.ok(count(KERNELS_RELAXED_WASM_BASE64) >= 30, `only ${count(KERNELS_RELAXED_WASM_BASE64)} relaxed_madd in the relaxed build`);
  assert.equal(count(KERNELS_WASM_BASE64), 0);
});

for (const { variant, kernels: wasmBuild } of builds) {
  for (const { m, n, r } of SHAPES) {
    test(`${variant} kernels agree with the TypeScript reference (${m}×${n}, r=${r})`, () => {
      assert.ok(wasmBuild);
      const mark = wasmBuild.mark();
      const ours = everyKernel(wasmBuild, m, n, r);
      const reference = everyKernel(js, m, n, r);
      for (let e = 0; e < ours.length; e++) {
        const [name, a] = ours[e]!;
        const b = reference[e]![1];
        if (typeof a === 'number' && typeof b === 'number') {
          assert.ok(Math.abs(a - b) / b < 1e-5, `${name}: ${a} vs ${b}`);
        } else {
          const error = maxRelativeError(a as Float32Array, b as Float32Array);
          assert.ok(error < 2e-6, `${name}: relative error ${error}`);
        }
      }
      // The frozen last row gets no numerator (its entries stay as they were: zero).
      const numW = wasmBuild.allocate(m, r);
      wasmBuild.klNumeratorW(random(wasmBuild, m, n, 1, 0.1), random(wasmBuild, m, r, 2), random(wasmBuild, r, n, 3), m - 1, numW, false);
      assert.ok(numW.data.subarray((m - 1) * r).every((x) => x === 0));
      wasmBuild.release(mark);
    });
  }

  test(`${variant}: a call split into ranges as a pool splits it gives the same bits`, () => {
    assert.ok(wasmBuild);
    const split = createWasmKernels({ variant, makeRunner: splitRunner(3) });
    assert.ok(split);
    for (const { m, n, r } of SHAPES) {
      const whole = everyKernel(wasmBuild, m, n, r);
      const parts = everyKernel(split, m, n, r);
      for (let e = 0; e < whole.length; e++) {
        const [name, a] = whole[e]!;
        assert.deepEqual(parts[e]![1], a, `${variant} ${name} (${m}×${n}, r=${r}) depends on the split`);
      }
    }
    // And whole factorizations, every solver (the KL sweep included).
    const V = createMatrix(41, 67, random(js, 41, 67, 8, 0.05).data);
    for (const [loss, algorithm] of [['frobenius', 'mu'], ['frobenius', 'hals'], ['frobenius', 'cd'], ['kl', 'mu'], ['kl', 'cd']] as const) {
      const options = { rank: 4, loss, algorithm, maxIter: 12, tol: 0, seed: 2 };
      const a = factorize(V, { ...options, kernels: split });
      const b = factorize(V, { ...options, kernels: wasmBuild });
      assert.deepEqual(a.W.data, b.W.data, `${variant} ${loss}/${algorithm}: W differs`);
      assert.deepEqual(a.H.data, b.H.data, `${variant} ${loss}/${algorithm}: H differs`);
    }
  });

  test(`${variant}: the KL coordinate-descent sweep agrees with the TypeScript reference, and lowers the objective`, () => {
    assert.ok(wasmBuild);
    for (const { m, n, r } of SHAPES) {
      for (const rescale of [true, false]) {
        const mark = wasmBuild.mark();
        const V = random(wasmBuild, m, n, 11, 0.1);
        const H = random(wasmBuild, r, n, 13);
        const W0 = random(js, m, r, 12);
        const free = Int32Array.from({ length: r }, (_, t) => t).filter((t) => t !== 1 || r === 1);
        const params = { rows: m - 1, free, l1: 0.01, l2: 0.02, floor: 0, rescale };
        const wJs = createMatrix(m, r, W0.data.slice());
        const wWasm = wasmBuild.allocate(m, r);
        wWasm.data.set(W0.data);
        js.cdKlSweep(V, wJs, H, params);
        wasmBuild.cdKlSweep(V, wWasm, H, params);
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
        wasmBuild.release(mark);
      }
    }
  });
}

test('the two builds factorize alike (to float32 rounding)', () => {
  const [relaxed, plain] = builds.map((b) => b.kernels);
  assert.ok(relaxed && plain);
  const V = createMatrix(50, 80, random(js, 50, 80, 21, 0.05).data);
  for (const loss of ['frobenius', 'kl'] as const) {
    const options = { rank: 5, loss, algorithm: 'mu' as const, maxIter: 30, tol: 0, seed: 4 };
    const a = factorize(V, { ...options, kernels: relaxed });
    const b = factorize(V, { ...options, kernels: plain });
    assert.ok(Math.abs(a.objective - b.objective) <= 1e-5 * b.objective, `${loss}: objective ${a.objective} vs ${b.objective}`);
    assert.ok(maxRelativeError(a.W.data, b.W.data) < 1e-3, `${loss}: W differs by ${maxRelativeError(a.W.data, b.W.data)}`);
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
    // The fused kernels too: W with more columns than H has rows would read past H.
    const V = createMatrix(4, 5);
    const W = createMatrix(4, 3);
    const H2 = createMatrix(2, 5);
    assert.throws(() => k.frobeniusLoss(V, W, H2), /kernel frobeniusLoss: shapes do not match/, k.name);
    assert.throws(() => k.klNumeratorW(V, W, H2, 4, createMatrix(4, 3), true), /kernel klNumeratorW: shapes do not match/, k.name);
    assert.throws(() => k.klNumeratorH(V, W, H2, createMatrix(3, 5)), /kernel klNumeratorH: shapes do not match/, k.name);
    assert.throws(() => k.klNumeratorW(V, W, createMatrix(3, 5), 4, createMatrix(3, 3), false), /klNumeratorW: shapes do not match/, k.name);
  }
});
