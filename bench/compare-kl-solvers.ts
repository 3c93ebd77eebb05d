/**
 * `node --import tsx bench/compare-kl-solvers.ts`: which KL solver should `algorithm: 'auto'` pick?
 * Multiplicative updates against coordinate descent, each on every kernel backend, from the same start,
 * on real data (the shared spectrogram and Samson cube) and the benchmark's synthetic workloads.
 * Reports per run the seconds to reach a common target (the best objective any run reached after
 * `--iters` iterations, plus a relative 1e-4 … 1e-2 slack) and the objective at the end. The
 * objective is evaluated every 5 iterations in every run, so its cost is counted alike.
 */
import { readFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeWav } from '../app/audio/wav-codec.js';
import { magnitude, stft } from '../app/audio/stft.js';
import { readGeoTiff } from '../app/hsi/geotiff-reader.js';
import { cubeToMatrix } from '../app/hsi/cube.js';
import { factorize, type ResolvedAlgorithm } from '../app/nmf/index.js';
import type { Matrix } from '../app/matrix.js';
import type { NmfKernels } from '../app/nmf/kernels/nmf-kernels.js';
import { BACKENDS } from './cases.js';
import { WORKLOADS, makeWorkload } from './workloads.js';

const USAGE = 'usage: node --import tsx bench/compare-kl-solvers.ts [--iters N] [--data DIR] [--only TEXT]';
const usageError = (message: string): never => {
  console.error(`${message}\n${USAGE}`);
  return process.exit(2);
};
const parseFlags = () => {
  try {
    return parseArgs({ options: { iters: { type: 'string' }, data: { type: 'string' }, only: { type: 'string' } } });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
};
const { values } = parseFlags();
const iters = Number(values.iters ?? 200);
if (!(Number.isInteger(iters) && iters >= 1)) usageError(`--iters must be an integer ≥ 1, got '${values.iters}'`);
const shared = values.data ?? '../shared/data';

interface Problem { readonly name: string; readonly V: Matrix; readonly rank: number }

async function problems(): Promise<Problem[]> {
  const list: Problem[] = [];
  const wav = `${shared}/audio/clarinet_guitar/mix.wav`;
  if (existsSync(wav)) {
    const audio = decodeWav(new Uint8Array(readFileSync(wav)), wav);
    list.push({ name: 'spectrogram clarinet_guitar r=8', V: magnitude(stft(audio.channels[0]!)), rank: 8 });
  }
  const tif = `${shared}/hsi/samson/samson_1.tif`;
  if (existsSync(tif)) {
    const bytes = readFileSync(tif);
    const cube = await readGeoTiff(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), tif);
    const V = cubeToMatrix(cube);
    for (let i = 0; i < V.data.length; i++) if (!(V.data[i]! > 0)) V.data[i] = 0;
    list.push({ name: 'Samson r=3', V, rank: 3 });
  }
  for (const spec of WORKLOADS.filter((w) => w.name !== 'topics')) {
    list.push({ name: `synthetic ${spec.name} ${spec.rows}×${spec.cols} r=${spec.rank}`, V: makeWorkload(spec), rank: spec.rank });
  }
  return values.only ? list.filter((p) => p.name.includes(values.only!)) : list;
}

interface Run { readonly label: string; readonly trace: { s: number; objective: number }[]; readonly final: number }

function run(problem: Problem, algorithm: ResolvedAlgorithm, kernels: NmfKernels | undefined, label: string): Run {
  const trace: { s: number; objective: number }[] = [];
  const started = performance.now();
  const result = factorize(problem.V, {
    rank: problem.rank, loss: 'kl', algorithm, maxIter: iters, tol: 0, seed: 0, checkEvery: 5, kernels, normalize: false,
    progressIntervalMs: 0,
    onProgress: (p) => trace.push({ s: (performance.now() - started) / 1000, objective: p.objective }),
  });
  return { label, trace, final: result.objective };
}

const backends: { name: string; kernels: NmfKernels | undefined }[] = [];
for (const b of BACKENDS) {
  const kernels = await b.create();
  // A backend that cannot start here is left out, not measured as the TypeScript default under its name.
  if (kernels || b.name === 'js') backends.push({ name: b.name, kernels });
  else console.error(`backend '${b.name}' is not available here: left out`);
}

for (const problem of await problems()) {
  console.log(`\n${problem.name} (${problem.V.rows}×${problem.V.cols}), ${iters} iterations`);
  const runs: Run[] = [];
  for (const b of backends) {
    // TypeScript multiplicative updates are far behind every other run: left out.
    if (b.name !== 'js') runs.push(run(problem, 'mu', b.kernels, `mu ${b.name}`));
    runs.push(run(problem, 'cd', b.kernels, `cd ${b.name}`));
  }
  const best = Math.min(...runs.map((r) => r.final));
  const slacks = [1e-2, 1e-3, 1e-4];
  console.log(['run', 'final objective', ...slacks.map((x) => `s→best·(1+${x})`)].join('\t'));
  for (const r of runs) {
    const times = slacks.map((x) => r.trace.find((t) => t.objective <= best * (1 + x))?.s.toFixed(2) ?? '—');
    console.log([r.label, r.final.toPrecision(7), ...times].join('\t'));
  }
}
process.exit(0);
