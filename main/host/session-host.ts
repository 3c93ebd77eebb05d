/**
 * The Node implementation of HostApi: one user session's open files and jobs. The CLI calls it
 * directly, the web host serves it over HTTP/WebSocket and the Electron shell over IPC.
 * Compute runs in worker threads, so this object (and the server or window around it) never
 * blocks on a factorization.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { SeparationModelData } from '../../app/audio/separate.js';
import { DEFAULT_MASK_EXPONENT } from '../../app/audio/soft-mask.js';
import { readWavInfo } from '../../app/audio/wav-codec.js';
import { CancelledError } from '../../app/cancellation.js';
import { detectKind } from '../../app/detect-kind.js';
import { readCube } from '../../app/hsi/read-cube.js';
import type {
  AudioSummary,
  CubeSummary,
  ExportResult,
  HostApi,
  JobEvent,
  JobParams,
  JobResult,
  JobSummary,
  OpenedFile,
  SeparateJobParams,
  SeparationModel,
  SeparationResult,
  UnmixResult,
} from '../../app/host-api.js';
import type { WorkerGuide, WorkerJob, WorkerOutput } from '../../native-workers/common/job-protocol.js';
import { definedOnly } from './defined-only.js';
import { runInNodeWorker, startSpareNodeWorker, type SpareNodeWorker } from '../../native-workers/node/run-in-node-worker.js';
import { FileExistsError, writeFileAtomic, type OnExisting } from './atomic-write.js';
import { checkEndmemberNames, endmemberNames, jobOutputs, sourceWav, type OutputOptions } from './job-outputs.js';
import { readInputFile } from './read-input-file.js';

type SeparateOutput = WorkerOutput & { kind: 'separate' };

/** Largest input accepted (the whole file is held in memory). */
export const MAX_INPUT_BYTES = 4 * 1024 ** 3;

interface OpenFileRecord {
  readonly opened: OpenedFile;
  readonly bytes: Uint8Array;
}

interface JobRecord {
  readonly jobId: string;
  readonly params: JobParams;
  readonly file: OpenFileRecord;
  readonly controller: AbortController;
  readonly done: Promise<void>;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  output: WorkerOutput | null;
  summary: JobSummary | null;
  error: string | null;
  /** The latest regrouping of a separation's sources (regroupSources), settled or not. */
  regrouping?: Promise<unknown>;
  /** An unmixing's endmember names (renameEndmembers); absent: the defaults. */
  endmemberNames?: string[];
}

export interface ExportOptions extends OutputOptions {
  /** Folder to write to; default the host's export folder. */
  readonly directory?: string;
  /** Default 'rename' (the GUI never overwrites silently; the CLI asks for 'fail' or 'overwrite'). */
  readonly onExisting?: OnExisting;
}

export interface NodeHost extends HostApi {
  /** Opens a file from the local file system (CLI arguments, Electron's open-file). */
  openPath(path: string): Promise<OpenedFile>;
  /** Resolves when the job has finished, failed or been cancelled. */
  waitForJob(jobId: string): Promise<JobEvent>;
  exportWith(jobId: string, options: ExportOptions): Promise<ExportResult>;
  /** Cancels running jobs and waits for them. */
  dispose(): Promise<void>;
}

export function createSessionHost(options: { exportDir: string }): NodeHost {
  const files = new Map<string, OpenFileRecord>();
  const jobs = new Map<string, JobRecord>();
  const listeners = new Set<(event: JobEvent) => void>();
  const finalEvents = new Map<string, JobEvent>();

  // One compute worker kept ready (its thread pool started and warmed: run-in-node-worker.ts),
  // started when a file opens and again after each job, so a job does not wait for a thread to
  // start, its pool to spawn or its first iterations to run cold. Measured on 2 cores, 10 HALS
  // iterations on the 5000×2000 topics benchmark matrix, job wall time: 857–928 ms fresh, 579–595
  // ms on a spare.
  let spare: SpareNodeWorker | null = null;
  let disposed = false;
  const prepareWorker = (): void => {
    // Not while a job runs: its warm-up would compete with the job for the cores.
    const busy = [...jobs.values()].some((job) => job.state === 'running');
    if (disposed || busy || (spare !== null && spare.alive)) return;
    try {
      spare = startSpareNodeWorker();
    } catch {
      spare = null; // not built, say: the job itself will report it
    }
  };
  const takeWorker = (): SpareNodeWorker | undefined => {
    const taken = spare ?? undefined;
    spare = null;
    return taken;
  };

  const emit = (event: JobEvent): void => {
    if (event.type !== 'progress') finalEvents.set(event.jobId, event);
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('job event listener failed:', error);
      }
    }
  };

  const fileRecord = (fileId: string): OpenFileRecord => {
    const record = files.get(fileId);
    if (!record) throw new Error(`unknown file id '${fileId}' (open the file first)`);
    return record;
  };
  const jobRecord = (jobId: string): JobRecord => {
    const record = jobs.get(jobId);
    if (!record) throw new Error(`unknown job id '${jobId}'`);
    return record;
  };
  const finishedJob = (jobId: string): JobRecord & { output: WorkerOutput; summary: JobSummary } => {
    const job = jobRecord(jobId);
    if (job.state === 'running') throw new Error(`job ${jobId} is still running`);
    if (job.state !== 'done' || !job.output || !job.summary) throw new Error(`job ${jobId} has no result (${job.state}${job.error ? `: ${job.error}` : ''})`);
    return job as JobRecord & { output: WorkerOutput; summary: JobSummary };
  };

  const openFile = async (name: string, data: ArrayBuffer | Uint8Array): Promise<OpenedFile> => {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    const displayName = basename(name.replaceAll('\\', '/')) || 'untitled';
    if (bytes.byteLength > MAX_INPUT_BYTES) throw new Error(`${displayName}: file too large (${bytes.byteLength} bytes; limit ${MAX_INPUT_BYTES})`);
    const kind = detectKind(bytes, displayName);
    let summary: AudioSummary | CubeSummary;
    if (kind === 'audio') {
      // The header is enough for the summary (and checks the file's structure); the samples are
      // decoded once, in the worker, so the host never holds a float copy of a long recording.
      const audio = readWavInfo(bytes, displayName);
      summary = {
        kind: 'audio',
        sampleRate: audio.sampleRate,
        channels: audio.channels,
        frames: audio.frames,
        durationSeconds: audio.frames / audio.sampleRate,
        bitDepth: audio.bitDepth,
        float: audio.float,
      };
    } else {
      const cube = await readCube(bytes, displayName);
      summary = {
        kind: 'cube',
        rows: cube.rows,
        cols: cube.cols,
        bands: cube.bands,
        wavelengths: cube.wavelengths,
        wavelengthUnits: cube.wavelengthUnits,
        georeferenced: cube.geo !== null,
        ...(cube.format ? { format: cube.format } : {}),
      };
    }
    const opened: OpenedFile = { fileId: randomUUID(), name: displayName, byteLength: bytes.byteLength, summary };
    files.set(opened.fileId, { opened, bytes });
    prepareWorker(); // a job on this file is likely next
    return opened;
  };

  const workerJob = (params: JobParams, file: OpenFileRecord): WorkerJob => {
    const expected = params.kind === 'separate' ? 'audio' : 'cube';
    if (file.opened.summary.kind !== expected) {
      throw new Error(`${file.opened.name}: ${params.kind} needs ${expected === 'audio' ? 'an audio file' : 'a hyperspectral cube'}, this is ${file.opened.summary.kind === 'audio' ? 'audio' : 'a cube'}`);
    }
    const common = {
      loss: params.loss ?? (params.kind === 'separate' ? 'kl' : 'frobenius'),
      maxIter: params.maxIter ?? 200,
      seed: params.seed ?? 0,
      ...definedOnly({ algorithm: params.algorithm, restarts: params.restarts }),
    } as const;
    // The worker gets its own copy of the bytes; the host keeps the file open for further jobs.
    const bytes = file.bytes.slice();
    return params.kind === 'separate'
      ? {
          kind: 'separate',
          fileName: file.opened.name,
          bytes,
          params: {
            sources: params.sources,
            components: params.components,
            ...common,
            ...definedOnly({ windowSize: params.windowSize, hop: params.hop, window: params.window, maskExponent: params.maskExponent, splitComponents: params.splitComponents }),
          },
          ...guidesFor(params),
        }
      : {
          kind: 'unmix',
          fileName: file.opened.name,
          bytes,
          params: {
            endmembers: params.endmembers,
            ...common,
            // Copies: the job keeps these after the caller's call returns.
            ...definedOnly({
              init: params.init,
              sumToOne: params.sumToOne,
              sparsity: params.sparsity,
              minVolume: params.minVolume,
              badBands: params.badBands && [...params.badBands],
              window: params.window && { ...params.window },
              bandRange: params.bandRange && { ...params.bandRange },
              bin: params.bin,
            }),
          },
        };
  };

  /** Guided separation: each guide's clips as opened audio files, checked here, decoded in the worker. */
  const guidesFor = (params: SeparateJobParams): { guides?: WorkerGuide[]; guideComponents?: number } => {
    if (!params.guides || params.guides.length === 0) return params.guideComponents === undefined ? {} : { guideComponents: params.guideComponents };
    const guides = params.guides.map((guide): WorkerGuide => ({
      source: guide.source,
      ranges: (guide.ranges ?? []).map((r) => ({ start: r.start, end: r.end })),
      clips: (guide.clipFileIds ?? []).map((id) => {
        const clip = fileRecord(id);
        if (clip.opened.summary.kind !== 'audio') throw new Error(`${clip.opened.name}: a guide clip must be audio, this is a cube`);
        return { fileName: clip.opened.name, bytes: clip.bytes.slice() };
      }),
    }));
    return { guides, ...(params.guideComponents === undefined ? {} : { guideComponents: params.guideComponents }) };
  };

  const startJob = async (params: JobParams): Promise<{ jobId: string }> => {
    const file = fileRecord(params.fileId);
    const job = workerJob(params, file);
    const jobId = randomUUID();
    const controller = new AbortController();
    const started = Date.now();
    let resolveDone!: () => void;
    const record: JobRecord = {
      jobId,
      params,
      file,
      controller,
      done: new Promise<void>((r) => (resolveDone = r)),
      state: 'running',
      output: null,
      summary: null,
      error: null,
    };
    jobs.set(jobId, record);
    // Start after returning the id, so a caller can subscribe before the first event.
    queueMicrotask(() => {
      runInNodeWorker(
        job,
        {
          signal: controller.signal,
          transferInput: true,
          onProgress: (p) =>
            emit({ type: 'progress', jobId, stage: p.stage, fraction: p.fraction, iteration: p.iteration, objective: p.objective, elapsedSeconds: (Date.now() - started) / 1000 }),
        },
        takeWorker(),
      ).then(
        (output) => {
          // The session host starts only separation and unmixing jobs.
          if (output.kind !== 'separate' && output.kind !== 'unmix') throw new Error(`unexpected ${output.kind} result`);
          const nmf = output.output.nmf;
          record.output = output;
          record.summary = {
            jobId,
            input: file.opened.name,
            kind: output.kind === 'separate' ? 'audio' : 'cube',
            loss: nmf.loss,
            algorithm: nmf.algorithm,
            iterations: nmf.iterations,
            objective: nmf.objective,
            seconds: (Date.now() - started) / 1000,
          };
          record.state = 'done';
          emit({ type: 'done', jobId, summary: record.summary });
        },
        (error: unknown) => {
          if (error instanceof CancelledError) {
            record.state = 'cancelled';
            emit({ type: 'cancelled', jobId });
          } else {
            record.state = 'failed';
            record.error = error instanceof Error ? error.message : String(error);
            emit({ type: 'failed', jobId, error: record.error });
          }
        },
      ).finally(() => {
        resolveDone();
        prepareWorker(); // after the job, not during it: it would compete for the cores
      });
    });
    return { jobId };
  };

  /** A finished separation that kept its NMF model (the workspace's component views need it). */
  const separationWithModel = (jobId: string): { job: JobRecord; output: SeparateOutput; model: SeparationModelData } => {
    const job = finishedJob(jobId);
    const output = job.output;
    if (output.kind !== 'separate') throw new Error(`job ${jobId} is not an audio separation`);
    const model = output.output.model;
    if (!model) throw new Error(`job ${jobId} kept no NMF model`);
    return { job, output, model };
  };

  /** The framing and mask exponent a separation's model was made with (defaults filled in). */
  const stftOfModel = (model: SeparationModelData): NonNullable<SeparationResult['stft']> => ({
    windowSize: model.windowSize,
    hop: model.hop,
    window: model.window ?? 'hann',
    maskExponent: model.maskExponent ?? DEFAULT_MASK_EXPONENT,
  });

  const getResult = async (jobId: string): Promise<JobResult> => {
    const job = finishedJob(jobId);
    const output = job.output;
    if (output.kind === 'separate') {
      return {
        kind: 'separate',
        summary: job.summary,
        sampleRate: output.output.sampleRate,
        channels: output.output.sources[0]?.channels.length ?? 0,
        sources: output.output.sources.map((s) => ({ name: s.name, energyShare: s.energyShare })),
        mixtureResidual: output.output.mixtureResidual,
        ...definedOnly({ split: output.output.nmf.split }),
        ...(output.output.model ? { stft: stftOfModel(output.output.model) } : {}),
      };
    }
    if (output.kind === 'unmix') {
      const { endmembers, abundances, clippedNegatives, suggestedEndmembers, droppedBands } = output.output;
      const pixels = output.cube.rows * output.cube.cols;
      const spectra: number[][] = [];
      const ranges: { min: number; max: number }[] = [];
      for (let p = 0; p < endmembers.cols; p++) {
        spectra.push(Array.from({ length: endmembers.rows }, (_, b) => endmembers.data[b * endmembers.cols + p]!));
        let min = Infinity;
        let max = -Infinity;
        for (let i = p * pixels; i < (p + 1) * pixels; i++) {
          const x = abundances.data[i]!;
          if (x < min) min = x;
          if (x > max) max = x;
        }
        ranges.push({ min, max });
      }
      return {
        kind: 'unmix',
        summary: job.summary,
        rows: output.cube.rows,
        cols: output.cube.cols,
        bands: output.cube.bands,
        wavelengths: output.cube.wavelengths,
        wavelengthUnits: output.cube.wavelengthUnits,
        endmembers: spectra,
        abundanceRanges: ranges,
        clippedNegatives,
        suggestedEndmembers,
        droppedBands,
        endmemberNames: endmemberNames(output, job.endmemberNames),
      };
    }
    throw new Error(`job ${jobId} is a plain factorization and has no workspace result`);
  };

  const exportWith = async (jobId: string, exportOptions: ExportOptions): Promise<ExportResult> => {
    const job = finishedJob(jobId);
    const directory = resolve(exportOptions.directory ?? options.exportDir);
    await mkdir(directory, { recursive: true });
    const onExisting = exportOptions.onExisting ?? 'rename';
    const outputs = jobOutputs(job.file.opened.name, job.output, { ...(job.endmemberNames ? { endmemberNames: job.endmemberNames } : {}), ...exportOptions });
    if (onExisting === 'fail') {
      // Refuse before writing anything, so a refused export leaves no half set of files.
      for (const output of outputs) {
        const target = join(directory, output.name);
        if (await exists(target)) throw new FileExistsError(target);
      }
    }
    const written: string[] = [];
    for (const output of outputs) written.push(await writeFileAtomic(join(directory, output.name), output.bytes, onExisting));
    return { files: written };
  };

  return {
    openFile,
    async openPath(path: string): Promise<OpenedFile> {
      // ENVI pairs (X.hdr + X.img) come back as one buffer named after the data file.
      const input = await readInputFile(path, MAX_INPUT_BYTES);
      return openFile(input.name, input.bytes);
    },
    startJob,
    async cancelJob(jobId: string): Promise<void> {
      const job = jobRecord(jobId);
      job.controller.abort();
      await job.done;
    },
    getResult,
    async getSourceAudio(jobId: string, sourceIndex: number): Promise<ArrayBuffer> {
      const job = finishedJob(jobId);
      if (job.output.kind !== 'separate') throw new Error(`job ${jobId} is not an audio separation`);
      const wav = sourceWav(job.output, sourceIndex);
      return wav.buffer.slice(wav.byteOffset, wav.byteOffset + wav.byteLength) as ArrayBuffer;
    },
    async getAbundanceMap(jobId: string, index: number): Promise<Float32Array> {
      const job = finishedJob(jobId);
      if (job.output.kind !== 'unmix') throw new Error(`job ${jobId} is not an unmixing`);
      const { abundances } = job.output.output;
      if (!Number.isInteger(index) || index < 0 || index >= abundances.rows) throw new RangeError(`no endmember ${index}: the job has ${abundances.rows}`);
      const pixels = abundances.cols;
      return abundances.data.slice(index * pixels, (index + 1) * pixels);
    },
    exportResult: (jobId: string) => exportWith(jobId, {}),
    async getSeparationModel(jobId: string): Promise<SeparationModel> {
      const { output, model } = separationWithModel(jobId);
      const { W, H, windowSize, hop } = model;
      return {
        sampleRate: output.output.sampleRate,
        windowSize,
        hop,
        bins: W.rows,
        frames: H.cols,
        components: W.cols,
        spectra: W.data.slice(),
        activations: H.data.slice(),
        assignment: [...output.output.assignment],
        sourceNames: output.output.sources.map((s) => s.name),
      };
    },
    async regroupSources(jobId: string, assignment: readonly number[]): Promise<SeparationResult> {
      const { job, model } = separationWithModel(jobId);
      // In a worker, like the job itself: decoding the mixture again (it is not kept decoded), its
      // STFT, the masks and an inverse STFT per source and channel take seconds for a few minutes
      // of stereo, which would stall this thread (Electron's main process, the web host).
      // Regroupings of one job run one after another, so the last one asked for is the one kept.
      const run = (job.regrouping ?? Promise.resolve())
        .catch(() => undefined)
        .then(async () => {
          const { output } = separationWithModel(jobId);
          const names = output.output.sources.map((s) => s.name);
          const bytes = job.file.bytes.slice();
          const regrouped = await runInNodeWorker(
            { kind: 'resynthesize', fileName: job.file.opened.name, bytes, model, assignment: [...assignment], names },
            { signal: job.controller.signal, transferInput: true },
          );
          if (regrouped.kind !== 'resynthesize') throw new Error(`unexpected ${regrouped.kind} result`);
          job.output = { ...output, output: { ...output.output, ...regrouped.output, assignment: [...assignment] } };
        });
      job.regrouping = run;
      await run;
      return (await getResult(jobId)) as SeparationResult;
    },
    async renameEndmembers(jobId: string, names: readonly string[]): Promise<UnmixResult> {
      const job = finishedJob(jobId);
      if (job.output.kind !== 'unmix') throw new Error(`job ${jobId} is not an unmixing`);
      checkEndmemberNames(names, job.output.output.endmembers.cols);
      job.endmemberNames = [...names];
      return (await getResult(jobId)) as UnmixResult;
    },
    exportWith,
    onJobEvent(listener: (event: JobEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async waitForJob(jobId: string): Promise<JobEvent> {
      await jobRecord(jobId).done;
      return finalEvents.get(jobId)!;
    },
    async dispose(): Promise<void> {
      disposed = true;
      spare?.terminate();
      spare = null;
      for (const job of jobs.values()) job.controller.abort();
      await Promise.all([...jobs.values()].flatMap((job) => [job.done, job.regrouping?.catch(() => undefined)]));
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
