import { EPSILON } from '../objective.js';
import type { NmfProblem, NmfSolver } from './solver.js';

/**
 * Cyclic coordinate descent for the generalised Kullback–Leibler divergence
 * D(V‖WH) = Σ V log(V/WH) − V + WH, plus l1·Σx + ½·l2·Σx² per factor (Hsieh & Dhillon 2011,
 * "Fast coordinate descent methods with variable selection for non-negative matrix factorization",
 * KDD, the KL part). Each entry s of W (then of H) is moved by projected Newton-type steps on its
 * one-variable problem, using the exact first and second derivatives; for s = W_it, with
 * φ(s) = Σ_j H_tj V_ij / (WH)_ij and c = Σ_j H_tj + l1:
 *   f'(s) = c + l2·s − φ(s),   f''(s) = Σ_j H_tj² V_ij / (WH)_ij² + l2,
 * and (WH)_i· += Δs·H_t· after every step, so the next entry sees it (the method's state).
 * Order: plain cyclic (rows of W, components inside; then components of H), the order of the
 * authors' ccd_KL code, not the greedy variable selection of the paper's least-squares method.
 * As in that code, at most two steps per entry, the second only when the first changed the entry
 * by half its value or more.
 *
 * The step (ours; the paper takes s − f'/f''): Newton's step on the equivalent equation
 * F(s) = 1/φ(s) − 1/(c + l2·s) = 0, which has the same root. It is exact when one term dominates φ
 * (an entry that alone makes up its part of WH: there f' ~ c − v/s, and plain Newton from near
 * zero only doubles s per step), and it is the plain step scaled by φ/c when l2 = 0. With plain
 * Newton this solver stalled on such entries and lost to multiplicative updates on sparse data;
 * with this step it reaches the same optimum in far fewer iterations.
 *
 * Monotonicity safeguard (ours): f' and F are increasing and concave (f''' < 0, and 1/φ is a
 * parallel sum of linear functions), so a step that raises s never passes the minimiser s*, but
 * one that lowers s can overshoot it. After every downward step the new derivative g is checked.
 * If g < 0 and |g| ≤ f'(previous point), concavity proves that f did not increase (see plan()),
 * and the entry goes on from there; otherwise (rare) the change of f is measured directly, and if
 * f increased the entry moves to the root of the chord of f' between the two points, which lies
 * between s* and the previous point. Every step thus decreases the objective, and so does every
 * iteration.
 *
 * WH is floored at EPSILON in the ratios, as app/nmf/objective.ts floors it in the divergence.
 *
 * State: WH is kept as one m×n float32 buffer (the method's incremental state; allowed here).
 * Each row of it is recomputed from the factors in float64 during the W sweep, so rounding never
 * accumulates across iterations. Everything else is O((m + n)·r).
 */
export function createCdKlSolver(problem: NmfProblem): NmfSolver {
  const { V, W, H, penalties, fixedWColumns, fixedHRows, frozenWRows, floor } = problem;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const vd = V.data;
  const wd = W.data;
  const hd = H.data;
  const { l1W, l2W, l1H, l2H } = penalties;
  const wh = new Float32Array(m * n);
  const whRow = new Float64Array(n);
  const hSums = new Float64Array(r);
  const one = createLanes(1);
  const lanes = createLanes(n);
  const measureList = new Int32Array(n);

  function sweepW(): void {
    // Row sums of H: the "1" part of f'.
    for (let t = 0; t < r; t++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += hd[t * n + j]!;
      hSums[t] = sum;
    }
    const rows = m - frozenWRows;
    for (let i = 0; i < m; i++) {
      reconstructRow(i);
      if (i < rows) {
        for (let t = 0; t < r; t++) if (fixedWColumns[t] !== 1) wCoordinate(i, t, hSums[t]!);
      }
      wh.set(whRow, i * n);
    }
  }

  /** Newton steps on W_it, with row i of WH in whRow (float64). */
  function wCoordinate(i: number, t: number, hSum: number): void {
    const vOff = i * n;
    const hOff = t * n;
    const constant = hSum + l1W;
    one.s[0] = wd[i * r + t]!;
    one.phase[0] = ACTIVE;
    one.steps[0] = 0;
    let evaluate = true;
    let delta = 0;
    for (;;) {
      let g = 0;
      let h = 0;
      for (let j = 0; j < n; j++) {
        const hj = hd[hOff + j]!;
        const x = whRow[j]! + delta * hj;
        whRow[j] = x;
        if (evaluate) {
          const y = x < EPSILON ? EPSILON : x;
          const q = vd[vOff + j]! / y;
          g += hj * q;
          h += hj * hj * (q / y);
        }
      }
      if (evaluate) {
        one.phi[0] = g;
        one.g[0] = constant + l2W * one.s[0]! - g;
        one.h[0] = l2W + h;
      }
      let need = plan(one, 0, floor, l2W);
      if (need === NEED_MEASURE) {
        const s = one.s[0]!;
        const sPrev = one.sPrev[0]!;
        let df = l1W * (s - sPrev) + 0.5 * l2W * (s * s - sPrev * sPrev);
        for (let j = 0; j < n; j++) df += divergenceChange(vd[vOff + j]!, whRow[j]!, (sPrev - s) * hd[hOff + j]!);
        one.df[0] = df;
        need = plan(one, 0, floor, l2W);
      }
      evaluate = need === NEED_DERIVATIVES;
      delta = one.delta[0]!;
      if (delta === 0) break;
    }
    wd[i * r + t] = one.s[0]!;
  }

  function sweepH(): void {
    // Column sums of W (frozen rows included: they are part of the model).
    for (let t = 0; t < r; t++) {
      if (fixedHRows[t] === 1) continue;
      let wSum = 0;
      for (let i = 0; i < m; i++) wSum += wd[i * r + t]!;
      hRow(t, wSum + l1H);
    }
  }

  /**
   * Newton steps on every entry of H's row t at once: H_tj only affects column j of WH, so the n
   * one-variable problems are independent and run in lock-step, each pass reading V and WH by rows.
   */
  function hRow(t: number, constant: number): void {
    const tOff = t * n;
    const { s, g, h, phi, sPrev, df, delta, phase, steps } = lanes;
    for (let j = 0; j < n; j++) {
      s[j] = hd[tOff + j]!;
      delta[j] = 0;
    }
    phase.fill(ACTIVE);
    steps.fill(0);
    let evaluate = true;
    let moved = false;
    for (;;) {
      if (evaluate) {
        g.fill(0);
        h.fill(0);
      }
      for (let i = 0; i < m; i++) {
        const wit = wd[i * r + t]!;
        // A zero W_it leaves row i of WH unchanged and adds nothing to f' or f''.
        if (wit === 0) continue;
        const off = i * n;
        const wit2 = wit * wit;
        if (moved) for (let j = 0; j < n; j++) wh[off + j] += wit * delta[j]!;
        if (!evaluate) continue;
        for (let j = 0; j < n; j++) {
          const x = wh[off + j]!;
          const y = x < EPSILON ? EPSILON : x;
          const q = vd[off + j]! / y;
          g[j] += wit * q;
          h[j] += wit2 * (q / y);
        }
      }
      if (evaluate) {
        for (let j = 0; j < n; j++) {
          phi[j] = g[j]!;
          g[j] = constant + l2H * s[j]! - g[j]!;
          h[j] = l2H + h[j]!;
        }
      }
      evaluate = false;
      let measured = 0;
      for (let j = 0; j < n; j++) {
        const need = plan(lanes, j, floor, l2H);
        if (need === NEED_DERIVATIVES) evaluate = true;
        else if (need === NEED_MEASURE) measureList[measured++] = j;
      }
      if (measured > 0) {
        // Rare: overshoots the derivative test could not clear are checked on f itself.
        for (let e = 0; e < measured; e++) {
          const j = measureList[e]!;
          df[j] = l1H * (s[j]! - sPrev[j]!) + 0.5 * l2H * (s[j]! * s[j]! - sPrev[j]! * sPrev[j]!);
        }
        for (let i = 0; i < m; i++) {
          const wit = wd[i * r + t]!;
          if (wit === 0) continue;
          const off = i * n;
          for (let e = 0; e < measured; e++) {
            const j = measureList[e]!;
            df[j] += divergenceChange(vd[off + j]!, wh[off + j]!, wit * (sPrev[j]! - s[j]!));
          }
        }
        for (let e = 0; e < measured; e++) if (plan(lanes, measureList[e]!, floor, l2H) === NEED_DERIVATIVES) evaluate = true;
      }
      moved = false;
      for (let j = 0; j < n; j++) {
        if (delta[j] !== 0) {
          moved = true;
          break;
        }
      }
      if (!moved) break;
    }
    for (let j = 0; j < n; j++) hd[tOff + j] = s[j]!;
  }

  /** Row i of WH into whRow, in float64 from the stored factors. */
  function reconstructRow(i: number): void {
    whRow.fill(0);
    for (let k = 0; k < r; k++) {
      const wik = wd[i * r + k]!;
      if (wik === 0) continue;
      const hOff = k * n;
      for (let j = 0; j < n; j++) whRow[j] += wik * hd[hOff + j]!;
    }
  }

  function objective(): number {
    // The logarithms need a full pass anyway; WH is re-formed in float64 rather than read from the
    // float32 buffer, whose rounding would be first-order in the divergence near a good fit.
    let divergence = 0;
    for (let i = 0; i < m; i++) {
      reconstructRow(i);
      const vOff = i * n;
      for (let j = 0; j < n; j++) {
        const x = vd[vOff + j]!;
        const y = whRow[j]! < EPSILON ? EPSILON : whRow[j]!;
        divergence += (x > 0 ? x * Math.log(x / y) : 0) - x + y;
      }
    }
    return divergence + penalty(wd, l1W, l2W) + penalty(hd, l1H, l2H);
  }

  return {
    algorithm: 'cd',
    iterate(): void {
      sweepW();
      sweepH();
    },
    objective,
  };
}

/**
 * Change of one entry's divergence term v·log(v/y) − v + y (y floored at EPSILON, as the
 * objective) when WH goes from x + back to x: the term at x minus the term at x + back.
 */
function divergenceChange(v: number, x: number, back: number): number {
  const y1 = x < EPSILON ? EPSILON : x;
  const before = x + back;
  const y0 = before < EPSILON ? EPSILON : before;
  return (v > 0 ? v * Math.log(y0 / y1) : 0) + y1 - y0;
}

/** l1·Σx + ½·l2·Σx². */
function penalty(x: Float32Array, l1: number, l2: number): number {
  if (l1 === 0 && l2 === 0) return 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < x.length; i++) {
    sum += x[i]!;
    squares += x[i]! * x[i]!;
  }
  return l1 * sum + 0.5 * l2 * squares;
}

/** Newton steps per entry, and the stopping rule, of the authors' ccd_KL code (Hsieh & Dhillon 2011). */
const MAX_NEWTON_STEPS = 2;
const SMALL_STEP = 0.5;

/**
 * Lane phases: may take a Newton step / must check its last downward step for overshoot / waits
 * for the caller to measure f(s) − f(sPrev) into df / finished.
 */
const ACTIVE = 0;
const VERIFY = 1;
const MEASURE = 2;
const DONE = 3;

/** What plan() needs from the next pass at the lane's (possibly moved) point. */
const NEED_NOTHING = 0;
const NEED_DERIVATIVES = 1;
const NEED_MEASURE = 2;

/**
 * Safeguarded Newton iterations on independent one-variable problems, struct-of-arrays so that the
 * H update can run n of them in lock-step. s is the current value (float32-representable), g and h
 * the first and second derivatives there; sPrev and gPrev the point a downward step left from; df
 * the measured f(s) − f(sPrev) after an overshoot.
 */
interface Lanes {
  readonly s: Float64Array;
  readonly g: Float64Array;
  readonly h: Float64Array;
  readonly phi: Float64Array;
  readonly sPrev: Float64Array;
  readonly gPrev: Float64Array;
  readonly df: Float64Array;
  readonly delta: Float64Array;
  readonly phase: Uint8Array;
  readonly steps: Uint8Array;
}

function createLanes(count: number): Lanes {
  return {
    s: new Float64Array(count),
    g: new Float64Array(count),
    h: new Float64Array(count),
    phi: new Float64Array(count),
    sPrev: new Float64Array(count),
    gPrev: new Float64Array(count),
    df: new Float64Array(count),
    delta: new Float64Array(count),
    phase: new Uint8Array(count),
    steps: new Uint8Array(count),
  };
}

/**
 * Given g and h (or, in phase MEASURE, df) at lane k's current point, chooses its next move: sets
 * delta (already applied to s; the caller applies it to WH) and returns what the caller must
 * compute at the new point before the next call.
 */
function plan(l: Lanes, k: number, lo: number, l2: number): number {
  const phase = l.phase[k]!;
  l.delta[k] = 0;
  if (phase === DONE) return NEED_NOTHING;
  const s = l.s[k]!;
  const g = l.g[k]!;
  if (phase === MEASURE) {
    if (!(l.df[k]! <= 0)) return secant(l, k);
    // The overshoot point is no worse than where the step started: keep it.
  } else if (phase === VERIFY && g < 0) {
    // The downward step passed the minimiser s*. Since f' is concave and increasing, on [s, s*] it
    // lies above its chord to (s*, 0) and on [s*, sPrev] above its chord from (s*, 0), so
    // f(s) − f(s*) ≤ ½|g|(s* − s) and f(sPrev) − f(s*) ≥ ½·gPrev·(sPrev − s*); with s* at most the
    // chord root of f' between s and sPrev, both give f(s) ≤ f(sPrev) whenever |g| ≤ gPrev.
    // Otherwise (rare: in tests, about 0.5% of overshoots, mostly one-ulp moves at convergence)
    // the caller measures f itself.
    if (-g > l.gPrev[k]!) {
      l.phase[k] = MEASURE;
      return NEED_MEASURE;
    }
  }
  if (l.steps[k]! >= MAX_NEWTON_STEPS) {
    l.phase[k] = DONE;
    return NEED_NOTHING;
  }
  const h = l.h[k]!;
  const phi = l.phi[k]!;
  const d = g + phi;
  let target: number;
  if (phi > 0 && d > 0) {
    // Newton on F = 1/φ − 1/d = f'/(φ·d), d = c + l2·s: F' = (f'' − l2)/φ² + l2/d².
    const step = g / (phi * d) / ((h - l2) / (phi * phi) + l2 / (d * d));
    target = s - step;
  } else {
    // φ = 0: no data term pulls s up. Then f is quadratic (l2 > 0) or linear: go to the bound if
    // it increases, otherwise stay.
    target = h > 0 ? s - g / h : g > 0 ? lo : s;
  }
  if (!(target >= lo)) target = Number.isNaN(target) ? s : lo;
  target = Math.fround(target);
  const delta = target - s;
  if (delta === 0 || !Number.isFinite(delta)) {
    l.phase[k] = DONE;
    return NEED_NOTHING;
  }
  l.delta[k] = delta;
  l.s[k] = target;
  l.steps[k] = Math.abs(delta) < SMALL_STEP * Math.abs(s) ? MAX_NEWTON_STEPS : l.steps[k]! + 1;
  if (delta < 0) {
    // Downward: may overshoot, so the derivative at the new point is needed to check.
    l.sPrev[k] = s;
    l.gPrev[k] = g;
    l.phase[k] = VERIFY;
    return NEED_DERIVATIVES;
  }
  // Upward steps never pass s*: F is concave, so its tangent lies above it.
  const last = l.steps[k]! >= MAX_NEWTON_STEPS;
  l.phase[k] = last ? DONE : ACTIVE;
  return last ? NEED_NOTHING : NEED_DERIVATIVES;
}

/**
 * After an overshoot that made f worse, moves to the root of the chord of f' between the two points:
 * f' is concave, so the chord lies below it and its root has f' ≥ 0, i.e. lies between s* and
 * sPrev, where f is no larger than at sPrev. Ends the lane.
 */
function secant(l: Lanes, k: number): number {
  const s = l.s[k]!;
  const g = l.g[k]!;
  const sPrev = l.sPrev[k]!;
  let to = Math.fround(s + ((sPrev - s) * -g) / (l.gPrev[k]! - g));
  if (!(to <= sPrev)) to = sPrev;
  if (to < s) to = s;
  l.delta[k] = to - s;
  l.s[k] = to;
  l.phase[k] = DONE;
  return NEED_NOTHING;
}
