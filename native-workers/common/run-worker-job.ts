/**
 * The body of every compute worker, Node or browser: decode the input, run the pipeline, post
 * progress and the result. Platform entries only adapt postMessage.
 */
import { decodeWav } from '../../app/audio/wav-codec.js';
import { separateGuided } from '../../app/audio/guided-separation.js';
import { resynthesize, separateAudio } from '../../app/audio/separate.js';
import { CancelledError, type CancelSignal } from '../../app/cancellation.js';
import { readCube } from '../../app/hsi/read-cube.js';
import { unmixCube } from '../../app/hsi/unmix.js';
import { createMatrix } from '../../app/matrix.js';
import { createJsKernels } from '../../app/nmf/kernels/js-kernels.js';
import { factorize } from '../../app/nmf/factorize.js';
import type { NmfOptions } from '../../app/nmf/nmf-types.js';
import { rankSweep } from '../../app/nmf/rank-sweep.js';
import { factorizeWithRestarts } from '../../app/nmf/restarts.js';
import type { PipelineHooks } from '../../app/pipeline-hooks.js';
import type { KernelPool } from './kernel-pool.js';
import { createWasmKernels } from './wasm-kernels.js';
import { transferablesOf, type WorkerMessage, type WorkerOutput, type WorkerRequest } from './job-protocol.js';

export type PostToHost = (message: WorkerMessage, transfer: ArrayBuffer[]) => void;

export function cancelSignalFromFlag(flag: SharedArrayBuffer | null): CancelSignal {
  if (!flag) return { aborted: false };
  const view = new Int32Array(flag);
  return {
    get aborted(): boolean {
      return Atomics.load(view, 0) !== 0;
    },
  };
}

/**
 * Runs one job. `createPool` (from the platform entry) gives the WebAssembly kernels on every
 * core for the job's lifetime; where it cannot (no SIMD, no shared memory, a helper failed to
 * start) the job runs on one thread's WebAssembly kernels, or on the TypeScript ones.
 */
export async function runWorkerJob(request: WorkerRequest, post: PostToHost, createPool?: () => Promise<KernelPool | null>): Promise<void> {
  let pool: KernelPool | null = null;
  try {
    // Resynthesis runs no NMF: no kernel threads for it.
    pool = createPool && request.job.kind !== 'resynthesize'
      ? await createPool().catch((error: unknown) => {
          // Not fatal: the job runs on one thread's kernels instead; but say why it is slower.
          console.warn(`compute pool unavailable, running on one thread: ${error instanceof Error ? error.message : String(error)}`);
          return null;
        })
      : null;
    const hooks: PipelineHooks = {
      signal: cancelSignalFromFlag(request.cancelFlag),
      onProgress: (progress) => post({ type: 'progress', progress }, []),
      kernels: pool?.kernels ?? createWasmKernels() ?? createJsKernels(),
    };
    const output = await runJob(request, hooks);
    post({ type: 'done', output }, transferablesOf(output));
  } catch (error) {
    const cancelled = error instanceof CancelledError;
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), cancelled }, []);
  } finally {
    pool?.close();
  }
}

async function runJob(request: WorkerRequest, hooks: PipelineHooks): Promise<WorkerOutput> {
  const job = request.job;
  switch (job.kind) {
    case 'separate': {
      hooks.onProgress?.({ stage: 'decoding', fraction: 0, iteration: null, objective: null });
      const audio = decodeWav(job.bytes, job.fileName);
      const guides = job.guides ?? [];
      const output =
        guides.length > 0
          ? separateGuided(
              audio,
              {
                ...job.params,
                guides: guides.map((g) => ({ source: g.source, ranges: g.ranges, clips: g.clips.map((c) => ({ name: c.fileName, audio: decodeWav(c.bytes, c.fileName) })) })),
                ...(job.guideComponents !== undefined ? { guideComponents: job.guideComponents } : {}),
              },
              hooks,
            )
          : separateAudio(audio, job.params, hooks);
      return { kind: 'separate', output, audio: { sampleRate: audio.sampleRate, bitDepth: audio.bitDepth, float: audio.float } };
    }
    case 'resynthesize': {
      const audio = decodeWav(job.bytes, job.fileName);
      return { kind: 'resynthesize', output: resynthesize(audio.channels, job.model, job.assignment, job.names, hooks.signal) };
    }
    case 'unmix': {
      hooks.onProgress?.({ stage: 'reading', fraction: 0, iteration: null, objective: null });
      // Any cube format (GeoTIFF, ENVI with its header embedded by the host, MAT, NPY).
      const cube = await readCube(job.bytes, job.fileName);
      const output = unmixCube(cube, job.params, hooks);
      // The maps lie on the grid unmixed: a window or binning moves and scales the georeferencing.
      return { kind: 'unmix', output, cube: output.grid };
    }
    case 'factorize': {
      const v = createMatrix(job.rows, job.cols, job.data);
      const options: NmfOptions = {
        ...job.options,
        kernels: hooks.kernels,
        signal: hooks.signal,
        onProgress: (p) =>
          hooks.onProgress?.({ stage: 'factorizing', fraction: p.maxIter ? p.iteration / p.maxIter : 1, iteration: p.iteration, objective: p.objective }),
      };
      if ((job.restarts ?? 1) > 1) {
        const { best, runs } = factorizeWithRestarts(v, options, job.restarts!);
        return { kind: 'factorize', output: best, runs };
      }
      const output = factorize(v, options);
      return { kind: 'factorize', output, runs: [{ seed: options.seed ?? 0, objective: output.objective, iterations: output.iterations }] };
    }
    case 'rankSweep': {
      const v = createMatrix(job.rows, job.cols, job.data);
      const { rank: _rank, ...options } = job.options;
      const output = rankSweep(v, job.ranks, {
        ...options,
        runsPerRank: job.runsPerRank,
        kernels: hooks.kernels,
        signal: hooks.signal,
        onProgress: (p) =>
          hooks.onProgress?.({ stage: 'rank sweep', fraction: p.maxIter ? p.iteration / p.maxIter : 1, iteration: p.iteration, objective: p.objective }),
      });
      return { kind: 'rankSweep', output };
    }
  }
}
