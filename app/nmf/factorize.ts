import { throwIfCancelled } from '../cancellation.js';
import { cloneMatrix, type Matrix } from '../matrix.js';
import { createFrobeniusState, frobeniusIteration } from './mu-frobenius.js';
import { createKlState, klDivergence, klIteration } from './mu-kl.js';
import type { NmfOptions, NmfResult } from './nmf-types.js';
import { randomInit } from './random-init.js';
import { validateNonnegative } from './validate-input.js';

/**
 * Nonnegative matrix factorization V (m×n) ≈ W (m×r) · H (r×n) by multiplicative updates.
 *
 * Runs synchronously: callers that must stay responsive run it in a worker (native-workers/).
 * It checks `signal` every iteration and throws CancelledError when aborted; it reports progress
 * through `onProgress` at most every `progressIntervalMs` and once more at the end.
 */
export function factorize(v: Matrix, options: NmfOptions): NmfResult {
  const started = Date.now();
  const rank = options.rank;
  const loss = options.loss ?? 'frobenius';
  const maxIter = options.maxIter ?? 200;
  const tol = options.tol ?? 1e-4;
  const checkEvery = Math.max(1, options.checkEvery ?? 10);
  const interval = options.progressIntervalMs ?? 100;
  validateNonnegative(v);
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank must be a positive integer, got ${rank}`);
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new RangeError(`maxIter must be a nonnegative integer, got ${maxIter}`);

  const init = options.initialW && options.initialH ? null : randomInit(v, rank, options.seed ?? 0);
  const W = options.initialW ? cloneMatrix(options.initialW) : init!.W;
  const H = options.initialH ? cloneMatrix(options.initialH) : init!.H;
  if (W.rows !== v.rows || W.cols !== rank) throw new RangeError(`initial W is ${W.rows}×${W.cols}, expected ${v.rows}×${rank}`);
  if (H.rows !== rank || H.cols !== v.cols) throw new RangeError(`initial H is ${H.rows}×${H.cols}, expected ${rank}×${v.cols}`);

  const history: { iteration: number; objective: number }[] = [];
  let lastReport = -Infinity;
  const report = (iteration: number, objective: number, force: boolean): void => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastReport < interval)) return;
    lastReport = now;
    options.onProgress({ iteration, maxIter, objective, elapsedSeconds: (now - started) / 1000 });
  };

  let iteration = 0;
  let stoppedBy: NmfResult['stoppedBy'] = 'maxIter';
  let objective: number;

  if (loss === 'frobenius') {
    const state = createFrobeniusState(v, H);
    objective = initialFrobenius(v, W, H, state.normV2);
    history.push({ iteration: 0, objective });
    const initial = objective;
    let previousCheck = objective;
    while (iteration < maxIter) {
      throwIfCancelled(options.signal);
      objective = frobeniusIteration(v, W, H, state);
      iteration++;
      if (iteration % checkEvery === 0 || iteration === maxIter) {
        history.push({ iteration, objective });
        if (tol > 0 && iteration % checkEvery === 0 && (previousCheck - objective) / initial < tol) {
          stoppedBy = 'tol';
          break;
        }
        previousCheck = objective;
      }
      report(iteration, objective, false);
    }
  } else if (loss === 'kl') {
    const state = createKlState(v, rank);
    objective = klDivergence(v, W, H, state);
    history.push({ iteration: 0, objective });
    const initial = objective;
    let previousCheck = objective;
    while (iteration < maxIter) {
      throwIfCancelled(options.signal);
      // The W pass yields the divergence of the iterate it starts from: ask for it when the
      // previous iteration was a check point.
      const evaluated = klIteration(v, W, H, state, iteration > 0 && iteration % checkEvery === 0);
      if (!Number.isNaN(evaluated)) {
        objective = evaluated;
        history.push({ iteration, objective });
        if (tol > 0 && (previousCheck - objective) / initial < tol) {
          stoppedBy = 'tol';
          // This iteration already moved past the checked iterate; count it.
          iteration++;
          objective = klDivergence(v, W, H, state);
          break;
        }
        previousCheck = objective;
      }
      iteration++;
      report(iteration, objective, false);
    }
    if (stoppedBy === 'maxIter') {
      objective = klDivergence(v, W, H, state);
      if (history[history.length - 1]!.iteration !== iteration) history.push({ iteration, objective });
    }
  } else {
    throw new RangeError(`unknown loss '${String(loss)}'`);
  }
  report(iteration, objective, true);
  return { W, H, objective, iterations: iteration, loss, algorithm: 'mu', history, stoppedBy, seconds: (Date.now() - started) / 1000 };
}

function initialFrobenius(v: Matrix, w: Matrix, h: Matrix, normV2: number): number {
  // ½‖V − WH‖² of the start, by the same identity the iteration uses.
  const r = w.cols;
  const n = v.cols;
  let cross = 0;
  const whRow = new Float64Array(n);
  let quad = 0;
  for (let i = 0; i < v.rows; i++) {
    whRow.fill(0);
    for (let k = 0; k < r; k++) {
      const wik = w.data[i * r + k]!;
      for (let j = 0; j < n; j++) whRow[j] += wik * h.data[k * n + j]!;
    }
    for (let j = 0; j < n; j++) {
      cross += v.data[i * n + j]! * whRow[j]!;
      quad += whRow[j]! * whRow[j]!;
    }
  }
  return Math.max(0, 0.5 * (normV2 - 2 * cross + quad));
}
