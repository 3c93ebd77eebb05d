import type { HostApi, JobResult, JobSummary } from '../app/host-api.js';
import { renderAudioResults } from './audio-results.js';
import { renderCubeResults } from './cube-results.js';
import { byId } from './dom.js';
import { ExportPanel } from './export-panel.js';
import { formatDuration, formatNumber } from './format.js';

function describeRun(summary: JobSummary): string {
  return (
    `${summary.iterations} iterations of ${summary.algorithm.toUpperCase()} (${summary.loss} loss) in ` +
    `${formatDuration(summary.seconds)}; final objective ${formatNumber(summary.objective)}.`
  );
}

/** The Results section: audio players or spectra and maps, the run's summary, and Export. */
export class ResultsView {
  private readonly section = byId('results', HTMLElement);
  private readonly summary = byId('job-summary', HTMLParagraphElement);
  private readonly audio = byId('audio-results', HTMLDivElement);
  private readonly cube = byId('cube-results', HTMLDivElement);
  private readonly exportPanel: ExportPanel;
  private release: (() => void) | null = null;

  constructor(private readonly host: HostApi) {
    this.exportPanel = new ExportPanel(host);
  }

  clear(): void {
    this.release?.();
    this.release = null;
    this.section.hidden = true;
    this.audio.replaceChildren();
    this.cube.replaceChildren();
    this.summary.textContent = '';
    this.exportPanel.setJob(null);
  }

  async show(jobId: string, result: JobResult): Promise<void> {
    this.clear();
    if (result.kind === 'separate') this.release = await renderAudioResults(this.audio, this.host, jobId, result);
    else await renderCubeResults(this.cube, this.host, jobId, result);
    this.audio.hidden = result.kind !== 'separate';
    this.cube.hidden = result.kind !== 'unmix';
    this.summary.textContent = describeRun(result.summary);
    this.exportPanel.setJob(jobId);
    this.section.hidden = false;
  }
}
