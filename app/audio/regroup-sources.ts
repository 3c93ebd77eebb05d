import type { SeparatedSource, SeparationModelData } from './separate.js';
import { applyMask, softMasks } from './soft-mask.js';
import { istft, stft } from './stft.js';
import type { DecodedAudio } from './wav-codec.js';

/**
 * Resynthesises the sources of a finished separation with a new component → source assignment,
 * as when the user drags a component onto another source lane: the NMF model (W, H) stays, only
 * the grouping changes. Same soft masks as separate.ts (Févotte, Bertin & Durrieu 2009, §6), so
 * the sources still add up to the mixture; a source left without components gets only the cells
 * the model leaves at zero (1/S each) and is then near silent.
 */
export interface RegroupedSources {
  readonly sources: SeparatedSource[];
  /** max over channels and samples of |Σ_s source − mixture|. */
  readonly mixtureResidual: number;
}

export function regroupSources(
  audio: DecodedAudio,
  model: SeparationModelData,
  assignment: readonly number[],
  names: readonly string[],
): RegroupedSources {
  const S = names.length;
  const K = model.W.cols;
  if (assignment.length !== K) throw new RangeError(`the assignment lists ${assignment.length} components, the model has ${K}`);
  assignment.forEach((s, k) => {
    if (!Number.isInteger(s) || s < 0 || s >= S) throw new RangeError(`component ${k + 1} is assigned to source ${s + 1}; there are ${S} sources`);
  });
  const options = { windowSize: model.windowSize, hop: model.hop };
  const spectra = audio.channels.map((channel) => stft(channel, options));
  const first = spectra[0];
  if (!first || first.bins !== model.W.rows || first.frames !== model.H.cols) {
    throw new RangeError(`the mixture's STFT (${first?.bins ?? 0}×${first?.frames ?? 0}) does not match the model (${model.W.rows}×${model.H.cols})`);
  }
  const masks = softMasks(model.W, model.H, assignment, S);
  const estimates = masks.map((mask) => spectra.map((spec) => istft(applyMask(spec, mask))));
  const energies = estimates.map((channels) => channels.reduce((sum, channel) => sum + energy(channel), 0));
  const total = energies.reduce((a, b) => a + b, 0);
  const sources = estimates.map((channels, s) => ({ name: names[s]!, channels, energyShare: total > 0 ? energies[s]! / total : 1 / S }));
  let residual = 0;
  audio.channels.forEach((channel, c) => {
    for (let i = 0; i < channel.length; i++) {
      let sum = 0;
      for (const source of estimates) sum += source[c]![i]!;
      residual = Math.max(residual, Math.abs(sum - channel[i]!));
    }
  });
  return { sources, mixtureResidual: residual };
}

function energy(x: Float32Array): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
  return e;
}
