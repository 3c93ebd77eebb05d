import { colormapTable } from '../colormap.js';
import type { ImageRequest } from './analysis-protocol.js';

/** A cube as read (band-sequential: data[b · rows · cols + pixel]). */
export interface CubeData {
  readonly rows: number;
  readonly cols: number;
  readonly bands: number;
  readonly data: Float32Array;
}

/** Per band, the 2nd and 98th percentiles of its finite values (from up to 20 000 sampled pixels). */
export function bandPercentiles(cube: CubeData): { low: Float32Array; high: Float32Array } {
  const pixels = cube.rows * cube.cols;
  const step = Math.max(1, Math.floor(pixels / 20_000));
  const low = new Float32Array(cube.bands);
  const high = new Float32Array(cube.bands);
  const values: number[] = [];
  for (let b = 0; b < cube.bands; b++) {
    values.length = 0;
    const offset = b * pixels;
    for (let j = 0; j < pixels; j += step) {
      const x = cube.data[offset + j]!;
      if (Number.isFinite(x)) values.push(x);
    }
    values.sort((a, c) => a - c);
    low[b] = values.length ? values[Math.floor(0.02 * (values.length - 1))]! : 0;
    high[b] = values.length ? values[Math.ceil(0.98 * (values.length - 1))]! : 1;
  }
  return { low, high };
}

function stretch(x: number, low: number, high: number): number {
  if (!Number.isFinite(x)) return 0;
  const span = high - low;
  return span > 0 ? Math.max(0, Math.min(255, Math.round(((x - low) / span) * 255))) : 0;
}

/** RGBA pixels (rows × cols × 4) of a band composite or of one band through a colour map. */
export function bandImage(cube: CubeData, request: ImageRequest, low: Float32Array, high: Float32Array): Uint8ClampedArray {
  const pixels = cube.rows * cube.cols;
  const out = new Uint8ClampedArray(4 * pixels);
  const check = (b: number): number => {
    if (!Number.isInteger(b) || b < 0 || b >= cube.bands) throw new RangeError(`no band ${b + 1}: the cube has ${cube.bands}`);
    return b;
  };
  if (request.mode === 'rgb') {
    const [r, g, b] = request.bands.map(check) as [number, number, number];
    for (let j = 0; j < pixels; j++) {
      out[4 * j] = stretch(cube.data[r * pixels + j]!, low[r]!, high[r]!);
      out[4 * j + 1] = stretch(cube.data[g * pixels + j]!, low[g]!, high[g]!);
      out[4 * j + 2] = stretch(cube.data[b * pixels + j]!, low[b]!, high[b]!);
      out[4 * j + 3] = 255;
    }
  } else {
    const band = check(request.band);
    const table = colormapTable(request.colormap);
    for (let j = 0; j < pixels; j++) {
      const level = stretch(cube.data[band * pixels + j]!, low[band]!, high[band]!);
      out[4 * j] = table[3 * level]!;
      out[4 * j + 1] = table[3 * level + 1]!;
      out[4 * j + 2] = table[3 * level + 2]!;
      out[4 * j + 3] = 255;
    }
  }
  return out;
}

export function pixelSpectrum(cube: CubeData, row: number, col: number): Float32Array {
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || col < 0 || row >= cube.rows || col >= cube.cols) {
    throw new RangeError(`no pixel (${row}, ${col}) in a ${cube.rows} × ${cube.cols} image`);
  }
  const pixels = cube.rows * cube.cols;
  const j = row * cube.cols + col;
  return Float32Array.from({ length: cube.bands }, (_, b) => cube.data[b * pixels + j]!);
}

/** Spectra of up to `limit` pixels spread evenly over the image (n × bands) and their indices. */
export function samplePixels(cube: CubeData, limit: number): { spectra: Float32Array; indices: Uint32Array } {
  const pixels = cube.rows * cube.cols;
  const step = Math.max(1, pixels / limit);
  const chosen: number[] = [];
  for (let t = 0; Math.floor(t) < pixels && chosen.length < limit; t += step) {
    const j = Math.floor(t);
    let finite = true;
    for (let b = 0; b < cube.bands && finite; b++) finite = Number.isFinite(cube.data[b * pixels + j]!);
    if (finite) chosen.push(j);
  }
  const spectra = new Float32Array(chosen.length * cube.bands);
  chosen.forEach((j, i) => {
    for (let b = 0; b < cube.bands; b++) spectra[i * cube.bands + b] = cube.data[b * pixels + j]!;
  });
  return { spectra, indices: Uint32Array.from(chosen) };
}

/**
 * The unmixing's fit to every pixel (see UnmixingFit in analysis-protocol.ts). Non-finite samples
 * count as 0 and negative ones are clipped, as the unmixing treated them (app/hsi/unmix.ts); bands
 * left out of the fit (non-finite endmember values) are left out here too.
 *
 * Sum-to-one model (scaled): app/hsi/unmix.ts fits y_j / s_j ≈ Σ_k a_kj m_k with s_j the pixel's
 * ℓ1 norm over the fitted bands, then reports w_k = m_k / c_k (peak 1) and the fractions a. The
 * factors c_k are recovered here by least squares over all pixels and bands,
 *   min_c Σ_j Σ_b (y_bj / s_j − Σ_k a_kj c_k w_bk)²,
 * a P-unknown linear problem solved by its normal equations; the model is then s_j Σ_k a_kj c_k w_k.
 */
export function unmixingFit(
  cube: CubeData,
  endmembers: Float32Array,
  abundances: Float32Array,
  count: number,
  scaled: boolean,
): { error: Float32Array; scales: Float32Array; factors: Float32Array; corners: Float32Array } {
  const pixels = cube.rows * cube.cols;
  const bands = cube.bands;
  if (endmembers.length !== bands * count) throw new RangeError(`endmembers hold ${endmembers.length} values, expected ${bands} × ${count}`);
  if (abundances.length !== count * pixels) throw new RangeError(`abundances hold ${abundances.length} values, expected ${count} × ${pixels}`);
  const fitted: number[] = [];
  for (let b = 0; b < bands; b++) {
    let finite = true;
    for (let p = 0; p < count; p++) finite &&= Number.isFinite(endmembers[b * count + p]!);
    if (finite) fitted.push(b);
  }
  const sample = (b: number, j: number): number => {
    const x = cube.data[b * pixels + j]!;
    return Number.isFinite(x) ? Math.max(0, x) : 0;
  };
  const scales = new Float32Array(pixels).fill(1);
  const factors = new Float32Array(count).fill(1);
  if (scaled) {
    for (let j = 0; j < pixels; j++) {
      let norm = 0;
      for (const b of fitted) norm += sample(b, j);
      scales[j] = norm;
    }
    const gram = new Float64Array(count * count);
    const rhs = new Float64Array(count);
    const design = new Float64Array(count);
    for (let j = 0; j < pixels; j++) {
      if (!(scales[j]! > 0)) continue;
      for (const b of fitted) {
        for (let k = 0; k < count; k++) design[k] = abundances[k * pixels + j]! * endmembers[b * count + k]!;
        const target = sample(b, j) / scales[j]!;
        for (let k = 0; k < count; k++) {
          rhs[k] += design[k]! * target;
          for (let l = 0; l < count; l++) gram[k * count + l] += design[k]! * design[l]!;
        }
      }
    }
    const solved = solveSymmetric(gram, rhs, count);
    if (solved) solved.forEach((c, k) => (factors[k] = c));
  }
  const error = new Float32Array(pixels);
  for (let j = 0; j < pixels; j++) {
    let sum = 0;
    for (const b of fitted) {
      let m = 0;
      for (let k = 0; k < count; k++) m += endmembers[b * count + k]! * factors[k]! * abundances[k * pixels + j]!;
      const d = sample(b, j) - scales[j]! * m;
      sum += d * d;
    }
    error[j] = fitted.length > 0 ? Math.sqrt(sum / fitted.length) : NaN;
  }
  // Simplex corners: endmember k as it appears in its purest pixel.
  const corners = new Float32Array(count * bands);
  for (let k = 0; k < count; k++) {
    let purest = 0;
    for (let j = 1; j < pixels; j++) if (abundances[k * pixels + j]! > abundances[k * pixels + purest]!) purest = j;
    const weight = scales[purest]! * factors[k]! * abundances[k * pixels + purest]!;
    for (let b = 0; b < bands; b++) corners[k * bands + b] = endmembers[b * count + k]! * weight;
  }
  return { error, scales, factors, corners };
}

/** Gaussian elimination with partial pivoting on a small system; null when singular. */
function solveSymmetric(matrix: Float64Array, rhs: Float64Array, n: number): number[] | null {
  const a = Array.from({ length: n }, (_, i) => [...matrix.subarray(i * n, (i + 1) * n), rhs[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (!(Math.abs(a[pivot]![col]!) > 1e-300)) return null;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = a[r]![col]! / a[col]![col]!;
      for (let c = col; c <= n; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = a[r]![n]!;
    for (let c = r + 1; c < n; c++) sum -= a[r]![c]! * x[c]!;
    x[r] = sum / a[r]![r]!;
  }
  return x.every(Number.isFinite) ? x : null;
}
