/**
 * The one typed API between the UI and whatever hosts the engine. The Electron preload exposes it
 * through contextBridge (IPC channels named after the methods), the local web host implements it
 * over HTTP + WebSocket, and the CLI calls the Node implementation directly. The renderer only ever
 * sees `HostApi`, so it cannot tell which host it runs in.
 *
 * Everything here must survive structured clone (Electron IPC) and JSON (HTTP), except the binary
 * payloads, which are ArrayBuffers on both transports.
 */
import type { NmfAlgorithm, NmfLoss } from './nmf/nmf-types.js';

export type InputKind = 'audio' | 'cube';

export interface AudioSummary {
  readonly kind: 'audio';
  readonly sampleRate: number;
  readonly channels: number;
  readonly frames: number;
  readonly durationSeconds: number;
  readonly bitDepth: number;
  readonly float: boolean;
}

export interface CubeSummary {
  readonly kind: 'cube';
  readonly rows: number;
  readonly cols: number;
  readonly bands: number;
  /** Band centres, when the file says (see `wavelengthUnits`). */
  readonly wavelengths: readonly number[] | null;
  readonly wavelengthUnits: string | null;
  readonly georeferenced: boolean;
  /** The file format the cube was read from. */
  readonly format?: 'geotiff' | 'envi' | 'mat' | 'npy';
}

export interface OpenedFile {
  readonly fileId: string;
  readonly name: string;
  readonly byteLength: number;
  readonly summary: AudioSummary | CubeSummary;
}

export interface SeparateJobParams {
  readonly kind: 'separate';
  readonly fileId: string;
  /** Number of sources S to split into. */
  readonly sources: number;
  /** Number of NMF components K (≥ S). */
  readonly components: number;
  readonly loss?: NmfLoss;
  readonly maxIter?: number;
  readonly seed?: number;
  /**
   * Guided separation (semi-supervised NMF, app/audio/guided-separation.ts): sources learnt from
   * an example clip or from time ranges of this file where they play alone. Absent or empty:
   * automatic separation.
   */
  readonly guides?: readonly SeparationGuide[];
  /** Dictionary size K_s of each guided source; default max(1, ⌊components / sources⌋). */
  readonly guideComponents?: number;
  /** NMF solver (SOLVER_LOSSES says which loss each solves); default 'auto'. */
  readonly algorithm?: NmfAlgorithm;
  /** Runs from seeds seed, seed + 1, … keeping the lowest objective (1–20; automatic only); default 1. */
  readonly restarts?: number;
  /** STFT frame length, a power of two (4 … 65536); default 2048. */
  readonly windowSize?: number;
  /** STFT hop, 1 … windowSize / 2; default windowSize / 4. */
  readonly hop?: number;
  /** STFT window; default 'hann'. */
  readonly window?: 'hann' | 'hamming' | 'blackman' | 'sine';
  /** Exponent p of the generalized Wiener masks, (0, 16]; default 2. */
  readonly maskExponent?: number;
  /**
   * Automatic separation: split components that hold notes of several pitches into one per pitch
   * before grouping (app/audio/component-splitting.ts); default true.
   */
  readonly splitComponents?: boolean;
}

/** One source's guide. Several guides may name the same source; they are merged. */
export interface SeparationGuide {
  /**
   * The source's name, used in the output file names: `s1`…`sS` (or `source-1`…) pins it to that
   * position, any other name (letters, digits, '-', '_') takes the first free position.
   */
  readonly source: string;
  /** Files opened with openFile that hold the source alone (WAV at the mixture's sample rate). */
  readonly clipFileIds?: readonly string[];
  /** Spans of the mixture, in seconds, where only this source plays. */
  readonly ranges?: readonly { readonly start: number; readonly end: number }[];
}

export interface UnmixJobParams {
  readonly kind: 'unmix';
  readonly fileId: string;
  /** Number of endmembers P. */
  readonly endmembers: number;
  readonly loss?: NmfLoss;
  readonly maxIter?: number;
  readonly seed?: number;
  /** Endmember initialisation; default 'vca' (app/hsi/unmix.ts). */
  readonly init?: 'vca' | 'spa' | 'nndsvd' | 'random';
  /** Abundances as fractions summing to one per pixel (implied by sparsity or minVolume > 0). */
  readonly sumToOne?: boolean;
  /** L1/2 sparsity weight, relative (e.g. 0.01); 0 or absent: none. */
  readonly sparsity?: number;
  /** Minimum-volume weight, relative (e.g. 1); 0 or absent: none. */
  readonly minVolume?: number;
  /** Bands (0-based) left out of the fit, besides the file's own bad-band list. */
  readonly badBands?: readonly number[];
  /** NMF solver of plain unmixing (SOLVER_LOSSES); default 'auto'. The sum-to-one model has its own. */
  readonly algorithm?: NmfAlgorithm;
  /** Runs from seeds seed, seed + 1, … keeping the lowest objective (1–20; plain unmixing only); default 1. */
  readonly restarts?: number;
  /** Unmix only this window of the image (0-based); the exports' georeferencing follows it. */
  readonly window?: { readonly row: number; readonly col: number; readonly rows: number; readonly cols: number };
  /** Fit only bands first…last (0-based, inclusive); the others are NaN in the spectra. */
  readonly bandRange?: { readonly first: number; readonly last: number };
  /** Average bin × bin pixel blocks (after the window) before unmixing; default 1 (none). */
  readonly bin?: number;
}

export type JobParams = SeparateJobParams | UnmixJobParams;

/**
 * The losses each solver minimises (app/nmf/factorize.ts resolveAlgorithm): HALS and ANLS solve
 * least squares only, coordinate descent Frobenius and KL, multiplicative updates any β; 'auto'
 * picks the fastest correct one. The run panel offers only the solvers of the chosen loss.
 */
export const SOLVER_LOSSES: Readonly<Record<NmfAlgorithm, readonly NmfLoss[]>> = {
  auto: ['frobenius', 'kl', 'is'],
  mu: ['frobenius', 'kl', 'is'],
  cd: ['frobenius', 'kl'],
  hals: ['frobenius'],
  anls: ['frobenius'],
};

/** Most restarts one job may ask for (each is a full factorization). */
export const MAX_RESTARTS = 20;

export interface JobProgressEvent {
  readonly type: 'progress';
  readonly jobId: string;
  /** What the job is doing now, for people ("decoding", "factorizing", …). */
  readonly stage: string;
  /** Overall completion in [0, 1]. */
  readonly fraction: number;
  readonly iteration: number | null;
  readonly objective: number | null;
  readonly elapsedSeconds: number;
}

export type JobEvent =
  | JobProgressEvent
  | { readonly type: 'done'; readonly jobId: string; readonly summary: JobSummary }
  | { readonly type: 'failed'; readonly jobId: string; readonly error: string }
  | { readonly type: 'cancelled'; readonly jobId: string };

/** The summary the CLI prints with --json (plus the job id). */
export interface JobSummary {
  readonly jobId: string;
  readonly input: string;
  readonly kind: 'audio' | 'cube';
  readonly loss: NmfLoss;
  readonly algorithm: string;
  readonly iterations: number;
  readonly objective: number;
  readonly seconds: number;
}

export interface SeparationResult {
  readonly kind: 'separate';
  readonly summary: JobSummary;
  readonly sampleRate: number;
  readonly channels: number;
  readonly sources: readonly { readonly name: string; readonly energyShare: number }[];
  /** Largest |Σ sources − mixture| over all samples and channels. */
  readonly mixtureResidual: number;
  /** NMF components split by pitch (component-splitting.ts) and the model's components after it. */
  readonly split?: { readonly components: number; readonly into: number };
  /** The STFT framing and mask exponent the sources were made with (absent: no model kept). */
  readonly stft?: { readonly windowSize: number; readonly hop: number; readonly window: 'hann' | 'hamming' | 'blackman' | 'sine'; readonly maskExponent: number };
}

export interface UnmixResult {
  readonly kind: 'unmix';
  readonly summary: JobSummary;
  readonly rows: number;
  readonly cols: number;
  readonly bands: number;
  readonly wavelengths: readonly number[] | null;
  readonly wavelengthUnits: string | null;
  /** Endmember spectra: P arrays of `bands` values. */
  readonly endmembers: readonly (readonly number[])[];
  readonly abundanceRanges: readonly { readonly min: number; readonly max: number }[];
  /** Pixels with a negative value that were clipped to zero before unmixing. */
  readonly clippedNegatives: number;
  /** HySime's estimate of the number of endmembers (a suggestion), when it could be made. */
  readonly suggestedEndmembers?: number | null;
  /** Bands (0-based) left out of the fit; their endmember values are NaN. */
  readonly droppedBands?: readonly number[];
  /** One name per endmember (renameEndmembers; default `endmember-1`…), as the exports use them. */
  readonly endmemberNames?: readonly string[];
}

export type JobResult = SeparationResult | UnmixResult;

/**
 * The NMF model of a separation, for the audio workspace's component views: W (each component's
 * spectrum over the STFT bins) and H (its activation over the frames), and which source each
 * component feeds. Bin b is b · sampleRate / windowSize Hz; frame t is centred at t · hop samples.
 */
export interface SeparationModel {
  readonly sampleRate: number;
  readonly windowSize: number;
  readonly hop: number;
  readonly bins: number;
  readonly frames: number;
  readonly components: number;
  /** W, bins × components, row-major. */
  readonly spectra: Float32Array;
  /** H, components × frames, row-major. */
  readonly activations: Float32Array;
  /** Source index (0-based) of each component. */
  readonly assignment: readonly number[];
  readonly sourceNames: readonly string[];
}

export interface ExportResult {
  /** Absolute paths of the files written, on the host's file system. */
  readonly files: readonly string[];
}

export interface HostApi {
  /** Hands the host a file's bytes (from a drop or Open…); the host decodes it to learn its kind. */
  openFile(name: string, bytes: ArrayBuffer): Promise<OpenedFile>;
  startJob(params: JobParams): Promise<{ readonly jobId: string }>;
  cancelJob(jobId: string): Promise<void>;
  getResult(jobId: string): Promise<JobResult>;
  /** A separated source as WAV bytes, ready for an <audio> element. */
  getSourceAudio(jobId: string, sourceIndex: number): Promise<ArrayBuffer>;
  /** One abundance map as float32 values, row-major rows×cols. */
  getAbundanceMap(jobId: string, endmemberIndex: number): Promise<Float32Array>;
  /** Writes the job's outputs into the host's export folder; never overwrites an existing file. */
  exportResult(jobId: string): Promise<ExportResult>;
  /** A finished separation's NMF model (W, H, component → source assignment). */
  getSeparationModel(jobId: string): Promise<SeparationModel>;
  /**
   * Resynthesises a finished separation's sources with a new component → source assignment (one
   * source index per component); getSourceAudio and exportResult then give the new sources.
   */
  regroupSources(jobId: string, assignment: readonly number[]): Promise<SeparationResult>;
  /**
   * Names a finished unmixing's endmembers (one name each, 1–64 characters, no control
   * characters); exportResult then uses them in the CSV header, the ENVI band names, the GeoTIFF
   * band descriptions and the PNG file names. Returns the result with the names.
   */
  renameEndmembers(jobId: string, names: readonly string[]): Promise<UnmixResult>;
  /** Subscribes to progress and completion of every job; returns the unsubscribe function. */
  onJobEvent(listener: (event: JobEvent) => void): () => void;
}

/**
 * The request/response methods, in one list that both transports are checked against (the
 * preload's channel allow-list and the web host's routes are built from it).
 */
export const HOST_METHODS = [
  'openFile',
  'startJob',
  'cancelJob',
  'getResult',
  'getSourceAudio',
  'getAbundanceMap',
  'exportResult',
  'getSeparationModel',
  'regroupSources',
  'renameEndmembers',
] as const satisfies readonly (keyof HostApi)[];

export type HostMethod = (typeof HOST_METHODS)[number];

/** Name of the push channel that carries JobEvents. */
export const JOB_EVENT_CHANNEL = 'jobEvent';
