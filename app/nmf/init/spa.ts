import { createMatrix, type Matrix } from '../../matrix.js';
import { solveNnlsNormal } from '../solvers/nnls-bpp.js';

/**
 * A column whose residual, after projecting out the columns already picked, is below this
 * fraction of its own norm lies in their span at float32 precision (V's storage precision is
 * ~6e-8 relative): picking it would make W numerically rank-deficient.
 */
const DEPENDENCE_TOLERANCE = 1e-6;
/** Columns whose residual is within this relative distance of the largest count as ties. */
const TIE_TOLERANCE = 1e-6;

/**
 * Successive projection algorithm (Araújo et al. 2001, "The successive projections algorithm for
 * variable selection in spectroscopic multicomponent analysis"; analysed for separable NMF by Gillis &
 * Vavasis 2014, "Fast and robust recursive algorithms for separable nonnegative matrix
 * factorization", IEEE TPAMI 36(4), Alg. 1). If V = W·[I, H′]·Π with W of full column rank and
 * every column of H′ summing to at most 1, the columns of W appear among V's columns and SPA
 * finds them: repeatedly pick the column of largest residual ℓ2 norm, then project every column
 * onto the orthogonal complement of the picked one.
 *
 * Variant: columns are first scaled to unit ℓ1 norm (zero columns stay zero), the preprocessing of
 * Gillis' reference code FastSepNMF and of Gillis 2014, "The why and how of nonnegative matrix
 * factorization", §5: for nonnegative data it turns any separable V = W·H into one whose H is
 * column-stochastic, the setting of the theorem, so pure columns are picked whatever their scale.
 * Ties (residuals within 1e-6 relative of the largest) go to the column of largest scaled norm,
 * then to the smallest index, as in FastSepNMF.
 *
 * Implementation: residuals are never formed. With q₁…q_t the orthonormalised picked columns,
 * ‖r_j‖² = ‖v_j‖² − Σ_s ⟨q_s, v_j⟩² (Gillis & Vavasis 2014, §3 "fast implementation"), so each
 * step is one row-major pass over V for ⟨q_t, V⟩: O(mnr) time, O(n + mr) extra memory.
 * The picked column's residual is formed explicitly by Gram–Schmidt applied twice for a q_t that
 * is orthogonal to working precision.
 *
 * Returns the indices of the `rank` selected columns, in order of selection. Throws when V has
 * fewer than `rank` numerically independent columns.
 */
export function spa(V: Matrix, rank: number): number[] {
  const m = V.rows;
  const n = V.cols;
  if (!Number.isInteger(rank) || rank < 1 || rank > Math.min(m, n)) {
    throw new RangeError(`SPA needs 1 ≤ rank ≤ min(m, n) = ${Math.min(m, n)}, got rank ${rank} for a ${m}×${n} matrix`);
  }
  const vd = V.data;
  const scale = new Float64Array(n); // 1/‖v_j‖₁ (0 for a zero column)
  const norm2 = new Float64Array(n); // ‖v_j‖² of the scaled column
  for (let i = 0; i < m; i++) {
    const off = i * n;
    for (let j = 0; j < n; j++) {
      const x = vd[off + j]!;
      scale[j]! += x;
      norm2[j]! += x * x;
    }
  }
  for (let j = 0; j < n; j++) {
    scale[j] = scale[j]! > 0 ? 1 / scale[j]! : 0;
    norm2[j]! *= scale[j]! * scale[j]!;
  }
  const residual = norm2.slice();
  const basis = new Float64Array(rank * m); // q_t, one per row
  const projection = new Float64Array(n);
  const selected: number[] = [];

  for (let t = 0; t < rank; t++) {
    let largest = -Infinity;
    for (let j = 0; j < n; j++) if (residual[j]! > largest) largest = residual[j]!;
    let pick = -1;
    for (let j = 0; j < n; j++) {
      if (residual[j]! >= largest * (1 - TIE_TOLERANCE) && (pick < 0 || norm2[j]! > norm2[pick]!)) pick = j;
    }
    const qOff = t * m;
    for (let i = 0; i < m; i++) basis[qOff + i] = vd[i * n + pick]! * scale[pick]!;
    for (let pass = 0; pass < 2; pass++) {
      for (let s = 0; s < t; s++) {
        const sOff = s * m;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += basis[sOff + i]! * basis[qOff + i]!;
        for (let i = 0; i < m; i++) basis[qOff + i]! -= dot * basis[sOff + i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += basis[qOff + i]! * basis[qOff + i]!;
    norm = Math.sqrt(norm);
    if (!(largest > 0) || !(norm > DEPENDENCE_TOLERANCE * Math.sqrt(norm2[pick]!))) {
      throw new RangeError(
        `SPA found only ${t} linearly independent columns in the ${m}×${n} matrix; cannot select rank ${rank}`,
      );
    }
    for (let i = 0; i < m; i++) basis[qOff + i]! /= norm;
    selected.push(pick);

    // ⟨q_t, v_j⟩ for every column, then ‖r_j‖² −= ⟨q_t, v_j/‖v_j‖₁⟩².
    projection.fill(0);
    for (let i = 0; i < m; i++) {
      const q = basis[qOff + i]!;
      if (q === 0) continue;
      const off = i * n;
      for (let j = 0; j < n; j++) projection[j]! += q * vd[off + j]!;
    }
    for (let j = 0; j < n; j++) {
      const p = projection[j]! * scale[j]!;
      residual[j] = Math.max(residual[j]! - p * p, 0);
    }
    residual[pick] = -Infinity; // never picked twice, whatever the rounding left
  }
  return selected;
}

/**
 * SPA initialisation: W = the columns of V that SPA selects (unscaled), H = argmin_{H ≥ 0}
 * ‖V − WH‖_F, solved column by column from the normal equations (WᵀW, WᵀV) by block principal
 * pivoting (Kim & Park 2011; app/nmf/solvers/nnls-bpp.ts). On noiseless separable data this is an
 * exact factorisation (Gillis & Vavasis 2014).
 */
export function spaInit(V: Matrix, rank: number): { W: Matrix; H: Matrix } {
  const m = V.rows;
  const n = V.cols;
  const picked = spa(V, rank);
  const W = createMatrix(m, rank);
  for (let i = 0; i < m; i++) for (let c = 0; c < rank; c++) W.data[i * rank + c] = V.data[i * n + picked[c]!]!;

  const gram = new Float64Array(rank * rank);
  const rhs = new Float64Array(rank * n);
  const vd = V.data;
  const wd = W.data;
  for (let i = 0; i < m; i++) {
    const wOff = i * rank;
    const vOff = i * n;
    for (let c = 0; c < rank; c++) {
      const wc = wd[wOff + c]!;
      if (wc === 0) continue;
      for (let d = 0; d < rank; d++) gram[c * rank + d]! += wc * wd[wOff + d]!;
      const rOff = c * n;
      for (let j = 0; j < n; j++) rhs[rOff + j]! += wc * vd[vOff + j]!;
    }
  }
  const h = solveNnlsNormal(gram, rhs, rank, n);
  const H = createMatrix(rank, n);
  for (let i = 0; i < h.length; i++) H.data[i] = Math.max(h[i]!, 0);
  return { W, H };
}
