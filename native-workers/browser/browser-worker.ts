/** Browser entry of the compute worker (a module Web Worker): a job, or a kernel-pool helper. */
import { createKernelPool, serveKernelHelper, type HelperPort, type KernelHelperMessage } from '../common/kernel-pool.js';
import type { WorkerRequest } from '../common/job-protocol.js';
import { runWorkerJob } from '../common/run-worker-job.js';

declare const self: DedicatedWorkerGlobalScope;

/** A helper is this same script in a nested worker (Chromium and Electron support nesting). */
function spawnBrowserHelper(): HelperPort {
  const worker = new Worker(new URL(self.location.href), { type: 'module' });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => {
      worker.addEventListener('message', (event) => listener(event.data));
      worker.addEventListener('error', (event) => listener(event.message || 'helper worker failed to load'));
    },
    terminate: () => worker.terminate(),
  };
}

self.addEventListener(
  'message',
  (event: MessageEvent<WorkerRequest | KernelHelperMessage>) => {
    const request = event.data;
    if (request.type === 'kernel-helper') {
      serveKernelHelper(request, (message) => self.postMessage(message));
      return;
    }
    const threads = Math.max(1, Math.min(16, self.navigator.hardwareConcurrency || 1));
    void runWorkerJob(request, (message, transfer) => self.postMessage(message, transfer), () => createKernelPool(threads, spawnBrowserHelper));
  },
  { once: true },
);
