import type { Matrix } from '../matrix.js';

/**
 * Consensus clustering for choosing the rank (Brunet, Tamayo, Golub & Mesirov 2004, "Metagenes and
 * molecular pattern discovery using matrix factorization", PNAS 101(12)). Each run of NMF assigns
 * every column j of V to the component with the largest H_kj; the connectivity matrix records
 * which columns share a component, the consensus matrix is its mean over runs (the fraction of runs
 * in which i and j were clustered together), and the cophenetic correlation coefficient measures
 * how close the consensus is to a clean 0/1 block structure: the Pearson correlation between the
 * distances 1 − C_ij and the heights at which average-linkage hierarchical clustering of those
 * distances first joins i and j (Sokal & Rohlf 1962, "The comparison of dendrograms by objective
 * methods"). A rank whose clustering is reproducible has ρ close to 1; Brunet et al. pick the
 * rank before ρ starts to fall.
 *
 * Memory is O(n²) in the number of columns n (the n×n matrices are the method), so this is meant
 * for up to a few thousand columns, not for every pixel of an image.
 */

/**
 * Cluster label of each column of H (r×n): the index of its largest entry (Brunet et al. 2004).
 * Ties go to the lowest index, so an all-zero column is labelled 0.
 */
export function clusterLabels(H: Matrix): Int32Array {
  const n = H.cols;
  const labels = new Int32Array(n);
  const best = new Float64Array(n).fill(-Infinity);
  // Row by row so H is read sequentially.
  for (let k = 0; k < H.rows; k++) {
    const off = k * n;
    for (let j = 0; j < n; j++) {
      const x = H.data[off + j]!;
      if (x > best[j]!) {
        best[j] = x;
        labels[j] = k;
      }
    }
  }
  return labels;
}

/** Connectivity matrix (n×n, row-major, n = H.cols): 1 where columns i and j share a label. */
export function connectivity(H: Matrix): Uint8Array {
  const n = H.cols;
  const labels = clusterLabels(H);
  const out = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    const li = labels[i]!;
    const off = i * n;
    for (let j = 0; j < n; j++) out[off + j] = labels[j] === li ? 1 : 0;
  }
  return out;
}

/** Consensus matrix: the entrywise mean of connectivity matrices of one size (n×n, row-major). */
export function consensusMatrix(connectivities: readonly Uint8Array[]): Float64Array {
  if (connectivities.length === 0) throw new RangeError('consensusMatrix needs at least one connectivity matrix');
  const size = connectivities[0]!.length;
  const sum = new Float64Array(size);
  for (const c of connectivities) {
    if (c.length !== size) throw new RangeError(`connectivity matrices differ in size: ${c.length} vs ${size}`);
    for (let i = 0; i < size; i++) sum[i] += c[i]!;
  }
  const inverse = 1 / connectivities.length;
  for (let i = 0; i < size; i++) sum[i] *= inverse;
  return sum;
}

/**
 * Cophenetic distances of the average-linkage (UPGMA: Sokal & Michener 1958) clustering of the
 * distances 1 − C_ij, in condensed order (pairs i < j row by row, as scipy's squareform/cophenet):
 * entry (i, j) is the height of the merge that first puts i and j in one cluster. Only the upper
 * triangle of the consensus matrix is read.
 *
 * Built with the nearest-neighbour chain algorithm (Murtagh 1983, "A survey of recent advances in
 * hierarchical clustering algorithms"; Müllner 2011, "Modern hierarchical, agglomerative clustering
 * algorithms"), exact for average linkage because it is reducible: O(n²) time and two condensed
 * float64 arrays of n(n − 1)/2 entries. Cluster distances follow the Lance–Williams update for
 * average linkage (Lance & Williams 1967), d(A∪B, K) = (|A| d(A, K) + |B| d(B, K)) / (|A| + |B|).
 * With tied distances the tree (like scipy's) depends on the order ties are met.
 */
export function copheneticDistances(consensus: Float64Array, n: number): Float64Array {
  checkShape(consensus, n);
  const pairs = (n * (n - 1)) / 2;
  // rowBase[i] + j is the condensed index of (i, j), i < j.
  const rowBase = new Float64Array(n);
  for (let i = 0; i < n; i++) rowBase[i] = i * n - (i * (i + 1)) / 2 - i - 1;
  const d = new Float64Array(pairs);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const x = 1 - consensus[i * n + j]!;
      if (!Number.isFinite(x)) throw new RangeError(`consensus entry (${i}, ${j}) is not finite`);
      d[rowBase[i]! + j] = x;
    }
  }
  const at = (i: number, j: number): number => (i < j ? rowBase[i]! + j : rowBase[j]! + i);

  const coph = new Float64Array(pairs);
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  // Members of the cluster represented by index c: the linked list c → next[c] → … → -1.
  const next = new Int32Array(n).fill(-1);
  const tail = Int32Array.from({ length: n }, (_, i) => i);
  const chain = new Int32Array(n);
  let length = 0;
  let firstActive = 0;
  for (let remaining = n; remaining > 1; remaining--) {
    if (length === 0) {
      while (active[firstActive] === 0) firstActive++;
      chain[length++] = firstActive;
    }
    // Grow the chain until its last two clusters are reciprocal nearest neighbours.
    let a: number;
    let b: number;
    let height: number;
    for (;;) {
      a = chain[length - 1]!;
      // Preferring the previous chain element on ties keeps the chain from cycling.
      b = length >= 2 ? chain[length - 2]! : -1;
      height = b >= 0 ? d[at(a, b)]! : Infinity;
      for (let k = 0; k < n; k++) {
        if (k === a || active[k] === 0) continue;
        const dk = d[at(a, k)]!;
        if (dk < height) {
          height = dk;
          b = k;
        }
      }
      if (length >= 2 && b === chain[length - 2]) break;
      chain[length++] = b;
    }
    length -= 2;
    // Every pair split between the two clusters is first joined at this height.
    for (let x = a; x >= 0; x = next[x]!) {
      for (let y = b; y >= 0; y = next[y]!) coph[at(x, y)] = height;
    }
    // The union lives on at index b.
    const sa = size[a]!;
    const sb = size[b]!;
    const total = sa + sb;
    for (let k = 0; k < n; k++) {
      if (k === a || k === b || active[k] === 0) continue;
      const kb = at(k, b);
      d[kb] = (sa * d[at(k, a)]! + sb * d[kb]!) / total;
    }
    size[b] = total;
    active[a] = 0;
    next[tail[b]!] = a;
    tail[b] = tail[a]!;
  }
  return coph;
}

/**
 * Cophenetic correlation coefficient of a consensus matrix (Brunet et al. 2004): the Pearson
 * correlation between the distances 1 − C_ij (i < j) and their UPGMA cophenetic distances
 * (copheneticDistances). `consensus` is n×n row-major; only its upper triangle is read.
 *
 * Edge cases: a perfect consensus (every entry 0 or 1, i.e. every run gave the same partition)
 * returns 1, including the trivial partitions where all distances are equal and Pearson's formula
 * would be 0/0. Any other consensus whose distances are all equal (e.g. three columns, each pair
 * together in exactly one of three runs) has no defined correlation: NaN. With n < 3 there is at most one pair, so no
 * correlation can be measured: NaN.
 */
export function copheneticCorrelation(consensus: Float64Array, n: number): number {
  checkShape(consensus, n);
  if (n < 3) return Number.NaN;
  const coph = copheneticDistances(consensus, n);
  const pairs = coph.length;
  let binary = true;
  let identical = true;
  // Constancy is tested exactly: the centred sums of a constant vector need not round to 0.
  let constant = true;
  const firstX = 1 - consensus[1]!;
  let sumX = 0;
  let sumY = 0;
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, p++) {
      const x = 1 - consensus[i * n + j]!;
      const y = coph[p]!;
      if (x !== 0 && x !== 1) binary = false;
      if (x !== y) identical = false;
      if (x !== firstX) constant = false;
      sumX += x;
      sumY += y;
    }
  }
  if (binary && identical) return 1;
  // UPGMA heights are averages of the distances, so constant distances give constant heights
  // and the reverse: either way there is no variance to correlate.
  if (constant) return Number.NaN;
  // Two passes (means first): no cancellation when the distances vary little.
  const meanX = sumX / pairs;
  const meanY = sumY / pairs;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, p++) {
      const dx = 1 - consensus[i * n + j]! - meanX;
      const dy = coph[p]! - meanY;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

function checkShape(consensus: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a nonnegative integer, got ${n}`);
  if (consensus.length !== n * n) throw new RangeError(`consensus has ${consensus.length} entries, expected ${n}×${n}`);
}
