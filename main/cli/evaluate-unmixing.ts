/**
 * Scoring hyperspectral unmixing against ground truth, for `nmf-studio evaluate` (references that
 * are not WAV files) and for the summary of `nmf-studio unmix` when the input carries its ground
 * truth (a benchmark .mat with M and A).
 *
 * Reference: a MATLAB .mat with `M` (bands × P endmembers) and optionally `A` (P × pixels
 * abundances), with or without the image itself (app/hsi/mat-cube.ts), or an endmember CSV
 * (wavelength or band column first, then one column per endmember) optionally followed by an
 * abundance file.
 * Estimate: the output folder of `nmf-studio unmix` (its `*.endmembers.csv` and, when present,
 * `*.abundances.tif`, else its ENVI `*.abundances.hdr`), its abundance file alone (`X.abundances.tif`,
 * `.hdr` or `.img`, with `X.endmembers.csv` next to it), or the files themselves: an endmember CSV,
 * then optionally an abundance GeoTIFF or ENVI file (one band per endmember) or CSV (one column per
 * endmember, one row per pixel in row-major order, or the transpose).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { readCube } from '../../app/hsi/read-cube.js';
import { readGeoTiff } from '../../app/hsi/geotiff-reader.js';
import { readMatCube, readMatGroundTruth } from '../../app/hsi/mat-cube.js';
import { scoreUnmixing, type UnmixingScores } from '../../app/hsi/unmixing-metrics.js';
import { parseCsvMatrix } from '../../app/io/csv-matrix.js';
import { createMatrix, transpose, type Matrix } from '../../app/matrix.js';
import { readInputFile } from '../host/read-input-file.js';
import type { NodeHost } from '../host/session-host.js';

export interface UnmixingFiles {
  /** bands × P. */
  readonly endmembers: Matrix;
  /** P × pixels, or null. */
  readonly abundances: Matrix | null;
  /** Image size when the abundances came with one (GeoTIFF, .mat). */
  readonly shape: { readonly rows: number; readonly cols: number } | null;
  /** The files read, for messages. */
  readonly files: readonly string[];
}

/**
 * Runs `nmf-studio evaluate --reference … --estimate … [--json]` for unmixing; returns the exit
 * code. Prints to `out` (default stdout).
 */
export async function evaluateUnmixingFiles(
  reference: readonly string[],
  estimate: readonly string[],
  json: boolean,
  out: { write(text: string): unknown } = process.stdout,
): Promise<number> {
  if (reference.length === 0) throw new Error('evaluate: no reference given (a .mat with M [and A], or an endmember CSV [and abundances])');
  if (estimate.length === 0) throw new Error('evaluate: no estimate given (the output folder of nmf-studio unmix, or its files)');
  const est = await readEstimate(estimate);
  const ref = await readReference(reference, est);
  const scores = scoreAgainst(est, ref);
  const report = evaluationReport(scores);
  if (json) {
    out.write(`${JSON.stringify({ reference: ref.files, estimate: est.files, ...report }, null, 2)}\n`);
  } else {
    out.write(`reference: ${ref.files.join(', ')}\nestimate:  ${est.files.join(', ')}\n`);
    for (const line of formatEvaluation(report)) out.write(`${line}\n`);
  }
  return 0;
}

/** Scores with the checks that the two sides describe the same bands and pixels. */
export function scoreAgainst(estimate: UnmixingFiles, reference: UnmixingFiles): UnmixingScores {
  const e = estimate.endmembers;
  const r = reference.endmembers;
  if (e.rows !== r.rows) {
    throw new Error(`the estimate has ${e.rows} bands (${estimate.files[0]}) and the reference ${r.rows} (${reference.files[0]}): they must describe the same bands`);
  }
  if (r.cols > e.cols) throw new Error(`the reference has ${r.cols} endmembers but the estimate only ${e.cols}: every reference endmember needs its own estimate`);
  if (estimate.abundances && reference.abundances && estimate.abundances.cols !== reference.abundances.cols) {
    throw new Error(`the estimated abundances cover ${estimate.abundances.cols} pixels and the reference ${reference.abundances.cols}`);
  }
  if (estimate.abundances && estimate.abundances.rows !== e.cols) {
    throw new Error(`${estimate.files.at(-1)}: ${estimate.abundances.rows} abundance maps for ${e.cols} endmembers`);
  }
  if (reference.abundances && reference.abundances.rows !== r.cols) {
    throw new Error(`${reference.files.at(-1)}: ${reference.abundances.rows} abundance maps for ${r.cols} endmembers`);
  }
  return scoreUnmixing({ endmembers: e, abundances: estimate.abundances }, { endmembers: r, abundances: reference.abundances });
}

/** The scores as plain data (what --json prints), endmembers numbered from 1. */
export interface EvaluationReport {
  readonly endmembers: readonly { readonly reference: number; readonly estimate: number; readonly sadDegrees: number; readonly abundanceRmse: number | null }[];
  readonly meanSadDegrees: number;
  readonly abundanceRmse: number | null;
  /** True when the estimated abundances did not sum to one and were normalised per pixel first. */
  readonly abundancesNormalized: boolean | null;
}

export function evaluationReport(scores: UnmixingScores): EvaluationReport {
  return {
    endmembers: scores.permutation.map((e, r) => ({
      reference: r + 1,
      estimate: e + 1,
      sadDegrees: scores.sadDegrees[r]!,
      abundanceRmse: scores.abundances ? scores.abundances.rmsePerEndmember[r]! : null,
    })),
    meanSadDegrees: scores.meanSadDegrees,
    abundanceRmse: scores.abundances?.rmse ?? null,
    abundancesNormalized: scores.abundances?.normalized ?? null,
  };
}

export function formatEvaluation(report: EvaluationReport): string[] {
  const lines = ['reference  estimate  SAD (°)  abundance RMSE'];
  for (const m of report.endmembers) {
    lines.push(`${String(m.reference).padStart(9)}  ${String(m.estimate).padStart(8)}  ${m.sadDegrees.toFixed(2).padStart(7)}  ${m.abundanceRmse === null ? '—' : m.abundanceRmse.toFixed(4)}`);
  }
  lines.push(`mean SAD ${report.meanSadDegrees.toFixed(2)}°`);
  if (report.abundanceRmse !== null) {
    lines.push(`abundance RMSE ${report.abundanceRmse.toFixed(4)}${report.abundancesNormalized ? ' (estimated abundances divided by their pixel sum: they did not sum to one)' : ''}`);
  } else {
    lines.push('abundance RMSE: not computed (abundances missing on one side)');
  }
  return lines;
}

/**
 * Ground truth carried by an unmixing input (a benchmark .mat with M, and A): null when the file
 * is not a .mat or holds none. Read on the host side, next to the job: it needs only the file.
 */
export function groundTruthOfInput(path: string): UnmixingFiles | null {
  if (extname(path).toLowerCase() !== '.mat') return null;
  const { cube, groundTruth } = readMatCube(readBytes(path), basename(path));
  if (!groundTruth) return null;
  return { endmembers: groundTruth.endmembers, abundances: groundTruth.abundances ?? null, shape: { rows: cube.rows, cols: cube.cols }, files: [path] };
}

/** What `nmf-studio unmix` adds to its summary for a cube (and the scores, when the input has ground truth). */
export interface UnmixSummary {
  readonly suggestedEndmembers: number | null;
  /** 1-based, as --bad-bands takes them. */
  readonly droppedBands: readonly number[];
  readonly evaluation: EvaluationReport | null;
}

export async function unmixSummary(host: NodeHost, jobId: string, inputPath: string): Promise<UnmixSummary> {
  const result = await host.getResult(jobId);
  if (result.kind !== 'unmix') throw new Error(`job ${jobId} is not an unmixing`);
  const inputTruth = groundTruthOfInput(inputPath);
  // A window or binning (--subset, --bin) changes the pixels: the spectra still compare, the maps do not.
  const sameGrid = !inputTruth?.shape || (inputTruth.shape.rows === result.rows && inputTruth.shape.cols === result.cols);
  const truth = inputTruth && !sameGrid ? { ...inputTruth, abundances: null } : inputTruth;
  let evaluation: EvaluationReport | null = null;
  if (truth) {
    const p = result.endmembers.length;
    const bands = result.bands;
    const endmembers = createMatrix(bands, p);
    result.endmembers.forEach((spectrum, k) => spectrum.forEach((x, b) => (endmembers.data[b * p + k] = x)));
    const pixels = result.rows * result.cols;
    const abundances = createMatrix(p, pixels);
    for (let k = 0; k < p; k++) abundances.data.set(await host.getAbundanceMap(jobId, k), k * pixels);
    evaluation = evaluationReport(scoreAgainst({ endmembers, abundances, shape: result, files: ['(unmixing result)'] }, truth));
  }
  return {
    suggestedEndmembers: result.suggestedEndmembers ?? null,
    droppedBands: (result.droppedBands ?? []).map((b) => b + 1),
    evaluation,
  };
}

/** Lines for the text summary of `unmix`. */
export function formatUnmixSummary(summary: UnmixSummary): string[] {
  const lines: string[] = [];
  if (summary.droppedBands.length > 0) lines.push(`bands left out of the fit: ${compactRanges(summary.droppedBands)}`);
  if (summary.suggestedEndmembers !== null) lines.push(`HySime suggests ${summary.suggestedEndmembers} endmembers (signal subspace dimension; a suggestion, often high on real data)`);
  if (summary.evaluation) {
    lines.push('against the ground truth in the input:');
    lines.push(...formatEvaluation(summary.evaluation).map((l) => `  ${l}`));
  }
  return lines;
}

/** [1,2,3,7,9,10] → "1-3, 7, 9-10". */
function compactRanges(values: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    parts.push(j > i ? `${values[i]}-${values[j]}` : `${values[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

async function readEstimate(paths: readonly string[]): Promise<UnmixingFiles> {
  if (paths.length === 1 && isDirectory(paths[0]!)) {
    const dir = paths[0]!;
    const names = readdirSync(dir);
    const pick = (suffix: string, required: boolean): string | null => {
      const found = names.filter((n) => n.endsWith(suffix)).sort();
      if (found.length === 0) {
        if (required) throw new Error(`${dir}: no *${suffix} in the folder (expected the output of nmf-studio unmix)`);
        return null;
      }
      if (found.length > 1) throw new Error(`${dir}: ${found.length} files *${suffix} (${found.join(', ')}); name the files to evaluate instead of the folder`);
      return join(dir, found[0]!);
    };
    const endmembers = pick('.endmembers.csv', true)!;
    // The GeoTIFF, else the ENVI copy of the same maps (a folder someone trimmed to one format).
    const abundances = pick('.abundances.tif', false) ?? pick('.abundances.hdr', false);
    return readEndmembersAndAbundances(endmembers, abundances);
  }
  const single = paths.length === 1 ? abundanceExport(paths[0]!) : null;
  if (single) return readEndmembersAndAbundances(single.endmembers, paths[0]!);
  if (paths.length > 2) throw new Error(`evaluate: an estimate is an endmember CSV and optionally an abundance file, got ${paths.length} files`);
  return readEndmembersAndAbundances(paths[0]!, paths[1] ?? null);
}

async function readReference(paths: readonly string[], estimate: UnmixingFiles): Promise<UnmixingFiles> {
  const first = paths[0]!;
  if (extname(first).toLowerCase() === '.mat') {
    if (paths.length > 1) throw new Error(`${first}: a .mat reference holds its endmembers and abundances itself; give it alone`);
    const bytes = readBytes(first);
    try {
      const { cube, groundTruth } = readMatCube(bytes, basename(first));
      if (!groundTruth) throw new Error(`${first}: no ground-truth endmembers 'M' (bands × endmembers) in the file`);
      return { endmembers: groundTruth.endmembers, abundances: groundTruth.abundances ?? null, shape: { rows: cube.rows, cols: cube.cols }, files: [first] };
    } catch (error) {
      // A ground-truth-only file (e.g. the benchmarks' end3.mat): sizes come from the estimate.
      if (!(error instanceof Error) || !/no hyperspectral image found/.test(error.message)) throw error;
      const bands = estimate.endmembers.rows;
      if (!estimate.abundances) {
        // Endmembers only: 'A' cannot be scored, so it is not read.
        return { endmembers: readMatGroundTruth(bytes, basename(first), { bands }).endmembers, abundances: null, shape: null, files: [first] };
      }
      // 'A' lists pixels in MATLAB's column-major order: reordering it needs the image size. A CSV
      // estimate does not carry it; the benchmarks' images are square (as mat-cube.ts assumes for
      // a Y without nRow/nCol), anything else needs the abundance GeoTIFF.
      const pixels = estimate.abundances.cols;
      const side = Math.round(Math.sqrt(pixels));
      const shape = estimate.shape ?? (side * side === pixels ? { rows: side, cols: side } : null);
      if (!shape) {
        throw new Error(
          `${first}: its abundances 'A' are in MATLAB's column-major pixel order, and the image size to reorder them is unknown (${estimate.files.at(-1)} has ${pixels} pixels, not a square): give the estimated abundances as the GeoTIFF nmf-studio unmix writes`,
        );
      }
      const truth = readMatGroundTruth(bytes, basename(first), { ...shape, bands });
      return { endmembers: truth.endmembers, abundances: truth.abundances ?? null, shape, files: [first] };
    }
  }
  if (paths.length > 2) throw new Error(`evaluate: a reference is a .mat, or an endmember CSV and optionally an abundance file, got ${paths.length} files`);
  return readEndmembersAndAbundances(first, paths[1] ?? null);
}

async function readEndmembersAndAbundances(endmemberPath: string, abundancePath: string | null): Promise<UnmixingFiles> {
  const endmembers = readEndmemberCsv(endmemberPath);
  if (!abundancePath) return { endmembers, abundances: null, shape: null, files: [endmemberPath] };
  const { abundances, shape } = await readAbundances(abundancePath, endmembers.cols);
  return { endmembers, abundances, shape, files: [endmemberPath, abundancePath] };
}

/** Endmember spectra as `nmf-studio unmix` writes them: wavelength (or band) column first. */
export function readEndmemberCsv(path: string): Matrix {
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.tsv' && ext !== '.txt') throw new Error(`${path}: endmembers must be a CSV (wavelength column first, one column per endmember)`);
  const { matrix } = parseCsvMatrix(readBytes(path).toString('utf8'), basename(path));
  if (matrix.cols < 2) throw new Error(`${path}: ${matrix.cols} column; expected the wavelength (or band) column and at least one endmember column`);
  const p = matrix.cols - 1;
  const out = createMatrix(matrix.rows, p);
  for (let b = 0; b < matrix.rows; b++) for (let k = 0; k < p; k++) out.data[b * p + k] = matrix.data[b * matrix.cols + k + 1]!;
  return out;
}

/**
 * An abundance file of `nmf-studio unmix` given alone (`X.abundances.tif`, `.tiff`, `.hdr`, `.img`):
 * its endmember CSV is `X.endmembers.csv` beside it. Null for any other name.
 */
function abundanceExport(path: string): { endmembers: string } | null {
  const match = /^(.*)\.abundances\.(tiff?|hdr|img)$/i.exec(basename(path));
  if (!match) return null;
  const endmembers = join(dirname(path), `${match[1]}.endmembers.csv`);
  try {
    statSync(endmembers);
  } catch {
    throw new Error(`${path}: an abundance file alone needs its endmember spectra next to it, and ${endmembers} is missing (or give both files)`);
  }
  return { endmembers };
}

/** Abundances as P × pixels: a GeoTIFF or ENVI file with one band per endmember, or a CSV (pixels × P, or P × pixels). */
async function readAbundances(path: string, endmembers: number): Promise<{ abundances: Matrix; shape: { rows: number; cols: number } | null }> {
  const ext = extname(path).toLowerCase();
  if (ext === '.tif' || ext === '.tiff') {
    const bytes = readBytes(path);
    const cube = await readGeoTiff(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, basename(path));
    return { abundances: createMatrix(cube.bands, cube.rows * cube.cols, cube.data), shape: { rows: cube.rows, cols: cube.cols } };
  }
  if (ext === '.hdr' || ext === '.img') {
    // ENVI: header and data are paired from either name (read-input-file.ts); BSQ is P × pixels.
    const input = await readInputFile(path, 4 * 1024 ** 3);
    const cube = await readCube(input.bytes, input.name);
    return { abundances: createMatrix(cube.bands, cube.rows * cube.cols, cube.data), shape: { rows: cube.rows, cols: cube.cols } };
  }
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') {
    const { matrix } = parseCsvMatrix(readBytes(path).toString('utf8'), basename(path));
    if (matrix.cols === endmembers) return { abundances: transpose(matrix), shape: null };
    if (matrix.rows === endmembers) return { abundances: matrix, shape: null };
    throw new Error(`${path}: ${matrix.rows}×${matrix.cols} values, expected one column (or row) per endmember (${endmembers})`);
  }
  throw new Error(`${path}: abundances must be a GeoTIFF (.tif, one band per endmember), an ENVI file (.hdr/.img) or a CSV`);
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (error as Error).message}`);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (error) {
    throw new Error(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}`);
  }
}
