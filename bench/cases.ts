/**
 * What the benchmark runs: solver × loss cases, the backends that run them, and the flop count
 * that turns a time per iteration into an effective GFLOP/s.
 */
import { createWasmKernels, type KernelVariant } from '../native-workers/common/wasm-kernels.js';
import { createNodeKernelPool } from '../native-workers/node/node-kernel-pool.js';
import { warmUpKernels } from '../native-workers/common/warm-up.js';
import type { NmfKernels } from '../app/nmf/kernels/nmf-kernels.js';
import type { NmfLoss, ResolvedAlgorithm } from '../app/nmf/index.js';

export type BenchLoss = Extract<NmfLoss, 'frobenius' | 'kl'>;

export interface SolverCase {
  readonly loss: BenchLoss;
  readonly solver: ResolvedAlgorithm;
}

export const OUR_CASES: readonly SolverCase[] = [
  { loss: 'frobenius', solver: 'mu' },
  { loss: 'frobenius', solver: 'hals' },
  { loss: 'frobenius', solver: 'anls' },
  { loss: 'frobenius', solver: 'cd' },
  { loss: 'kl', solver: 'mu' },
  { loss: 'kl', solver: 'cd' },
];

/** scikit-learn's NMF: 'cd' solves the Frobenius loss only. */
export const SKLEARN_CASES: readonly SolverCase[] = [
  { loss: 'frobenius', solver: 'mu' },
  { loss: 'frobenius', solver: 'cd' },
  { loss: 'kl', solver: 'mu' },
];

/**
 * Nominal floating-point operations of one iteration, the same for every solver of a loss (ours and
 * scikit-learn's), so that GFLOP/s is "work of one reference iteration per second":
 * - Frobenius: 4mnr + 4(m+n)r² — the products every Frobenius solver forms (VHᵀ and WᵀV: 2mnr
 *   each; HHᵀ and WᵀW: 2nr² and 2mr²) plus one r×r-by-factor product per side (W·HHᵀ, WᵀW·H in MU;
 *   the coordinate sweeps in HALS and CD). Extra HALS inner sweeps and ANLS's pivoting are not
 *   counted, so those solvers show a lower rate for the same speed of arithmetic.
 * - KL: 8mnr — one MU-KL iteration: per half, WH (2mnr) and the ratio product (2mnr); the O(mn)
 *   divisions and logarithms are not counted. Used for KL-CD too (its Newton steps are O(mnr) per
 *   sweep with a larger, data-dependent constant).
 */
export function flopsPerIteration(loss: BenchLoss, m: number, n: number, r: number): number {
  return loss === 'frobenius' ? 4 * m * n * r + 4 * (m + n) * r * r : 8 * m * n * r;
}

/**
 * A compute backend. `kernels` undefined means the option is omitted from factorize(), i.e. the
 * pure-TypeScript default. Backends are created inside each case's child process (a WebAssembly
 * instance or a worker pool cannot cross processes), hence a factory.
 */
export interface Backend {
  readonly name: string;
  readonly create: () => Promise<NmfKernels | undefined>;
}

/**
 * Every backend the benchmark runs each case with (`--backend NAME` picks one). A new backend is
 * added here, as { name, create } where create() returns the NmfKernels that native-workers/
 * provides for it; the name should match its NmfKernels.name.
 */
export const BACKENDS: readonly Backend[] = [
  { name: 'js', create: async () => undefined },
  { name: 'wasm-simd', create: async () => createWasmKernels() ?? undefined },
  // The pool's helpers are the built compute worker (dist/): run `npm run build` first. Warmed up
  // as the app's spare compute worker does before a job arrives (native-workers/common/warm-up.ts).
  {
    name: 'wasm-simd×2',
    create: async () => {
      const kernels = (await createNodeKernelPool(2))?.kernels;
      if (kernels) warmUpKernels(kernels);
      return kernels;
    },
  },
];

/** What one case's child process reports (bench/run-case.ts and bench/sklearn-bench.py alike). */
export interface CaseResult {
  readonly workload: string;
  readonly loss: BenchLoss;
  readonly solver: ResolvedAlgorithm;
  /** 'js', … for ours; 'sklearn' for scikit-learn. */
  readonly backend: string;
  /** Median time of one iteration in the timing window, objective evaluations excluded (null: run too short). */
  readonly msPerIter: number | null;
  /** Time one objective evaluation added (ours: estimated, see run-case.ts; sklearn: measured, untimed). */
  readonly objectiveMsPerEval: number;
  /** Ours: ms from the factorize() call to its first iteration (input checks, copies, initial objective). */
  readonly setupMs?: number;
  /** Objective after `iteration` iterations, reached after `seconds` of iterating (objective time excluded). */
  readonly history: { readonly iteration: readonly number[]; readonly seconds: readonly number[]; readonly objective: readonly number[] };
  readonly finalObjective: number;
  readonly iterations: number;
  /** Maximum resident set size of the case's process. */
  readonly peakRssMB: number;
  /** The WebAssembly kernels' build a wasm backend ran (wasm-kernels.ts, kernelVariant). */
  readonly wasmBuild?: KernelVariant;
}

/** Per-iteration timing window: `warmup` iterations are skipped (JIT, caches), the next `timed` are timed. */
export interface TimingWindow {
  readonly warmup: number;
  readonly timed: number;
}
