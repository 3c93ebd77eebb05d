import type { NmfProblem, NmfSolver } from './solver.js';

/**
 * Coordinate descent for ½‖V − WH‖²_F + l1·Σx + ½·l2·Σx², exactly scikit-learn's 'cd' solver
 * (`_fit_coordinate_descent` → `_update_coordinate_descent` → `_update_cdnmf_fast`, shuffle off),
 * which follows Cichocki & Phan 2009, "Fast local algorithms for large scale nonnegative matrix and
 * tensor factorizations". Each entry x of W is set to the exact minimiser of the objective in x
 * alone, a one-variable quadratic:
 *   g = (W·HHᵀ)_it − (VHᵀ)_it + l1 + l2·x,   h = (HHᵀ)_tt + l2,   x ← max(0, x − g/h)   (h ≠ 0),
 * where W·HHᵀ is read after every step so each one sees the entries changed before it; then H the
 * same way, which scikit-learn does by running the same routine on Vᵀ ≈ Hᵀ·Wᵀ.
 *
 * Order: scikit-learn loops over components t outside and rows i inside. Given H, the rows of W
 * are independent problems (g for W_it involves row i only), so looping rows outside and
 * components inside performs the same floating-point operations per entry, in the same order, and
 * reads W row by row. For H, the gradient of H_tj involves column j only, so the whole gradient row
 * of component t is formed first (r sequential passes over rows of H) and then row t is updated:
 * again the same operations as scikit-learn's per-column loop, with row-major access.
 *
 * Penalties enter as scikit-learn does: l2 is added to the diagonal of the Gram matrix and l1 is
 * subtracted from VHᵀ, and the sum for g runs in scikit-learn's order, so with floor = 0 the
 * iterates match scikit-learn's to float32 rounding (test/make-sklearn-cd-fixture.py).
 *
 * Scratch: VHᵀ (m×r), WᵀV (r×n), two r×r Grams and one gradient row, all float64: O((m+n)·r).
 */
export function createCdFrobeniusSolver(problem: NmfProblem): NmfSolver {
  const { V, W, H, penalties, fixedWColumns, fixedHRows, frozenWRows, floor } = problem;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const vd = V.data;
  const wd = W.data;
  const hd = H.data;
  const { l1W, l2W, l1H, l2H } = penalties;
  const vht = new Float64Array(m * r);
  const hht = new Float64Array(r * r);
  const wtv = new Float64Array(r * n);
  const wtw = new Float64Array(r * r);
  const coef = new Float64Array(r);
  const gradRow = new Float64Array(n);
  let normV2 = 0;
  for (let i = 0; i < vd.length; i++) normV2 += vd[i]! * vd[i]!;
  // wtv and wtw describe the current W: formed by the H update, reused by objective().
  let wProductsCurrent = false;

  function updateW(): void {
    gram(hd, r, n, hht);
    const rows = m - frozenWRows;
    for (let i = 0; i < rows; i++) {
      const vOff = i * n;
      for (let k = 0; k < r; k++) {
        const hOff = k * n;
        let dot = 0;
        for (let j = 0; j < n; j++) dot += vd[vOff + j]! * hd[hOff + j]!;
        vht[i * r + k] = dot;
      }
    }
    for (let i = 0; i < rows; i++) {
      const off = i * r;
      for (let t = 0; t < r; t++) {
        if (fixedWColumns[t] === 1) continue;
        const hess = hht[t * r + t]! + l2W;
        // scikit-learn skips a coordinate with zero curvature (H's row t is all zero).
        if (hess === 0) continue;
        let grad = -(vht[off + t]! - l1W);
        for (let k = 0; k < r; k++) grad += (k === t ? hess : hht[t * r + k]!) * wd[off + k]!;
        const x = wd[off + t]! - grad / hess;
        wd[off + t] = x > floor ? x : floor;
      }
    }
    wProductsCurrent = false;
  }

  function updateH(): void {
    formWProducts();
    for (let t = 0; t < r; t++) {
      if (fixedHRows[t] === 1) continue;
      const hess = wtw[t * r + t]! + l2H;
      if (hess === 0) continue;
      for (let k = 0; k < r; k++) coef[k] = k === t ? hess : wtw[t * r + k]!;
      const tOff = t * n;
      for (let j = 0; j < n; j++) gradRow[j] = -(wtv[tOff + j]! - l1H);
      for (let k = 0; k < r; k++) {
        const c = coef[k]!;
        const hOff = k * n;
        for (let j = 0; j < n; j++) gradRow[j] += c * hd[hOff + j]!;
      }
      for (let j = 0; j < n; j++) {
        const x = hd[tOff + j]! - gradRow[j]! / hess;
        hd[tOff + j] = x > floor ? x : floor;
      }
    }
  }

  /** WᵀW and WᵀV of the current W (every row, frozen ones included: they are part of the model). */
  function formWProducts(): void {
    wtw.fill(0);
    wtv.fill(0);
    for (let i = 0; i < m; i++) {
      const off = i * r;
      const vOff = i * n;
      for (let k = 0; k < r; k++) {
        const wik = wd[off + k]!;
        if (wik === 0) continue;
        for (let l = k; l < r; l++) wtw[k * r + l] += wik * wd[off + l]!;
        const tOff = k * n;
        for (let j = 0; j < n; j++) wtv[tOff + j] += wik * vd[vOff + j]!;
      }
    }
    for (let k = 0; k < r; k++) for (let l = 0; l < k; l++) wtw[k * r + l] = wtw[l * r + k]!;
    wProductsCurrent = true;
  }

  function objective(): number {
    // ½‖V − WH‖² = ½(‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩): WᵀV and WᵀW are left over from the H update,
    // so only HHᵀ (r²·n) is new.
    if (!wProductsCurrent) formWProducts();
    gram(hd, r, n, hht);
    let cross = 0;
    for (let i = 0; i < r * n; i++) cross += wtv[i]! * hd[i]!;
    let quad = 0;
    for (let i = 0; i < r * r; i++) quad += wtw[i]! * hht[i]!;
    let loss = 0.5 * (normV2 - 2 * cross + quad);
    // The identity loses about 1e-16·‖V‖² to cancellation; below 1e-8·‖V‖² that is no longer within
    // 1e-6 of the loss, so fall back to the direct sum (rare: a near-exact fit).
    if (loss < 1e-8 * normV2) loss = directLoss();
    let sumW = 0;
    for (let i = 0; i < wd.length; i++) sumW += wd[i]!;
    let sumH = 0;
    for (let i = 0; i < hd.length; i++) sumH += hd[i]!;
    let traceW = 0;
    let traceH = 0;
    for (let k = 0; k < r; k++) {
      traceW += wtw[k * r + k]!;
      traceH += hht[k * r + k]!;
    }
    return loss + l1W * sumW + 0.5 * l2W * traceW + l1H * sumH + 0.5 * l2H * traceH;
  }

  function directLoss(): number {
    let sum = 0;
    for (let i = 0; i < m; i++) {
      gradRow.fill(0);
      for (let k = 0; k < r; k++) {
        const wik = wd[i * r + k]!;
        if (wik === 0) continue;
        const hOff = k * n;
        for (let j = 0; j < n; j++) gradRow[j] += wik * hd[hOff + j]!;
      }
      const vOff = i * n;
      for (let j = 0; j < n; j++) {
        const d = vd[vOff + j]! - gradRow[j]!;
        sum += d * d;
      }
    }
    return 0.5 * sum;
  }

  return {
    algorithm: 'cd',
    iterate(): void {
      updateW();
      updateH();
    },
    objective,
  };
}

/** out (r×r) = A·Aᵀ for A r×n row-major, accumulated in float64. */
function gram(a: Float32Array, r: number, n: number, out: Float64Array): void {
  for (let k = 0; k < r; k++) {
    const kOff = k * n;
    for (let l = k; l < r; l++) {
      const lOff = l * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += a[kOff + j]! * a[lOff + j]!;
      out[k * r + l] = dot;
      out[l * r + k] = dot;
    }
  }
}
