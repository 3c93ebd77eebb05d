export { betaDivergence, lossToBeta, penaltyTerms } from './beta-divergence.js';
export { factorize, resolveAlgorithm } from './factorize.js';
export { initialize } from './init/initialize.js';
export type { NmfAlgorithm, NmfComponent, NmfInit, NmfLoss, NmfOptions, NmfProgress, NmfResult, ResolvedAlgorithm } from './nmf-types.js';
export { frobeniusObjective, klObjective } from './objective.js';
export { componentEnergies, normalizeFactors } from './postprocess.js';
export { rankSweep, type RankSweepEntry } from './rank-sweep.js';
export { factorizeWithRestarts, type RestartsResult } from './restarts.js';
