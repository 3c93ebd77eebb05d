/**
 * Messages between a host thread and a compute worker. The same protocol serves Node's
 * worker_threads and browser Web Workers; both entries hand messages to runWorkerJob().
 *
 * Cancellation uses a SharedArrayBuffer flag rather than a message: the worker is busy in a
 * synchronous loop and would not see a message until it finished, but it reads the flag every
 * NMF iteration. Where SharedArrayBuffer is unavailable the host terminates the worker instead.
 */
import type { SeparatedSource, SeparationModelData, SeparationOutput, SeparationParams } from '../../app/audio/separate.js';
import type { Cube } from '../../app/hsi/cube.js';
import type { UnmixOutput, UnmixParams } from '../../app/hsi/unmix.js';
import type { NmfOptions, NmfResult } from '../../app/nmf/nmf-types.js';
import type { RankSweepEntry } from '../../app/nmf/rank-sweep.js';
import type { RestartRun } from '../../app/nmf/restarts.js';
import type { PipelineProgress } from '../../app/pipeline-hooks.js';

export type WorkerJob =
  | {
      readonly kind: 'separate';
      readonly fileName: string;
      readonly bytes: Uint8Array;
      readonly params: SeparationParams;
      /** Guided separation (app/audio/guided-separation.ts) when present and non-empty. */
      readonly guides?: readonly WorkerGuide[];
      readonly guideComponents?: number;
    }
  | { readonly kind: 'unmix'; readonly fileName: string; readonly bytes: Uint8Array; readonly params: UnmixParams }
  | {
      readonly kind: 'factorize';
      readonly rows: number;
      readonly cols: number;
      readonly data: Float32Array;
      /** Plain-data options: no callbacks or signals (they cannot cross threads). */
      readonly options: Omit<NmfOptions, 'signal' | 'onProgress'>;
      /** Runs from seeds seed, seed + 1, … keeping the best (app/nmf/restarts.ts). Default 1. */
      readonly restarts?: number;
    }
  | {
      /** Rank selection (app/nmf/rank-sweep.ts): runsPerRank runs at each rank; options.rank is ignored. */
      readonly kind: 'rankSweep';
      readonly rows: number;
      readonly cols: number;
      readonly data: Float32Array;
      readonly options: Omit<NmfOptions, 'signal' | 'onProgress'>;
      readonly ranks: readonly number[];
      readonly runsPerRank: number;
    }
  | {
      /**
       * A finished separation's sources again, from its kept model with a new component → source
       * assignment (app/audio/separate.ts resynthesize): the mixture's bytes are decoded here.
       */
      readonly kind: 'resynthesize';
      readonly fileName: string;
      readonly bytes: Uint8Array;
      readonly model: SeparationModelData;
      readonly assignment: readonly number[];
      readonly names: readonly string[];
    };

/** A source's guide as the worker gets it: the clips' bytes (decoded there) and time ranges. */
export interface WorkerGuide {
  readonly source: string;
  readonly clips: readonly { readonly fileName: string; readonly bytes: Uint8Array }[];
  readonly ranges: readonly { readonly start: number; readonly end: number }[];
}

/**
 * Sent to a spare compute worker before it has a job: start its kernel pool and warm it up now, so
 * that the job that comes later (a WorkerRequest) finds it ready.
 */
export interface PrepareRequest {
  readonly type: 'prepare';
}

export interface WorkerRequest {
  readonly type: 'run';
  readonly job: WorkerJob;
  /** Int32Array(1) over shared memory: the host stores 1 to cancel. Null where unavailable. */
  readonly cancelFlag: SharedArrayBuffer | null;
}

export interface AudioFormatInfo {
  readonly sampleRate: number;
  readonly bitDepth: number;
  readonly float: boolean;
}

/** What a cube's job needs to keep besides the unmixing (to export maps that keep georeferencing). */
export type CubeInfo = Omit<Cube, 'data'>;

export type WorkerOutput =
  | { readonly kind: 'separate'; readonly output: SeparationOutput; readonly audio: AudioFormatInfo }
  | { readonly kind: 'unmix'; readonly output: UnmixOutput; readonly cube: CubeInfo }
  | {
      readonly kind: 'factorize';
      /** The best run's result. */
      readonly output: NmfResult;
      /** Every run (one when restarts ≤ 1), in run order. */
      readonly runs: readonly RestartRun[];
    }
  | { readonly kind: 'rankSweep'; readonly output: readonly RankSweepEntry[] }
  | { readonly kind: 'resynthesize'; readonly output: { readonly sources: SeparatedSource[]; readonly mixtureResidual: number } };

export type WorkerMessage =
  | { readonly type: 'progress'; readonly progress: PipelineProgress }
  | { readonly type: 'done'; readonly output: WorkerOutput }
  | { readonly type: 'error'; readonly message: string; readonly cancelled: boolean };

/** Buffers worth transferring (not copying) back to the host. */
export function transferablesOf(output: WorkerOutput): ArrayBuffer[] {
  const buffers: ArrayBufferLike[] = [];
  if (output.kind === 'separate' || output.kind === 'resynthesize') {
    for (const source of output.output.sources) for (const channel of source.channels) buffers.push(channel.buffer);
    // The kept NMF model (H grows with the recording's length).
    const model = output.kind === 'separate' ? output.output.model : undefined;
    if (model) buffers.push(model.W.data.buffer, model.H.data.buffer);
  } else if (output.kind === 'unmix') {
    buffers.push(output.output.endmembers.data.buffer, output.output.abundances.data.buffer);
  } else if (output.kind === 'factorize') {
    buffers.push(output.output.W.data.buffer, output.output.H.data.buffer);
  }
  // Distinct, non-shared buffers only: transferring one twice or a SharedArrayBuffer throws.
  return [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
