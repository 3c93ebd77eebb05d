/** Runs one job in a module Web Worker built from browser-worker.ts (served next to the page). */
import { driveWorker, type DriveOptions } from '../common/drive-worker.js';
import type { WorkerJob, WorkerMessage, WorkerOutput } from '../common/job-protocol.js';

export function runInBrowserWorker(job: WorkerJob, workerUrl: string | URL, options: DriveOptions = {}): Promise<WorkerOutput> {
  const worker = new Worker(workerUrl, { type: 'module' });
  return driveWorker(
    {
      post: (request, transfer) => worker.postMessage(request, transfer),
      onMessage: (listener) => worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => listener(event.data)),
      onFailure: (listener) => {
        worker.addEventListener('error', (event) => listener(new Error(`compute worker failed: ${event.message}`)));
        worker.addEventListener('messageerror', () => listener(new Error('compute worker sent an unreadable message')));
      },
      terminate: () => worker.terminate(),
    },
    job,
    options,
  );
}
