import { throwIfCancelled, type CancelSignal } from '../cancellation.js';
import type { Matrix } from '../matrix.js';
import { frameMasks, validateMaskModel } from './soft-mask.js';
import { analysisWindow, FrameAnalyser, FrameSynthesiser, OverlapAdd, validateStftOptions, type StftOptions } from './stft.js';

/**
 * The sources of a separation, streamed frame by frame: for every STFT frame t, each channel's
 * frame is analysed (FFT), multiplied by every source's generalized Wiener mask for that frame
 * (soft-mask.ts frameMasks, from the NMF model W·H) and inverted, and the inverse frames are
 * overlap-added into each source's channels (stft.ts OverlapAdd). The result is
 * istft(M_s ∘ stft(channel)) for every source s and channel, the same as masking whole
 * spectrograms (softMasks, applyMask, istft), but nothing of the size of a spectrogram is held:
 * for 10 minutes of 44.1 kHz stereo the complex STFTs (424 MB per channel), the masks (212 MB per
 * source) and the inverse's accumulators (423 MB per call) are replaced by buffers of a few frames,
 * and what remains is the output itself (S × C × length float32).
 *
 * The masks of a frame sum to one (in float64), so the sources add up to the mixture up to float
 * rounding: mixture consistency. Returns estimates[s][c], source s in channel c.
 */
export function resynthesizeSources(
  channels: readonly Float32Array[],
  options: Required<StftOptions>,
  W: Matrix,
  H: Matrix,
  assignment: readonly number[],
  sources: number,
  exponent: number,
  hooks: { readonly signal?: CancelSignal; readonly onStep?: (done: number, steps: number) => void } = {},
): Float32Array[][] {
  validateStftOptions(options);
  validateMaskModel(W, H, assignment, sources, exponent);
  const length = channels[0]?.length ?? 0;
  if (length === 0) throw new RangeError('resynthesis needs a non-empty mixture');
  const { windowSize, hop } = options;
  const bins = windowSize / 2 + 1;
  const frames = 1 + Math.floor(length / hop);
  if (W.rows !== bins || H.cols !== frames) {
    throw new RangeError(`the mixture's STFT (${bins} bins × ${frames} frames) does not match the model (${W.rows} × ${H.cols})`);
  }
  const window = analysisWindow(options.window, windowSize);
  const analysers = channels.map((channel) => new FrameAnalyser(options, [channel]));
  const synthesiser = new FrameSynthesiser(windowSize);
  const estimates = Array.from({ length: sources }, () => channels.map(() => new Float32Array(length)));
  const overlapAdds = estimates.map((source) => source.map((out) => new OverlapAdd(out, window, hop)));
  const masks = Array.from({ length: sources }, () => new Float64Array(bins));
  const column = new Float64Array(W.cols);
  const { a, b } = synthesiser;
  // Progress and cancellation every STEP_FRAMES frames (a few tens of ms).
  const STEP_FRAMES = 512;
  const steps = Math.ceil(frames / STEP_FRAMES);
  for (let t = 0; t < frames; t++) {
    if (t % STEP_FRAMES === 0) throwIfCancelled(hooks.signal);
    frameMasks(W, H, assignment, exponent, t, masks, column);
    channels.forEach((_, c) => {
      const spectrum = analysers[c]!.analyse(t);
      // Two sources per complex inverse FFT (FrameSynthesiser.pair).
      for (let s = 0; s < sources; s += 2) {
        const first = masks[s]!;
        const second = s + 1 < sources ? masks[s + 1]! : null;
        for (let k = 0; k < bins; k++) {
          const re = spectrum[2 * k]!;
          const im = spectrum[2 * k + 1]!;
          const g = first[k]!;
          a[2 * k] = g * re;
          a[2 * k + 1] = g * im;
          const h = second ? second[k]! : 0;
          b[2 * k] = h * re;
          b[2 * k + 1] = h * im;
        }
        const z = synthesiser.pair();
        overlapAdds[s]![c]!.add(t, z, 0);
        if (second) overlapAdds[s + 1]![c]!.add(t, z, 1);
      }
    });
    if ((t + 1) % STEP_FRAMES === 0 || t + 1 === frames) hooks.onStep?.(Math.ceil((t + 1) / STEP_FRAMES), steps);
  }
  for (const source of overlapAdds) for (const overlapAdd of source) overlapAdd.finish();
  return estimates;
}
