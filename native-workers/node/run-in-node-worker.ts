/**
 * Runs one job in a Node worker thread: a fresh one, or a spare started ahead of time
 * (startSpareNodeWorker) whose kernel pool is already up and warmed. A worker runs one job and
 * exits, so the memory a large job grew (WebAssembly memory never shrinks) goes with it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { driveWorker, type DriveOptions } from '../common/drive-worker.js';
import type { PrepareRequest, WorkerJob, WorkerMessage, WorkerOutput } from '../common/job-protocol.js';

/**
 * The worker is the bundled dist/native-workers/node-worker.js. From the bundled CLI or Electron
 * main it sits at ../native-workers/ beside them; from sources run by tsx (tests) it is in dist/.
 */
export function nodeWorkerScript(): string {
  const candidates = [
    new URL('../native-workers/node-worker.js', import.meta.url),
    new URL('../../dist/native-workers/node-worker.js', import.meta.url),
  ];
  for (const url of candidates) {
    // In a packaged app the bundle sits in app.asar, but the worker is unpacked next to it
    // (electron-builder.yml asarUnpack): worker_threads loads ESM from the real file system.
    const path = fileURLToPath(url).replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
    if (existsSync(path)) return path;
  }
  throw new Error('compute worker not built: run `npm run build` (dist/native-workers/node-worker.js is missing)');
}

function spawnWorker(): Worker {
  // The worker is plain bundled JavaScript: do not pass on the parent's loader flags (a TypeScript
  // loader such as tsx in tests would try to take over the worker).
  return new Worker(nodeWorkerScript(), { execArgv: [] });
}

/** A compute worker started before its job; see startSpareNodeWorker. */
export interface SpareNodeWorker {
  /** False once the thread has exited or failed (it then cannot take a job). */
  readonly alive: boolean;
  /** Settles when the thread has exited (after its job, or terminated). */
  readonly exited: Promise<void>;
  /** Ends it unused (a session closing). */
  terminate(): void;
}

interface SpareState {
  readonly worker: Worker;
  alive: boolean;
  taken: boolean;
  readonly exited: Promise<void>;
  terminate(): void;
}

/**
 * Starts a compute worker that creates its kernel pool and warms it up (warm-up.ts) now, while the
 * user is busy elsewhere; give it to runInNodeWorker for the next job. It does not keep the
 * process alive while it waits.
 */
export function startSpareNodeWorker(): SpareNodeWorker {
  const worker = spawnWorker();
  const state: SpareState = {
    worker,
    alive: true,
    taken: false,
    exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())),
    terminate: () => {
      state.alive = false;
      void worker.terminate();
    },
  };
  // A failure before any job must not be an unhandled 'error' event (that would end the process).
  worker.on('error', () => (state.alive = false));
  worker.on('exit', () => (state.alive = false));
  worker.postMessage({ type: 'prepare' } satisfies PrepareRequest);
  worker.unref();
  return state;
}

export function runInNodeWorker(job: WorkerJob, options: DriveOptions = {}, spare?: SpareNodeWorker): Promise<WorkerOutput> {
  // A spare serves one job; one that died while waiting is replaced by a fresh worker.
  const prepared = spare as SpareState | undefined;
  const useSpare = prepared !== undefined && prepared.alive && !prepared.taken;
  if (prepared && !prepared.taken) {
    prepared.taken = true;
    if (!useSpare) prepared.terminate();
  }
  const worker = useSpare ? prepared.worker : spawnWorker();
  worker.ref();
  // An exit before a result (crash, out of memory) must reject rather than hang the job.
  let exitListener: ((code: number) => void) | null = null;
  return driveWorker(
    {
      post: (request, transfer) => worker.postMessage(request, transfer),
      onMessage: (listener) => worker.on('message', (message: WorkerMessage) => listener(message)),
      onFailure: (listener) => {
        worker.on('error', listener);
        exitListener = (code) => listener(new Error(`compute worker exited with code ${code} before finishing`));
        worker.on('exit', exitListener);
      },
      terminate: () => {
        if (exitListener) worker.off('exit', exitListener);
        void worker.terminate();
      },
    },
    job,
    options,
  );
}
