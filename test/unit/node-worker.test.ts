import assert from 'node:assert/strict';
import { createWasmKernels } from '../../native-workers/common/wasm-kernels.js';
import { test } from 'node:test';
import { CancelledError } from '../../app/cancellation.js';
import { createMatrix } from '../../app/matrix.js';
import { factorize } from '../../app/nmf/factorize.js';
import { createRandom } from '../../app/random.js';
import { runInNodeWorker, startSpareNodeWorker } from '../../native-workers/node/run-in-node-worker.js';

// These run the bundled worker (dist/native-workers/node-worker.js): `npm test` builds it first.

function randomData(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => random() * 5);
}

for (const loss of ['frobenius', 'kl'] as const) {
  test(`${loss}: the worker path is bit-identical to the in-process path`, async () => {
    const data = randomData(30 * 50, 3);
    const options = { rank: 4, loss, maxIter: 60, seed: 9 };
    // In process on one thread's WebAssembly kernels; the worker splits them across its pool.
    const local = factorize(createMatrix(30, 50, data.slice()), { ...options, kernels: createWasmKernels()! });
    const progress: number[] = [];
    const remote = await runInNodeWorker(
      { kind: 'factorize', rows: 30, cols: 50, data: data.slice(), options },
      { onProgress: (p) => progress.push(p.iteration ?? -1) },
    );
    assert.equal(remote.kind, 'factorize');
    if (remote.kind !== 'factorize') return;
    assert.deepEqual(remote.output.W.data, local.W.data);
    assert.deepEqual(remote.output.H.data, local.H.data);
    assert.equal(remote.output.objective, local.objective);
    assert.ok(progress.length >= 1 && progress.at(-1) === local.iterations, 'progress reached the host');
  });
}

test('a running worker job is cancelled through the shared flag', async () => {
  const rows = 400;
  const cols = 400;
  const controller = new AbortController();
  let iterationsSeen = 0;
  const run = runInNodeWorker(
    { kind: 'factorize', rows, cols, data: randomData(rows * cols, 1), options: { rank: 8, maxIter: 1_000_000, tol: 0 } },
    {
      signal: controller.signal,
      // A grace period longer than the test timeout: only the worker's own check can end it.
      cancelGraceMs: 60_000,
      onProgress: (p) => {
        iterationsSeen = p.iteration ?? 0;
        if (iterationsSeen > 0) controller.abort();
      },
    },
  );
  await assert.rejects(run, CancelledError);
  assert.ok(iterationsSeen > 0 && iterationsSeen < 1_000_000);
});

test('an already-aborted signal never starts the job', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    runInNodeWorker({ kind: 'factorize', rows: 2, cols: 2, data: randomData(4, 1), options: { rank: 1 } }, { signal: controller.signal }),
    CancelledError,
  );
});

test('an error inside the worker reaches the host with its message', async () => {
  const data = randomData(16, 2);
  data[3] = Number.NaN;
  await assert.rejects(
    runInNodeWorker({ kind: 'factorize', rows: 4, cols: 4, data, options: { rank: 2 } }),
    /NaN entry at row 0, column 3/,
  );
});

test('a spare worker (pool started and warmed ahead) gives the same bits as a fresh one, and serves one job', async () => {
  const data = randomData(30 * 50, 5);
  const job = (): Parameters<typeof runInNodeWorker>[0] => ({ kind: 'factorize', rows: 30, cols: 50, data: data.slice(), options: { rank: 4, maxIter: 40, seed: 3 } });
  const fresh = await runInNodeWorker(job());
  const spare = startSpareNodeWorker();
  assert.equal(spare.alive, true);
  const warm = await runInNodeWorker(job(), {}, spare);
  if (fresh.kind !== 'factorize' || warm.kind !== 'factorize') throw new Error('factorize results expected');
  assert.deepEqual(warm.output.W.data, fresh.output.W.data);
  assert.deepEqual(warm.output.H.data, fresh.output.H.data);
  // Its thread ran that job and exited (a spare never used would wait for good); handing it over
  // again starts a fresh worker instead.
  await spare.exited;
  assert.equal(spare.alive, false);
  const again = await runInNodeWorker(job(), {}, spare);
  assert.equal(again.kind, 'factorize');
});

test('a spare that died while waiting is replaced by a fresh worker', async () => {
  const spare = startSpareNodeWorker();
  spare.terminate();
  await spare.exited;
  const out = await runInNodeWorker({ kind: 'factorize', rows: 4, cols: 5, data: randomData(20, 6), options: { rank: 2, maxIter: 5 } }, {}, spare);
  assert.equal(out.kind, 'factorize');
});
