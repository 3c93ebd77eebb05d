/** Runs one job in a fresh Node worker thread (a pool that reuses threads comes with issue #4). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { driveWorker, type DriveOptions } from '../common/drive-worker.js';
import type { WorkerJob, WorkerMessage, WorkerOutput } from '../common/job-protocol.js';

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

export function runInNodeWorker(job: WorkerJob, options: DriveOptions = {}): Promise<WorkerOutput> {
  // The worker is plain bundled JavaScript: do not pass on the parent's loader flags (a TypeScript
  // loader such as tsx in tests would try to take over the worker).
  const worker = new Worker(nodeWorkerScript(), { execArgv: [] });
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
