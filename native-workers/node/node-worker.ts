/** Node entry of the compute worker (worker_threads): a job, or a kernel-pool helper. */
import { parentPort } from 'node:worker_threads';
import { serveKernelHelper, type KernelHelperMessage, type KernelPool } from '../common/kernel-pool.js';
import type { PrepareRequest, WorkerRequest } from '../common/job-protocol.js';
import { runWorkerJob } from '../common/run-worker-job.js';
import { warmUpKernels } from '../common/warm-up.js';
import { createNodeKernelPool } from './node-kernel-pool.js';

if (!parentPort) throw new Error('node-worker.js must run in a worker thread');
const port = parentPort;

function run(request: WorkerRequest, createPool: () => Promise<KernelPool | null>): void {
  void runWorkerJob(request, (message, transfer) => port.postMessage(message, transfer), createPool).finally(() => port.close());
}

port.once('message', (request: WorkerRequest | KernelHelperMessage | PrepareRequest) => {
  if (request.type === 'kernel-helper') {
    serveKernelHelper(request, (message) => port.postMessage(message));
    port.close();
    return;
  }
  if (request.type === 'prepare') {
    // A spare: start the pool and warm it up now; the job, when it comes, waits for this. A
    // failure reaches the job, which then runs on one thread and says why.
    const pool = createNodeKernelPool().then((p) => {
      try {
        if (p) warmUpKernels(p.kernels);
      } catch (error) {
        p?.close();
        throw error;
      }
      return p;
    });
    pool.catch(() => undefined); // handled by the job; not an unhandled rejection meanwhile
    port.once('message', (job: WorkerRequest) => run(job, () => pool));
    return;
  }
  run(request, () => createNodeKernelPool());
});
