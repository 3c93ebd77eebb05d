import type { Matrix } from '../../matrix.js';
import { penaltyTerms } from '../beta-divergence.js';
import type { NmfProblem } from './solver.js';

/**
 * The products every Frobenius solver (MU, HALS, ANLS, CD) is made of, formed by the problem's
 * kernels (app/nmf/kernels/: WebAssembly SIMD across threads, or the TypeScript reference) into
 * matrices those kernels own:
 *   W update: V Hᵀ (m×r) and H Hᵀ (r×r);   H update: Wᵀ V (r×n) and Wᵀ W (r×r).
 * Forming them is the O(mnr) part of an iteration; the updates themselves are O((m + n)r²).
 *
 * The objective is ½‖V − WH‖² from WH formed row by row (kernels.frobeniusLoss), not the identity
 * ½(‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩): with float32 products that identity cancels away the
 * digits a 1e-4 stopping test needs once the fit is good. It costs one product per evaluation
 * (every checkEvery iterations).
 */
export interface FrobeniusProducts {
  /** V Hᵀ, m×r row-major; computeVht fills its first `rows` rows. */
  readonly vht: Float32Array;
  /** H Hᵀ, r×r. */
  readonly hht: Float32Array;
  /** Wᵀ V, r×n. */
  readonly wtv: Float32Array;
  /** Wᵀ W, r×r. */
  readonly wtw: Float32Array;
  /** The same four as matrices of the kernels' memory (for kernels that take them). */
  readonly matrices: { readonly vht: Matrix; readonly hht: Matrix; readonly wtv: Matrix; readonly wtw: Matrix };
  /** HHᵀ of the current H. */
  refreshHht(): void;
  /** V Hᵀ for the first `rows` rows (the others are frozen: not needed). */
  computeVht(rows: number): void;
  /** WᵀV and WᵀW from the current W (every row, frozen ones included). */
  computeWtvWtw(): void;
  /** The objective of the current (W, H), penalties included. */
  objective(): number;
}

export function createFrobeniusProducts(problem: NmfProblem): FrobeniusProducts {
  const { V, W, H, penalties, kernels } = problem;
  const m = V.rows;
  const n = V.cols;
  const r = W.cols;
  const vht = kernels.allocate(m, r);
  const hht = kernels.allocate(r, r);
  const wtv = kernels.allocate(r, n);
  const wtw = kernels.allocate(r, r);
  return {
    vht: vht.data,
    hht: hht.data,
    wtv: wtv.data,
    wtw: wtw.data,
    matrices: { vht, hht, wtv, wtw },
    refreshHht: () => kernels.matmulNT(H, H, hht),
    computeVht(rows: number): void {
      if (rows <= 0) return;
      if (rows === m) {
        kernels.matmulNT(V, H, vht);
        return;
      }
      // Only the updatable rows: a view of V's first rows (row-major, so a prefix of its data).
      const top = { rows, cols: n, data: V.data.subarray(0, rows * n) };
      const out = { rows, cols: r, data: vht.data.subarray(0, rows * r) };
      kernels.matmulNT(top, H, out);
    },
    computeWtvWtw(): void {
      kernels.matmulTN(W, V, wtv);
      kernels.matmulTN(W, W, wtw);
    },
    objective: () => kernels.frobeniusLoss(V, W, H) + penaltyTerms(W, H, penalties),
  };
}
