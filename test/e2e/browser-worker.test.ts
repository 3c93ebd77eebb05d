import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { createMatrix } from '../../app/matrix.js';
import { factorize } from '../../app/nmf/factorize.js';
import { createWasmKernels } from '../../native-workers/common/wasm-kernels.js';
import { createRandom } from '../../app/random.js';
import { startServeSession } from './serve-harness.js';

// Chromium runs the relaxed-SIMD (FMA) build of the kernels; Node 20 has it behind a V8 flag, turned
// on here before any module is compiled so that both sides run the same build (bit-identical).
if (Number(process.versions.node.split('.')[0]) < 21) setFlagsFromString('--experimental-wasm-relaxed-simd');

// The compute worker's browser entry runs the same job body as the Node entry: factorize a
// matrix in a module Web Worker inside the page served by `nmf-studio serve`, with cancellation
// memory shared (the page is cross-origin isolated), and compare with the in-process result.

test('the browser Web Worker factorizes like the Node engine', async (t) => {
  const session = await startServeSession();
  t.after(() => session.close());
  const { page } = session;
  // The worker falls back to one thread (and says so with a warning) when its pool of nested helper
  // workers cannot start; the result would still match, so the warning is what shows the pool ran.
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  await page.goto(session.url);

  const random = createRandom(5);
  const rows = 24;
  const cols = 40;
  const data = Array.from({ length: rows * cols }, () => random() * 3);
  const options = { rank: 3, loss: 'kl' as const, maxIter: 80, seed: 17 };
  // The same WebAssembly kernels, on one thread here and across the worker's pool there.
  const local = factorize(createMatrix(rows, cols, Float32Array.from(data)), { ...options, kernels: createWasmKernels()! });

  const remote = await page.evaluate(
    ({ rows, cols, data, options }) =>
      new Promise<{ isolated: boolean; cores: number; W: number[]; H: number[]; objective: number; progress: number }>((resolve, reject) => {
        const worker = new Worker('/browser-worker.js', { type: 'module' });
        let progress = 0;
        worker.onerror = (e) => reject(new Error(e.message));
        worker.onmessage = (event: MessageEvent) => {
          const message = event.data as { type: string; output?: { output: { W: { data: Float32Array }; H: { data: Float32Array }; objective: number } }; message?: string };
          if (message.type === 'progress') progress++;
          else if (message.type === 'done' && message.output) {
            const o = message.output.output;
            resolve({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency, W: Array.from(o.W.data), H: Array.from(o.H.data), objective: o.objective, progress });
          } else reject(new Error(message.message));
        };
        worker.postMessage({ type: 'run', job: { kind: 'factorize', rows, cols, data: Float32Array.from(data), options }, cancelFlag: new SharedArrayBuffer(4) });
      }),
    { rows, cols, data, options },
  );
  assert.equal(remote.isolated, true, 'the page is cross-origin isolated (SharedArrayBuffer available)');
  assert.ok(remote.progress >= 1, 'progress messages arrived');
  assert.ok(Math.abs(remote.objective - local.objective) <= 1e-9 * local.objective, `objective ${remote.objective} vs ${local.objective}`);
  const maxDiff = (a: number[], b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
  assert.equal(maxDiff(remote.W, local.W.data), 0, 'W identical');
  assert.equal(maxDiff(remote.H, local.H.data), 0, 'H identical');
  assert.deepEqual(session.pageErrors, []);
  t.diagnostic(`${remote.cores} cores in the page: a pool of ${Math.min(16, remote.cores)} threads`);
  assert.deepEqual(warnings.filter((w) => /compute pool/.test(w)), [], 'the kernel pool started in the browser worker');
});
