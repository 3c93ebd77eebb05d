import type { Matrix } from '../matrix.js';
import type { Spectrogram } from './stft.js';

/**
 * Generalized Wiener masks from an NMF model of a magnitude spectrogram (Févotte, Bertin &
 * Durrieu, Neural Computation 21(3), 2009, §6; Liutkus & Badeau, "Generalized Wiener filtering
 * with fractional power spectrograms", ICASSP 2015): with V̂_s = W_s H_s the part of the model
 * built from source s's components and p the mask exponent,
 *   M_s = V̂_s^p ⊘ Σ_s' V̂_s'^p
 * and source s is estimated as M_s ∘ X on the complex mixture STFT X. p = 1 splits each cell in
 * proportion to the modelled magnitudes; p = 2 is the classic Wiener filter (sources as Gaussian
 * processes with variances V̂_s²), which leaves less of the other sources in each estimate; larger
 * p tends to a binary mask. The masks sum to one in every time–frequency cell (a cell the model
 * leaves at zero gives 1/S to each source), so the source estimates add up to the mixture exactly:
 * mixture consistency, up to float rounding.
 *
 * Returns one bins × frames mask per source, row-major like the spectrogram (bin b, frame t at
 * b · frames + t).
 */
export const DEFAULT_MASK_EXPONENT = 2;

export function softMasks(W: Matrix, H: Matrix, assignment: readonly number[], sources: number, exponent: number = DEFAULT_MASK_EXPONENT): Float32Array[] {
  const K = W.cols;
  const m = W.rows;
  const n = H.cols;
  validateMaskModel(W, H, assignment, sources, exponent);

  const masks = Array.from({ length: sources }, () => new Float32Array(m * n));
  // One bin (row) at a time, in float64: the S partial models of the row, then their ratios.
  const parts = Array.from({ length: sources }, () => new Float64Array(n));
  const total = new Float64Array(n);
  const even = 1 / sources;
  for (let b = 0; b < m; b++) {
    for (const part of parts) part.fill(0);
    for (let k = 0; k < K; k++) {
      const wbk = W.data[b * K + k]!;
      if (wbk === 0) continue;
      const part = parts[assignment[k]!]!;
      const off = k * n;
      for (let t = 0; t < n; t++) part[t] += wbk * H.data[off + t]!;
    }
    if (exponent !== 1) {
      // Scaled by the row's largest part first, so that p-th powers of tiny or huge magnitudes
      // neither underflow nor overflow (the ratios do not change).
      for (let t = 0; t < n; t++) {
        let top = 0;
        for (const part of parts) if (part[t]! > top) top = part[t]!;
        if (top > 0) for (const part of parts) part[t] = (part[t]! / top) ** exponent;
      }
    }
    total.fill(0);
    for (const part of parts) for (let t = 0; t < n; t++) total[t] += part[t]!;
    for (let s = 0; s < sources; s++) {
      const part = parts[s]!;
      const mask = masks[s]!;
      const off = b * n;
      for (let t = 0; t < n; t++) mask[off + t] = total[t]! > 0 ? part[t]! / total[t]! : even;
    }
  }
  return masks;
}

/**
 * The same masks one frame at a time, for streamed resynthesis (masked-resynthesis.ts): fills
 * masks[s][b] with source s's mask at bin b of frame t. `column` (K values) is scratch. Each cell
 * is computed exactly as in softMasks, in float64 and without rounding the mask to float32, so the
 * S masks of a cell sum to one to float64 rounding.
 */
export function frameMasks(W: Matrix, H: Matrix, assignment: readonly number[], exponent: number, t: number, masks: readonly Float64Array[], column: Float64Array): void {
  const K = W.cols;
  const m = W.rows;
  const n = H.cols;
  const sources = masks.length;
  for (let k = 0; k < K; k++) column[k] = H.data[k * n + t]!;
  // Per source, its components with a non-zero activation in this frame (the sum runs over them only).
  const members = Array.from({ length: sources }, (): number[] => []);
  for (let k = 0; k < K; k++) if (column[k] !== 0) members[assignment[k]!]!.push(k);
  for (let s = 0; s < sources; s++) {
    const mask = masks[s]!;
    const ks = members[s]!;
    for (let b = 0; b < m; b++) {
      const off = b * K;
      let sum = 0;
      for (let j = 0; j < ks.length; j++) {
        const k = ks[j]!;
        sum += W.data[off + k]! * column[k]!;
      }
      mask[b] = sum;
    }
  }
  const even = 1 / sources;
  for (let b = 0; b < m; b++) {
    let top = 0;
    for (let s = 0; s < sources; s++) if (masks[s]![b]! > top) top = masks[s]![b]!;
    if (!(top > 0)) {
      for (let s = 0; s < sources; s++) masks[s]![b] = even;
      continue;
    }
    let total = 0;
    for (let s = 0; s < sources; s++) {
      const x = masks[s]![b]! / top;
      // x² by multiplication: Math.pow is several times slower in V8 and p = 2 is the default.
      const value = exponent === 2 ? x * x : exponent === 1 ? x : x ** exponent;
      masks[s]![b] = value;
      total += value;
    }
    for (let s = 0; s < sources; s++) masks[s]![b] = masks[s]![b]! / total;
  }
}

/** Checks a model against an assignment to S sources and a mask exponent (messages as softMasks'). */
export function validateMaskModel(W: Matrix, H: Matrix, assignment: readonly number[], sources: number, exponent: number): void {
  const K = W.cols;
  if (H.rows !== K) throw new RangeError(`W has ${K} components but H has ${H.rows}`);
  if (assignment.length !== K) throw new RangeError(`assignment lists ${assignment.length} components, the model has ${K}`);
  if (!Number.isInteger(sources) || sources < 1) throw new RangeError(`the number of sources must be a positive integer, got ${sources}`);
  validateMaskExponent(exponent);
  assignment.forEach((s, k) => {
    if (!Number.isInteger(s) || s < 0 || s >= sources) throw new RangeError(`component ${k} is assigned to source ${s}, expected 0…${sources - 1}`);
  });
}

export function validateMaskExponent(exponent: number): void {
  if (!(exponent > 0) || !Number.isFinite(exponent) || exponent > 16) throw new RangeError(`mask exponent must be a number in (0, 16], got ${exponent}`);
}

/** M ∘ X: the mask scales each complex cell of the spectrogram (phase kept). */
export function applyMask(spec: Spectrogram, mask: Float32Array): Spectrogram {
  const cells = spec.bins * spec.frames;
  if (mask.length !== cells) throw new RangeError(`mask has ${mask.length} cells, the spectrogram ${spec.bins}×${spec.frames} = ${cells}`);
  const re = new Float32Array(cells);
  const im = new Float32Array(cells);
  for (let i = 0; i < cells; i++) {
    const g = mask[i]!;
    re[i] = g * spec.re[i]!;
    im[i] = g * spec.im[i]!;
  }
  return { ...spec, re, im };
}
