/** The kernel pool's helpers as Node worker threads (the compute worker bundle in helper mode). */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createKernelPool, type HelperPort, type KernelPool } from '../common/kernel-pool.js';
import { nodeWorkerScript } from './run-in-node-worker.js';

function spawnNodeHelper(): HelperPort {
  const worker = new Worker(nodeWorkerScript(), { execArgv: [] });
  // A helper blocks in Atomics.wait for good: it must not keep the process alive by itself.
  worker.unref();
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => {
      worker.on('message', listener);
      worker.on('error', (error) => listener(error.message));
    },
    terminate: () => void worker.terminate(),
  };
}

/** WebAssembly kernels on every core (or `threads`), or null where they cannot run. */
export function createNodeKernelPool(threads = availableParallelism()): Promise<KernelPool | null> {
  return createKernelPool(threads, spawnNodeHelper);
}
