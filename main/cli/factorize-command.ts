/**
 * `nmf-studio factorize`: the generic front door. Reads any nonnegative matrix V from a CSV/TSV
 * text file or a NumPy .npy file, factorizes V ≈ W·H in a worker thread, and writes W and H next
 * to each other in the input's format.
 */
import { access, mkdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { CancelledError } from '../../app/cancellation.js';
import { formatCsvMatrix, parseCsvMatrix, type CsvDelimiter } from '../../app/io/csv-matrix.js';
import { isNpy, readNpy, writeNpy } from '../../app/io/npy.js';
import type { Matrix } from '../../app/matrix.js';
import type { NmfOptions } from '../../app/nmf/nmf-types.js';
import type { WorkerJob, WorkerOutput } from '../../native-workers/common/job-protocol.js';
import { runInNodeWorker } from '../../native-workers/node/run-in-node-worker.js';
import { definedOnly } from '../host/defined-only.js';
import { FileExistsError, writeFileAtomic } from '../host/atomic-write.js';
import { MAX_INPUT_BYTES } from '../host/session-host.js';
import type { FactorizeCommand } from './cli-args.js';
import { createProgressReporter } from './progress-reporter.js';

/** How a matrix file was stored, so that W and H can be written the same way. */
export type MatrixFileFormat =
  | { readonly kind: 'npy' }
  | {
      readonly kind: 'text';
      readonly delimiter: CsvDelimiter;
      readonly header: string[] | null;
      /** Extension the outputs get: the input's (.csv/.tsv/.txt), else .tsv for tabs, .csv otherwise. */
      readonly extension: string;
    };

/** A matrix read from disk, with the format it came in. */
export interface MatrixFile {
  readonly matrix: Matrix;
  readonly format: MatrixFileFormat;
}

const TEXT_EXTENSIONS = ['.csv', '.tsv', '.txt'];

/**
 * Reads a matrix by extension (.npy; .csv/.tsv/.txt) or, for any other name, by content: the
 * .npy magic string, else UTF-8 text without NUL bytes is parsed as delimited text. Errors name
 * the file as given.
 */
export async function readMatrixFile(path: string): Promise<MatrixFile> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  if (!info.isFile()) throw new Error(`${path}: not a file`);
  if (info.size > MAX_INPUT_BYTES) throw new Error(`${path}: file too large (${info.size} bytes; limit ${MAX_INPUT_BYTES})`);
  const bytes = new Uint8Array(await readFile(path));
  return decodeMatrixFile(bytes, path);
}

/** The content half of readMatrixFile (see there). */
export function decodeMatrixFile(bytes: Uint8Array, path: string): MatrixFile {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy' || (!TEXT_EXTENSIONS.includes(ext) && isNpy(bytes))) return { matrix: readNpy(bytes, path), format: { kind: 'npy' } };
  const binary = `${path}: not a .npy file or CSV/TSV text (unrecognised binary content)`;
  let text: string;
  try {
    // Named as text, undecodable bytes (a latin-1 column name, say) become U+FFFD rather than fail.
    text = new TextDecoder('utf-8', { fatal: !TEXT_EXTENSIONS.includes(ext) }).decode(bytes);
  } catch {
    throw new Error(binary);
  }
  if (text.includes('\0')) throw new Error(binary);
  const parsed = parseCsvMatrix(text, path);
  const extension = TEXT_EXTENSIONS.includes(ext) ? extname(path) : parsed.delimiter === '\t' ? '.tsv' : '.csv';
  return { matrix: parsed.matrix, format: { kind: 'text', delimiter: parsed.delimiter, header: parsed.header, extension } };
}

/**
 * Checks that V can be factorized: not empty, every entry finite and nonnegative (NMF's domain;
 * Lee & Seung 1999, "Learning the parts of objects by non-negative matrix factorization").
 * All-zero rows or columns are allowed: the engine keeps their factors at zero. The error is one
 * line naming the file, the first bad entry's row and column (counting from 1) and its value.
 */
export function checkFactorizable(v: Matrix, path: string): void {
  if (v.rows === 0 || v.cols === 0) throw new Error(`${path}: the matrix is empty (${v.rows}×${v.cols})`);
  const d = v.data;
  for (let i = 0; i < d.length; i++) {
    const x = d[i]!;
    if (x >= 0 && x !== Infinity) continue;
    const what = Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Inf' : x === -Infinity ? '-Inf' : `negative value ${x}`;
    const row = Math.floor(i / v.cols) + 1;
    const col = (i % v.cols) + 1;
    throw new Error(`${path}: ${what} at row ${row}, column ${col} (counting from 1); NMF needs finite nonnegative data`);
  }
}

/** One output file: its name (in the output folder) and contents. */
export interface MatrixOutput {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * W (m×r) and H (r×n) as `<stem>.W<ext>` and `<stem>.H<ext>` in the input's format. .npy
 * outputs are float32 ('<f4', the engine's values exactly, whatever the input's dtype). Text
 * outputs keep the input's delimiter; when the input had a header, H keeps V's column names and
 * W gets `component-1 … component-r`, otherwise neither has a header (numpy.loadtxt reads them).
 */
export function matrixOutputs(inputPath: string, format: MatrixFileFormat, W: Matrix, H: Matrix): MatrixOutput[] {
  const [wName, hName] = matrixOutputNames(inputPath, format);
  if (format.kind === 'npy') {
    return [
      { name: wName, bytes: writeNpy(W) },
      { name: hName, bytes: writeNpy(H) },
    ];
  }
  const encoder = new TextEncoder();
  const components = Array.from({ length: W.cols }, (_, k) => `component-${k + 1}`);
  const header = format.header && format.header.length === H.cols ? format.header : null;
  const w = formatCsvMatrix(W, { delimiter: format.delimiter, ...(header ? { header: components } : {}) });
  const h = formatCsvMatrix(H, { delimiter: format.delimiter, ...(header ? { header } : {}) });
  return [
    { name: wName, bytes: encoder.encode(w) },
    { name: hName, bytes: encoder.encode(h) },
  ];
}

/** The names matrixOutputs gives W and H: `<stem>.W<ext>`, `<stem>.H<ext>`. */
export function matrixOutputNames(inputPath: string, format: MatrixFileFormat): [string, string] {
  const name = basename(inputPath);
  const stem = name.slice(0, name.length - extname(name).length) || name;
  const ext = format.kind === 'npy' ? '.npy' : format.extension;
  return [`${stem}.W${ext}`, `${stem}.H${ext}`];
}

/** The --json summary. */
export interface FactorizeSummary {
  readonly input: string;
  readonly kind: 'matrix';
  readonly loss: string;
  /** β of the β-divergence when the loss is 'beta'. */
  readonly beta?: number;
  readonly algorithm: string;
  readonly iterations: number;
  readonly objective: number;
  /** Wall time of the factorization (worker start-up and every restart included). */
  readonly seconds: number;
  readonly outputs: string[];
  readonly rank: number;
  /** Shape of V: [rows, columns]. */
  readonly shape: [number, number];
  /** Every run (one without --restarts), in run order; the best is the one reported above. */
  readonly restarts: readonly { readonly seed: number; readonly objective: number; readonly iterations: number }[];
}

/**
 * Runs the command: read and check V, refuse early if an output exists (without --force), run
 * the factorization in a Node worker thread with progress on stderr (Ctrl+C cancels: exit 130),
 * then write W and H atomically. Returns the exit code; failures throw one-line errors.
 */
export async function runFactorizeCommand(command: FactorizeCommand): Promise<number> {
  const { matrix, format } = await readMatrixFile(command.input);
  checkFactorizable(matrix, command.input);
  if (command.ranks.length > 1) return runRankSweep(command, matrix);
  const directory = resolve(command.out);
  const onExisting = command.force ? 'overwrite' : 'fail';
  const targets = matrixOutputNames(command.input, format).map((name) => join(directory, name));
  // Refuse before spending the computation; checked again before writing.
  if (onExisting === 'fail') await refuseExisting(targets);

  const options = nmfOptionsOf(command);
  const job: WorkerJob = { kind: 'factorize', rows: matrix.rows, cols: matrix.cols, data: matrix.data, options, restarts: command.restarts };
  const started = Date.now();
  const output = await runMatrixJob(command.input, job);
  if (output === null) return 130;
  const seconds = (Date.now() - started) / 1000;
  if (output.kind !== 'factorize') throw new Error(`${command.input}: the worker returned a ${output.kind} result`);
  const result = output.output;

  const outputs = matrixOutputs(command.input, format, result.W, result.H);
  await mkdir(directory, { recursive: true });
  if (onExisting === 'fail') await refuseExisting(targets);
  const written: string[] = [];
  for (const file of outputs) written.push(await writeFileAtomic(join(directory, file.name), file.bytes, onExisting));

  if (command.json) {
    const summary: FactorizeSummary = {
      input: command.input,
      kind: 'matrix',
      loss: result.loss,
      ...(result.loss === 'beta' && command.beta !== undefined ? { beta: command.beta } : {}),
      algorithm: result.algorithm,
      iterations: result.iterations,
      objective: result.objective,
      seconds,
      outputs: written,
      rank: command.rank,
      shape: [matrix.rows, matrix.cols],
      restarts: output.runs.map((r) => ({ seed: r.seed, objective: r.objective, iterations: r.iterations })),
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const runs = output.runs.length > 1 ? `, best of ${output.runs.length} runs` : '';
    process.stdout.write(
      `${result.iterations} iterations of ${result.loss} NMF (${result.algorithm}, rank ${command.rank}${runs}) on ${matrix.rows}×${matrix.cols} in ${seconds.toFixed(2)} s, objective ${result.objective.toPrecision(6)}; wrote:\n`,
    );
    for (const file of written) process.stdout.write(`  ${file}\n`);
  }
  return 0;
}

async function refuseExisting(targets: readonly string[]): Promise<void> {
  for (const target of targets) {
    const exists = await access(target).then(
      () => true,
      () => false,
    );
    if (exists) throw new FileExistsError(target);
  }
}

/**
 * `factorize --rank a-b`: Brunet et al. (2004)'s rank selection. Per rank, --restarts runs;
 * prints the best and mean objective and the cophenetic correlation of the consensus matrix
 * (a rank is stable where it stays close to 1, and is usually chosen where it starts to fall).
 */
async function runRankSweep(command: FactorizeCommand, matrix: Matrix): Promise<number> {
  const tooLarge = command.ranks.find((r) => r > Math.min(matrix.rows, matrix.cols));
  if (tooLarge !== undefined) throw new Error(`${command.input}: rank ${tooLarge} exceeds min(rows, columns) = ${Math.min(matrix.rows, matrix.cols)}`);
  const options = nmfOptionsOf(command);
  const job: WorkerJob = { kind: 'rankSweep', rows: matrix.rows, cols: matrix.cols, data: matrix.data, options, ranks: command.ranks, runsPerRank: command.restarts };
  const started = Date.now();
  const output = await runMatrixJob(command.input, job);
  if (output === null) return 130;
  if (output.kind !== 'rankSweep') throw new Error(`${command.input}: the worker returned a ${output.kind} result`);
  const seconds = (Date.now() - started) / 1000;
  if (command.json) {
    process.stdout.write(`${JSON.stringify({ input: command.input, kind: 'rank-sweep', runsPerRank: command.restarts, seconds, ranks: output.output }, null, 2)}\n`);
  } else {
    process.stdout.write(`rank sweep of ${matrix.rows}×${matrix.cols}, ${command.restarts} runs per rank, ${seconds.toFixed(2)} s\n`);
    process.stdout.write('rank  best objective  mean objective  cophenetic\n');
    for (const e of output.output) {
      process.stdout.write(`${String(e.rank).padStart(4)}  ${e.bestObjective.toPrecision(6).padStart(14)}  ${e.meanObjective.toPrecision(6).padStart(14)}  ${e.cophenetic.toFixed(4).padStart(10)}\n`);
    }
  }
  return 0;
}

/**
 * Runs a matrix job in a Node worker thread with progress on stderr; Ctrl+C cancels (returns
 * null after saying so). Failures become one-line errors naming the input.
 */
async function runMatrixJob(input: string, job: WorkerJob): Promise<WorkerOutput | null> {
  const reporter = createProgressReporter(process.stderr, input);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  // once: a second Ctrl+C falls through to Node's default and ends the process at once.
  process.once('SIGINT', onSigint);
  const started = Date.now();
  try {
    return await runInNodeWorker(job, {
      signal: controller.signal,
      transferInput: true,
      onProgress: (p) => reporter.onEvent({ type: 'progress', jobId: 'cli', ...p, elapsedSeconds: (Date.now() - started) / 1000 }),
    });
  } catch (error) {
    if (error instanceof CancelledError) {
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}nmf-studio: cancelled\n`);
      return null;
    }
    throw new Error(`${input}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    reporter.end();
    process.off('SIGINT', onSigint);
  }
}

/** The engine options a factorize command asks for; unset ones stay unset (engine defaults). */
function nmfOptionsOf(command: FactorizeCommand): Omit<NmfOptions, 'signal' | 'onProgress'> {
  return definedOnly({
    rank: command.rank,
    loss: command.loss,
    beta: command.beta,
    algorithm: command.algorithm,
    init: command.init,
    seed: command.seed,
    maxIter: command.maxIter,
    tol: command.tol,
  });
}
