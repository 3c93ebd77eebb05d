import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createMatrix } from '../../app/matrix.js';
import { factorize } from '../../app/nmf/index.js';
import { createRandom } from '../../app/random.js';
import { createKernelPool, splitRange, type HelperPort } from '../../native-workers/common/kernel-pool.js';
import { createWasmKernels } from '../../native-workers/common/wasm-kernels.js';
import { createNodeKernelPool } from '../../native-workers/node/node-kernel-pool.js';

// Needs the built compute worker (dist/native-workers/node-worker.js): `npm test` builds first.
const pool = await createNodeKernelPool(3);
after(() => pool?.close());

function randomMatrix(rows: number, cols: number, seed: number) {
  const rand = createRandom(seed);
  const m = createMatrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rand() < 0.05 ? 0 : rand();
  return m;
}

test('splitRange covers [0, total) with aligned boundaries', () => {
  for (const [total, parts, align] of [[100, 3, 8], [7, 4, 2], [1, 8, 8], [2600, 2, 8]] as const) {
    const chunks = splitRange(total, parts, align);
    assert.equal(chunks[0]![0], 0);
    assert.equal(chunks[chunks.length - 1]![1], total);
    for (let t = 1; t < chunks.length; t++) {
      assert.equal(chunks[t]![0], chunks[t - 1]![1]);
      assert.equal(chunks[t]![0] % align, 0);
      assert.ok(chunks[t]![0] > chunks[t - 1]![0]);
    }
  }
});

test('a pool of 3 threads gives bit-identical factorizations to one thread, for every solver', () => {
  assert.ok(pool, 'no kernel pool (WebAssembly SIMD or SharedArrayBuffer missing)');
  assert.equal(pool.kernels.name, 'wasm-simd×3');
  const single = createWasmKernels();
  assert.ok(single);
  const V = randomMatrix(67, 203, 5);
  for (const [loss, algorithm] of [['frobenius', 'mu'], ['frobenius', 'hals'], ['frobenius', 'anls'], ['frobenius', 'cd'], ['kl', 'mu'], ['kl', 'cd']] as const) {
    const options = { rank: 5, loss, algorithm, maxIter: 15, tol: 0, seed: 3 };
    const a = factorize(V, { ...options, kernels: pool.kernels });
    const b = factorize(V, { ...options, kernels: single });
    assert.deepEqual(a.W.data, b.W.data, `${loss}/${algorithm}: W differs`);
    assert.deepEqual(a.H.data, b.H.data, `${loss}/${algorithm}: H differs`);
    // Reductions store one sum per row and add them in row order (wasm-kernels.ts, rowSummed): the same bits too.
    assert.equal(a.objective, b.objective, `${loss}/${algorithm}: objective differs`);
    assert.ok(b.objective < b.history[0]!.objective, `${loss}/${algorithm} made no progress`);
  }
});

test('a helper that never answers fails the call with a clear error instead of hanging, and stops the pool', async () => {
  // Helpers that say 'ready' and then never serve a call: a dead or hung worker.
  let terminated = 0;
  const silent = (): HelperPort => {
    let listener: (message: unknown) => void = () => {};
    return {
      post: () => setTimeout(() => listener('ready'), 0),
      onMessage: (l) => {
        listener = l;
      },
      terminate: () => {
        terminated++;
      },
    };
  };
  const stuck = await createKernelPool(2, silent, { helperTimeoutMs: 300 });
  assert.ok(stuck, 'WebAssembly SIMD is available here');
  // Big enough (4 MFLOP) to be split: smaller products run on the calling thread alone.
  const w = randomMatrix(256, 8, 1);
  const v = randomMatrix(256, 1024, 2);
  const out = stuck.kernels.allocate(8, 1024);
  const [a, b] = [stuck.kernels.allocate(256, 8), stuck.kernels.allocate(256, 1024)];
  a.data.set(w.data);
  b.data.set(v.data);
  assert.throws(() => stuck.kernels.matmulTN(a, b, out), /kernel matmul_tn: 1 helper thread\(s\) did not finish within 0.3 s; the thread pool was stopped/);
  assert.equal(terminated, 1, 'the helper was terminated');
  assert.throws(() => stuck.kernels.matmulTN(a, b, out), /thread pool was stopped/, 'later calls fail at once');
});
