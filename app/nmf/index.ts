export { factorize } from './factorize.js';
export type { NmfAlgorithm, NmfLoss, NmfOptions, NmfProgress, NmfResult } from './nmf-types.js';
export { frobeniusObjective, klObjective } from './objective.js';
