import { splitRange } from '../native-workers/common/kernel-pool.js';
import type { KernelRunner, WasmKernelOptions } from '../native-workers/common/wasm-kernels.js';

/**
 * A kernel runner that splits every call into `parts` ranges exactly as the worker pool does, but
 * runs them one after another on this thread: the kernel tests' check that a split call gives the
 * same bits, without workers.
 */
export const splitRunner =
  (parts: number): NonNullable<WasmKernelOptions['makeRunner']> =>
  (exports, _memory, scratch): KernelRunner => ({
    threads: parts,
    run(name, args, total, align, scratchFloats) {
      const fn = exports[name] as (...a: number[]) => number | undefined;
      let sum = 0;
      splitRange(total, parts, align).forEach(([lo, hi], t) => {
        sum += Number(fn(...args, lo, hi, scratchFloats > 0 ? scratch(t, scratchFloats) : 0) ?? 0);
      });
      return sum;
    },
  });
