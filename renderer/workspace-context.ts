import type { HostApi } from '../app/host-api.js';
import type { AnalysisClient } from './analysis/analysis-client.js';

/** What a workspace needs from the page: the host, the analysis worker and the error banner. */
export interface WorkspaceContext {
  readonly host: HostApi;
  readonly analysis: AnalysisClient;
  onError(message: string): void;
}
