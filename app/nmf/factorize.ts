import { throwIfCancelled } from '../cancellation.js';
import { cloneMatrix, createMatrix, type Matrix } from '../matrix.js';
import { betaDivergence, lossToBeta, penaltyTerms } from './beta-divergence.js';
import { initialize } from './init/initialize.js';
import { createJsKernels } from './kernels/js-kernels.js';
import type { NmfKernels } from './kernels/nmf-kernels.js';
import type { NmfComponent, NmfOptions, NmfResult, ResolvedAlgorithm } from './nmf-types.js';
import { componentEnergies, normalizeFactors } from './postprocess.js';
import { createAnlsSolver } from './solvers/anls.js';
import { createCdSolver } from './solvers/cd.js';
import { createHalsSolver } from './solvers/hals.js';
import { createMuSolver } from './solvers/mu.js';
import type { NmfProblem, Penalties, SolverFactory } from './solvers/solver.js';
import { validateNonnegative } from './validate-input.js';

const SOLVERS: Readonly<Record<ResolvedAlgorithm, SolverFactory>> = {
  mu: createMuSolver,
  hals: createHalsSolver,
  anls: createAnlsSolver,
  cd: createCdSolver,
};

/** Default floor for updated entries (Gillis & Glineur 2008): tiny, but enough that no entry locks at 0. */
const DEFAULT_FLOOR = 1e-16;

/**
 * Nonnegative matrix factorization V (m×n) ≈ W (m×r) · H (r×n).
 *
 * The driver: it validates V, sets aside all-zero rows and columns (they are restored as zero
 * rows of W and zero columns of H: nothing can be learnt from them and they would only slow
 * the solvers down), initialises, builds the solver's problem (penalties, fixed parts, the
 * sum-to-one row), iterates with the stopping rules, then removes the scale ambiguity.
 *
 * Runs synchronously: callers that must stay responsive run it in a worker (native-workers/).
 * It checks `signal` every iteration and throws CancelledError when aborted; it reports progress
 * through `onProgress` at most every `progressIntervalMs` and once more at the end.
 */
export function factorize(v: Matrix, options: NmfOptions): NmfResult {
  const started = Date.now();
  validateNonnegative(v);
  const rank = options.rank;
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank must be a positive integer, got ${rank}`);
  if (rank > Math.min(v.rows, v.cols)) {
    throw new RangeError(`rank ${rank} exceeds min(rows, columns) = ${Math.min(v.rows, v.cols)} of the ${v.rows}×${v.cols} input`);
  }
  // Given factors are checked against V as given, before any all-zero row or column is set aside.
  const { initialW, initialH } = options;
  if (initialW && (initialW.rows !== v.rows || initialW.cols !== rank)) {
    throw new RangeError(`initial W is ${initialW.rows}×${initialW.cols}, expected ${v.rows}×${rank}`);
  }
  if (initialH && (initialH.rows !== rank || initialH.cols !== v.cols)) {
    throw new RangeError(`initial H is ${initialH.rows}×${initialH.cols}, expected ${rank}×${v.cols}`);
  }
  const kept = nonzeroRowsAndColumns(v);
  if (kept.rows.length === 0) throw new RangeError(`the ${v.rows}×${v.cols} input is all zeros: there is nothing to factorize`);
  const dropped = kept.rows.length < v.rows || kept.cols.length < v.cols;
  if (!dropped) return factorizeDense(v, options, started);
  if (rank > Math.min(kept.rows.length, kept.cols.length)) {
    throw new RangeError(
      `rank ${rank} exceeds min(rows, columns) = ${Math.min(kept.rows.length, kept.cols.length)} once the all-zero rows and columns are set aside`,
    );
  }
  const reduced = factorizeDense(gather(v, kept.rows, kept.cols), {
    ...options,
    initialW: initialW && gather(initialW, kept.rows, null),
    initialH: initialH && gather(initialH, null, kept.cols),
  }, started);
  const W = scatter(reduced.W, v.rows, rank, kept.rows, null);
  const H = scatter(reduced.H, rank, v.cols, null, kept.cols);
  return { ...reduced, W, H, droppedRows: v.rows - kept.rows.length, droppedColumns: v.cols - kept.cols.length };
}

function factorizeDense(v: Matrix, options: NmfOptions, started: number): NmfResult {
  const rank = options.rank;
  const [m, n] = [v.rows, v.cols];
  const loss = options.loss ?? 'frobenius';
  const beta = lossToBeta(loss, options.beta);
  const orthogonal = options.orthogonal ?? 'none';
  const algorithm = resolveAlgorithm(options.algorithm ?? 'auto', beta, orthogonal);
  const maxIter = options.maxIter ?? 200;
  const tol = options.tol ?? 1e-4;
  const checkEvery = Math.max(1, options.checkEvery ?? 10);
  const maxSeconds = options.maxSeconds ?? Infinity;
  const interval = options.progressIntervalMs ?? 100;
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new RangeError(`maxIter must be a nonnegative integer, got ${maxIter}`);
  if (!(tol >= 0)) throw new RangeError(`tol must be ≥ 0, got ${tol}`);
  if (!(maxSeconds > 0)) throw new RangeError(`maxSeconds must be > 0, got ${maxSeconds}`);

  // Initial factors: given ones win, the init method supplies the rest.
  const needInit = !options.initialW || !options.initialH;
  const method = options.init ?? (needInit ? 'random' : 'custom');
  if (method === 'custom' && needInit) throw new RangeError(`init 'custom' needs both initialW and initialH`);
  const start = needInit ? initialize(v, rank, method === 'custom' ? 'random' : method, options.seed ?? 0) : null;
  const W0 = options.initialW ? cloneMatrix(options.initialW) : start!.W;
  const H0 = options.initialH ? cloneMatrix(options.initialH) : start!.H;
  for (const [name, f] of [['W', W0], ['H', H0]] as const) validateNonnegative(f, `initial ${name}`);

  const penalties = scaledPenalties(options, m, n);
  const fixedWColumns = indexMask(options.fixedWColumns, rank, 'fixedWColumns');
  const fixedHRows = indexMask(options.fixedHRows, rank, 'fixedHRows');
  const sumToOne = options.sumToOneH ?? false;

  // Sum-to-one on H's columns by the augmented row (Heinz & Chang 2001, fully constrained least
  // squares): V gets a row δ·1ᵀ and W a frozen row δ·1ᵀ, so each column's misfit includes
  // δ²(1 − Σ_k H_kj)². δ is the RMS column norm of V: the constraint weighs as much as a
  // whole column's fit.
  const delta = sumToOne ? rmsColumnNorm(v) : 0;
  // V, W and H move into the kernels' memory (for WebAssembly: its shared linear memory, where the
  // pool's threads see them); everything allocated there is released when the run ends.
  const kernels = options.kernels ?? referenceKernels;
  const mark = kernels.mark();
  try {
    const into = (a: Matrix): Matrix => {
      const copy = kernels.allocate(a.rows, a.cols);
      copy.data.set(a.data);
      return copy;
    };
    const V = into(sumToOne ? appendRow(v, delta) : v);
    const W = into(sumToOne ? appendRow(W0, delta) : W0);
    const H = into(H0);
    const problem: NmfProblem = {
      V,
      W,
      H,
      kernels,
      beta,
      penalties,
      fixedWColumns,
      fixedHRows,
      frozenWRows: sumToOne ? 1 : 0,
      orthogonal,
      floor: options.floor ?? DEFAULT_FLOOR,
    };
    const solver = SOLVERS[algorithm](problem);

    const history: { iteration: number; objective: number }[] = [];
    let lastReport = -Infinity;
    let evaluationMs = 0;
    const evaluate = (): number => {
      const t = performance.now();
      const value = solver.objective();
      evaluationMs += performance.now() - t;
      return value;
    };
    const report = (iteration: number, objective: number, force: boolean): void => {
      const now = Date.now();
      if (!options.onProgress || (!force && now - lastReport < interval)) return;
      lastReport = now;
      options.onProgress({ iteration, maxIter, objective, elapsedSeconds: (now - started) / 1000, evaluationSeconds: evaluationMs / 1000 });
    };

    let objective = solver.objective();
    history.push({ iteration: 0, objective });
    options.onReady?.();
    const initial = objective;
    let previousCheck = objective;
    let iteration = 0;
    let stoppedBy: NmfResult['stoppedBy'] = 'maxIter';
    while (iteration < maxIter) {
      throwIfCancelled(options.signal);
      solver.iterate();
      iteration++;
      if (iteration % checkEvery === 0) {
        objective = evaluate();
        history.push({ iteration, objective });
        // Converged when the objective fell by less than tol × the initial one since the best
        // check so far. A rise is not convergence: an extrapolating solver (extrapolation.ts) may
        // overshoot between its restart tests and comes back below.
        const decrease = previousCheck - objective;
        if (tol > 0 && decrease >= 0 && decrease / initial < tol) {
          stoppedBy = 'tol';
          break;
        }
        previousCheck = Math.min(previousCheck, objective);
      }
      if ((Date.now() - started) / 1000 > maxSeconds) {
        stoppedBy = 'time';
        break;
      }
      report(iteration, objective, false);
    }

    solver.finish?.();
    // Out of the kernels' memory (released below) into plain arrays.
    let Wout = sumToOne ? dropLastRow(W) : cloneMatrix(W);
    let Hout = cloneMatrix(H);
    // The objective of the problem as posed (without the sum-to-one row), by its definition.
    const posed = sumToOne ? into(v) : V;
    objective = finalDivergence(kernels, posed, Wout, Hout, beta) + penaltyTerms(Wout, Hout, penalties);
    if (history[history.length - 1]!.iteration !== iteration || sumToOne) history.push({ iteration, objective });

    let components: NmfComponent[];
    const anyFixed = fixedWColumns.includes(1) || fixedHRows.includes(1);
    if ((options.normalize ?? true) && !sumToOne && !anyFixed) {
      // Scaling W's columns changes the L1/L2 penalty terms unless both factors are penalised
      // equally; report the objective of the returned factors either way.
      const normalized = normalizeFactors(Wout, Hout, { sort: true });
      Wout = normalized.W;
      Hout = normalized.H;
      components = normalized.energyShares.map((energyShare) => ({ energyShare }));
      if (penalties.l1W + penalties.l2W + penalties.l1H + penalties.l2H > 0) {
        objective = finalDivergence(kernels, posed, Wout, Hout, beta) + penaltyTerms(Wout, Hout, penalties);
      }
    } else {
      const energies = componentEnergies(Wout, Hout);
      const total = energies.reduce((a, b) => a + b, 0);
      components = energies.map((e) => ({ energyShare: total > 0 ? e / total : 1 / rank }));
    }
    report(iteration, objective, true);
    return {
      W: Wout,
      H: Hout,
      objective,
      iterations: iteration,
      loss,
      beta,
      algorithm,
      history,
      stoppedBy,
      seconds: (Date.now() - started) / 1000,
      components,
      droppedRows: 0,
      droppedColumns: 0,
    };
  } finally {
    kernels.release(mark);
  }
}

const referenceKernels = createJsKernels();

/** The β-divergence of the final factors, by the kernels where they have it (β = 2, β = 1). */
function finalDivergence(kernels: NmfKernels, V: Matrix, W: Matrix, H: Matrix, beta: number): number {
  if (beta === 2) return kernels.frobeniusLoss(V, W, H);
  if (beta === 1) return kernels.klNumeratorW(V, W, H, 0, kernels.allocate(V.rows, W.cols), true);
  return betaDivergence(V, W, H, beta);
}

/**
 * 'auto': the fastest solver that is correct for the loss, measured by time to a common target
 * (bench/compare-kl-solvers.ts; test/compare-with-sklearn.ts for the objectives):
 * - Frobenius: HALS (it reaches in 200 iterations what MU does not in thousands).
 * - KL: coordinate descent. Multiplicative updates are cheaper per iteration but stall: on the shared
 *   spectrogram (1025×776, r = 8) they got within 1% of the best objective in 0.4 s and never within
 *   0.1% in 600 iterations, where CD got within 0.01% in 2.6 s; on Samson (r = 3) and the synthetic
 *   spectrogram (1025×2600, r = 16) MU after 600 iterations was still 1.1% and 20% above CD.
 * - Every other β and orthogonal NMF: multiplicative updates, the only solver that supports them.
 */
export function resolveAlgorithm(requested: NmfOptions['algorithm'], beta: number, orthogonal: 'none' | 'W' | 'H'): ResolvedAlgorithm {
  if (requested === 'auto' || requested === undefined) {
    if (orthogonal !== 'none') return 'mu';
    if (beta === 2) return 'hals';
    if (beta === 1) return 'cd';
    return 'mu';
  }
  if (!(requested in SOLVERS)) throw new RangeError(`unknown algorithm '${String(requested)}'`);
  if ((requested === 'hals' || requested === 'anls') && beta !== 2) {
    throw new RangeError(`algorithm '${requested}' solves the Frobenius loss only (β = 2), not β = ${beta}; use 'mu' or 'auto'`);
  }
  if (requested === 'cd' && beta !== 2 && beta !== 1) {
    throw new RangeError(`algorithm 'cd' solves Frobenius and KL only, not β = ${beta}; use 'mu' or 'auto'`);
  }
  if (requested !== 'mu' && orthogonal !== 'none') throw new RangeError(`orthogonal NMF needs algorithm 'mu'`);
  return requested;
}

/** scikit-learn's `_compute_regularization`, with V m×n as W (m×r) H (r×n). */
function scaledPenalties(options: NmfOptions, m: number, n: number): Penalties {
  const alphaW = options.alphaW ?? 0;
  const alphaH = options.alphaH ?? alphaW;
  const l1Ratio = options.l1Ratio ?? 0;
  if (!(alphaW >= 0) || !(alphaH >= 0)) throw new RangeError(`alphaW and alphaH must be ≥ 0`);
  if (!(l1Ratio >= 0 && l1Ratio <= 1)) throw new RangeError(`l1Ratio must be in [0, 1], got ${l1Ratio}`);
  return {
    l1W: n * alphaW * l1Ratio,
    l2W: n * alphaW * (1 - l1Ratio),
    l1H: m * alphaH * l1Ratio,
    l2H: m * alphaH * (1 - l1Ratio),
  };
}

function indexMask(indices: readonly number[] | undefined, rank: number, name: string): Uint8Array {
  const mask = new Uint8Array(rank);
  for (const k of indices ?? []) {
    if (!Number.isInteger(k) || k < 0 || k >= rank) throw new RangeError(`${name}: component ${k} is not in 0..${rank - 1}`);
    mask[k] = 1;
  }
  return mask;
}

function nonzeroRowsAndColumns(v: Matrix): { rows: number[]; cols: number[] } {
  const rowHas = new Uint8Array(v.rows);
  const colHas = new Uint8Array(v.cols);
  for (let i = 0; i < v.rows; i++) {
    const off = i * v.cols;
    for (let j = 0; j < v.cols; j++) {
      if (v.data[off + j] !== 0) {
        rowHas[i] = 1;
        colHas[j] = 1;
      }
    }
  }
  const rows: number[] = [];
  const cols: number[] = [];
  rowHas.forEach((x, i) => x && rows.push(i));
  colHas.forEach((x, j) => x && cols.push(j));
  return { rows, cols };
}

/** The submatrix of the given rows and columns (null: all). */
function gather(a: Matrix, rows: readonly number[] | null, cols: readonly number[] | null): Matrix {
  const r = rows ?? Array.from({ length: a.rows }, (_, i) => i);
  const c = cols ?? Array.from({ length: a.cols }, (_, j) => j);
  const out = createMatrix(r.length, c.length);
  r.forEach((i, oi) => c.forEach((j, oj) => (out.data[oi * c.length + oj] = a.data[i * a.cols + j]!)));
  return out;
}

/** Inverse of gather: a rows×cols matrix of zeros with `a` placed at the given rows/columns. */
function scatter(a: Matrix, rows: number, cols: number, rowIndex: readonly number[] | null, colIndex: readonly number[] | null): Matrix {
  const out = createMatrix(rows, cols);
  for (let i = 0; i < a.rows; i++) {
    const oi = rowIndex ? rowIndex[i]! : i;
    for (let j = 0; j < a.cols; j++) out.data[oi * cols + (colIndex ? colIndex[j]! : j)] = a.data[i * a.cols + j]!;
  }
  return out;
}

function appendRow(a: Matrix, value: number): Matrix {
  const out = createMatrix(a.rows + 1, a.cols);
  out.data.set(a.data);
  out.data.fill(value, a.rows * a.cols);
  return out;
}

function dropLastRow(a: Matrix): Matrix {
  return createMatrix(a.rows - 1, a.cols, a.data.slice(0, (a.rows - 1) * a.cols));
}

function rmsColumnNorm(v: Matrix): number {
  let sum = 0;
  for (let i = 0; i < v.data.length; i++) sum += v.data[i]! * v.data[i]!;
  return Math.sqrt(sum / v.cols) || 1;
}
