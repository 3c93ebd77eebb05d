/** Node entry of the compute worker (worker_threads). */
import { parentPort } from 'node:worker_threads';
import type { WorkerRequest } from '../common/job-protocol.js';
import { runWorkerJob } from '../common/run-worker-job.js';

if (!parentPort) throw new Error('node-worker.js must run in a worker thread');
const port = parentPort;
port.once('message', (request: WorkerRequest) => {
  void runWorkerJob(request, (message, transfer) => port.postMessage(message, transfer)).finally(() => port.close());
});
