import type { Matrix } from '../../matrix.js';
import { EPSILON as SHARED_EPSILON } from '../objective.js';
import type { CdKlSweep } from './nmf-kernels.js';

/**
 * The floor of WH, as a module-local constant: read through the import binding inside the hot loops
 * (an ES module's live binding, which V8 does not treat as a constant) the sweep ran 35% slower
 * under Node's ESM loader, for the identical code compiled as CommonJS.
 */
const EPSILON = SHARED_EPSILON;

/**
 * One sweep of KL coordinate descent (app/nmf/solvers/cd-kl.ts describes the method) in
 * TypeScript: the reference of NmfKernels.cdKlSweep, which the WebAssembly kernel
 * (native-workers/wasm/assembly/kernels.ts, cd_kl_sweep) follows step for step. Rows of WH are
 * formed in float64 here (float32 there).
 */
export function cdKlSweepJs(data: Matrix, factor: Matrix, other: Matrix, params: CdKlSweep): void {
  const r = factor.cols;
  const cols = other.cols;
  const rows = params.rows;
  if (other.rows !== r || data.cols !== cols || data.rows < rows || factor.rows < rows) {
    throw new RangeError('kernel cdKlSweep: shapes do not match');
  }
  const v = data.data;
  const a = factor.data;
  const b = other.data;
  const { free, l1, l2, floor, rescale } = params;
  const whRow = new Float64Array(cols);
  const constants = new Float64Array(r);
  // Two entries' Newton states: the entry being updated, and the previous one while its last
  // change still waits to be applied to (and checked on) the WH row.
  let cur = new Newton();
  let prev = new Newton();
  if (free.length === 0) return;
  // c_t = Σ_j B_tj + l1: the "1" part of f'.
  for (let t = 0; t < r; t++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += b[t * cols + j]!;
    constants[t] = sum + l1;
  }
  const canRescale = rescale && free.length === r;
  for (let i = 0; i < rows; i++) {
    const vOff = i * cols;
    const aOff = i * r;
    if (canRescale) rescaleRow(v, vOff, cols, a, aOff, l2);
    reconstructRow(a, aOff, b, cols);
    // pending: an entry whose last change (pendingDelta) is not yet in whRow; verify: that change
    // was downward and its derivative must still be checked.
    let pending = -1;
    let pendingDelta = 0;
    let verify = false;
    for (let f = 0; f < free.length; f++) {
      const t = free[f]!;
      const bOff = t * cols;
      const c = constants[t]!;
      if (verify) {
        // Apply the previous entry's last (downward) step, and evaluate this entry and the check
        // of that step in the same pass.
        const p = pending;
        evaluate(v, vOff, cols, b, bOff, p * cols, pendingDelta, true);
        prev.g = constants[p]! + l2 * prev.s - passPhiP;
        const delta = resolve(prev, v, vOff, cols, b, p * cols, l1, l2);
        a[aOff + p] = prev.s;
        if (delta !== 0) evaluate(v, vOff, cols, b, bOff, p * cols, delta, false);
      } else {
        evaluate(v, vOff, cols, b, bOff, pending * cols, pendingDelta, false);
      }
      pending = -1;
      pendingDelta = 0;
      verify = false;
      const x = cur;
      x.start(a[aOff + t]!);
      for (;;) {
        x.phi = passPhi;
        x.g = c + l2 * x.s - passPhi;
        x.h = l2 + passH;
        let need = plan(x, floor, l2);
        if (need === NEED_MEASURE) {
          x.df = measure(x, v, vOff, cols, b, bOff, l1, l2);
          need = plan(x, floor, l2);
        }
        const delta = x.delta;
        if (delta === 0) break;
        if (need === NEED_DERIVATIVES && x.steps < MAX_NEWTON_STEPS) {
          // Another step on this entry: apply this one and evaluate at the new point.
          evaluate(v, vOff, cols, b, bOff, bOff, delta, false);
          continue;
        }
        // The entry's last change: leave it to the next pass (checked there if downward).
        pending = t;
        pendingDelta = delta;
        verify = need === NEED_DERIVATIVES;
        break;
      }
      a[aOff + t] = x.s;
      if (verify) {
        cur = prev;
        prev = x;
      }
    }
    if (verify) {
      // The row's last entry ended with a downward step: check it (its WH row is then dropped).
      const p = pending;
      phiPass(v, vOff, cols, b, p * cols, pendingDelta);
      prev.g = constants[p]! + l2 * prev.s - passPhiP;
      resolve(prev, v, vOff, cols, b, p * cols, l1, l2);
      a[aOff + p] = prev.s;
    }
  }


  /**
   * Settles an entry whose last step was downward, given its derivative g at the new point:
   * accepts the step, or measures f and (if it rose) moves back to the chord root. Returns the
   * change still to apply to whRow (0 almost always).
   */
  function resolve(x: Newton, v: Float32Array, vOff: number, cols: number, b: Float32Array, bOff: number, l1: number, l2: number): number {
    if (plan(x, floor, l2) === NEED_MEASURE) {
      x.df = measure(x, v, vOff, cols, b, bOff, l1, l2);
      plan(x, floor, l2);
    }
    return x.delta;
  }

  /** f(s) − f(sPrev) for the entry's last step (already in whRow): the rare overshoot check on f. */
  function measure(x: Newton, v: Float32Array, vOff: number, cols: number, b: Float32Array, bOff: number, l1: number, l2: number): number {
    const s = x.s;
    const sPrev = x.sPrev;
    let df = l1 * (s - sPrev) + 0.5 * l2 * (s * s - sPrev * sPrev);
    for (let j = 0; j < cols; j++) df += divergenceChange(v[vOff + j]!, whRow[j]!, (sPrev - s) * b[bOff + j]!);
    return df;
  }

  /** Row of A·B into whRow (float64, from the stored factors). */
  function reconstructRow(a: Float32Array, aOff: number, b: Float32Array, cols: number): void {
    whRow.fill(0, 0, cols);
    for (let k = 0; k < r; k++) {
      const aik = a[aOff + k]!;
      if (aik === 0) continue;
      const bOff = k * cols;
      for (let j = 0; j < cols; j++) whRow[j] += aik * b[bOff + j]!;
    }
  }

  /**
   * Multiplies row i of A by the α ≥ 0 minimising the objective along it:
   * α·(S + l1·ΣA) + ½·l2·α²·ΣA² − ΣV·log α, S = Σ_t A_it·Σ_j B_tj, has its root at
   * α = 2ΣV / (S' + √(S'² + 4·l2·ΣA²·ΣV)), S' = S + l1·ΣA (only with every component free).
   */
  function rescaleRow(v: Float32Array, vOff: number, cols: number, a: Float32Array, aOff: number, l2: number): void {
    let linear = 0;
    let squares = 0;
    let lowest = 0;
    for (let t = 0; t < r; t++) {
      const x = a[aOff + t]!;
      linear += x * constants[t]!; // constants[t] = Σ_j B_tj + l1
      squares += x * x;
      if (x > 0) lowest = Math.max(lowest, floor / x);
    }
    if (!(linear > 0)) return;
    let total = 0;
    for (let j = 0; j < cols; j++) total += v[vOff + j]!;
    const best = (2 * total) / (linear + Math.sqrt(linear * linear + 4 * l2 * squares * total));
    // The objective is convex along the ray, so any α between 1 and the minimiser improves it;
    // α is kept where the floor allows (lowest) and applied only if that is a real change.
    const alpha = Math.max(best, lowest);
    if (best < 1 ? !(alpha < 1 - 1e-3) : !(alpha > 1 + 1e-3 && alpha <= best)) return;
    for (let t = 0; t < r; t++) a[aOff + t] = Math.max(floor, alpha * a[aOff + t]!);
  }


  // The hot loops. Results go to module-level scalars (passPhi, passH, passPhiP): no allocation.

  /**
   * whRow += delta·B_p· (p at pOff; skipped when delta = 0), then φ and Σ B_t²·V/WH² of the entry
   * at bOff into passPhi and passH, and (withP) φ of entry p into passPhiP, at the new whRow.
   */
  function evaluate(v: Float32Array, vOff: number, cols: number, b: Float32Array, bOff: number, pOff: number, delta: number, withP: boolean): void {
    let g = 0;
    let h = 0;
    if (delta === 0) {
      for (let j = 0; j < cols; j++) {
        const x = whRow[j]!;
        const bj = b[bOff + j]!;
        // One division per entry, the loop's bottleneck: u = B_tj/WH, φ = Σ u·V, f'' − l2 = Σ u²·V
        // (two multiplies fewer than forming V/WH first: 11% faster).
        const u = bj / (x < EPSILON ? EPSILON : x);
        const q = u * v[vOff + j]!;
        g += q;
        h += u * q;
      }
    } else if (!withP) {
      for (let j = 0; j < cols; j++) {
        const x = whRow[j]! + delta * b[pOff + j]!;
        whRow[j] = x;
        const bj = b[bOff + j]!;
        const u = bj / (x < EPSILON ? EPSILON : x);
        const q = u * v[vOff + j]!;
        g += q;
        h += u * q;
      }
    } else {
      let gp = 0;
      for (let j = 0; j < cols; j++) {
        const bp = b[pOff + j]!;
        const x = whRow[j]! + delta * bp;
        whRow[j] = x;
        const bj = b[bOff + j]!;
        const inv = 1 / (x < EPSILON ? EPSILON : x);
        const q = v[vOff + j]! * inv;
        g += bj * q;
        h += bj * bj * (q * inv);
        gp += bp * q;
      }
      passPhiP = gp;
    }
    passPhi = g;
    passH = h;
  }

  /** whRow += delta·B_p·, and φ of entry p at the new whRow into passPhiP. */
  function phiPass(v: Float32Array, vOff: number, cols: number, b: Float32Array, pOff: number, delta: number): void {
    let gp = 0;
    for (let j = 0; j < cols; j++) {
      const bp = b[pOff + j]!;
      const x = whRow[j]! + delta * bp;
      whRow[j] = x;
      gp += (bp * v[vOff + j]!) / (x < EPSILON ? EPSILON : x);
    }
    passPhiP = gp;
  }
}

let passPhi = 0;
let passH = 0;
let passPhiP = 0;

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

/** Newton steps per entry, and the stopping rule, of the authors' ccd_KL code (Hsieh & Dhillon 2011). */
const MAX_NEWTON_STEPS = 2;
const SMALL_STEP = 0.5;

/**
 * Entry phases: may take a Newton step / must check its last downward step for overshoot / waits
 * for the caller to measure f(s) − f(sPrev) into df / finished.
 */
const ACTIVE = 0;
const VERIFY = 1;
const MEASURE = 2;
const DONE = 3;

/** What plan() needs from the next pass at the entry's (possibly moved) point. */
const NEED_NOTHING = 0;
const NEED_DERIVATIVES = 1;
const NEED_MEASURE = 2;

/**
 * Safeguarded Newton iterations on one entry's one-variable problem. s is the current value
 * (float32-representable), g and h the first and second derivatives there, phi = φ(s); sPrev and
 * gPrev the point a downward step left from; df the measured f(s) − f(sPrev) after an overshoot.
 */
class Newton {
  s = 0;
  g = 0;
  h = 0;
  phi = 0;
  sPrev = 0;
  gPrev = 0;
  df = 0;
  delta = 0;
  phase = ACTIVE;
  steps = 0;

  start(s: number): void {
    this.s = s;
    this.delta = 0;
    this.phase = ACTIVE;
    this.steps = 0;
  }
}

/**
 * Given g and h (or, in phase MEASURE, df) at the entry's current point, chooses its next move: sets
 * delta (already applied to s; the caller applies it to WH) and returns what the caller must
 * compute at the new point before the next call.
 */
function plan(l: Newton, lo: number, l2: number): number {
  const phase = l.phase;
  l.delta = 0;
  if (phase === DONE) return NEED_NOTHING;
  const s = l.s;
  const g = l.g;
  if (phase === MEASURE) {
    if (!(l.df <= 0)) return secant(l);
    // The overshoot point is no worse than where the step started: keep it.
  } else if (phase === VERIFY && g < 0) {
    // The downward step passed the minimiser s*. Since f' is concave and increasing, on [s, s*] it
    // lies above its chord to (s*, 0) and on [s*, sPrev] above its chord from (s*, 0), so
    // f(s) − f(s*) ≤ ½|g|(s* − s) and f(sPrev) − f(s*) ≥ ½·gPrev·(sPrev − s*); with s* at most the
    // chord root of f' between s and sPrev, both give f(s) ≤ f(sPrev) whenever |g| ≤ gPrev.
    // Otherwise (rare: in tests, about 0.5% of overshoots, mostly one-ulp moves at convergence)
    // the caller measures f itself.
    if (-g > l.gPrev) {
      l.phase = MEASURE;
      return NEED_MEASURE;
    }
  }
  if (l.steps >= MAX_NEWTON_STEPS) {
    l.phase = DONE;
    return NEED_NOTHING;
  }
  const h = l.h;
  const phi = l.phi;
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
    l.phase = DONE;
    return NEED_NOTHING;
  }
  l.delta = delta;
  l.s = target;
  l.steps = Math.abs(delta) < SMALL_STEP * Math.abs(s) ? MAX_NEWTON_STEPS : l.steps + 1;
  if (delta < 0) {
    // Downward: may overshoot, so the derivative at the new point is needed to check.
    l.sPrev = s;
    l.gPrev = g;
    l.phase = VERIFY;
    return NEED_DERIVATIVES;
  }
  // Upward steps never pass s*: F is concave, so its tangent lies above it.
  const last = l.steps >= MAX_NEWTON_STEPS;
  l.phase = last ? DONE : ACTIVE;
  return last ? NEED_NOTHING : NEED_DERIVATIVES;
}

/**
 * After an overshoot that made f worse, moves to the root of the chord of f' between the two points:
 * f' is concave, so the chord lies below it and its root has f' ≥ 0, i.e. lies between s* and
 * sPrev, where f is no larger than at sPrev. Ends the entry.
 */
function secant(l: Newton): number {
  const s = l.s;
  const g = l.g;
  const sPrev = l.sPrev;
  let to = Math.fround(s + ((sPrev - s) * -g) / (l.gPrev - g));
  if (!(to <= sPrev)) to = sPrev;
  if (to < s) to = s;
  l.delta = to - s;
  l.s = to;
  l.phase = DONE;
  return NEED_NOTHING;
}
