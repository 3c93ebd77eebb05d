/**
 * One benchmark job in its own process, so that its peak RSS is its own. Started by run-bench.ts
 * with one JSON argument; prints one JSON line on stdout. Modes:
 *   {"mode":"idle"}                         the baseline: this process with every module loaded
 *   {"mode":"case", …CaseJob}               one solver × loss on one workload, one backend
 *   {"mode":"kernel", …KernelJob}           WᵀV and VHᵀ GFLOP/s on the audio-sized V
 */
// First: the V8 flags the CLI launcher sets (relaxed SIMD on Node 20, no WebAssembly dynamic tiering).
import '../native-workers/node/v8-flags.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../app/io/npy.js';
import { createMatrix, type Matrix } from '../app/matrix.js';
import { createJsKernels } from '../app/nmf/kernels/js-kernels.js';
import type { NmfKernels } from '../app/nmf/kernels/nmf-kernels.js';
import { factorize, type NmfOptions } from '../app/nmf/index.js';
import { kernelVariant } from '../native-workers/common/wasm-kernels.js';
import { createRandom } from '../app/random.js';
import { BACKENDS, type BenchLoss, type CaseResult, type TimingWindow } from './cases.js';
import type { ResolvedAlgorithm } from '../app/nmf/index.js';

export interface CaseJob extends TimingWindow {
  readonly mode: 'case';
  readonly dir: string;
  readonly workload: string;
  readonly rank: number;
  readonly loss: BenchLoss;
  readonly solver: ResolvedAlgorithm;
  readonly backend: string;
  readonly iterations: number;
  readonly checkEvery: number;
}

export interface KernelJob {
  readonly mode: 'kernel';
  readonly dir: string;
  readonly workload: string;
  readonly backend: string;
  readonly ranks: readonly number[];
}

/** The products the kernel benchmark times: WᵀV (matmulTN, the H update's) and VHᵀ (matmulNT, W's). */
export type KernelProduct = 'WtV' | 'VHt';

export interface KernelResult {
  readonly backend: string;
  readonly product: KernelProduct;
  readonly rank: number;
  readonly ms: number;
  readonly gflops: number;
}

type Job = CaseJob | KernelJob | { readonly mode: 'idle' };

/**
 * Reads a .npy this benchmark wrote ('<f4', C order, data at a 64-byte boundary) as a view of the
 * file's bytes rather than a second copy, so V costs its size once in the peak RSS, as np.load's
 * array does on the Python side. Anything else goes through the project's reader.
 */
function loadNpy(path: string): Matrix {
  const bytes = readFileSync(path);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + bytes.readUInt16LE(8)));
  const shape = /'descr': '<f4', 'fortran_order': False, 'shape': \((\d+), (\d+)\)/.exec(header);
  const start = bytes.byteOffset + 10 + bytes.readUInt16LE(8);
  if (!shape || start % 4 !== 0) return readNpy(bytes, path);
  const [rows, cols] = [Number(shape[1]), Number(shape[2])];
  return createMatrix(rows, cols, new Float32Array(bytes.buffer, start, rows * cols));
}

/** How long a backend may take to start (instantiate, spawn its pool) before its job fails. */
const BACKEND_START_MS = 60_000;

/**
 * The backend's kernels; undefined only for the default 'js' (option omitted). Any other backend
 * that cannot start here fails its job rather than quietly measuring the default under its name.
 */
async function kernelsOf(name: string): Promise<NmfKernels | undefined> {
  const backend = BACKENDS.find((b) => b.name === name);
  if (!backend) throw new Error(`unknown backend '${name}'`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`backend '${name}' did not start within ${BACKEND_START_MS / 1000} s`)), BACKEND_START_MS);
  });
  const kernels = await Promise.race([backend.create(), timeout]).finally(() => clearTimeout(timer));
  if (!kernels && name !== 'js') throw new Error(`backend '${name}' is not available here`);
  return kernels;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[sorted.length >> 1]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
}

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

async function runCase(job: CaseJob): Promise<CaseResult> {
  const V = loadNpy(join(job.dir, `${job.workload}.V.npy`));
  const W0 = loadNpy(join(job.dir, `${job.workload}.W0.npy`));
  const H0 = loadNpy(join(job.dir, `${job.workload}.H0.npy`));
  const kernels = await kernelsOf(job.backend);
  const { iterations: L, checkEvery: c } = job;
  // Completion time of each iteration and the objective evaluations' time until then: factorize()
  // calls onProgress after every iteration (interval 0), after that iteration's objective when it
  // evaluates one, with the seconds spent evaluating so far. The closing call repeats the last
  // iteration after the final objective, so only the first call per iteration counts.
  const done = new Float64Array(L + 1).fill(NaN);
  const evaluated = new Float64Array(L + 1).fill(NaN);
  let ready = NaN;
  const options: NmfOptions = {
    rank: job.rank,
    loss: job.loss,
    algorithm: job.solver,
    initialW: W0,
    initialH: H0,
    maxIter: L,
    tol: 0,
    checkEvery: c,
    normalize: false,
    floor: 0,
    progressIntervalMs: 0,
    onProgress: (p) => {
      if (!Number.isNaN(done[p.iteration]!)) return;
      done[p.iteration] = performance.now();
      evaluated[p.iteration] = (p.evaluationSeconds ?? 0) * 1000;
    },
    onReady: () => {
      ready = performance.now();
    },
    ...(kernels ? { kernels } : {}), // omitted for the default backend
  };
  const start = performance.now();
  const result = factorize(V, options);

  // Update time up to iteration k: from the first iteration (factorize's onReady), as scikit-learn's
  // side times only its update steps, less the objective evaluations so far (measured by factorize
  // around each one; a solver's own work, such as an extrapolating solver's restart tests, counts).
  // The setup before it (input checks, the copy of V into the kernels' memory, the initial
  // objective) is reported on its own as setupMs.
  const updateMs = (k: number): number => (k === 0 ? 0 : done[k]! - ready - evaluated[k]!);
  // ms/iter: the mean update time per iteration over the window (a mean, not a median: a solver
  // may do extra work every few iterations, and that is part of its cost).
  const [first, last] = [Math.max(1, job.warmup), Math.min(L, job.warmup + job.timed)];
  const msPerIter = last > first ? (updateMs(last) - updateMs(first)) / (last - first) : NaN;
  // What one evaluation costs: the measured total over the run, per evaluation.
  const evaluations = Math.floor(result.iterations / c);
  const objectiveMs = evaluations > 0 ? evaluated[result.iterations]! / evaluations : 0;

  const history = { iteration: [] as number[], seconds: [] as number[], objective: [] as number[] };
  for (const h of result.history) {
    const k = h.iteration;
    history.iteration.push(k);
    history.seconds.push(Math.max(0, updateMs(k)) / 1000);
    history.objective.push(h.objective);
  }
  return {
    workload: job.workload,
    loss: job.loss,
    solver: job.solver,
    backend: job.backend,
    msPerIter: Number.isFinite(msPerIter) ? msPerIter : null,
    objectiveMsPerEval: objectiveMs,
    setupMs: ready - start,
    history,
    finalObjective: result.objective,
    iterations: result.iterations,
    peakRssMB: peakRssMB(),
    ...(job.backend.startsWith('wasm') ? { wasmBuild: kernelVariant() ?? undefined } : {}),
  };
}

/**
 * Median times of WᵀV (r×n) and VHᵀ (m×r), each over repeats adding up to ≥ 0.3 s (at least 3)
 * after one warm-up call.
 */
async function runKernel(job: KernelJob): Promise<KernelResult[]> {
  const V0 = loadNpy(join(job.dir, `${job.workload}.V.npy`));
  // The default backend (no kernels option) is the reference kernels factorize() falls back to.
  const kernels = (await kernelsOf(job.backend)) ?? createJsKernels();
  const results: KernelResult[] = [];
  for (const r of job.ranks) {
    const mark = kernels.mark();
    // A backend reads and writes its own storage without copying (NmfKernels.allocate).
    const V = kernels.allocate(V0.rows, V0.cols);
    V.data.set(V0.data);
    const W = kernels.allocate(V0.rows, r);
    const H = kernels.allocate(r, V0.cols);
    const random = createRandom(r);
    for (let i = 0; i < W.data.length; i++) W.data[i] = random();
    for (let i = 0; i < H.data.length; i++) H.data[i] = random();
    const wtv = kernels.allocate(r, V0.cols);
    const vht = kernels.allocate(V0.rows, r);
    const products: [KernelProduct, () => void][] = [
      ['WtV', () => kernels.matmulTN(W, V, wtv)],
      ['VHt', () => kernels.matmulNT(V, H, vht)],
    ];
    for (const [product, run] of products) {
      run();
      const times: number[] = [];
      for (let total = 0; total < 300 || times.length < 3; total += times[times.length - 1]!) {
        const t = performance.now();
        run();
        times.push(performance.now() - t);
      }
      const ms = median(times);
      results.push({ backend: job.backend, product, rank: r, ms, gflops: (2 * V.rows * V.cols * r) / (ms * 1e6) });
    }
    kernels.release(mark);
  }
  return results;
}

const job = JSON.parse(process.argv[2] ?? '{"mode":"idle"}') as Job;
const output = job.mode === 'case' ? await runCase(job) : job.mode === 'kernel' ? await runKernel(job) : { peakRssMB: peakRssMB() };
// Exit explicitly: a backend's worker pool or instance must not keep the process (and the parent,
// which waits for it) alive once the result is out.
process.stdout.write(`${JSON.stringify(output)}\n`, () => process.exit(0));
