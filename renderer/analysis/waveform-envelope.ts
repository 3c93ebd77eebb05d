import type { WaveformEnvelope } from './analysis-protocol.js';

/** Enough blocks for a sharp waveform at any width a screen has, few enough to send cheaply. */
const MAX_BLOCKS = 400_000;

/** Per-block minimum and maximum of a signal: what a waveform view draws at any zoom. */
export function waveformEnvelope(signal: Float32Array): WaveformEnvelope {
  const block = Math.max(1, Math.ceil(signal.length / MAX_BLOCKS));
  const count = Math.ceil(signal.length / block);
  const min = new Float32Array(count);
  const max = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    const end = Math.min(signal.length, (k + 1) * block);
    for (let i = k * block; i < end; i++) {
      const x = signal[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    min[k] = lo;
    max[k] = hi;
  }
  return { block, min, max };
}

/** The channel mean (the mono mix the separation factorizes). */
export function monoMix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const channel of channels) for (let i = 0; i < out.length; i++) out[i] += channel[i]! / channels.length;
  return out;
}
