/** Browser entry of the compute worker (a module Web Worker); same body as the Node entry. */
import type { WorkerRequest } from '../common/job-protocol.js';
import { runWorkerJob } from '../common/run-worker-job.js';

declare const self: DedicatedWorkerGlobalScope;

self.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  void runWorkerJob(event.data, (message, transfer) => self.postMessage(message, transfer));
});
