import type { HostApi, SeparationGuide } from '../app/host-api.js';
import type { AnalysisClient } from './analysis/analysis-client.js';

/** What a workspace needs from the page: the host, the analysis worker and the error banner. */
export interface WorkspaceContext {
  readonly host: HostApi;
  readonly analysis: AnalysisClient;
  onError(message: string): void;
  /**
   * Starts a guided separation: the run panel's parameters plus these guides (`description` says
   * what they are, for the job summary). Absent where the page runs no jobs.
   */
  runGuided?(guides: readonly SeparationGuide[], description: string): void;
}
