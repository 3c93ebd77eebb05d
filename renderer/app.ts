import 'uplot/dist/uPlot.min.css';
import type { JobParams, OpenedFile, SeparationGuide } from '../app/host-api.js';
import { AnalysisClient } from './analysis/analysis-client.js';
import { AudioWorkspace } from './audio/audio-workspace.js';
import { CubeWorkspace } from './cube/cube-workspace.js';
import { byId } from './dom.js';
import { wireFileInput } from './drop-zone.js';
import { clearError, messageOf, showError } from './error-banner.js';
import { renderFileSummary } from './file-summary.js';
import { formatDuration, formatNumber } from './format.js';
import { HomeView, type InputFile } from './home/home-view.js';
import { rememberFile } from './home/recent-files.js';
import { getHost } from './host.js';
import { startTrackedJob, type TrackedJob } from './job-tracker.js';
import { RunPanel } from './run-panel.js';
import { installShortcuts } from './shortcuts.js';
import type { WorkspaceContext } from './workspace-context.js';

// The page's controller: a file is opened (home page), its workspace shows it, a job runs on it
// and its results join the workspace. One file and one job at a time.

type Workspace = AudioWorkspace | CubeWorkspace;

const host = getHost();
const context: WorkspaceContext = { host, analysis: new AnalysisClient(), onError: showError, runGuided: (guides, description) => runGuided(guides, description) };
const workspaceView = byId('workspace-view', HTMLDivElement);
const audioRoot = byId('audio-workspace', HTMLElement);
const cubeRoot = byId('cube-workspace', HTMLElement);
const jobSummary = byId('job-summary', HTMLParagraphElement);
let opened: OpenedFile | null = null;
let workspace: Workspace | null = null;
let job: TrackedJob | null = null;
let running = false;
let opening = false;
/** A file that arrived while another was opening: opened next (only the latest is kept). */
let nextFile: InputFile | null = null;

const runPanel = new RunPanel({
  onRun: (params) => void run(params),
  onCancel: () => void cancel(),
  onInvalid: showError,
});

const files = wireFileInput({ zone: byId('drop-zone', HTMLDivElement), input: byId('file-input', HTMLInputElement) }, (file) => void openDropped(file));
const home = new HomeView({ onFile: (file) => void open(file), onOpenDialog: () => files.openDialog(), onError: showError });

const resume = byId('resume-button', HTMLButtonElement);
resume.addEventListener('click', () => showHome(false));

function showHome(visible: boolean): void {
  home.show(visible);
  resume.hidden = !visible || opened === null;
  if (opened) resume.textContent = `Back to ${opened.name}`;
  workspaceView.hidden = visible || opened === null;
  document.body.dataset.view = visible ? 'home' : 'workspace';
}

async function openDropped(file: File): Promise<void> {
  await open({ name: file.name, bytes: await file.arrayBuffer() });
}

async function open(input: InputFile): Promise<void> {
  if (running) {
    showError('A job is running: cancel it before opening another file.');
    return;
  }
  if (opening) {
    nextFile = input;
    return;
  }
  clearError();
  opening = true;
  runPanel.setFile(null);
  runPanel.setStatus(`Opening ${input.name}…`, 0);
  try {
    const file = await host.openFile(input.name, input.bytes);
    workspace?.dispose();
    workspace = null;
    opened = file;
    jobSummary.textContent = '';
    byId('file-name', HTMLHeadingElement).textContent = file.name;
    renderFileSummary(byId('file-summary', HTMLDListElement), file);
    audioRoot.hidden = file.summary.kind !== 'audio';
    cubeRoot.hidden = file.summary.kind !== 'cube';
    showHome(false);
    void rememberFile(file.name, file.summary.kind, input.bytes);
    runPanel.setStatus(`Reading ${file.name}…`, 0);
    workspace = file.summary.kind === 'audio' ? await AudioWorkspace.open(audioRoot, context, file, input.bytes) : await CubeWorkspace.open(cubeRoot, context, file, input.bytes);
    workspaceView.dataset.ready = file.fileId;
    runPanel.setStatus('Ready: set the parameters and press Run.', 0);
  } catch (error) {
    const message = messageOf(error);
    // The host's messages usually name the file already.
    showError(message.startsWith(input.name) ? message : `Could not open ${input.name}: ${message}`);
    runPanel.setStatus(opened ? 'Ready.' : 'Open a file to begin.', 0);
  } finally {
    opening = false;
    runPanel.setFile(opened);
    const next = nextFile;
    nextFile = null;
    if (next) void open(next);
  }
}

/** Guided mode (audio workspace): the run panel's parameters plus the workspace's guides. */
function runGuided(guides: readonly SeparationGuide[], description: string): void {
  if (running || opening) return;
  const params = runPanel.currentParams();
  if (params === null) return;
  if (typeof params === 'string') {
    showError(params);
    return;
  }
  if (params.kind !== 'separate') return;
  void run({ ...params, guides }, `guided by ${description}`);
}

async function run(params: JobParams, note?: string): Promise<void> {
  if (opening) return;
  clearError();
  running = true;
  workspace?.clearResult();
  jobSummary.textContent = '';
  runPanel.setRunning(true);
  if (workspace instanceof AudioWorkspace) workspace.setJobRunning(true);
  runPanel.setStatus('Starting…', 0);
  try {
    job = await startTrackedJob(host, params, (event) => runPanel.showProgress(event));
    runPanel.setCancellable(true);
    const outcome = await job.outcome;
    if (outcome.type === 'done') {
      runPanel.setStatus('Loading results…', 1);
      const result = await host.getResult(job.jobId);
      if (result.kind === 'separate' && workspace instanceof AudioWorkspace) await workspace.showResult(job.jobId, result);
      else if (result.kind === 'unmix' && workspace instanceof CubeWorkspace) {
        // The sum-to-one model (asked for, or implied by sparsity or minimum volume) has a per-pixel scale.
        const scaled = params.kind === 'unmix' && (params.sumToOne === true || (params.sparsity ?? 0) > 0 || (params.minVolume ?? 0) > 0);
        await workspace.showResult(job.jobId, result, scaled);
      }
      const s = result.summary;
      jobSummary.textContent = `${note ? `${capitalise(note)}: ` : ''}${s.iterations} iterations of ${solverName(s.algorithm)} (${s.loss} loss) in ${formatDuration(s.seconds)}; final objective ${formatNumber(s.objective)}.`;
      jobSummary.dataset.guided = String(params.kind === 'separate' && (params.guides?.length ?? 0) > 0);
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
    running = false;
    runPanel.setRunning(false);
    if (workspace instanceof AudioWorkspace) workspace.setJobRunning(false);
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

byId('home-button', HTMLButtonElement).addEventListener('click', () => showHome(true));
byId('open-button', HTMLButtonElement).addEventListener('click', () => files.openDialog());
installShortcuts({
  togglePlay: () => workspace?.togglePlay(),
  open: () => files.openDialog(),
  exportAll: () => void workspace?.exportAll(),
});
showHome(true);
// Connecting the event stream now means the socket is already open when the first job starts.
host.onJobEvent(() => {});

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "cd, best of 3 runs" → "CD, best of 3 runs": the solver's acronym in capitals, the note as is. */
function solverName(algorithm: string): string {
  const comma = algorithm.indexOf(',');
  return comma < 0 ? algorithm.toUpperCase() : algorithm.slice(0, comma).toUpperCase() + algorithm.slice(comma);
}
