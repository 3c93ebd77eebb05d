import type { HostApi, JobEvent, JobParams, JobProgressEvent, JobSummary } from '../app/host-api.js';

export type JobOutcome =
  | { readonly type: 'done'; readonly summary: JobSummary }
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'cancelled' };

export interface TrackedJob {
  readonly jobId: string;
  /** Settles once: on the job's terminal event, or as 'cancelled' as soon as cancel() returns. */
  readonly outcome: Promise<JobOutcome>;
  cancel(): Promise<void>;
}

/**
 * Starts a job and follows its events. The subscription is made before the job starts, and
 * events that arrive before startJob has returned the id are kept and replayed: a short job may
 * well finish before its id reaches us.
 */
export async function startTrackedJob(host: HostApi, params: JobParams, onProgress: (event: JobProgressEvent) => void): Promise<TrackedJob> {
  let jobId: string | null = null;
  const early: JobEvent[] = [];
  let settle: (outcome: JobOutcome) => void = () => {};
  let settled = false;
  const outcome = new Promise<JobOutcome>((resolve) => {
    settle = (value) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      resolve(value);
    };
  });
  const handle = (event: JobEvent): void => {
    if (event.jobId !== jobId || settled) return;
    if (event.type === 'progress') onProgress(event);
    else if (event.type === 'done') settle({ type: 'done', summary: event.summary });
    else if (event.type === 'failed') settle({ type: 'failed', error: event.error });
    else settle({ type: 'cancelled' });
  };
  const unsubscribe = host.onJobEvent((event) => (jobId === null ? early.push(event) : handle(event)));

  try {
    jobId = (await host.startJob(params)).jobId;
  } catch (error) {
    unsubscribe();
    throw error;
  }
  for (const event of early.splice(0)) handle(event);
  const id = jobId;
  return {
    jobId: id,
    outcome,
    async cancel() {
      if (settled) return;
      try {
        await host.cancelJob(id);
      } catch (error) {
        // The job may have ended on its own meanwhile; then there is nothing to cancel.
        if (!settled) throw error;
      }
      settle({ type: 'cancelled' });
    },
  };
}
