/**
 * The Samson table of issue #6: every unmixing method × initialisation on the Samson benchmark
 * (../shared/data/hsi/samson/samson_gt.mat: Y 156 bands × 95·95 pixels with ground truth M, A;
 * Zhu 2017), scored by SAD per endmember after Hungarian matching, mean SAD and abundance RMSE
 * (app/hsi/unmixing-metrics.ts), with the wall time of each run.
 *
 *   node --import tsx test/samson-table.ts [--iters N] [--seed N] [--quick] [--only TEXT] [--json]
 *
 * Runs on one thread's WebAssembly SIMD kernels when available (as a worker without a pool would),
 * else the TypeScript ones.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readMatCube } from '../app/hsi/mat-cube.js';
import { unmixCube, type UnmixInit, type UnmixParams } from '../app/hsi/unmix.js';
import { scoreUnmixing } from '../app/hsi/unmixing-metrics.js';
import { createJsKernels } from '../app/nmf/kernels/js-kernels.js';
import { createWasmKernels } from '../native-workers/common/wasm-kernels.js';

const { values } = parseArgs({
  options: { iters: { type: 'string' }, seed: { type: 'string' }, quick: { type: 'boolean' }, json: { type: 'boolean' }, only: { type: 'string' } },
});
const path = new URL('../../shared/data/hsi/samson/samson_gt.mat', import.meta.url);
let bytes: Uint8Array;
try {
  bytes = readFileSync(path);
} catch {
  console.error(`samson-table: ${path.pathname} is missing (the shared data folder is not here)`);
  process.exit(1);
}
const { cube, groundTruth } = readMatCube(bytes, 'samson_gt.mat');
if (!groundTruth?.abundances) throw new Error('samson_gt.mat: no ground truth M and A');
const kernels = createWasmKernels() ?? createJsKernels();
const maxIter = values.iters ? Number(values.iters) : 300;
const seed = values.seed ? Number(values.seed) : 0;

interface Method {
  readonly name: string;
  readonly params: Partial<UnmixParams>;
  readonly inits: readonly UnmixInit[];
}
const all: readonly UnmixInit[] = ['vca', 'spa', 'nndsvd', 'random'];
const methods: Method[] = [
  { name: 'NMF (Frobenius)', params: { loss: 'frobenius' }, inits: all },
  { name: 'NMF (KL)', params: { loss: 'kl' }, inits: ['vca', 'random'] },
  { name: 'NMF + sum-to-one', params: { sumToOne: true }, inits: all },
  { name: 'NMF + sum-to-one (KL)', params: { loss: 'kl', sumToOne: true }, inits: ['vca'] },
  { name: 'L1/2 NMF (sparsity 0.01)', params: { sparsity: 0.01 }, inits: all },
  { name: 'L1/2 NMF (sparsity 0.003)', params: { sparsity: 0.003 }, inits: ['vca'] },
  { name: 'L1/2 NMF (sparsity 0.03)', params: { sparsity: 0.03 }, inits: ['vca'] },
  { name: 'min-vol NMF (min-volume 1)', params: { minVolume: 1 }, inits: all },
  { name: 'min-vol NMF (min-volume 0.3)', params: { minVolume: 0.3 }, inits: ['vca'] },
  { name: 'L1/2 + min-vol (0.01, 0.3)', params: { sparsity: 0.01, minVolume: 0.3 }, inits: ['vca'] },
];
const selected = methods
  .filter((m) => !values.only || m.name.toLowerCase().includes(values.only.toLowerCase()))
  .map((m) => (values.quick ? { ...m, inits: m.inits.slice(0, 1) } : m));

const names = ['Soil', 'Tree', 'Water'];
const rows: Record<string, unknown>[] = [];
if (!values.json) {
  console.log(`Samson (${cube.rows}×${cube.cols} pixels, ${cube.bands} bands), ${maxIter} iterations, seed ${seed}, kernels ${kernels.name}`);
  console.log(`| method | init | SAD ${names.join(' | SAD ')} (°) | mean SAD (°) | abundance RMSE | seconds |`);
  console.log(`|---|---|${names.map(() => '---:|').join('')}---:|---:|---:|`);
}
for (const method of selected) {
  for (const init of method.inits) {
    const params: UnmixParams = { endmembers: 3, loss: 'frobenius', maxIter, seed, init, estimateEndmembers: false, ...method.params };
    const started = performance.now();
    const out = unmixCube(cube, params, { kernels });
    const seconds = (performance.now() - started) / 1000;
    const score = scoreUnmixing({ endmembers: out.endmembers, abundances: out.abundances }, { endmembers: groundTruth.endmembers, abundances: groundTruth.abundances });
    const row = {
      method: method.name,
      init,
      sad: score.sadDegrees,
      meanSad: score.meanSadDegrees,
      rmse: score.abundances!.rmse,
      normalizedAbundances: score.abundances!.normalized,
      seconds,
    };
    rows.push(row);
    if (!values.json) {
      const rmse = `${row.rmse.toFixed(4)}${row.normalizedAbundances ? '*' : ''}`;
      console.log(`| ${row.method} | ${init} | ${row.sad.map((a) => a.toFixed(2)).join(' | ')} | ${row.meanSad.toFixed(2)} | ${rmse} | ${seconds.toFixed(2)} |`);
    }
  }
}
if (values.json) console.log(JSON.stringify({ maxIter, seed, kernels: kernels.name, rows }, null, 2));
else console.log('\n* abundances that do not sum to one (plain NMF) were divided by their pixel sum before scoring.');
