/**
 * `npm run bench [-- options]`: every solver × loss on the three seeded workloads, ours (each
 * backend in cases.ts) next to scikit-learn's, from the same V and the same random start; then a
 * table on stdout and the full results (objective histories included) as JSON in bench/results/.
 * See README.md, "Benchmarks". Each case runs in its own process (run-case.ts, sklearn-bench.py),
 * one at a time, so that timings do not compete and the peak RSS is the case's own.
 */
// First: the V8 flags the CLI launcher sets (relaxed SIMD on Node 20, no WebAssembly dynamic tiering).
import '../native-workers/node/v8-flags.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeNpy } from '../app/io/npy.js';
import { randomInit } from '../app/nmf/random-init.js';
import type { ResolvedAlgorithm } from '../app/nmf/index.js';
import { BACKENDS, OUR_CASES, SKLEARN_CASES, flopsPerIteration, type BenchLoss, type CaseResult, type SolverCase, type TimingWindow } from './cases.js';
import type { CaseJob, KernelJob, KernelProduct, KernelResult } from './run-case.js';
import { kernelVariant } from '../native-workers/common/wasm-kernels.js';
import { WORKLOADS, makeWorkload, type WorkloadSpec } from './workloads.js';
import { formatLargeCube, runLargeCube, type LargeCubeResult } from './large-cube.js';

const USAGE = `usage: npm run bench -- [--quick] [--backend NAME] [--workload NAME] [--iters N] [--check-every N] [--tolerance X] [--no-sklearn]
  --quick          audio only, 200 iterations, KL-CD left out: a few minutes on 2 cores
  --backend NAME   only this backend of ours (${BACKENDS.map((b) => b.name).join(', ')})
  --workload NAME  only this workload (${WORKLOADS.map((w) => w.name).join(', ')})
  --iters N        iterations per case; the target is the best objective any case reached (default 2000)
  --check-every N  objective evaluated every N iterations, N ≥ 3 (default 5)
  --tolerance X    target: objective ≤ best·(1 + X) (default 1e-4)
  --no-sklearn     skip scikit-learn
  --converge-all   every backend runs every iteration (hours); by default only the fastest backend
                   selected (the last listed) does, the others run their timing window only
  --no-large-cube  skip the 512×614×224 cube unmixed by the CLI (bench/large-cube.ts; not run with --quick)`;

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const SKLEARN_SCRIPT = join(here, 'sklearn-bench.py');
const KERNEL_RANKS = [4, 8, 16, 32];

const OPTIONS = {
  options: {
    quick: { type: 'boolean', default: false },
    backend: { type: 'string' },
    workload: { type: 'string' },
    iters: { type: 'string' },
    'check-every': { type: 'string' },
    tolerance: { type: 'string' },
    'no-sklearn': { type: 'boolean', default: false },
    'converge-all': { type: 'boolean', default: false },
    'no-large-cube': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
} as const;

/** parseArgs, with a usage message instead of a stack trace for an unknown or malformed option. */
function parseFlags() {
  try {
    return parseArgs({ options: OPTIONS.options });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return process.exit(2);
  }
}
const { values: flags } = parseFlags();
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const fail = (message: string): never => {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
};
const positiveInt = (text: string | undefined, fallback: number, min: number, name: string): number => {
  const value = text === undefined ? fallback : Number(text);
  return Number.isInteger(value) && value >= min ? value : fail(`${name} must be an integer ≥ ${min}`);
};

const quick = flags.quick;
const iterations = positiveInt(flags.iters, quick ? 200 : 2000, 1, '--iters');
// ≥ 3: run-case.ts times the iterations that neither evaluate the objective nor follow one.
const checkEvery = positiveInt(flags['check-every'], 5, 3, '--check-every');
/** The objective a case must reach: within this relative distance of the best any case reached. */
const tolerance = flags.tolerance === undefined ? 1e-4 : Number(flags.tolerance);
if (!(tolerance >= 0)) fail('--tolerance must be a number ≥ 0');
const window: TimingWindow = quick ? { warmup: 3, timed: 20 } : { warmup: 5, timed: 40 };
const backends = BACKENDS.filter((b) => flags.backend === undefined || b.name === flags.backend);
if (backends.length === 0) fail(`unknown backend '${flags.backend}'`);
const workloads = WORKLOADS.filter((w) => (flags.workload === undefined ? !quick || w.name === 'audio' : w.name === flags.workload));
if (workloads.length === 0) fail(`unknown workload '${flags.workload}'`);
const keep = (c: SolverCase): boolean => !(quick && c.loss === 'kl' && c.solver === 'cd'); // the slowest per iteration
const ourCases = OUR_CASES.filter(keep);
/**
 * What each case runs. Every backend × case × 2000 iterations would take hours (the plain-TypeScript
 * backend alone: 17–30× slower per iteration than WebAssembly), so by default only the fastest
 * backend selected — the last in BACKENDS, the pool over every core, which is what the app runs —
 * makes the convergence runs that give the time to target; the others run their timing window only
 * (ms/iter: the one-thread rate, and the TypeScript fallback's, in a shorter window of 1 + 5
 * iterations). KL-CD and ANLS cost 3–8 MU iterations each and need far fewer (each of their steps
 * solves its subproblem exactly or nearly: cd-kl.ts, anls.ts), so their convergence runs are a
 * quarter of the iterations; they are held to the same target (the best objective of any run) and
 * show 'not reached' if that is not enough. --converge-all restores every backend and case to every
 * iteration. With these, a full run takes about 35 minutes on 2 cores (README, Benchmarks).
 */
const JS_BACKEND = 'js';
const convergeAll = flags['converge-all'];
const converging = backends[backends.length - 1]!.name;
const JS_WINDOW: TimingWindow = { warmup: 1, timed: 5 };
const windowLength = (w: TimingWindow): number => w.warmup + w.timed;
const timingOnly = (backend: string): boolean =>
  !convergeAll && backend !== converging && backend !== 'sklearn' && windowLength(backend === JS_BACKEND ? JS_WINDOW : window) < iterations;
const windowOf = (backend: string): TimingWindow => (backend === JS_BACKEND && timingOnly(backend) ? JS_WINDOW : window);
/** KL-CD's and ANLS's shortened runs, never shorter than the timing window. */
const shortIterations = Math.min(iterations, Math.max(Math.ceil(iterations / 4), windowLength(window)));
const shortened = (c: SolverCase): boolean => !convergeAll && ((c.loss === 'kl' && c.solver === 'cd') || c.solver === 'anls') && shortIterations < iterations;
const iterationsOf = (backend: string, c: SolverCase): number => {
  if (timingOnly(backend)) return windowLength(windowOf(backend));
  return shortened(c) ? shortIterations : iterations;
};

interface PythonInfo {
  readonly sklearn: string;
  readonly numpy: string;
  readonly blas: string;
}

/** Runs one child job and parses its JSON line; the error text instead when it fails. */
function runChild<T>(command: string, args: readonly string[]): T | Error {
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (child.error) return child.error;
  if (child.status !== 0) return new Error(child.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as T;
}
const runOurs = <T>(job: object): T | Error => runChild<T>(process.execPath, [...process.execArgv, join(here, 'run-case.ts'), JSON.stringify(job)]);
const runPython = <T>(job: object): T | Error => runChild<T>(PYTHON, [SKLEARN_SCRIPT, JSON.stringify(job)]);

const started = performance.now();
const log = (text: string): void => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${text}`);
const load = loadavg()[0]!;
console.log(`NMF Studio benchmark — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, load ${load.toFixed(2)}`);
// Other processes on a 2-core machine take a share of the time that shows in every figure.
if (load > 0.5) console.log(`warning: the machine is busy (load average ${load.toFixed(2)}): timings will be slower and noisier`);
// Which build of the WebAssembly kernels this Node runs (the cases' processes get the same flags).
const wasmBuild = kernelVariant();
console.log(
  wasmBuild === 'relaxed-simd'
    ? 'WebAssembly kernels: relaxed-SIMD build (fused multiply-add)'
    : wasmBuild === 'simd'
      ? 'WebAssembly kernels: plain SIMD build (no relaxed SIMD in this Node: Node ≥ 22 has it, Node 20 with --experimental-wasm-relaxed-simd; see README, Benchmarks)'
      : 'WebAssembly kernels: not available here (no WebAssembly SIMD or SharedArrayBuffer)',
);

let python: PythonInfo | null = null;
if (!flags['no-sklearn']) {
  const info = runPython<PythonInfo>({ mode: 'info' });
  if (info instanceof Error) console.log('scikit-learn: not available');
  else python = info;
}
if (python) console.log(`scikit-learn ${python.sklearn}, numpy ${python.numpy}, BLAS: ${python.blas}`);

// Workloads: made once, passed to every runner as .npy (audio always: the kernel benchmark's V).
const dir = mkdtempSync(join(tmpdir(), 'nmf-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130)); // so that the exit handler cleans up
const needed = WORKLOADS.filter((w) => w.name === 'audio' || workloads.includes(w));
for (const spec of needed) {
  const V = makeWorkload(spec);
  const { W, H } = randomInit(V, spec.rank, 0);
  for (const [name, m] of [['V', V], ['W0', W], ['H0', H]] as const) writeFileSync(join(dir, `${spec.name}.${name}.npy`), writeNpy(m));
  log(`workload ${spec.name} ${spec.rows}×${spec.cols}, r=${spec.rank}: ${spec.description}`);
}

// Kernel micro-benchmark: WᵀV and VHᵀ on the audio-sized V.
const kernel: KernelResult[] = [];
for (const backend of backends) {
  const job: KernelJob = { mode: 'kernel', dir, workload: 'audio', backend: backend.name, ranks: KERNEL_RANKS };
  const result = runOurs<KernelResult[]>(job);
  if (result instanceof Error) log(`kernel ${backend.name} failed: ${result.message}`);
  else kernel.push(...result);
}
if (python) {
  const result = runPython<KernelResult[]>({ mode: 'kernel', dir, workload: 'audio', ranks: KERNEL_RANKS });
  if (result instanceof Error) log(`kernel numpy failed: ${result.message}`);
  else kernel.push(...result);
}
const PRODUCTS: readonly [KernelProduct, string][] = [['WtV', 'WᵀV'], ['VHt', 'VHᵀ']];
for (const [product, label] of PRODUCTS) {
  console.log(`\n${label}, V 1025×2600 float32 (GFLOP/s = 2·m·n·r / median time):`);
  for (const name of [...new Set(kernel.map((k) => k.backend))]) {
    const row = KERNEL_RANKS.map((r) => kernel.find((k) => k.backend === name && k.product === product && k.rank === r)).map((k) => (k ? `r=${k.rank}: ${k.gflops.toFixed(2)}` : '—'));
    console.log(`  ${name.padEnd(12)} ${row.join('   ')}`);
  }
}

// The plan, and its duration estimated from the product rates. Measured on the 2-core EPYC (one
// thread), an iteration costs its nominal flops at the WᵀV rate times about: Frobenius MU and CD
// 1.5, HALS 2.5, ANLS 4, KL-MU 2.2, KL-CD 8 (memory-bound on the hyperspectral shape, lighter on
// topics); the plain-TypeScript backend about 1 for every solver (its products dominate) but
// KL-CD 2; our objective evaluations add about a tenth. scikit-learn's iterations run at about a
// quarter of numpy's rate, and its untimed objective (float64, every check) costs about an
// iteration's time. Each case's process takes about 1.5 s to start and load its workload.
const plan: { spec: WorkloadSpec; c: SolverCase; backend: string }[] = [];
for (const spec of workloads) {
  for (const c of ourCases) for (const b of backends) plan.push({ spec, c, backend: b.name });
  if (python) for (const c of SKLEARN_CASES) plan.push({ spec, c, backend: 'sklearn' });
}
const rateOf = (backend: string): number => {
  const rates = kernel.filter((k) => k.backend === (backend === 'sklearn' ? 'numpy' : backend)).map((k) => k.gflops);
  const median = rates.sort((a, b) => a - b)[rates.length >> 1] ?? 1;
  return backend === 'sklearn' ? median / 4 : median;
};
const costFactor = (c: SolverCase, backend: string): number => {
  if (backend === 'sklearn') return 1 + 1 / checkEvery;
  if (backend === JS_BACKEND) return 1.1 * (c.loss === 'kl' && c.solver === 'cd' ? 2 : 1);
  const factors: Record<string, number> = { mu: 1.5, cd: 1.5, hals: 2.5, anls: 4 };
  return 1.1 * (c.loss === 'kl' ? (c.solver === 'cd' ? 8 : 2.2) : (factors[c.solver] ?? 2));
};
const CASE_START_S = 1.5;
const estimate = plan.reduce((sum, { spec, c, backend }) => {
  const flops = costFactor(c, backend) * iterationsOf(backend, c) * flopsPerIteration(c.loss, spec.rows, spec.cols, spec.rank);
  return sum + CASE_START_S + flops / (rateOf(backend) * 1e9);
}, 0);
const duration = (s: number): string => (s < 90 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`);
console.log(`\n${plan.length} cases × ${iterations} iterations; estimated ${duration(estimate)} (progress on stderr)`);

const baseline = { node: runOurs<{ peakRssMB: number }>({ mode: 'idle' }), python: python ? runPython<{ peakRssMB: number }>({ mode: 'idle' }) : null };
const baselineMB = (b: { peakRssMB: number } | Error | null): number | null => (b && !(b instanceof Error) ? b.peakRssMB : null);

const results: (CaseResult & { readonly gflops: number | null })[] = [];
const fixed = (x: number | null, digits: number): string => (x === null ? '—' : x.toFixed(digits));
const failures: string[] = [];
plan.forEach(({ spec, c, backend }, i) => {
  const label = `${spec.name} ${c.loss} ${c.solver} ${backend}`;
  log(`[${i + 1}/${plan.length}] ${label}`);
  const common = { dir, workload: spec.name, loss: c.loss, solver: c.solver, iterations: iterationsOf(backend, c), checkEvery, ...windowOf(backend) };
  const result =
    backend === 'sklearn'
      ? runPython<CaseResult>({ mode: 'case', ...common })
      : runOurs<CaseResult>({ mode: 'case', rank: spec.rank, backend, ...common } satisfies CaseJob);
  if (result instanceof Error) {
    failures.push(`${label}: ${result.message}`);
    log(`  failed: ${result.message}`);
    return;
  }
  const gflops = result.msPerIter === null ? null : flopsPerIteration(c.loss, spec.rows, spec.cols, spec.rank) / (result.msPerIter * 1e6);
  results.push({ ...result, gflops });
  log(`  ${fixed(result.msPerIter, 2)} ms/iter, objective ${result.finalObjective.toPrecision(7)}`);
});

// Targets: per workload and loss, the best objective any run reached, plus the tolerance.
const targets = workloads.flatMap((spec) =>
  (['frobenius', 'kl'] as const).flatMap((loss) => {
    const runs = results.filter((r) => r.workload === spec.name && r.loss === loss);
    if (runs.length === 0) return [];
    const best = Math.min(...runs.flatMap((r) => r.history.objective));
    return [{ workload: spec.name, loss, best, target: best * (1 + tolerance) }];
  }),
);
const reached = (r: CaseResult): { iterations: number; seconds: number } | null => {
  const t = targets.find((x) => x.workload === r.workload && x.loss === r.loss)!;
  const i = r.history.objective.findIndex((o) => o <= t.target);
  return i < 0 ? null : { iterations: r.history.iteration[i]!, seconds: r.history.seconds[i]! };
};

/**
 * Per workload and loss: seconds to the target of scikit-learn's default solver (NMF()'s 'cd' for
 * the Frobenius loss; 'mu' for KL, its only solver for β ≠ 2) next to our fastest case, and our
 * per-iteration time over scikit-learn's for each solver both have (best of our backends).
 */
function printNextToSklearn(): void {
  const sklearnDefault: Record<BenchLoss, ResolvedAlgorithm> = { frobenius: 'cd', kl: 'mu' };
  const lines: string[] = [];
  for (const t of targets) {
    const same = (r: CaseResult): boolean => r.workload === t.workload && r.loss === t.loss;
    const theirs = results.find((r) => same(r) && r.backend === 'sklearn' && r.solver === sklearnDefault[t.loss]);
    if (!theirs) continue;
    const theirHit = reached(theirs);
    const ours = results
      .filter((r) => same(r) && r.backend !== 'sklearn')
      .map((r) => ({ r, hit: reached(r) }))
      .filter((x): x is { r: CaseResult & { gflops: number | null }; hit: { iterations: number; seconds: number } } => x.hit !== null)
      .sort((a, b) => a.hit.seconds - b.hit.seconds)[0];
    const theirText = theirHit ? `${theirHit.seconds.toFixed(2)} s (${theirHit.iterations} iterations)` : 'not reached';
    const ourText = ours ? `${ours.r.solver} ${ours.r.backend} ${ours.hit.seconds.toFixed(2)} s (${ours.hit.iterations} iterations)` : 'not reached';
    // "2.0× faster" or "1.13× slower": a ratio below 1 printed as "faster" reads backwards.
    const speedup = theirHit && ours && ours.hit.seconds > 0 ? theirHit.seconds / ours.hit.seconds : null;
    const ratio = speedup === null ? '' : speedup >= 1 ? `: ours ${speedup.toFixed(2)}× faster` : `: ours ${(1 / speedup).toFixed(2)}× slower`;
    const perIteration = SKLEARN_CASES.filter((c) => c.loss === t.loss).flatMap((c) => {
      const sk = results.find((r) => same(r) && r.backend === 'sklearn' && r.solver === c.solver)?.msPerIter;
      const best = Math.min(...results.filter((r) => same(r) && r.backend !== 'sklearn' && r.solver === c.solver && r.msPerIter !== null).map((r) => r.msPerIter!));
      return sk && Number.isFinite(best) ? [`${c.solver} ${(best / sk).toFixed(2)}×`] : [];
    });
    lines.push(`  ${t.workload} ${t.loss}: scikit-learn ${sklearnDefault[t.loss]} ${theirText}; ours fastest ${ourText}${ratio}`);
    if (perIteration.length > 0) lines.push(`    per iteration, ours / scikit-learn's (best backend): ${perIteration.join(', ')}`);
  }
  if (lines.length > 0) console.log(`\ntime to target next to scikit-learn's default solver:\n${lines.join('\n')}`);
}

const header = ['workload', 'loss', 'solver', 'backend', 'ms/iter', 'GFLOP/s', 'iters→target', 's→target', 'peak RSS MB', 'objective at end'];
const rows = results.map((r) => {
  const hit = reached(r);
  const missed = timingOnly(r.backend) ? 'window only' : 'not reached';
  return [r.workload, r.loss, r.solver, r.backend, fixed(r.msPerIter, 2), fixed(r.gflops, 2), hit ? String(hit.iterations) : missed, hit ? hit.seconds.toFixed(2) : '—', r.peakRssMB.toFixed(0), r.finalObjective.toPrecision(7)];
});
const widths = header.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j]!.length)));
const line = (cells: readonly string[]): string => cells.map((cell, j) => (j < 4 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
rows.forEach((row) => console.log(line(row)));
console.log(`\ntarget: objective ≤ best·(1 + ${tolerance}), the best over every run of ${iterations} iterations; checked every ${checkEvery} iterations`);
for (const t of targets) console.log(`  ${t.workload} ${t.loss}: best ${t.best.toPrecision(7)}`);
if (results.some((r) => timingOnly(r.backend))) {
  const only = [...new Set(results.filter((r) => timingOnly(r.backend)).map((r) => r.backend))];
  console.log(`window only: ${only.join(', ')} ran their timing window (${only.map((b) => `${windowLength(windowOf(b))} iterations`).join(', ')}), ${converging} every iteration; --converge-all runs them all to the end (hours)`);
}
if (results.some((r) => shortened(r))) console.log(`KL-CD and ANLS ran ${shortIterations} iterations (each costs several MU iterations; --converge-all runs ${iterations})`);
printNextToSklearn();
console.log(`ms/iter: mean over iterations ${window.warmup + 1}–${Math.min(iterations, window.warmup + window.timed)}${timingOnly(JS_BACKEND) ? ` (${JS_BACKEND}: ${windowOf(JS_BACKEND).warmup + 1}–${windowOf(JS_BACKEND).warmup + windowOf(JS_BACKEND).timed})` : ''} without objective evaluations; s→target excludes them too (their cost: objectiveMsPerEval in the JSON)`);
// The two sides do not start the clock at the same place; say so next to the figures.
console.log(`s→target counts update steps only, on both sides; our setup before the first iteration (input checks, V copied into the kernels' memory, initial objective) is setupMs in the JSON`);
console.log(`peak RSS of an idle process: node+tsx ${baselineMB(baseline.node)?.toFixed(0) ?? '?'} MB, python+sklearn ${baselineMB(baseline.python)?.toFixed(0) ?? '—'} MB`);
for (const f of failures) console.log(`failed: ${f}`);
const otherBuilds = results.filter((r) => r.wasmBuild !== undefined && r.wasmBuild !== wasmBuild);
for (const r of otherBuilds) console.log(`note: ${r.workload} ${r.loss} ${r.solver} ${r.backend} ran the ${r.wasmBuild} build, not ${wasmBuild ?? 'none'}`);

// The issue's size requirement: a 280 MB cube through `nmf-studio unmix`, wall time and peak RSS.
let largeCube: LargeCubeResult | null = null;
if (!quick && !flags['no-large-cube']) {
  try {
    largeCube = runLargeCube(undefined, log);
    console.log(`\n${formatLargeCube(largeCube)}`);
  } catch (error) {
    failures.push(`large cube: ${error instanceof Error ? error.message : String(error)}`);
    console.log(`\nlarge cube failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const seconds = (performance.now() - started) / 1000;
const stamp = new Date().toISOString().replace(/:/g, '-').slice(0, 19);
const out = join(here, 'results', `bench-${stamp}.json`);
mkdirSync(dirname(out), { recursive: true });
const report = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? null, cores: cpus().length, node: process.version, wasmBuild, python, loadAtStart: load, loadAtEnd: loadavg()[0] },
  options: { quick, iterations, shortIterations: convergeAll ? iterations : shortIterations, converging: convergeAll ? 'all' : converging, checkEvery, window, jsWindow: windowOf(JS_BACKEND), backends: backends.map((b) => b.name), tolerance },
  workloads: workloads.map(({ name, rows: m, cols: n, rank, seed, description }) => ({ name, rows: m, cols: n, rank, seed, description })),
  baselineRssMB: { node: baselineMB(baseline.node), python: baselineMB(baseline.python) },
  kernel,
  targets,
  cases: results.map((r) => ({ ...r, target: reached(r) })),
  failures,
  largeCube,
  seconds,
};
writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);
console.log(`\nwrote ${out} — total ${duration(seconds)}`);
