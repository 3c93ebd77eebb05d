/**
 * Host side of one job in one worker, independent of the worker flavour: send the request,
 * forward progress, resolve with the output, cancel through the shared flag (or by terminating
 * the worker where shared memory is unavailable, or when it does not stop in time).
 */
import { CancelledError } from '../../app/cancellation.js';
import type { PipelineProgress } from '../../app/pipeline-hooks.js';
import type { WorkerJob, WorkerMessage, WorkerOutput, WorkerRequest } from './job-protocol.js';

/** The slice of a Node Worker or a Web Worker that driving a job needs. */
export interface WorkerHandle {
  post(request: WorkerRequest, transfer: ArrayBuffer[]): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  onFailure(listener: (error: Error) => void): void;
  terminate(): void;
}

/** The slice of AbortSignal used here (DOM and Node both provide it). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface DriveOptions {
  readonly signal?: AbortSignalLike;
  readonly onProgress?: (progress: PipelineProgress) => void;
  /** How long a cancelled worker may take to notice before it is terminated. Default 2 s. */
  readonly cancelGraceMs?: number;
  /** Transfer (rather than copy) the job's input buffers to the worker. */
  readonly transferInput?: boolean;
}

declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;

export function driveWorker(handle: WorkerHandle, job: WorkerJob, options: DriveOptions = {}): Promise<WorkerOutput> {
  return new Promise<WorkerOutput>((resolve, reject) => {
    const shared = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : null;
    let settled = false;
    let graceTimer: unknown = null;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (graceTimer !== null) clearTimeout(graceTimer);
      handle.terminate();
      outcome();
    };
    const onAbort = (): void => {
      if (shared) Atomics.store(new Int32Array(shared), 0, 1);
      const kill = (): void => finish(() => reject(new CancelledError()));
      if (!shared) kill();
      else graceTimer = setTimeout(kill, options.cancelGraceMs ?? 2000);
    };
    if (options.signal?.aborted) {
      finish(() => reject(new CancelledError()));
      return;
    }
    options.signal?.addEventListener('abort', onAbort);
    handle.onMessage((message) => {
      if (message.type === 'progress') options.onProgress?.(message.progress);
      else if (message.type === 'done') finish(() => resolve(message.output));
      else finish(() => reject(message.cancelled ? new CancelledError() : new Error(message.message)));
    });
    handle.onFailure((error) => finish(() => reject(error)));
    handle.post({ type: 'run', job, cancelFlag: shared }, options.transferInput ? inputBuffers(job) : []);
  });
}

function inputBuffers(job: WorkerJob): ArrayBuffer[] {
  const buffer = job.kind === 'factorize' || job.kind === 'rankSweep' ? job.data.buffer : job.bytes.buffer;
  return buffer instanceof ArrayBuffer ? [buffer] : [];
}
