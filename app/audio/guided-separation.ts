import { throwIfCancelled } from '../cancellation.js';
import { createMatrix, type Matrix } from '../matrix.js';
import { factorize, type NmfLoss } from '../nmf/index.js';
import { randomInit } from '../nmf/random-init.js';
import type { PipelineHooks } from '../pipeline-hooks.js';
import { clipSpectrogram, concatColumns, framesInRanges, learnDictionary, selectColumns, type GuideClip, type TimeRange } from './guided-dictionary.js';
import {
  defaultSourceName,
  mixtureMagnitude,
  mixtureResidual,
  monotoneProgress,
  namedSources,
  STFT_PROGRESS_END,
  stftOptionsOf,
  validateChannels,
  validateSeparationParams,
  type SeparationOutput,
  type SeparationParams,
} from './separate.js';
import { resynthesizeSources } from './masked-resynthesis.js';
import { DEFAULT_MASK_EXPONENT } from './soft-mask.js';
import { DEFAULT_TEMPORAL_WEIGHT, groupComponents } from './source-grouping.js';
import type { DecodedAudio } from './wav-codec.js';

/**
 * Guided source separation: semi-supervised NMF (Smaragdis, Raj & Shashanka, "Supervised and
 * semi-supervised separation of sounds from single-channel mixtures", ICA 2007, §3).
 *
 *  1. The user guides some sources: per source an example clip, or time ranges of the mixture
 *     where only that source plays (or both). Each guided source s gets a dictionary W_s of K_s
 *     spectral templates, learnt by NMF on its example's magnitude spectrogram with the mixture's
 *     STFT settings (guided-dictionary.ts).
 *  2. The mixture's magnitude spectrogram V (of the channel mean, as in separate.ts) is factorized
 *     V ≈ [W_1 … W_G  W_free] H with the guided columns held fixed (NmfOptions.fixedWColumns) and
 *     K − G·K_s free columns learnt alongside all of H: the free columns take up whatever the
 *     dictionaries cannot explain.
 *  3. Components belong to sources by construction: W_s's columns to source s. The free
 *     components go (the rule):
 *       - when exactly one source has no guide: all to it (the "everything else" source, the
 *         semi-supervised case of the paper);
 *       - when several sources have no guide: split among them by the automatic grouping
 *         (source-grouping.ts) run on the free components alone;
 *       - in both cases, except a free component that is at least half as active inside a
 *         guided source's solo ranges as outside them (mean activation per frame): the
 *         unguided sources are silent there, so it carries the guided source (what its
 *         dictionary lacks) and joins it; each unguided source keeps at least one component;
 *       - when every source has a guide: each to the guided source whose dictionary holds the
 *         column most like it (largest cosine similarity of spectra), i.e. they refine the
 *         source they resemble.
 *  4. Resynthesis as in separate.ts (masked-resynthesis.ts): generalized Wiener masks from the
 *     per-source models on every channel's complex STFT, inverse STFT; the sources sum to the
 *     mixture, and the model is kept, so components can be regrouped afterwards as in automatic
 *     separation.
 *
 * Source names: a guide's source name `s<i>` or `source-<i>` (1 ≤ i ≤ S) pins it to position i;
 * any other name (letters, digits, '-' and '_') takes the first free position, in the order the
 * guides are given; sources without a guide are named `source-<i>`, as in automatic separation,
 * or `s<i>` when a guide names its source that way (`--guide-range s1=…` gives s1 and s2).
 * The names become the output files' `<input>.<name>.wav`.
 */
export interface SourceGuide {
  /** The source's name (see above). Guides with the same name are merged. */
  readonly source: string;
  /** Example recordings of the source alone, at the mixture's sample rate. */
  readonly clips?: readonly GuideClip[];
  /** Spans of the mixture where only this source plays. */
  readonly ranges?: readonly TimeRange[];
}

export interface GuidedSeparationParams extends SeparationParams {
  /** At least one guide. */
  readonly guides: readonly SourceGuide[];
  /**
   * K_s, the dictionary size of each guided source. Default max(1, ⌊components / sources⌋), so
   * that K − G·K_s components stay free for the rest.
   */
  readonly guideComponents?: number;
}

/** Where each source sits, what it is called and what guides it. */
export interface SourcePlan {
  readonly names: string[];
  /** Per source, its merged guide, or null for an unguided source. */
  readonly guides: ({ readonly clips: GuideClip[]; readonly ranges: TimeRange[] } | null)[];
}

/** A source name: it becomes part of the output file names (`<input>.<name>.wav`). */
export const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const POSITIONAL = /^(s|source-)([1-9][0-9]*)$/;

/**
 * The naming rule above: the S source names, given the guides' source names in order (repeats
 * allowed). Throws on a bad name, a position out of range, or more guided sources than S.
 */
export function sourceNames(sources: number, guideNames: readonly string[]): string[] {
  const names: (string | null)[] = new Array<string | null>(sources).fill(null);
  const seen = new Set<string>();
  const unpinned: string[] = [];
  for (const name of guideNames) {
    if (!SOURCE_NAME.test(name)) {
      throw new RangeError(`guide source name '${name}' must be 1–64 letters, digits, '-' or '_', starting with a letter or digit (it becomes part of the output file names)`);
    }
    if (seen.has(name)) continue;
    seen.add(name);
    const pinned = POSITIONAL.exec(name);
    if (!pinned) {
      unpinned.push(name);
      continue;
    }
    const index = Number(pinned[2]) - 1;
    if (index >= sources) throw new RangeError(`guide source '${name}' refers to source ${index + 1}, but there are only ${sources} sources`);
    if (names[index] !== null) throw new RangeError(`guide sources '${names[index]}' and '${name}' both refer to source ${index + 1}`);
    names[index] = name;
  }
  if (seen.size > sources) throw new RangeError(`${seen.size} sources are guided (${[...seen].join(', ')}), but only ${sources} sources were asked for`);
  for (const name of unpinned) names[names.indexOf(null)] = name;
  const short = guideNames.some((name) => POSITIONAL.exec(name)?.[1] === 's');
  return names.map((name, s) => name ?? (short ? `s${s + 1}` : defaultSourceName(s)));
}

/** The source names and, per source, its guides merged (null for an unguided source). */
export function planSources(sources: number, guides: readonly SourceGuide[]): SourcePlan {
  const names = sourceNames(sources, guides.map((g) => g.source));
  const merged: ({ clips: GuideClip[]; ranges: TimeRange[] } | null)[] = new Array<{ clips: GuideClip[]; ranges: TimeRange[] } | null>(sources).fill(null);
  for (const guide of guides) {
    const entry = (merged[names.indexOf(guide.source)] ??= { clips: [], ranges: [] });
    entry.clips.push(...(guide.clips ?? []));
    entry.ranges.push(...(guide.ranges ?? []));
  }
  merged.forEach((entry, s) => {
    if (entry && entry.clips.length === 0 && entry.ranges.length === 0) throw new RangeError(`the guide of source '${names[s]}' has neither a clip nor a time range`);
  });
  return { names, guides: merged };
}

// Overall progress: STFT 0 → 0.1, dictionaries 0.1 → 0.25, mixture NMF 0.25 → 0.9, resynthesis 0.9 → 1.
const STFT_END = STFT_PROGRESS_END;
const LEARN_END = 0.25;
const NMF_END = 0.9;
/** Iterations of the supervised warm start (at most a quarter of maxIter). */
const WARM_START_ITERATIONS = 50;
/** See reclaimFromSoloRanges: 0.25 and 0.5 gave the same assignments on every test case. */
const RECLAIM_RATIO = 0.5;
/**
 * The mixture NMF's relative stopping tolerance. Not separate.ts's 0 (all maxIter iterations): with
 * the dictionaries fixed the fit settles early, and running on to maxIter changed no SDR by more
 * than 0.01 dB (test/guided-mixtures.ts, and ../shared/data/audio guided by clips or by solo
 * ranges) at 1.5–3× the time.
 */
const SEPARATION_TOL = 1e-5;

export function separateGuided(audio: DecodedAudio, params: GuidedSeparationParams, hooks: PipelineHooks = {}): SeparationOutput {
  validateSeparationParams(params);
  const { channels, sampleRate } = audio;
  if (!(sampleRate > 0)) throw new RangeError(`sample rate must be positive, got ${sampleRate}`);
  const length = validateChannels(channels);
  if (params.guides.length === 0) throw new RangeError('guided separation needs at least one guide');
  const S = params.sources;
  const K = params.components;
  const plan = planSources(S, params.guides);
  const guided = plan.guides.flatMap((g, s) => (g ? [s] : []));
  const unguided = plan.guides.flatMap((g, s) => (g ? [] : [s]));
  const Ks = params.guideComponents ?? Math.max(1, Math.floor(K / S));
  if (!Number.isInteger(Ks) || Ks < 1) throw new RangeError(`guideComponents must be an integer ≥ 1, got ${Ks}`);
  const free = K - guided.length * Ks;
  if (free < unguided.length) {
    throw new RangeError(
      `${K} components cannot hold ${guided.length} guided source${guided.length === 1 ? '' : 's'} × ${Ks} components and at least one free component for each of the ${unguided.length} unguided source${unguided.length === 1 ? '' : 's'}: raise components to at least ${guided.length * Ks + unguided.length} or lower the components per guided source`,
    );
  }
  const stftOptions = stftOptionsOf(params);
  const exponent = params.maskExponent ?? DEFAULT_MASK_EXPONENT;
  const sparsity = params.sparsity ?? 0;
  const { signal } = hooks;

  // Each guided source's solo frames (empty without ranges), checked before any work: its
  // dictionary's example from the mixture, and later where free components may be reclaimed.
  const soloFrames = guided.map((s) => {
    const { ranges } = plan.guides[s]!;
    const what = `source '${plan.names[s]}'`;
    const frames = framesInRanges(ranges, sampleRate, length, stftOptions, what);
    if (ranges.length > 0 && frames.length === 0) {
      const span = ((stftOptions.windowSize / sampleRate) * 1000).toFixed(0);
      throw new RangeError(`${what}: its time ranges hold no whole STFT frame; a range must be longer than one window (${span} ms)`);
    }
    return frames;
  });

  const progress = monotoneProgress(hooks);
  const V = mixtureMagnitude(channels, stftOptions, progress, signal);

  // 1. One dictionary per guided source.
  const dictionaries: Matrix[] = [];
  for (const [g, s] of guided.entries()) {
    throwIfCancelled(signal);
    const name = plan.names[s]!;
    progress(`learning ${name}`, STFT_END + ((LEARN_END - STFT_END) * g) / guided.length);
    const guide = plan.guides[s]!;
    const parts = guide.clips.map((clip) => clipSpectrogram(clip, sampleRate, stftOptions));
    if (guide.ranges.length > 0) parts.push(selectColumns(V, soloFrames[g]!));
    const sources = [...guide.clips.map((c) => c.name), ...(guide.ranges.length ? [`${guide.ranges.length} time range${guide.ranges.length === 1 ? '' : 's'}`] : [])];
    const example = parts.length === 1 ? parts[0]! : concatColumns(parts);
    dictionaries.push(
      learnDictionary(example, { components: Ks, loss: params.loss, maxIter: params.maxIter, seed: params.seed + 1 + g }, `source '${name}' (guided by ${sources.join(', ')})`, hooks),
    );
  }
  progress('factorizing', LEARN_END);

  // 2. The mixture with the dictionaries fixed: columns [guided source 1's K_s | … | free].
  throwIfCancelled(signal);
  const start = randomInit(V, K, params.seed);
  const W0 = start.W;
  // Unit-norm dictionary columns rescaled to the random columns' typical norm, so that the fixed
  // and the free parts of W·H start at the same scale (H then adapts either way).
  const norm = meanColumnNorm(W0);
  const fixed: number[] = [];
  dictionaries.forEach((D, g) => {
    for (let j = 0; j < Ks; j++) {
      const k = g * Ks + j;
      fixed.push(k);
      let n2 = 0;
      for (let b = 0; b < D.rows; b++) n2 += D.data[b * Ks + j]! ** 2;
      const scale = n2 > 0 ? norm / Math.sqrt(n2) : 0;
      for (let b = 0; b < D.rows; b++) W0.data[b * K + k] = Math.max(D.data[b * Ks + j]! * scale, 1e-12);
    }
  });
  const H0 = start.H;
  const n = V.cols;
  // 2a. Supervised warm start: H of the guided components fitted with the dictionaries alone, so
  // that they explain what they can before free components exist to compete for it. With a random
  // start for all of H, the free components (which adapt their spectra, the fixed ones cannot)
  // also take up part of the guided sources, and in the semi-supervised case hand it to the
  // unguided source; the warm start keeps that down (on test/guided-mixtures.ts it raised the
  // semi-supervised SDR by up to 11 dB and lowered it by at most 2 dB; fully guided runs, with
  // no free components, are unchanged). A hard constraint from range guides (the other sources'
  // activations held at 0 in a source's solo frames) was tried too: only multiplicative updates
  // can keep a zero, and they did worse than coordinate descent without it.
  const G = fixed.length;
  if (G > 0) {
    const Wg = createMatrix(V.rows, G);
    for (let b = 0; b < V.rows; b++) Wg.data.set(W0.data.subarray(b * K, b * K + G), b * G);
    const supervised = factorize(V, {
      kernels: hooks.kernels,
      rank: G,
      loss: params.loss,
      maxIter: Math.max(1, Math.min(WARM_START_ITERATIONS, Math.ceil(params.maxIter / 4))),
      initialW: Wg,
      initialH: createMatrix(G, n, H0.data.slice(0, G * n)),
      fixedWColumns: fixed,
      ...(signal ? { signal } : {}),
    });
    H0.data.set(supervised.H.data, 0);
  }
  const nmf = factorize(V, {
    kernels: hooks.kernels,
    rank: K,
    loss: params.loss,
    maxIter: params.maxIter,
    tol: SEPARATION_TOL,
    seed: params.seed,
    // The solver asked for (every solver keeps fixed columns: app/nmf/solvers/solver.ts).
    ...(params.algorithm ? { algorithm: params.algorithm } : {}),
    initialW: W0,
    initialH: H0,
    fixedWColumns: fixed,
    ...(sparsity > 0 ? { alphaH: sparsity, alphaW: 0, l1Ratio: 1 } : {}),
    ...(signal ? { signal } : {}),
    onProgress: (p) => progress('factorizing', LEARN_END + ((NMF_END - LEARN_END) * p.iteration) / p.maxIter, p.iteration, p.objective),
  });
  progress('factorizing', NMF_END, nmf.iterations, nmf.objective);

  // 3. Components to sources.
  const assignment = new Array<number>(K).fill(0);
  guided.forEach((s, g) => {
    for (let j = 0; j < Ks; j++) assignment[g * Ks + j] = s;
  });
  const freeIndices = Array.from({ length: free }, (_, j) => guided.length * Ks + j);
  const grouping = { sampleRate, hop: stftOptions.hop, temporalWeight: params.temporalWeight ?? DEFAULT_TEMPORAL_WEIGHT };
  assignFree(nmf.W, nmf.H, freeIndices, guided, unguided, Ks, assignment, grouping);
  if (unguided.length > 0) reclaimFromSoloRanges(nmf.H, freeIndices, guided, soloFrames, assignment);

  // 4. Resynthesis.
  throwIfCancelled(signal);
  const estimates = resynthesizeSources(channels, stftOptions, nmf.W, nmf.H, assignment, S, exponent, {
    ...(signal ? { signal } : {}),
    onStep: (done, steps) => progress('resynthesis', NMF_END + ((1 - NMF_END) * done) / steps),
  });
  return {
    sampleRate,
    sources: namedSources(estimates, plan.names),
    mixtureResidual: mixtureResidual(channels, estimates),
    nmf: { iterations: nmf.iterations, objective: nmf.objective, loss: nmf.loss as NmfLoss, algorithm: nmf.algorithm, seconds: nmf.seconds },
    assignment,
    model: { W: nmf.W, H: nmf.H, ...stftOptions, maskExponent: exponent },
  };
}

/**
 * Range guides say when the unguided sources are silent: a free component active in a guided
 * source's solo frames (mean activation there ≥ RECLAIM_RATIO × its mean elsewhere) models that
 * source and is moved to it (to the guided source where the ratio is largest). On
 * test/guided-mixtures.ts this raised the semi-supervised SDR of 'pluck vs chirp' from 8.5 / 12.3
 * to 13.9 / 14.5 dB and changed no other case; on ../shared/data/audio/speech_marimba it took the
 * range-guided SDR from 5.3 / 5.2 to 7.4 / 6.7 dB.
 */
function reclaimFromSoloRanges(H: Matrix, freeIndices: readonly number[], guided: readonly number[], soloFrames: readonly number[][], assignment: number[]): void {
  const n = H.cols;
  const best = new Map<number, { source: number; ratio: number }>();
  guided.forEach((s, g) => {
    const frames = soloFrames[g]!;
    if (frames.length === 0 || frames.length === n) return;
    const solo = new Uint8Array(n);
    for (const t of frames) solo[t] = 1;
    for (const k of freeIndices) {
      let inside = 0;
      let outside = 0;
      for (let t = 0; t < n; t++) {
        if (solo[t]) inside += H.data[k * n + t]!;
        else outside += H.data[k * n + t]!;
      }
      const meanInside = inside / frames.length;
      const meanOutside = outside / (n - frames.length);
      const ratio = meanOutside > 0 ? meanInside / meanOutside : meanInside > 0 ? Infinity : 0;
      if (ratio >= RECLAIM_RATIO && ratio > (best.get(k)?.ratio ?? -1)) best.set(k, { source: s, ratio });
    }
  });
  // Move the candidates, least solo-active last, but never take an unguided source's last component.
  const moves = [...best.entries()].sort((a, b) => b[1].ratio - a[1].ratio);
  for (const [k, { source }] of moves) {
    const from = assignment[k]!;
    if (assignment.filter((s) => s === from).length <= 1) continue;
    assignment[k] = source;
  }
}

/** The free components' sources, by the rule in the module comment. */
function assignFree(
  W: Matrix,
  H: Matrix,
  freeIndices: readonly number[],
  guided: readonly number[],
  unguided: readonly number[],
  Ks: number,
  assignment: number[],
  grouping: Parameters<typeof groupComponents>[3],
): void {
  if (freeIndices.length === 0) return;
  if (unguided.length === 1) {
    for (const k of freeIndices) assignment[k] = unguided[0]!;
    return;
  }
  if (unguided.length > 1) {
    const Wf = selectColumns(W, freeIndices);
    const Hf = createMatrix(freeIndices.length, H.cols);
    freeIndices.forEach((k, j) => Hf.data.set(H.data.subarray(k * H.cols, (k + 1) * H.cols), j * H.cols));
    const groups = groupComponents(Wf, Hf, unguided.length, grouping);
    freeIndices.forEach((k, j) => (assignment[k] = unguided[groups[j]!]!));
    return;
  }
  const K = W.cols;
  const column = (k: number): Float64Array => {
    const c = new Float64Array(W.rows);
    let n2 = 0;
    for (let b = 0; b < W.rows; b++) n2 += (c[b] = W.data[b * K + k]!) ** 2;
    const n = Math.sqrt(n2) || 1;
    for (let b = 0; b < W.rows; b++) c[b]! /= n;
    return c;
  };
  const dictionary = guided.map((_, g) => Array.from({ length: Ks }, (_, j) => column(g * Ks + j)));
  for (const k of freeIndices) {
    const c = column(k);
    let best = -1;
    let bestSource = guided[0]!;
    dictionary.forEach((columns, g) => {
      for (const d of columns) {
        let dot = 0;
        for (let b = 0; b < c.length; b++) dot += c[b]! * d[b]!;
        if (dot > best) {
          best = dot;
          bestSource = guided[g]!;
        }
      }
    });
    assignment[k] = bestSource;
  }
}

function meanColumnNorm(W: Matrix): number {
  let sum = 0;
  for (let k = 0; k < W.cols; k++) {
    let n2 = 0;
    for (let b = 0; b < W.rows; b++) n2 += W.data[b * W.cols + k]! ** 2;
    sum += Math.sqrt(n2);
  }
  return sum / W.cols || 1;
}
