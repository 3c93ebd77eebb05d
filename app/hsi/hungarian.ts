/**
 * Optimal assignment (the linear sum assignment problem): given an n×m cost matrix with n ≤ m,
 * choose for each row a distinct column so that the total cost is smallest.
 *
 * Method: the Hungarian algorithm (Kuhn 1955, "The Hungarian method for the assignment problem";
 * Munkres 1957) in its O(n²m) shortest-augmenting-path form with row and column potentials
 * (Jonker & Volgenant 1987; the formulation of Burkard, Dell'Amico & Martello, "Assignment
 * Problems", SIAM 2009, §4.4): rows are added one at a time, and each addition grows an
 * alternating tree by Dijkstra's algorithm on the reduced costs c(i, j) − u(i) − v(j) ≥ 0 until it
 * reaches a free column, then flips the path. Exact for any finite costs (no ε, no scaling), so
 * it replaces the exhaustive search over P!/(P−Q)! assignments that matching endmembers used.
 */
export interface Assignment {
  /** column assigned to each row (length n, distinct). */
  readonly columns: number[];
  /** Σ_i cost[i][columns[i]]. */
  readonly total: number;
}

export function solveAssignment(cost: readonly (readonly number[])[]): Assignment {
  const n = cost.length;
  if (n === 0) return { columns: [], total: 0 };
  const m = cost[0]!.length;
  for (let i = 0; i < n; i++) {
    const row = cost[i]!;
    if (row.length !== m) throw new RangeError(`assignment: row ${i} has ${row.length} costs, row 0 has ${m}`);
    for (let j = 0; j < m; j++) {
      if (!Number.isFinite(row[j]!)) throw new RangeError(`assignment: cost (${i}, ${j}) is ${row[j]}, not a finite number`);
    }
  }
  if (n > m) throw new RangeError(`assignment: ${n} rows cannot take distinct columns among ${m}`);

  // 1-based arrays with a virtual column 0 that holds the row being inserted (the classic layout).
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const rowOf = new Int32Array(m + 1); // rowOf[j]: row (1-based) matched to column j, 0 = free
  const way = new Int32Array(m + 1); // previous column on the shortest path
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    rowOf[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = rowOf[j0]!;
      const costRow = cost[i0 - 1]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = costRow[j - 1]! - u[i0]! - v[j]!;
        if (reduced < minv[j]!) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[rowOf[j]!]! += delta;
          v[j]! -= delta;
        } else {
          minv[j]! -= delta;
        }
      }
      j0 = j1;
    } while (rowOf[j0] !== 0);
    // Flip the augmenting path back to the virtual column.
    do {
      const j1 = way[j0]!;
      rowOf[j0] = rowOf[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const columns = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (rowOf[j]! > 0) columns[rowOf[j]! - 1] = j - 1;
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i]![columns[i]!]!;
  return { columns, total };
}
