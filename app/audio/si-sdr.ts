import { decibels, type SourceChannels } from './bss-eval.js';

/**
 * Scale-invariant SDR (Le Roux, Wisdom, Erdogan & Hershey, "SDR – half-baked or well done?",
 * ICASSP 2019, eq. 2–3): with both signals made zero-mean, the target is the reference scaled to
 * its best fit, α = ⟨ŝ, s⟩ / ‖s‖², and
 *   SI-SDR = 10 log10 ‖α s‖² / ‖α s − ŝ‖².
 * Unlike BSS Eval's SDR it allows no filtering, only a gain, so it penalises any spectral
 * distortion, and it cannot be raised by rescaling the estimate.
 *
 * Multichannel sources are treated as one signal (channels concatenated: one gain for all, and
 * each channel made zero-mean on its own).
 */
export function siSdr(reference: SourceChannels, estimate: SourceChannels): number {
  if (reference.length === 0) throw new RangeError('the reference has no channels');
  if (estimate.length !== reference.length) throw new RangeError(`the estimate has ${estimate.length} channels, the reference ${reference.length}`);
  const means = reference.map((s, c) => {
    const e = estimate[c]!;
    if (e.length !== s.length) throw new RangeError(`channel ${c + 1}: the estimate has ${e.length} samples, the reference ${s.length}`);
    if (s.length === 0) throw new RangeError(`channel ${c + 1} is empty`);
    return [mean(s), mean(e)] as const;
  });
  let cross = 0;
  let referenceEnergy = 0;
  reference.forEach((s, c) => {
    const e = estimate[c]!;
    const [sMean, eMean] = means[c]!;
    for (let i = 0; i < s.length; i++) {
      const a = s[i]! - sMean;
      cross += a * (e[i]! - eMean);
      referenceEnergy += a * a;
    }
  });
  if (referenceEnergy === 0) throw new RangeError('the reference is constant (zero after removing its mean): SI-SDR is undefined');
  const alpha = cross / referenceEnergy;
  // The error is summed directly (not as ‖ŝ‖² − ⟨ŝ,s⟩²/‖s‖², which cancels at high SI-SDR).
  let error = 0;
  reference.forEach((s, c) => {
    const e = estimate[c]!;
    const [sMean, eMean] = means[c]!;
    for (let i = 0; i < s.length; i++) {
      const d = alpha * (s[i]! - sMean) - (e[i]! - eMean);
      error += d * d;
    }
  });
  return decibels(alpha * alpha * referenceEnergy, error);
}

function mean(x: Float32Array | Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]!;
  return sum / x.length;
}
