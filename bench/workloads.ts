/**
 * The benchmark's three synthetic workloads: seeded low-rank products plus nonnegative noise, made
 * here once and handed to every runner (ours and scikit-learn's) as .npy files, so that both sides
 * factorize the very same float32 matrix. Shapes follow the issue (V m×n ≈ W m×r · H r×n).
 */
import { createMatrix, multiply, type Matrix } from '../app/matrix.js';
import { createRandom, type Random } from '../app/random.js';

export type WorkloadName = 'audio' | 'hyperspectral' | 'topics';

export interface WorkloadSpec {
  readonly name: WorkloadName;
  readonly rows: number;
  readonly cols: number;
  readonly rank: number;
  readonly seed: number;
  readonly description: string;
}

export const WORKLOADS: readonly WorkloadSpec[] = [
  { name: 'audio', rows: 1025, cols: 2600, rank: 16, seed: 1, description: 'spectrogram-like: decaying spectral templates × sparse heavy-tailed activations + noise' },
  { name: 'hyperspectral', rows: 162, cols: 94249, rank: 6, seed: 2, description: 'smooth endmember spectra × abundances on the simplex + noise' },
  { name: 'topics', rows: 5000, cols: 2000, rank: 20, seed: 3, description: 'document × term Poisson counts from sparse topic mixtures' },
];

/** Exp(1) draw; 1 − u keeps the logarithm finite because u ∈ [0, 1). */
function exponential(random: Random): number {
  return -Math.log(1 - random());
}

function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function mean(a: Matrix): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += a.data[i]!;
  return sum / a.data.length;
}

export function makeWorkload(spec: WorkloadSpec): Matrix {
  const random = createRandom(spec.seed);
  switch (spec.name) {
    case 'audio':
      return audio(spec, random);
    case 'hyperspectral':
      return hyperspectral(spec, random);
    case 'topics':
      return topics(spec, random);
  }
}

function audio({ rows: m, cols: n, rank: r }: WorkloadSpec, random: Random): Matrix {
  // Templates: exponential entries under a per-component spectral tilt (energy falls with
  // frequency, as in real spectra); activations: squared exponentials, mostly near zero, so
  // components switch on and off over time.
  const W = createMatrix(m, r);
  for (let k = 0; k < r; k++) {
    const decay = 50 + 300 * random();
    for (let i = 0; i < m; i++) W.data[i * r + k] = exponential(random) * Math.exp(-i / decay);
  }
  const H = createMatrix(r, n);
  for (let i = 0; i < H.data.length; i++) H.data[i] = exponential(random) ** 2 * (random() < 0.3 ? 1 : 0.05);
  return addNoise(multiply(W, H), 0.01, random);
}

function hyperspectral({ rows: m, cols: n, rank: r }: WorkloadSpec, random: Random): Matrix {
  // Endmembers: a baseline plus three Gaussian absorption/reflection bumps over the bands.
  const W = createMatrix(m, r);
  for (let k = 0; k < r; k++) {
    const base = 0.05 + 0.2 * random();
    const bumps = Array.from({ length: 3 }, () => ({ centre: m * random(), width: 5 + 30 * random(), height: 0.2 + 0.6 * random() }));
    for (let i = 0; i < m; i++) {
      let x = base;
      for (const b of bumps) x += b.height * Math.exp(-(((i - b.centre) / b.width) ** 2));
      W.data[i * r + k] = x;
    }
  }
  // Abundances: normalised squared exponentials, a Dirichlet-like draw that favours nearly pure
  // pixels; every column sums to one.
  const H = createMatrix(r, n);
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let k = 0; k < r; k++) sum += (H.data[k * n + j] = exponential(random) ** 2);
    for (let k = 0; k < r; k++) H.data[k * n + j]! /= sum;
  }
  return addNoise(multiply(W, H), 0.005, random);
}

function topics({ rows: m, cols: n, rank: r }: WorkloadSpec, random: Random): Matrix {
  // Topic-term distributions and document-topic mixtures from cubed exponentials (heavy tails:
  // few words per topic and few topics per document dominate), documents of 100–500 words.
  const normalizedRows = (rows: number, cols: number, scale: (i: number) => number): Matrix => {
    const a = createMatrix(rows, cols);
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += (a.data[i * cols + j] = exponential(random) ** 3);
      const s = scale(i) / sum;
      for (let j = 0; j < cols; j++) a.data[i * cols + j]! *= s;
    }
    return a;
  };
  const theta = normalizedRows(m, r, () => 100 + 400 * random());
  const phi = normalizedRows(r, n, () => 1);
  const V = multiply(theta, phi); // expected counts λ, replaced by Poisson draws in place
  // Both solvers must see the same matrix: factorize() sets all-zero rows and columns aside, so
  // each gets a count at its most likely entry.
  const colBest = new Int32Array(n);
  const colBestLambda = new Float64Array(n);
  const colHas = new Uint8Array(n);
  for (let i = 0; i < m; i++) {
    let rowBest = 0;
    let rowBestLambda = -1;
    let rowHas = false;
    for (let j = 0; j < n; j++) {
      const at = i * n + j;
      const lambda = V.data[at]!;
      if (lambda > rowBestLambda) [rowBest, rowBestLambda] = [j, lambda];
      if (lambda > colBestLambda[j]!) [colBest[j], colBestLambda[j]] = [i, lambda];
      const count = poisson(lambda, random);
      V.data[at] = count;
      if (count > 0) {
        rowHas = true;
        colHas[j] = 1;
      }
    }
    if (!rowHas) V.data[i * n + rowBest] = 1;
  }
  for (let j = 0; j < n; j++) if (!colHas[j]) V.data[colBest[j]! * n + j] = 1;
  return V;
}

/** Inverse-transform Poisson draw, O(λ) steps: fine for the small rates here (mean ≈ 0.15). */
function poisson(lambda: number, random: Random): number {
  const u = random();
  let k = 0;
  let p = Math.exp(-lambda);
  let cumulative = p;
  while (u > cumulative && p > 0) {
    k++;
    p *= lambda / k;
    cumulative += p;
  }
  return k;
}

/** V + level·mean(V)·|noise|: nonnegative, so V stays a valid NMF input. */
function addNoise(v: Matrix, level: number, random: Random): Matrix {
  const scale = level * mean(v);
  for (let i = 0; i < v.data.length; i++) v.data[i]! += scale * Math.abs(gaussian(random));
  return v;
}
