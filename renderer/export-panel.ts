import type { HostApi } from '../app/host-api.js';
import { byId, element } from './dom.js';
import { messageOf, showError } from './error-banner.js';

/** The Export button and the list of files it wrote, for whichever job's results are shown. */
export class ExportPanel {
  private readonly button = byId('export-button', HTMLButtonElement);
  private readonly list = byId('export-list', HTMLUListElement);
  private readonly status = byId('export-status', HTMLParagraphElement);
  private jobId: string | null = null;

  constructor(private readonly host: HostApi) {
    this.button.addEventListener('click', () => void this.export());
    this.setJob(null);
  }

  setJob(jobId: string | null): void {
    this.jobId = jobId;
    this.button.disabled = jobId === null;
    this.list.replaceChildren();
    this.status.textContent = '';
  }

  private async export(): Promise<void> {
    const jobId = this.jobId;
    if (jobId === null) return;
    this.button.disabled = true;
    this.status.textContent = 'Exporting…';
    try {
      const { files } = await this.host.exportResult(jobId);
      if (this.jobId !== jobId) return;
      this.status.textContent = `Wrote ${files.length} file${files.length === 1 ? '' : 's'}:`;
      this.list.replaceChildren(...files.map((path) => element('li', {}, [element('code', { text: path })])));
    } catch (error) {
      this.status.textContent = '';
      showError(`Export failed: ${messageOf(error)}`);
    } finally {
      if (this.jobId === jobId) this.button.disabled = false;
    }
  }
}
