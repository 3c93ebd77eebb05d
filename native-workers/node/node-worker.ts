/** Node entry of the compute worker (worker_threads): a job, or a kernel-pool helper. */
import { parentPort } from 'node:worker_threads';
import { serveKernelHelper, type KernelHelperMessage } from '../common/kernel-pool.js';
import type { WorkerRequest } from '../common/job-protocol.js';
import { runWorkerJob } from '../common/run-worker-job.js';
import { createNodeKernelPool } from './node-kernel-pool.js';

if (!parentPort) throw new Error('node-worker.js must run in a worker thread');
const port = parentPort;
port.once('message', (request: WorkerRequest | KernelHelperMessage) => {
  if (request.type === 'kernel-helper') {
    serveKernelHelper(request, (message) => port.postMessage(message));
    port.close();
    return;
  }
  void runWorkerJob(request, (message, transfer) => port.postMessage(message, transfer), () => createNodeKernelPool()).finally(() =>
    port.close(),
  );
});
