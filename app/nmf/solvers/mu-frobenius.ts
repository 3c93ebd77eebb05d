import { penaltyTerms } from '../beta-divergence.js';
import type { Penalties, NmfSolver } from './solver.js';
import { muStep, type MuPlan } from './mu-step.js';

/**
 * Multiplicative updates for ½‖V − WH‖²_F (Lee & Seung 2001, "Algorithms for non-negative matrix
 * factorization"), in scikit-learn's order (W then H) and with its safeguards:
 *   W ← W ∘ (V Hᵀ) ⊘ (W HHᵀ + l1 + l2·W)          H ← H ∘ (Wᵀ V) ⊘ (WᵀW H + l1 + l2·H)
 * WH is never formed: the W update needs V Hᵀ row by row and HHᵀ (r×r), the H update WᵀV (r×n)
 * and WᵀW. The objective then comes almost free from the products of the last H update:
 *   ½‖V − WH‖² = ½(‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩).
 * (That identity loses relative precision only when the fit is near exact, ‖V − WH‖² ≪ 1e-10‖V‖².)
 *
 * With `orthogonal`, the constrained side uses Ding, Li, Peng & Park 2006 ("Orthogonal nonnegative
 * matrix t-factorizations for clustering"), whose Lagrangian replaces the denominator:
 *   W ← W ∘ √( (V Hᵀ) ⊘ (W Wᵀ V Hᵀ) )     for WᵀW = I
 *   H ← H ∘ √( (Wᵀ V) ⊘ (Wᵀ V Hᵀ H) )     for HHᵀ = I
 * (their G ← G ∘ √(XᵀF ⊘ GGᵀXᵀF) with X = V, F = W, G = Hᵀ, transposed). Both denominators go
 * through an r×r core, so they cost no more than the plain ones.
 */
export function createFrobeniusMu(plan: MuPlan, orthogonal: 'none' | 'W' | 'H', penalties: Penalties): NmfSolver {
  const { V, W, H } = plan;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  let normV2 = 0;
  for (let i = 0; i < V.data.length; i++) normV2 += V.data[i]! * V.data[i]!;
  const hht = new Float64Array(r * r);
  const wtw = new Float64Array(r * r);
  const core = new Float64Array(r * r);
  const wtv = new Float64Array(r * n);
  const denH = new Float64Array(r * n);
  const numRow = new Float64Array(r);
  const denRow = new Float64Array(r);
  /** V Hᵀ for every row, needed whole before any row changes when W is orthogonal. */
  const vht = orthogonal === 'W' ? new Float64Array(m * r) : null;
  /** wtv, wtw and hht belong to the current (W, H): set by the H update, cleared by the W update. */
  let productsFresh = false;

  const updateW = (): void => {
    const freeW = plan.freeW;
    if (freeW.length === 0 || plan.updatableRows === 0) return;
    const vd = V.data;
    const hd = H.data;
    const wd = W.data;
    if (!productsFresh) gram(hd, r, n, hht);
    if (vht) {
      // Ding et al.: denominator W (Wᵀ V Hᵀ), the r×r core from the W before this update.
      for (let i = 0; i < m; i++) rowTimesHt(vd, i * n, hd, r, n, vht, i * r);
      core.fill(0);
      for (let i = 0; i < m; i++) {
        for (let l = 0; l < r; l++) {
          const wil = wd[i * r + l]!;
          if (wil === 0) continue;
          for (let k = 0; k < r; k++) core[l * r + k] += wil * vht[i * r + k]!;
        }
      }
    }
    const den = vht ? core : hht;
    for (let i = 0; i < plan.updatableRows; i++) {
      const wOff = i * r;
      if (vht) {
        for (let k = 0; k < r; k++) numRow[k] = vht[wOff + k]!;
      } else {
        rowTimesHt(vd, i * n, hd, r, n, numRow, 0);
      }
      // Every denominator reads the old row: compute them all before writing.
      for (let k = 0; k < r; k++) {
        let sum = 0;
        for (let l = 0; l < r; l++) sum += wd[wOff + l]! * den[l * r + k]!;
        denRow[k] = sum;
      }
      for (let f = 0; f < freeW.length; f++) {
        const k = freeW[f]!;
        wd[wOff + k] = muStep(wd[wOff + k]!, numRow[k]!, denRow[k]!, plan.wRule);
      }
    }
    productsFresh = false;
  };

  /** WᵀV and WᵀW of the current W (the H update's numerator and Gram matrix). */
  const formWProducts = (): void => {
    const vd = V.data;
    const wd = W.data;
    wtv.fill(0);
    for (let i = 0; i < m; i++) {
      const vOff = i * n;
      for (let k = 0; k < r; k++) {
        const wik = wd[i * r + k]!;
        if (wik === 0) continue;
        const off = k * n;
        for (let j = 0; j < n; j++) wtv[off + j] += wik * vd[vOff + j]!;
      }
    }
    gramColumns(wd, m, r, wtw);
  };

  const updateH = (): void => {
    const freeH = plan.freeH;
    if (freeH.length === 0) return;
    const hd = H.data;
    formWProducts();
    let left = wtw;
    if (orthogonal === 'H') {
      // Ding et al.: denominator (Wᵀ V Hᵀ) H, the r×r core from the H before this update.
      for (let k = 0; k < r; k++) {
        for (let l = 0; l < r; l++) {
          let dot = 0;
          for (let j = 0; j < n; j++) dot += wtv[k * n + j]! * hd[l * n + j]!;
          core[k * r + l] = dot;
        }
      }
      left = core;
    }
    // denH = left · H for the free rows, accumulated row-wise so every access is sequential.
    for (let f = 0; f < freeH.length; f++) {
      const k = freeH[f]!;
      const off = k * n;
      denH.fill(0, off, off + n);
      for (let l = 0; l < r; l++) {
        const a = left[k * r + l]!;
        if (a === 0) continue;
        const lOff = l * n;
        for (let j = 0; j < n; j++) denH[off + j] += a * hd[lOff + j]!;
      }
    }
    for (let f = 0; f < freeH.length; f++) {
      const off = freeH[f]! * n;
      for (let j = 0; j < n; j++) hd[off + j] = muStep(hd[off + j]!, wtv[off + j]!, denH[off + j]!, plan.hRule);
    }
    gram(hd, r, n, hht);
    productsFresh = true;
  };

  return {
    algorithm: 'mu',
    iterate() {
      updateW();
      updateH();
    },
    objective() {
      if (!productsFresh) {
        // Before the first iterate (or when H is all fixed): form the products once.
        formWProducts();
        gram(H.data, r, n, hht);
      }
      const hd = H.data;
      let cross = 0;
      for (let i = 0; i < hd.length; i++) cross += wtv[i]! * hd[i]!;
      let quad = 0;
      for (let i = 0; i < r * r; i++) quad += wtw[i]! * hht[i]!;
      return Math.max(0, 0.5 * (normV2 - 2 * cross + quad)) + penaltyTerms(W, H, penalties);
    },
  };
}

/** out[outOff + k] = V[i,:] · H[k,:] for every k: one row of V Hᵀ, sequential in both. */
function rowTimesHt(vd: Float32Array, vOff: number, hd: Float32Array, r: number, n: number, out: Float64Array, outOff: number): void {
  for (let k = 0; k < r; k++) {
    let dot = 0;
    const hOff = k * n;
    for (let j = 0; j < n; j++) dot += vd[vOff + j]! * hd[hOff + j]!;
    out[outOff + k] = dot;
  }
}

/** out = A Aᵀ for A (r×n) row-major. */
function gram(a: Float32Array, r: number, n: number, out: Float64Array): void {
  for (let k = 0; k < r; k++) {
    for (let l = k; l < r; l++) {
      let dot = 0;
      const kOff = k * n;
      const lOff = l * n;
      for (let j = 0; j < n; j++) dot += a[kOff + j]! * a[lOff + j]!;
      out[k * r + l] = dot;
      out[l * r + k] = dot;
    }
  }
}

/** out = Aᵀ A for A (m×r) row-major. */
function gramColumns(a: Float32Array, m: number, r: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const off = i * r;
    for (let k = 0; k < r; k++) {
      const aik = a[off + k]!;
      if (aik === 0) continue;
      for (let l = k; l < r; l++) out[k * r + l] += aik * a[off + l]!;
    }
  }
  for (let k = 0; k < r; k++) for (let l = 0; l < k; l++) out[k * r + l] = out[l * r + k]!;
}
