import FFT from 'fft.js';

/**
 * BSS Eval: the source-separation measures of Vincent, Gribonval & Févotte, "Performance
 * measurement in blind audio source separation", IEEE Trans. ASLP 14(4), 2006, in the
 * "time-invariant filter" variant of bss_eval_sources (BSS Eval toolbox v3, mir_eval's
 * `bss_eval_sources`).
 *
 * An estimate ŝ of source j is split by orthogonal projections (§III-B, eq. 4–7) onto
 *   P_j   = the span of s_j delayed by 0 … L−1 samples (L = filterLength, 512 in the toolbox), and
 *   P_all = the span of every reference s_i delayed by 0 … L−1:
 *   s_target = P_j ŝ,   e_interf = P_all ŝ − P_j ŝ,   e_artif = ŝ − P_all ŝ
 * (so a target that went through a short filter, up to L taps, still counts as the target), and
 *   SDR = 10 log10 ‖s_target‖² / ‖e_interf + e_artif‖²,
 *   SIR = 10 log10 ‖s_target‖² / ‖e_interf‖²,
 *   SAR = 10 log10 ‖s_target + e_interf‖² / ‖e_artif‖²           (eq. 8–10).
 * Signals are zero-padded by L−1 samples so that every delayed copy fits, as in the toolbox.
 *
 * The least-squares coefficients of each projection solve the normal equations G c = d, where
 * G[(i,a),(k,b)] = ⟨s_i(·−a), s_k(·−b)⟩ = R_ik(a−b) is block-Toeplitz in the references'
 * cross-correlations R_ik(τ) = Σ_m s_i[m] s_k[m+τ], and d[(i,a)] = R_iŝ(a). All correlations come
 * from one zero-padded FFT per signal (fft.js), at a size ≥ n + L − 1 so that no lag wraps around;
 * G is solved in float64 by Cholesky. The projections themselves are formed explicitly (filtering
 * the references with c, again by FFT), so the reported energies are those of real signals even
 * when G is badly conditioned (a near-sinusoidal reference makes its delayed copies nearly
 * dependent); a Cholesky factorisation that fails on such a G is retried with a tiny diagonal load.
 *
 * Permutation: every estimate is scored against every reference, and the assignment of estimates
 * to references with the largest mean SIR is kept (as the toolbox does), by exhaustive search over
 * the S! permutations (S ≤ 8).
 *
 * Multichannel sources (stereo): each channel is decomposed on its own (channel c of the estimate
 * against channel c of every reference), and each ratio is taken over the energies summed across
 * channels, like the image measures of BSS Eval v3 (`bss_eval_images`) but without inter-channel
 * filters. For mono signals this is exactly bss_eval_sources.
 */

/** One source: one array of samples per channel, every channel the same length. */
export type SourceChannels = readonly (Float32Array | Float64Array)[];

export interface BssEvalOptions {
  /** Length L of the allowed distortion filter, in samples. Default 512 (BSS Eval v3, mir_eval). */
  readonly filterLength?: number;
}

export interface BssEvalResult {
  /** Per reference source j, measured on the estimate `permutation[j]`; in dB. */
  readonly sdr: number[];
  readonly sir: number[];
  readonly sar: number[];
  /** permutation[j] is the estimate matched to reference j (mir_eval's `perm`). */
  readonly permutation: number[];
}

/** Energies of one estimate's decomposition against one reference (summed over channels). */
interface Decomposition {
  target: number;
  interference: number;
  artifacts: number;
  /** ‖ŝ − P_j ŝ‖² computed directly (not as interference + artifacts): the SDR denominator. */
  distortion: number;
  /** ‖P_all ŝ‖² = ‖s_target + e_interf‖²: the SAR numerator. */
  projected: number;
}

export const DEFAULT_FILTER_LENGTH = 512;
const MAX_SOURCES = 8;

/** Mono convenience: each source is one array of samples. */
export function bssEvalSources(references: readonly (Float32Array | Float64Array)[], estimates: readonly (Float32Array | Float64Array)[], options: BssEvalOptions = {}): BssEvalResult {
  return bssEval(references.map((r) => [r]), estimates.map((e) => [e]), options);
}

export function bssEval(references: readonly SourceChannels[], estimates: readonly SourceChannels[], options: BssEvalOptions = {}): BssEvalResult {
  const filterLength = options.filterLength ?? DEFAULT_FILTER_LENGTH;
  if (!Number.isInteger(filterLength) || filterLength < 1) throw new RangeError(`filter length must be a positive integer, got ${filterLength}`);
  const S = references.length;
  if (S === 0) throw new RangeError('BSS Eval needs at least one reference source');
  if (S > MAX_SOURCES) throw new RangeError(`BSS Eval searches all S! permutations; at most ${MAX_SOURCES} sources, got ${S}`);
  if (estimates.length !== S) throw new RangeError(`there are ${S} reference sources but ${estimates.length} estimates: BSS Eval pairs them one to one`);
  const channels = references[0]!.length;
  if (channels === 0) throw new RangeError('reference 1 has no channels');
  const length = references[0]![0]!.length;
  if (length === 0) throw new RangeError('reference 1 is empty (0 samples)');
  const check = (what: string, signals: readonly SourceChannels[]): void => {
    signals.forEach((source, s) => {
      if (source.length !== channels) throw new RangeError(`${what} ${s + 1} has ${source.length} channels, reference 1 has ${channels}`);
      source.forEach((x, c) => {
        if (x.length !== length) throw new RangeError(`${what} ${s + 1} channel ${c + 1} has ${x.length} samples, reference 1 has ${length}`);
        for (let i = 0; i < x.length; i++) {
          if (!Number.isFinite(x[i]!)) throw new RangeError(`${what} ${s + 1} channel ${c + 1} sample ${i} is ${x[i]}`);
        }
      });
      if (source.every((x) => x.every((v) => v === 0))) {
        throw new RangeError(`${what} ${s + 1} is silent (all zeros): its BSS Eval ratios are undefined`);
      }
    });
  };
  check('reference', references);
  check('estimate', estimates);

  // table[e][j]: estimate e decomposed against reference j, energies summed over channels.
  const table: Decomposition[][] = estimates.map(() => references.map(() => ({ target: 0, interference: 0, artifacts: 0, distortion: 0, projected: 0 })));
  for (let c = 0; c < channels; c++) {
    const projector = new ChannelProjector(
      references.map((r) => r[c]!),
      filterLength,
    );
    estimates.forEach((estimate, e) => {
      const parts = projector.decompose(estimate[c]!);
      parts.forEach((p, j) => {
        const sum = table[e]![j]!;
        sum.target += p.target;
        sum.interference += p.interference;
        sum.artifacts += p.artifacts;
        sum.distortion += p.distortion;
        sum.projected += p.projected;
      });
    });
  }

  const sir = table.map((row) => row.map((d) => decibels(d.target, d.interference)));
  const permutation = bestPermutation(sir);
  return {
    sdr: permutation.map((e, j) => decibels(table[e]![j]!.target, table[e]![j]!.distortion)),
    sir: permutation.map((e, j) => sir[e]![j]!),
    sar: permutation.map((e, j) => decibels(table[e]![j]!.projected, table[e]![j]!.artifacts)),
    permutation,
  };
}

/** 10 log10(a / b), +∞ when b is 0 (mir_eval's _safe_db). */
export function decibels(numerator: number, denominator: number): number {
  if (denominator === 0) return Infinity;
  return 10 * Math.log10(numerator / denominator);
}

/**
 * The permutation p (p[j] = estimate for reference j) maximising the mean of score[p[j]][j].
 * Permutations are visited in lexicographic order and only a strictly better one replaces the
 * best, so ties resolve to the lexicographically first, like mir_eval's itertools loop + argmax.
 */
export function bestPermutation(score: readonly (readonly number[])[]): number[] {
  const S = score.length;
  let best: number[] = [];
  let bestValue = -Infinity;
  const current: number[] = [];
  const used = new Array<boolean>(S).fill(false);
  const visit = (): void => {
    if (current.length === S) {
      // NaN-safe: −∞ SIRs still compare; a NaN total never wins.
      let total = 0;
      for (let j = 0; j < S; j++) total += score[current[j]!]![j]!;
      if (best.length === 0 || total > bestValue) {
        bestValue = total;
        best = [...current];
      }
      return;
    }
    for (let e = 0; e < S; e++) {
      if (used[e]) continue;
      used[e] = true;
      current.push(e);
      visit();
      current.pop();
      used[e] = false;
    }
  };
  visit();
  return best;
}

/**
 * The projections of BSS Eval for one channel: the references' spectra and the factored Gram
 * matrices (of all references together, and of each alone) are computed once and reused for
 * every estimate.
 */
class ChannelProjector {
  private readonly fft: FFT;
  private readonly size: number;
  private readonly padded: number;
  /** Full complex spectra (interleaved re, im) of the zero-padded references. */
  private readonly spectra: Float64Array[];
  private readonly allFactor: Float64Array;
  private readonly ownFactors: Float64Array[];

  constructor(
    private readonly references: readonly (Float32Array | Float64Array)[],
    private readonly filterLength: number,
  ) {
    const length = references[0]!.length;
    const L = filterLength;
    this.padded = length + L - 1;
    // A circular correlation of n-sample signals is exact at lags |τ| < L when size ≥ n + L − 1,
    // and a length-L filter applied to an n-sample reference has exactly n + L − 1 samples.
    this.size = nextPowerOfTwo(this.padded);
    this.fft = new FFT(this.size);
    this.spectra = references.map((r) => this.spectrum(r));
    const S = references.length;
    // R_ik(τ) for τ ∈ (−L, L), from ifft(conj(S_i)·S_k).
    const correlations: Float64Array[][] = [];
    for (let i = 0; i < S; i++) {
      correlations.push([]);
      for (let k = 0; k < S; k++) correlations[i]!.push(k < i ? new Float64Array(0) : this.correlate(this.spectra[i]!, this.spectra[k]!));
    }
    const lag = (i: number, k: number, tau: number): number => {
      // R_ik(τ) = R_ki(−τ): only i ≤ k is stored.
      if (i > k) return lag(k, i, -tau);
      const r = correlations[i]![k]!;
      return r[tau >= 0 ? tau : this.size + tau]!;
    };
    const n = S * L;
    const gram = new Float64Array(n * n);
    for (let i = 0; i < S; i++) {
      for (let k = 0; k < S; k++) {
        for (let a = 0; a < L; a++) {
          const row = (i * L + a) * n + k * L;
          for (let b = 0; b < L; b++) gram[row + b] = lag(i, k, a - b);
        }
      }
    }
    this.allFactor = choleskyWithLoad(gram, n);
    this.ownFactors = references.map((_, j) => {
      const block = new Float64Array(L * L);
      for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) block[a * L + b] = gram[(j * L + a) * n + j * L + b]!;
      return choleskyWithLoad(block, L);
    });
  }

  /** Energies of the estimate's decomposition against each reference j. */
  decompose(estimate: Float32Array | Float64Array): Decomposition[] {
    const S = this.references.length;
    const L = this.filterLength;
    const spectrum = this.spectrum(estimate);
    const rhs = new Float64Array(S * L);
    for (let i = 0; i < S; i++) {
      const r = this.correlate(this.spectra[i]!, spectrum);
      for (let a = 0; a < L; a++) rhs[i * L + a] = r[a]!;
    }
    const padded = new Float64Array(this.padded);
    padded.set(estimate);

    const all = this.project(choleskySolve(this.allFactor, S * L, rhs), Array.from({ length: S }, (_, i) => i));
    let artifacts = 0;
    let projected = 0;
    for (let t = 0; t < this.padded; t++) {
      const d = padded[t]! - all[t]!;
      artifacts += d * d;
      projected += all[t]! * all[t]!;
    }
    return Array.from({ length: S }, (_, j) => {
      const own = this.project(choleskySolve(this.ownFactors[j]!, L, rhs.subarray(j * L, (j + 1) * L)), [j]);
      let target = 0;
      let interference = 0;
      let distortion = 0;
      for (let t = 0; t < this.padded; t++) {
        target += own[t]! * own[t]!;
        const i = all[t]! - own[t]!;
        interference += i * i;
        const d = padded[t]! - own[t]!;
        distortion += d * d;
      }
      return { target, interference, artifacts, distortion, projected };
    });
  }

  /** Σ_i (c_i ∗ s_i)[t] for t < padded: the references filtered by the coefficients c. */
  private project(coefficients: Float64Array, sources: readonly number[]): Float64Array {
    const L = this.filterLength;
    const sum = new Float64Array(2 * this.size);
    sources.forEach((i, slot) => {
      const filter = this.spectrum(coefficients.subarray(slot * L, (slot + 1) * L));
      const s = this.spectra[i]!;
      for (let f = 0; f < this.size; f++) {
        const ar = filter[2 * f]!;
        const ai = filter[2 * f + 1]!;
        const br = s[2 * f]!;
        const bi = s[2 * f + 1]!;
        sum[2 * f] += ar * br - ai * bi;
        sum[2 * f + 1] += ar * bi + ai * br;
      }
    });
    const out = new Float64Array(2 * this.size);
    this.fft.inverseTransform(out, sum);
    const result = new Float64Array(this.padded);
    for (let t = 0; t < this.padded; t++) result[t] = out[2 * t]!;
    return result;
  }

  /** Full complex spectrum of x zero-padded to the FFT size. */
  private spectrum(x: Float32Array | Float64Array): Float64Array {
    const input = new Float64Array(this.size);
    input.set(x);
    const out = new Float64Array(2 * this.size);
    this.fft.realTransform(out, input);
    this.fft.completeSpectrum(out);
    return out;
  }

  /** R(τ) = Σ_m x[m] y[m+τ] at index τ mod size, from the spectra X, Y: ifft(conj(X)·Y). */
  private correlate(X: Float64Array, Y: Float64Array): Float64Array {
    const product = new Float64Array(2 * this.size);
    for (let f = 0; f < this.size; f++) {
      const xr = X[2 * f]!;
      const xi = X[2 * f + 1]!;
      const yr = Y[2 * f]!;
      const yi = Y[2 * f + 1]!;
      product[2 * f] = xr * yr + xi * yi;
      product[2 * f + 1] = xr * yi - xi * yr;
    }
    const out = new Float64Array(2 * this.size);
    this.fft.inverseTransform(out, product);
    const real = new Float64Array(this.size);
    for (let t = 0; t < this.size; t++) real[t] = out[2 * t]!;
    return real;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 4;
  while (p < n) p *= 2;
  return p;
}

/**
 * Lower Cholesky factor of the symmetric positive semi-definite n×n matrix A (row-major), in
 * float64. A Gram matrix of nearly dependent delayed copies can be singular to rounding; then the
 * diagonal is loaded with ε·mean(diag A), ε = 1e-12, 1e-10, …, until the factorisation succeeds.
 * The load changes the projection by a relative O(ε) at most.
 */
function choleskyWithLoad(A: Float64Array, n: number): Float64Array {
  let meanDiagonal = 0;
  for (let i = 0; i < n; i++) meanDiagonal += A[i * n + i]!;
  meanDiagonal /= n;
  if (!(meanDiagonal > 0)) throw new RangeError('the Gram matrix has a zero diagonal: a reference is silent');
  for (let load = 0, epsilon = 1e-12; ; epsilon *= 100) {
    const factor = cholesky(A, n, load);
    if (factor) return factor;
    if (epsilon > 1e-2) throw new RangeError('the Gram matrix of the delayed references cannot be factored');
    load = epsilon * meanDiagonal;
  }
}

function cholesky(A: Float64Array, n: number, load: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let d = A[rowJ + j]! + load;
    for (let k = 0; k < j; k++) d -= L[rowJ + k]! * L[rowJ + k]!;
    if (!(d > 0)) return null;
    const pivot = Math.sqrt(d);
    L[rowJ + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = A[rowI + j]!;
      for (let k = 0; k < j; k++) s -= L[rowI + k]! * L[rowJ + k]!;
      L[rowI + j] = s / pivot;
    }
  }
  return L;
}

/** Solves (L Lᵀ) x = b by forward and back substitution. */
function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    const row = i * n;
    for (let k = 0; k < i; k++) s -= L[row + k]! * y[k]!;
    y[i] = s / L[row + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}
