import type { JobParams, OpenedFile } from '../app/host-api.js';
import { byId } from './dom.js';
import { wireFileInput } from './drop-zone.js';
import { clearError, messageOf, showError } from './error-banner.js';
import { renderFileSummary } from './file-summary.js';
import { getHost } from './host.js';
import { startTrackedJob, type TrackedJob } from './job-tracker.js';
import { ResultsView } from './results-view.js';
import { RunPanel } from './run-panel.js';

// The page's controller: a file is opened, a job runs on it, its results are shown. One job at a time.

const host = getHost();
const results = new ResultsView(host);
let opened: OpenedFile | null = null;
let job: TrackedJob | null = null;
let busy = false;

const runPanel = new RunPanel({
  onRun: (params) => void run(params),
  onCancel: () => void cancel(),
  onInvalid: showError,
});

function showOpenedFile(file: OpenedFile | null): void {
  byId('file-info', HTMLDivElement).hidden = file === null;
  if (file) {
    byId('file-name', HTMLHeadingElement).textContent = file.name;
    renderFileSummary(byId('file-summary', HTMLDListElement), file);
  }
}

async function open(file: File): Promise<void> {
  if (busy) {
    showError('A job is running: cancel it before opening another file.');
    return;
  }
  clearError();
  busy = true;
  runPanel.setFile(null);
  runPanel.setStatus(`Opening ${file.name}…`, 0);
  try {
    opened = await host.openFile(file.name, await file.arrayBuffer());
    results.clear();
    showOpenedFile(opened);
    runPanel.setStatus('Ready: set the parameters and press Run.', 0);
  } catch (error) {
    const message = messageOf(error);
    // The host's messages usually name the file already.
    showError(message.startsWith(file.name) ? message : `Could not open ${file.name}: ${message}`);
    runPanel.setStatus(opened ? 'Ready.' : 'Open a file to begin.', 0);
  } finally {
    busy = false;
    runPanel.setFile(opened);
  }
}

async function run(params: JobParams): Promise<void> {
  clearError();
  busy = true;
  results.clear();
  runPanel.setRunning(true);
  runPanel.setStatus('Starting…', 0);
  try {
    job = await startTrackedJob(host, params, (event) => runPanel.showProgress(event));
    runPanel.setCancellable(true);
    const outcome = await job.outcome;
    if (outcome.type === 'done') {
      runPanel.setStatus('Loading results…', 1);
      await results.show(job.jobId, await host.getResult(job.jobId));
      runPanel.setStatus('Done.', 1);
    } else if (outcome.type === 'failed') {
      showError(`The job failed: ${outcome.error}`);
      runPanel.setStatus('Failed.', 0);
    } else {
      runPanel.setStatus('Cancelled. Ready.', 0);
    }
  } catch (error) {
    showError(messageOf(error));
    runPanel.setStatus('Ready.', 0);
  } finally {
    job = null;
    busy = false;
    runPanel.setRunning(false);
  }
}

async function cancel(): Promise<void> {
  if (!job) return;
  runPanel.setCancellable(false);
  runPanel.setStatus('Cancelling…');
  try {
    await job.cancel();
  } catch (error) {
    showError(`Could not cancel: ${messageOf(error)}`);
    runPanel.setCancellable(true);
  }
}

wireFileInput(
  { zone: byId('drop-zone', HTMLDivElement), button: byId('open-button', HTMLButtonElement), input: byId('file-input', HTMLInputElement) },
  (file) => void open(file),
);
// Connecting the event stream now means the socket is already open when the first job starts.
host.onJobEvent(() => {});
