/**
 * `nmf-studio evaluate --reference s1.wav s2.wav --estimate e1.wav e2.wav [--json]`: how well
 * separated sources match the true ones, by BSS Eval (SDR, SIR, SAR with 512-tap distortion
 * filters, app/audio/bss-eval.ts) and SI-SDR (app/audio/si-sdr.ts). The estimates may come in any
 * order: they are matched to the references by the permutation with the best mean SIR, and the
 * table says which estimate went with which reference. References that are not WAV files are
 * hyperspectral ground truth, handed to evaluate-unmixing.ts.
 */
import { readFile } from 'node:fs/promises';
import { bssEval, DEFAULT_FILTER_LENGTH } from '../../app/audio/bss-eval.js';
import { siSdr } from '../../app/audio/si-sdr.js';
import { decodeWav, type DecodedAudio } from '../../app/audio/wav-codec.js';
import { evaluateUnmixingFiles } from './evaluate-unmixing.js';

export interface EvaluateOptions {
  readonly reference: readonly string[];
  readonly estimate: readonly string[];
  readonly json: boolean;
}

export interface SourceScore {
  readonly reference: string;
  readonly estimate: string;
  /** dB; +∞ (null in JSON) when the error is exactly zero. */
  readonly sdr: number;
  readonly sir: number;
  readonly sar: number;
  readonly siSdr: number;
}

export interface AudioEvaluation {
  readonly sampleRate: number;
  readonly channels: number;
  readonly filterLength: number;
  readonly sources: readonly SourceScore[];
  /** permutation[j]: index (0-based, in the order given) of the estimate matched to reference j. */
  readonly permutation: readonly number[];
  readonly mean: { readonly sdr: number; readonly sir: number; readonly sar: number; readonly siSdr: number };
}

const isWav = (path: string): boolean => /\.wave?$/i.test(path);

export async function runEvaluateCommand(options: EvaluateOptions, out: { write(text: string): unknown } = process.stdout): Promise<number> {
  const { reference, estimate, json } = options;
  const wav = reference.filter(isWav);
  if (wav.length > 0 && wav.length < reference.length) {
    const other = reference.find((path) => !isWav(path))!;
    throw new Error(`evaluate: the references mix WAV files (${wav[0]}: separated audio) and other files (${other}: unmixing ground truth); give one kind`);
  }
  if (reference.length > 0 && wav.length === 0) return evaluateUnmixingFiles(reference, estimate, json, out);
  const evaluation = await evaluateAudioFiles(reference, estimate);
  if (json) {
    out.write(`${JSON.stringify({ kind: 'audio', ...evaluation }, null, 2)}\n`);
  } else {
    for (const line of formatAudioEvaluation(evaluation)) out.write(`${line}\n`);
  }
  return 0;
}

/** Reads and checks the WAV files, then scores each reference against its matched estimate. */
export async function evaluateAudioFiles(referencePaths: readonly string[], estimatePaths: readonly string[]): Promise<AudioEvaluation> {
  if (referencePaths.length === 0) throw new Error('evaluate: no reference given (--reference s1.wav s2.wav …)');
  if (estimatePaths.length === 0) throw new Error('evaluate: no estimate given (--estimate e1.wav e2.wav …)');
  if (referencePaths.length !== estimatePaths.length) {
    throw new Error(`evaluate: ${referencePaths.length} reference${referencePaths.length === 1 ? '' : 's'} but ${estimatePaths.length} estimate${estimatePaths.length === 1 ? '' : 's'}: give one estimate per reference source`);
  }
  const nonWav = estimatePaths.find((p) => !isWav(p));
  if (nonWav) throw new Error(`${nonWav}: the references are WAV files, so the estimates must be too`);
  const references = await Promise.all(referencePaths.map(readWav));
  const estimates = await Promise.all(estimatePaths.map(readWav));
  const first = references[0]!;
  const firstPath = referencePaths[0]!;
  const length = first.channels[0]!.length;
  const check = (audio: DecodedAudio, path: string): void => {
    if (audio.sampleRate !== first.sampleRate) throw new Error(`${path}: sample rate ${audio.sampleRate} Hz, but ${firstPath} has ${first.sampleRate} Hz`);
    if (audio.channels.length !== first.channels.length) throw new Error(`${path}: ${audio.channels.length} channels, but ${firstPath} has ${first.channels.length}`);
    const n = audio.channels[0]!.length;
    if (n !== length) throw new Error(`${path}: ${n} samples per channel, but ${firstPath} has ${length}; the files must be the same length`);
  };
  references.forEach((audio, i) => check(audio, referencePaths[i]!));
  estimates.forEach((audio, i) => check(audio, estimatePaths[i]!));
  silentCheck(references, referencePaths, 'reference');
  silentCheck(estimates, estimatePaths, 'estimate');

  const result = bssEval(
    references.map((a) => a.channels),
    estimates.map((a) => a.channels),
  );
  const sources = referencePaths.map((path, j) => {
    const e = result.permutation[j]!;
    return {
      reference: path,
      estimate: estimatePaths[e]!,
      sdr: result.sdr[j]!,
      sir: result.sir[j]!,
      sar: result.sar[j]!,
      siSdr: siSdr(references[j]!.channels, estimates[e]!.channels),
    };
  });
  const mean = (key: 'sdr' | 'sir' | 'sar' | 'siSdr'): number => sources.reduce((sum, s) => sum + s[key], 0) / sources.length;
  return {
    sampleRate: first.sampleRate,
    channels: first.channels.length,
    filterLength: DEFAULT_FILTER_LENGTH,
    sources,
    permutation: result.permutation,
    mean: { sdr: mean('sdr'), sir: mean('sir'), sar: mean('sar'), siSdr: mean('siSdr') },
  };
}

export function formatAudioEvaluation(evaluation: AudioEvaluation): string[] {
  const db = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : x > 0 ? 'inf' : '-inf');
  const rows = evaluation.sources.map((s) => [s.reference, s.estimate, db(s.sdr), db(s.sir), db(s.sar), db(s.siSdr)]);
  const header = ['reference', 'estimate', 'SDR', 'SIR', 'SAR', 'SI-SDR'];
  const m = evaluation.mean;
  const footer = ['mean', '', db(m.sdr), db(m.sir), db(m.sar), db(m.siSdr)];
  const all = [header, ...rows, footer];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]): string => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const identity = evaluation.permutation.every((e, j) => e === j);
  return [
    `BSS Eval (${evaluation.filterLength}-tap distortion filters) and SI-SDR, in dB; ${evaluation.channels} channel${evaluation.channels === 1 ? '' : 's'} at ${evaluation.sampleRate} Hz`,
    line(header),
    ...rows.map(line),
    line(footer),
    identity ? 'estimates matched to references in the order given' : `estimates matched to references by best mean SIR: reference j ← estimate ${evaluation.permutation.map((e) => e + 1).join(', ')}`,
  ];
}

async function readWav(path: string): Promise<DecodedAudio> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  return decodeWav(bytes, path);
}

function silentCheck(audio: readonly DecodedAudio[], paths: readonly string[], what: string): void {
  audio.forEach((a, i) => {
    if (a.channels.every((c) => c.every((x) => x === 0))) throw new Error(`${paths[i]}: the ${what} is silent (all zeros); BSS Eval ratios are undefined for it`);
  });
}
