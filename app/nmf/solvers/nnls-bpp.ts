/**
 * Nonnegative least squares with many right-hand sides, min_{X ≥ 0} ‖AX − B‖_F, from the normal
 * equations C = AᵀA (r×r) and D = AᵀB (r×n), by block principal pivoting (Kim & Park 2011, "Fast
 * nonnegative matrix factorization: an active-set-like method and comparisons", SIAM J. Sci.
 * Comput. 33(6), Algorithm 2 with the column grouping of their Section 3.2 / Algorithm 3).
 *
 * Each column j has a passive set F (variables free to be positive) and its complement G (held at
 * 0). For a given F the column's solution is x_F = C_FF⁻¹ d_F, x_G = 0, and the gradient of
 * ½xᵀCx − dᵀx is y = Cx − d, with y_F = 0. The pair is optimal (KKT) iff x_F ≥ 0 and y_G ≥ 0. While
 * it is not, the infeasible variables V = {i ∈ F: x_i < 0} ∪ {i ∈ G: y_i < 0} are exchanged
 * between F and G — all of them at once while that keeps reducing |V| (with up to MAX_BACKUP
 * tries that do not), otherwise only the one with the largest index (Murty's rule, which makes
 * the method terminate). Columns whose passive sets coincide share one Cholesky factorisation of
 * C_FF, which is what makes the many-right-hand-side case fast: after sorting the columns by
 * their passive set, one factorisation serves a whole run.
 *
 * Degenerate inputs:
 * - A zero column of A (C_kk = 0, hence d_k = 0 for a genuine Gram pair): x_k has no effect on
 *   the objective and is set to 0, the minimum-norm choice. (A penalised caller may pass d_k < 0
 *   there; 0 is then the unique optimum. d_k > 0 would make the problem unbounded: RangeError.)
 * - A singular passive subsystem (rank-deficient A): its Cholesky factorisation meets a pivot
 *   below SINGULAR_PIVOT·max diag; only then is a ridge of RIDGE·max diag added to that
 *   subsystem's diagonal (growing ×100 if it still fails). That returns an (almost) minimum-norm
 *   solution of the singular subsystem; the objective value, which is unique even when X is not,
 *   moves by O(RIDGE) relative.
 * - r = 1 needs nothing special: C_FF is the 1×1 C_00 and x = max(0, d/C_00).
 */

/** Kim & Park's p̄: exchanges of a full infeasible set allowed without decreasing its size. */
const MAX_BACKUP = 3;
/** A Cholesky pivot at or below this fraction of the subsystem's largest diagonal means singular. */
const SINGULAR_PIVOT = 1e-12;
/** Ridge added (relative to the largest diagonal) to a singular passive subsystem. */
const RIDGE = 1e-10;
/**
 * A gradient entry within this fraction of the magnitude of the terms it was computed from is
 * rounding noise, not a sign: it counts as zero, so that degenerate columns (y_i = 0 exactly at
 * the optimum) do not exchange forever on the sign of a rounding error.
 */
const GRADIENT_NOISE = 1e-11;

/**
 * X ≥ 0 (r×n, row-major) minimising ‖AX − B‖_F given gram = AᵀA (r×r, row-major) and rhs = AᵀB
 * (r×n, row-major). `initial` (r×n), when given, is a warm start: its positive entries seed the
 * passive sets, which usually leaves only a few exchanges to do. None of the inputs is modified.
 */
export function solveNnlsNormal(gram: Float64Array, rhs: Float64Array, r: number, n: number, initial?: Float64Array): Float64Array {
  if (!Number.isInteger(r) || r < 0 || !Number.isInteger(n) || n < 0) throw new RangeError(`invalid NNLS shape r=${r}, n=${n}`);
  if (gram.length !== r * r) throw new RangeError(`gram has ${gram.length} entries, expected ${r}×${r}`);
  if (rhs.length !== r * n) throw new RangeError(`rhs has ${rhs.length} entries, expected ${r}×${n}`);
  if (initial && initial.length !== r * n) throw new RangeError(`initial has ${initial.length} entries, expected ${r}×${n}`);
  const out = new Float64Array(r * n);
  if (r === 0 || n === 0) return out;

  // Variables with zero curvature never enter a passive set.
  const dead = new Uint8Array(r);
  for (let k = 0; k < r; k++) {
    if (gram[k * r + k]! > 0) continue;
    dead[k] = 1;
    for (let j = 0; j < n; j++) {
      if (rhs[k * n + j]! > 0) throw new RangeError(`NNLS variable ${k} has zero curvature but a positive right-hand side: unbounded`);
    }
  }

  // Work column by column (column j's r values contiguous): every solve and test reads one column.
  const d = new Float64Array(n * r);
  const passive = new Uint8Array(n * r);
  for (let k = 0; k < r; k++) {
    const rowOff = k * n;
    for (let j = 0; j < n; j++) {
      d[j * r + k] = rhs[rowOff + j]!;
      if (initial && !dead[k] && initial[rowOff + j]! > 0) passive[j * r + k] = 1;
    }
  }
  const x = new Float64Array(n * r);
  const y = new Float64Array(n * r);
  const solver = createGroupSolver(gram, r, dead, d, passive, x, y);

  const pending = new Int32Array(n);
  for (let j = 0; j < n; j++) pending[j] = j;
  solver.solve(pending, n);

  const backups = new Int8Array(n).fill(MAX_BACKUP);
  const fewestInfeasible = new Int32Array(n).fill(r + 1);
  // Murty's single exchanges terminate in exact arithmetic; the cap only guards against rounding.
  const maxRounds = 100 + 20 * r;
  let converged = false;
  for (let round = 0; round < maxRounds; round++) {
    let count = 0;
    for (let j = 0; j < n; j++) {
      const off = j * r;
      let infeasible = 0;
      let last = -1;
      for (let k = 0; k < r; k++) {
        if (isInfeasible(passive[off + k]!, x[off + k]!, y[off + k]!)) {
          infeasible++;
          last = k;
        }
      }
      if (infeasible === 0) continue;
      if (infeasible < fewestInfeasible[j]! || backups[j]! > 0) {
        if (infeasible < fewestInfeasible[j]!) {
          fewestInfeasible[j] = infeasible;
          backups[j] = MAX_BACKUP;
        } else {
          backups[j] = backups[j]! - 1;
        }
        for (let k = 0; k < r; k++) {
          if (isInfeasible(passive[off + k]!, x[off + k]!, y[off + k]!)) passive[off + k] = passive[off + k]! ^ 1;
        }
      } else {
        passive[off + last] = passive[off + last]! ^ 1;
      }
      pending[count++] = j;
    }
    if (count === 0) {
      converged = true;
      break;
    }
    solver.solve(pending, count);
  }

  for (let j = 0; j < n; j++) {
    for (let k = 0; k < r; k++) {
      const value = x[j * r + k]!;
      // Only reachable without convergence (see maxRounds): clamp what is still infeasible.
      out[k * n + j] = converged || value > 0 ? value : 0;
    }
  }
  return out;
}

function isInfeasible(inPassive: number, xi: number, yi: number): boolean {
  return inPassive ? xi < 0 : yi < 0;
}

interface GroupSolver {
  /** Solve columns list[0..count) for their current passive sets (list is reordered). */
  solve(list: Int32Array, count: number): void;
}

function createGroupSolver(
  gram: Float64Array,
  r: number,
  dead: Uint8Array,
  d: Float64Array,
  passive: Uint8Array,
  x: Float64Array,
  y: Float64Array,
): GroupSolver {
  const passiveIdx = new Int32Array(r);
  const activeIdx = new Int32Array(r);
  const chol = new Float64Array(r * r);
  const z = new Float64Array(r);
  const byPassiveSet = (a: number, b: number): number => {
    const oa = a * r;
    const ob = b * r;
    for (let k = 0; k < r; k++) {
      const diff = passive[oa + k]! - passive[ob + k]!;
      if (diff !== 0) return diff;
    }
    return a - b;
  };
  const samePassiveSet = (a: number, b: number): boolean => {
    const oa = a * r;
    const ob = b * r;
    for (let k = 0; k < r; k++) if (passive[oa + k] !== passive[ob + k]) return false;
    return true;
  };

  const solveColumn = (j: number, p: number, q: number): void => {
    const off = j * r;
    if (p > 0) {
      // L Lᵀ z = d_F: forward, then backward substitution.
      for (let a = 0; a < p; a++) {
        let s = d[off + passiveIdx[a]!]!;
        const row = a * p;
        for (let c = 0; c < a; c++) s -= chol[row + c]! * z[c]!;
        z[a] = s / chol[row + a]!;
      }
      for (let a = p - 1; a >= 0; a--) {
        let s = z[a]!;
        for (let c = a + 1; c < p; c++) s -= chol[c * p + a]! * z[c]!;
        z[a] = s / chol[a * p + a]!;
      }
    }
    for (let a = 0; a < p; a++) {
      const k = passiveIdx[a]!;
      x[off + k] = z[a]!;
      y[off + k] = 0;
    }
    // Dead variables (zero curvature) are in neither list: x = 0 and y = 0 from the start.
    for (let b = 0; b < q; b++) {
      const i = activeIdx[b]!;
      const gOff = i * r;
      const di = d[off + i]!;
      let s = -di;
      let magnitude = Math.abs(di);
      for (let a = 0; a < p; a++) {
        const term = gram[gOff + passiveIdx[a]!]! * z[a]!;
        s += term;
        magnitude += Math.abs(term);
      }
      x[off + i] = 0;
      y[off + i] = Math.abs(s) <= GRADIENT_NOISE * magnitude ? 0 : s;
    }
  };

  return {
    solve(list: Int32Array, count: number): void {
      const sorted = list.subarray(0, count).sort(byPassiveSet);
      let start = 0;
      while (start < count) {
        const first = sorted[start]!;
        let end = start + 1;
        while (end < count && samePassiveSet(first, sorted[end]!)) end++;
        let p = 0;
        let q = 0;
        const off = first * r;
        for (let k = 0; k < r; k++) {
          if (passive[off + k]) passiveIdx[p++] = k;
          else if (!dead[k]) activeIdx[q++] = k;
        }
        if (p > 0) factorPassive(gram, r, passiveIdx, p, chol);
        for (let t = start; t < end; t++) solveColumn(sorted[t]!, p, q);
        start = end;
      }
    },
  };
}

/**
 * Cholesky factor L (p×p, lower, row-major in `out`) of C_FF, adding a ridge only when C_FF is
 * numerically singular (see the module comment).
 */
function factorPassive(gram: Float64Array, r: number, idx: Int32Array, p: number, out: Float64Array): void {
  let maxDiag = 0;
  for (let a = 0; a < p; a++) maxDiag = Math.max(maxDiag, gram[idx[a]! * r + idx[a]!]!);
  let ridge = 0;
  // For a positive semidefinite C, a ridge above p·maxDiag makes C_FF diagonally dominant, so the
  // growing ridge succeeds within a few tries; failing beyond that means C was not a Gram matrix.
  for (let attempt = 0; attempt < 12; attempt++) {
    if (cholesky(gram, r, idx, p, ridge, SINGULAR_PIVOT * maxDiag, out)) return;
    ridge = ridge === 0 ? RIDGE * maxDiag : ridge * 100;
  }
  throw new RangeError('NNLS gram matrix is not positive semidefinite');
}

function cholesky(gram: Float64Array, r: number, idx: Int32Array, p: number, ridge: number, minPivot: number, out: Float64Array): boolean {
  for (let a = 0; a < p; a++) {
    const gRow = idx[a]! * r;
    const aRow = a * p;
    for (let b = 0; b <= a; b++) {
      const bRow = b * p;
      let s = gram[gRow + idx[b]!]!;
      for (let c = 0; c < b; c++) s -= out[aRow + c]! * out[bRow + c]!;
      if (a === b) {
        s += ridge;
        if (!(s > minPivot)) return false;
        out[aRow + a] = Math.sqrt(s);
      } else {
        out[aRow + b] = s / out[bRow + b]!;
      }
    }
  }
  return true;
}
