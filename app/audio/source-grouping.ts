import type { Matrix } from '../matrix.js';

/**
 * Thin automatic grouping of K NMF components into S sources, from the spectra alone.
 *
 * Each component k gets a pitch-like position, the spectral centroid of its W column on a
 * log-frequency axis, c_k = Σ_b W[b,k]·log2(b) / Σ_b W[b,k] over bins b ≥ 1 (DC has no log
 * frequency), and a weight, its share of the model's total magnitude, Σ_b W[b,k] · Σ_t H[k,t]
 * (invariant to NMF's scale ambiguity W[:,k]·α, H[k,:]/α). The centroids are then cut into S
 * contiguous groups by optimal weighted 1-D k-means: the split minimising the energy-weighted
 * within-group variance, found exactly by dynamic programming over the sorted centroids (Wang &
 * Song, "Ckmeans.1d.dp", The R Journal 3(2), 2011). Exact and deterministic, every group non-empty;
 * weighting keeps a faint stray component (noise floor, a click) from claiming a source of its own.
 *
 * It separates sources that live in different registers (bass vs. flute) and fails on sources
 * that overlap in frequency; grouping with temporal evidence (co-activation in H) is a later step.
 *
 * Returns the source index per component; sources are numbered from the lowest centroid up.
 */
export function groupComponents(W: Matrix, H: Matrix, sources: number): number[] {
  const K = W.cols;
  if (H.rows !== K) throw new RangeError(`W has ${K} components but H has ${H.rows}`);
  if (!Number.isInteger(sources) || sources < 1) throw new RangeError(`the number of sources must be a positive integer, got ${sources}`);
  if (sources > K) throw new RangeError(`cannot group ${K} components into ${sources} sources: need at least one component per source`);

  const { centroids, weights } = componentFeatures(W, H);
  // Sort by centroid; the index breaks ties so the order never depends on the sort's stability.
  const order = Array.from({ length: K }, (_, k) => k).sort((a, b) => centroids[a]! - centroids[b]! || a - b);
  const cuts = optimalSegments(
    order.map((k) => centroids[k]!),
    order.map((k) => weights[k]!),
    sources,
  );
  const assignment = new Array<number>(K).fill(0);
  for (let s = 0; s < sources; s++) {
    for (let i = cuts[s]!; i < cuts[s + 1]!; i++) assignment[order[i]!] = s;
  }
  return assignment;
}

/** Log-frequency centroid and energy weight of each component (see groupComponents). */
export function componentFeatures(W: Matrix, H: Matrix): { centroids: Float64Array; weights: Float64Array } {
  const K = W.cols;
  const m = W.rows;
  const n = H.cols;
  const centroids = new Float64Array(K);
  const weights = new Float64Array(K);
  let live = 0;
  let liveCentroidSum = 0;
  for (let k = 0; k < K; k++) {
    let mass = 0;
    let moment = 0;
    let columnSum = 0;
    for (let b = 0; b < m; b++) {
      const x = W.data[b * K + k]!;
      columnSum += x;
      if (b === 0) continue;
      mass += x;
      moment += x * Math.log2(b);
    }
    let rowSum = 0;
    for (let t = 0; t < n; t++) rowSum += H.data[k * n + t]!;
    weights[k] = columnSum * rowSum;
    centroids[k] = mass > 0 ? moment / mass : Number.NaN;
    if (mass > 0) {
      live++;
      liveCentroidSum += centroids[k]!;
    }
  }
  // A dead component (zero W column) has no centroid: park it at the mean of the others, where
  // it disturbs no split. Its separated signal is zero whichever source it joins.
  const fallback = live > 0 ? liveCentroidSum / live : 0;
  for (let k = 0; k < K; k++) if (Number.isNaN(centroids[k]!)) centroids[k] = fallback;
  // A small weight floor keeps the objective well defined when components carry no energy.
  let total = 0;
  for (let k = 0; k < K; k++) total += weights[k]!;
  const floor = total > 0 ? (total / K) * 1e-9 : 1;
  for (let k = 0; k < K; k++) weights[k] = Math.max(weights[k]!, floor);
  return { centroids, weights };
}

/**
 * Optimal split of sorted values x (weights w) into S contiguous non-empty segments minimising
 * Σ_segments Σ w·(x − weighted mean)². Returns S + 1 boundaries: segment s is [cuts[s], cuts[s+1]).
 */
function optimalSegments(x: readonly number[], w: readonly number[], S: number): number[] {
  const K = x.length;
  // Prefix sums make any segment's weighted sum of squares O(1).
  const sw = new Float64Array(K + 1);
  const swx = new Float64Array(K + 1);
  const swx2 = new Float64Array(K + 1);
  for (let i = 0; i < K; i++) {
    sw[i + 1] = sw[i]! + w[i]!;
    swx[i + 1] = swx[i]! + w[i]! * x[i]!;
    swx2[i + 1] = swx2[i]! + w[i]! * x[i]! * x[i]!;
  }
  const cost = (from: number, to: number): number => {
    const W = sw[to]! - sw[from]!;
    const M = swx[to]! - swx[from]!;
    return Math.max(0, swx2[to]! - swx2[from]! - (M * M) / W);
  };
  // best[s][j]: least cost of the first j values in s + 1 segments; start[s][j]: where the last begins.
  const best: Float64Array[] = [];
  const start: Int32Array[] = [];
  for (let s = 0; s < S; s++) {
    best.push(new Float64Array(K + 1).fill(Infinity));
    start.push(new Int32Array(K + 1));
  }
  for (let j = 1; j <= K; j++) best[0]![j] = cost(0, j);
  for (let s = 1; s < S; s++) {
    for (let j = s + 1; j <= K; j++) {
      for (let i = s; i < j; i++) {
        const c = best[s - 1]![i]! + cost(i, j);
        // Strict < keeps the first minimum: ties resolve the same way on every run.
        if (c < best[s]![j]!) {
          best[s]![j] = c;
          start[s]![j] = i;
        }
      }
    }
  }
  const cuts = new Array<number>(S + 1);
  cuts[S] = K;
  for (let s = S - 1; s >= 1; s--) cuts[s] = start[s]![cuts[s + 1]!]!;
  cuts[0] = 0;
  return cuts;
}
