import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createMatrix } from '../../app/matrix.js';
import { factorize } from '../../app/nmf/index.js';
import { createRandom } from '../../app/random.js';
import { splitRange } from '../../native-workers/common/kernel-pool.js';
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
