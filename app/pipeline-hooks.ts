import type { CancelSignal } from './cancellation.js';
import type { NmfKernels } from './nmf/kernels/nmf-kernels.js';

/** What a long pipeline (separation, unmixing) reports while it runs. */
export interface PipelineProgress {
  /** Human-readable step: "decoding", "STFT", "factorizing", "resynthesis", … */
  readonly stage: string;
  /** Overall completion in [0, 1], monotone over a run. */
  readonly fraction: number;
  /** NMF iteration and objective while factorizing, else null. */
  readonly iteration: number | null;
  readonly objective: number | null;
}

export interface PipelineHooks {
  /** Checked between steps and every NMF iteration; aborting throws CancelledError. */
  readonly signal?: CancelSignal;
  readonly onProgress?: (progress: PipelineProgress) => void;
  /** The kernels the factorization runs on (default: the TypeScript reference). */
  readonly kernels?: NmfKernels;
}
